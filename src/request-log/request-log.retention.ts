import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { PeriodicTasks, roundInterval } from '../database/periodic-tasks';
import { DELETE_BATCH, RequestLogsRepository } from './request-logs.repository';

export const RETENTION_INTERVAL_MS = 10 * 60_000;
const DAY_MS = 86_400_000;

/**
 * Keeps the request log within REQUEST_LOG_RETENTION_DAYS and REQUEST_LOG_MAX_ROWS, on workers
 * (APP_ROLE worker or all): at start-up, then every RETENTION_INTERVAL_MS, once per interval
 * across the fleet (a claimed round; an advisory lock besides, should a pass outlast its round).
 * It deletes DELETE_BATCH rows per statement so no lock is held for long and writers never wait.
 */
@Injectable()
export class RequestLogRetention implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('RequestLog');
  private timer?: NodeJS.Timeout;
  private running: Promise<number> | null = null;
  private stopped = false;
  private lastError = '';

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: RequestLogsRepository,
    private readonly periodic: PeriodicTasks,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.appRole === 'api') return;
    this.timer = setInterval(() => void this.run(), RETENTION_INTERVAL_MS).unref();
    void this.run();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** A pass if this round is this instance's; answers how many rows it deleted. Never rejects. */
  run(): Promise<number> {
    this.running ??= this.claimRound()
      .then((mine) => (mine ? this.enforce() : 0))
      .then((deleted) => {
        if (deleted > 0) this.logger.log(`Retention deleted ${deleted} request log rows`);
        this.lastError = '';
        return deleted;
      })
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        if (message !== this.lastError) this.logger.warn(`Request log retention failed: ${message}`);
        this.lastError = message;
        return 0;
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  private claimRound(): Promise<boolean> {
    return this.periodic.claimRound('request-log-retention', roundInterval(RETENTION_INTERVAL_MS));
  }

  /** One pass now (0 when another instance is running one). */
  async enforce(): Promise<number> {
    if (this.stopped) return 0;
    const deleted = await this.repository.withRetentionLock(async () => {
      const { retentionDays, maxRows } = this.config.requestLog;
      const cutoff = new Date(Date.now() - retentionDays * DAY_MS);
      let total = await this.inBatches(() => this.repository.deleteBatchBefore(cutoff));
      const newestBeyond = await this.repository.findRowAfter(maxRows);
      if (newestBeyond) {
        total += await this.inBatches(() => this.repository.deleteBatchUpTo(newestBeyond.time, newestBeyond.id));
      }
      return total;
    });
    return deleted ?? 0;
  }

  private async inBatches(deleteBatch: () => Promise<number>): Promise<number> {
    let total = 0;
    while (!this.stopped) {
      const deleted = await deleteBatch();
      total += deleted;
      if (deleted < DELETE_BATCH) break;
    }
    return total;
  }
}
