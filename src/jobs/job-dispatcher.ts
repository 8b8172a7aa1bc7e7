import type { UnattendedJob } from './jobs.repository';

/**
 * Hands committed jobs to workers. PostgreSQL stays the record: a hand-off that is lost (Redis
 * down, a message dropped, a process killed) is made again by the sweeper, and the lease makes a
 * job delivered twice run once.
 */
export abstract class JobDispatcher {
  /** True when the dispatcher claims runnable jobs from PostgreSQL itself: the sweeper need not list them. */
  abstract readonly claimsFromDatabase: boolean;

  /**
   * Call after the job's transaction committed. Never throws and never waits on the network.
   * `type` routes the job to its pool's queue; without it the job goes to the default pool's.
   */
  abstract dispatch(jobId: string, attempts?: number, type?: string): void;

  /** Jobs the sweeper found that nobody is running (none are listed when claimsFromDatabase). */
  abstract redeliver(jobs: UnattendedJob[]): Promise<void>;
}
