import type { EntityManager } from 'typeorm';

/** What a handler gets to do its work: the job's identity and the only ways it may write. */
export interface JobContext {
  readonly jobId: string;
  readonly tenantId: string;
  readonly createdBy: string;
  readonly payload: Record<string, unknown>;
  /**
   * Runs `work` in ONE database transaction that also renews this worker's lease; if the lease
   * was lost (another worker took the job) it rolls back and throws LeaseLostError. Every write
   * of the job must go through step(), so a job run twice applies each piece of work once.
   * `work` must use `em` only: on the embedded database any other connection waits for this
   * transaction to end.
   */
  step<T>(work: (em: EntityManager) => Promise<T>): Promise<T>;
  /** Inside a step: append an update line ("Processing departments: 50/100 completed") and set donePercentage. */
  progress(em: EntityManager, message: string, donePercentage: number): Promise<void>;
  /** True once an operator asked to cancel. Call it between steps, never inside one. */
  cancelRequested(): Promise<boolean>;
}

/** The errorMessage of a job an operator cancelled, unless its handler says more. */
export const CANCELLED_BY_OPERATOR = 'Cancelled by an operator';

export interface JobOutcome {
  status: 'DONE' | 'FAILED' | 'CANCELLED';
  errorMessage?: string | null;
  results?: Record<string, unknown>;
}

export interface AbandonedJob {
  id: string;
  tenantId: string;
  payload: Record<string, unknown>;
}

/**
 * A job's concurrency pool: each has its own slots in every worker, so the jobs of one pool never
 * wait for (nor take) the slots of the other. 'default' (JOB_CONCURRENCY) runs commits and the
 * rest; 'events' (EVENT_DELIVERY_CONCURRENCY) runs event deliveries, whose receivers may be slow.
 */
export type JobPool = 'default' | 'events';
export const JOB_POOLS: readonly JobPool[] = ['default', 'events'];

export interface JobHandler {
  readonly type: string;
  /** The pool whose slots run this type; 'default' when absent. */
  readonly pool?: JobPool;
  /**
   * Does the job's work in steps and says how it ended. It must be safe to run again from the
   * start after a crash: load what is left to do from PostgreSQL, never from memory.
   */
  run(context: JobContext): Promise<JobOutcome>;
  /**
   * Called in the transaction that marks the job FAILED after run() threw (not for
   * LeaseLostError), or CANCELLED before it ever ran: lets the owner (e.g. the provisioning
   * transaction) reach its own end state in the same commit.
   */
  onAbandoned?(
    em: EntityManager,
    job: AbandonedJob,
    outcome: 'FAILED' | 'CANCELLED',
    errorMessage: string,
  ): Promise<void>;
}

/** Another worker owns the job now; the current run must stop without writing anything more. */
export class LeaseLostError extends Error {
  constructor(jobId: string) {
    super(`Lost the lease on job ${jobId} to another worker`);
    this.name = 'LeaseLostError';
  }
}

/**
 * This process is shutting down: the run stops at the next step boundary and the job stays
 * STARTED, to be resumed by another worker (or after the restart).
 */
export class ShutdownError extends Error {
  constructor(jobId: string) {
    super(`Stopped job ${jobId}: the process is shutting down`);
    this.name = 'ShutdownError';
  }
}
