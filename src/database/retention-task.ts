import { Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { PeriodicTasks, roundInterval } from './periodic-tasks';

/** How often workers ask for a retention round. */
export const DATA_RETENTION_INTERVAL_MS = 10 * 60_000;
/** Rows one DELETE removes at most: short statements, so no lock is held for long. */
export const RETENTION_BATCH = 2000;
export const DAY_MS = 86_400_000;

/** What one pass deleted, by kind of row, e.g. `{ operations: 1200, transactions: 3 }`. */
export type Deleted = Record<string, number>;

export interface RetentionTaskOptions {
  /** The round's name in periodic_tasks. */
  name: string;
  /** Its advisory lock (ADVISORY_LOCKS). */
  lockKey: number;
  logger: Logger;
  /** Rows that ended this many days ago go; null keeps everything (the task does not run). */
  days: number | null;
}

/**
 * Deletes rows past their retention, on workers (APP_ROLE worker or all): at start-up, then every
 * DATA_RETENTION_INTERVAL_MS, once per interval across the fleet (a claimed round; an advisory lock
 * besides, should a pass outlast its round): the request log, transactions, jobs. A subclass says
 * what a pass deletes, in batches (`inBatches`).
 */
export abstract class RetentionTask implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private running: Promise<Deleted> | null = null;
  private stopped = false;
  private lastError = '';

  protected constructor(
    private readonly config: AppConfig,
    private readonly periodic: PeriodicTasks,
    private readonly task: RetentionTaskOptions,
  ) {}

  /** Deletes what ended before `cutoff`, batch by batch while `stopped()` is false. */
  protected abstract deleteEndedBefore(cutoff: Date): Promise<Deleted>;

  onApplicationBootstrap(): void {
    if (this.config.appRole === 'api' || this.task.days === null) return;
    this.timer = setInterval(() => void this.run(), DATA_RETENTION_INTERVAL_MS).unref();
    void this.run();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** A pass if this round is this instance's; answers what it deleted. Never rejects. */
  run(): Promise<Deleted> {
    this.running ??= this.periodic
      .claimRound(this.task.name, roundInterval(DATA_RETENTION_INTERVAL_MS))
      .then((mine): Promise<Deleted> | Deleted => (mine ? this.enforce() : {}))
      .then((deleted) => {
        const counts = Object.entries(deleted).filter(([, count]) => count > 0);
        if (counts.length > 0) {
          this.task.logger.log(`Retention deleted ${counts.map(([kind, count]) => `${count} ${kind}`).join(', ')}`);
        }
        this.lastError = '';
        return deleted;
      })
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        if (message !== this.lastError) this.task.logger.warn(`Retention (${this.task.name}) failed: ${message}`);
        this.lastError = message;
        return {};
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  /** One pass now, whoever's round it is (nothing when another instance is running one). */
  async enforce(): Promise<Deleted> {
    const days = this.task.days;
    if (this.stopped || days === null) return {};
    const cutoff = new Date(Date.now() - days * DAY_MS);
    return (await this.periodic.ifLockFree(this.task.lockKey, () => this.deleteEndedBefore(cutoff))) ?? {};
  }

  /** Calls `deleteBatch` until it deletes less than a full batch (or the app stops); answers the total. */
  protected async inBatches(deleteBatch: () => Promise<number>, batchSize = RETENTION_BATCH): Promise<number> {
    let total = 0;
    while (!this.stopped) {
      const deleted = await deleteBatch();
      total += deleted;
      if (deleted < batchSize) break;
    }
    return total;
  }
}
