import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ADVISORY_LOCKS } from '../database/advisory-lock';
import { PeriodicTasks } from '../database/periodic-tasks';
import { Deleted, RetentionTask } from '../database/retention-task';
import { RequestActivityRepository } from './request-activity.repository';
import { DELETE_BATCH, RequestLogsRepository } from './request-logs.repository';

/**
 * Keeps the request log within REQUEST_LOG_RETENTION_DAYS and REQUEST_LOG_MAX_ROWS, on workers,
 * once per round across the fleet (RetentionTask). It deletes DELETE_BATCH rows per statement so no
 * lock is held for long and writers never wait.
 */
@Injectable()
export class RequestLogRetention extends RetentionTask {
  constructor(
    @Inject(APP_CONFIG) private readonly appConfig: AppConfig,
    periodic: PeriodicTasks,
    private readonly repository: RequestLogsRepository,
    private readonly activity: RequestActivityRepository,
  ) {
    super(appConfig, periodic, {
      name: 'request-log-retention',
      lockKey: ADVISORY_LOCKS.requestLogRetention,
      logger: new Logger('RequestLog'),
      days: appConfig.requestLog.retentionDays,
    });
  }

  /**
   * Rows older than the cutoff, then the oldest beyond REQUEST_LOG_MAX_ROWS; and the hours of the
   * overview's rollup older than the cutoff (REQUEST_LOG_MAX_ROWS does not apply to them: they hold
   * counts, a few rows per tenant and hour).
   */
  protected async deleteEndedBefore(cutoff: Date): Promise<Deleted> {
    let rows = await this.inBatches(() => this.repository.deleteBatchBefore(cutoff), DELETE_BATCH);
    const newestBeyond = await this.repository.findRowAfter(this.appConfig.requestLog.maxRows);
    if (newestBeyond) {
      rows += await this.inBatches(
        () => this.repository.deleteBatchUpTo(newestBeyond.time, newestBeyond.id),
        DELETE_BATCH,
      );
    }
    const hours = await this.inBatches(() => this.activity.deleteBatchBefore(cutoff), DELETE_BATCH);
    return { 'request log rows': rows, ...(hours > 0 ? { 'request activity hours': hours } : {}) };
  }
}
