import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ADVISORY_LOCKS } from '../database/advisory-lock';
import { PeriodicTasks } from '../database/periodic-tasks';
import { Deleted, RETENTION_BATCH, RetentionTask } from '../database/retention-task';
import { TransactionRunner } from '../database/transaction-runner';
import { JobsRepository } from './jobs.repository';

/**
 * Deletes jobs that finished (DONE, FAILED, CANCELLED) more than JOB_RETENTION_DAYS ago. A job
 * that has not started or is running is never touched; its status route answers 404 once it is gone.
 */
@Injectable()
export class JobRetention extends RetentionTask {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    periodic: PeriodicTasks,
    private readonly transactions: TransactionRunner,
    private readonly jobs: JobsRepository,
  ) {
    super(config, periodic, {
      name: 'job-retention',
      lockKey: ADVISORY_LOCKS.jobRetention,
      logger: new Logger('Jobs'),
      days: config.retention.jobDays,
    });
  }

  protected async deleteEndedBefore(cutoff: Date): Promise<Deleted> {
    const jobs = await this.inBatches(() =>
      this.transactions.run((em) => this.jobs.deleteFinishedBefore(em, cutoff, RETENTION_BATCH)),
    );
    return { jobs };
  }
}
