import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { outsideLogContext } from '../common/log-context';
import { JobDispatcher } from './job-dispatcher';
import { JOB_POOLS, JobPool } from './job-handler';
import { JobRunner } from './job-runner';

/**
 * No Redis: this process claims runnable jobs straight from PostgreSQL (FOR UPDATE SKIP LOCKED),
 * up to JOB_CONCURRENCY at once, and event deliveries up to EVENT_DELIVERY_CONCURRENCY in slots of
 * their own (each pool claims only its job types). It pumps when a job is dispatched, when a job ends (to take the
 * next queued one) and on every sweep (the poll loop), so nothing waits on a lost signal.
 */
@Injectable()
export class InProcessDispatcher extends JobDispatcher implements OnModuleDestroy {
  readonly claimsFromDatabase = true;
  private readonly logger = new Logger('Jobs');
  private readonly pools: { pool: JobPool; concurrency: number; active: Set<Promise<void>> }[];
  private readonly worker: boolean;
  private pumping = false;
  private pumpAgain = false;
  private stopped = false;
  private lastError = '';

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly runner: JobRunner,
  ) {
    super();
    this.worker = config.appRole !== 'api';
    this.pools = JOB_POOLS.map((pool) => ({
      pool,
      concurrency: pool === 'events' ? config.eventDelivery.concurrency : config.jobConcurrency,
      active: new Set<Promise<void>>(),
    }));
    if (!this.worker) {
      this.logger.warn('APP_ROLE=api without REDIS_URL: this process runs no jobs; a worker on the same database must');
    }
  }

  dispatch(): void {
    this.pump();
  }

  redeliver(): Promise<void> {
    this.pump();
    return Promise.resolve();
  }

  onModuleDestroy(): void {
    this.stopped = true;
  }

  private pump(): void {
    if (!this.worker || this.stopped) return;
    // The request that dispatched a job does not own the claim loop (nor the jobs it starts: each
    // runs in its own log context, see JobRunner.execute).
    outsideLogContext(() => this.claimLoop());
  }

  private claimLoop(): void {
    // One claim loop at a time; a signal that arrives meanwhile makes it go round once more.
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    this.pumpAgain = false;
    this.fill()
      .then(() => (this.lastError = ''))
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        // A database outage would repeat this on every sweep: say it once.
        if (message !== this.lastError) this.logger.warn(`Could not claim jobs: ${message}`);
        this.lastError = message;
      })
      .finally(() => {
        this.pumping = false;
        if (this.pumpAgain) this.pump();
      });
  }

  private async fill(): Promise<void> {
    for (const { pool, concurrency, active } of this.pools) {
      while (!this.stopped) {
        const free = concurrency - active.size;
        if (free <= 0) break;
        const jobs = await this.runner.claimRunnable(free, pool);
        for (const job of jobs) {
          const execution = this.runner.execute(job).finally(() => {
            active.delete(execution);
            this.pump();
          });
          active.add(execution);
        }
        if (jobs.length < free) break;
      }
    }
  }
}
