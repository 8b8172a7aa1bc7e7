import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { ADVISORY_LOCKS } from '../../database/advisory-lock';
import { PeriodicTasks } from '../../database/periodic-tasks';
import { Deleted, RETENTION_BATCH, RetentionTask } from '../../database/retention-task';
import { TransactionRunner } from '../../database/transaction-runner';
import { FeedRepository } from './feed.repository';

/**
 * Deletes change events that occurred more than EVENT_RETENTION_DAYS ago, on workers, once per
 * round across the fleet, RETENTION_BATCH per statement. Never one the sequencer has yet to number,
 * nor one a stream of its tenant (active or paused) has not passed (seq > its cursor): a paused
 * stream resumes where it stopped, missing nothing.
 */
@Injectable()
export class EventRetention extends RetentionTask {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    periodic: PeriodicTasks,
    private readonly runner: TransactionRunner,
    private readonly repository: FeedRepository,
  ) {
    super(config, periodic, {
      name: 'event-retention',
      lockKey: ADVISORY_LOCKS.changeEventRetention,
      logger: new Logger('Events'),
      days: config.retention.eventDays,
    });
  }

  protected async deleteEndedBefore(cutoff: Date): Promise<Deleted> {
    const events = await this.inBatches(() =>
      this.runner.run((em) => this.repository.deleteBatchBefore(em, cutoff, RETENTION_BATCH)),
    );
    return { 'change events': events };
  }
}
