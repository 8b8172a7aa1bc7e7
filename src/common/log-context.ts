import { AsyncLocalStorage } from 'node:async_hooks';

/** What a log line written on behalf of a request or a job says about it (JsonLogger adds it). */
export interface LogContext {
  /** The request's X-Request-Id; for a job, that of the request that queued it, if known. */
  correlationId?: string;
  jobId?: string;
  tenantId?: string;
  /** Who the request or job acts for; change events record it (set by each door's guard or job). */
  actor?: ChangeActor;
  /** The provisioning transaction a batch commit applies; change events record it. */
  transactionId?: string;
}

/** The door and credential behind a change. */
export interface ChangeActor {
  door: 'scim' | 'batch' | 'direct' | 'partner' | 'admin' | 'system';
  credentialId: string | null;
  credentialName: string | null;
}

const storage = new AsyncLocalStorage<LogContext>();

/** The context of the request or job this code runs for, if any. */
export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}

/** Runs `work` (and everything it starts, timers and promises included) inside `context`. */
export function withLogContext<T>(context: LogContext, work: () => T): T {
  return storage.run(context, work);
}

/**
 * Runs `work` outside any request or job: for work a request merely triggers but that is not
 * part of it (the request-log writer's flush, the in-process job pump), whose lines and timers
 * must not carry that request's id.
 */
export function outsideLogContext<T>(work: () => T): T {
  return storage.exit(work);
}
