import { Injectable } from '@nestjs/common';

/**
 * Whether this instance is stopping. Set once, when SIGTERM starts the drain (src/main.ts):
 * /health and /health/ready then answer 503 so a load balancer stops sending, and long-lived responses (the log
 * tail) end so that the drain is not kept waiting for them.
 */
@Injectable()
export class Lifecycle {
  private stopping = false;
  private readonly listeners: (() => void)[] = [];

  get isStopping(): boolean {
    return this.stopping;
  }

  /** Calls `listener` when the instance starts stopping (at once if it already has). */
  onStopping(listener: () => void): void {
    if (this.stopping) listener();
    else this.listeners.push(listener);
  }

  beginStopping(): void {
    if (this.stopping) return;
    this.stopping = true;
    for (const listener of this.listeners.splice(0)) listener();
  }
}
