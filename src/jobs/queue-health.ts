/** Whether the job queue can take work right now. */
export interface QueueHealth {
  readonly mode: 'redis' | 'in-process';
  check(): Promise<{ ready: boolean; error?: string }>;
}

export const QUEUE_HEALTH = Symbol('QUEUE_HEALTH');
export const PROVISIONING_QUEUE = 'provisioning';
/** Event deliveries: a queue of their own, so its processor's concurrency is theirs alone. */
export const EVENTS_QUEUE = 'events';
