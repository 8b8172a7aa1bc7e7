import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { PeriodicTasks, roundInterval } from '../database/periodic-tasks';
import { TransactionRunner } from '../database/transaction-runner';
import { TransactionsRepository } from './transactions.repository';

/** How often workers ask for an expiry round. */
export const TRANSACTION_EXPIRY_INTERVAL_MS = 60_000;
const MINUTE_MS = 60_000;

/**
 * Ends OPEN transactions nobody has touched for TRANSACTION_OPEN_TTL_MINUTES as EXPIRED (an end
 * state: nothing of them is applied, retention deletes them later), so an integration that opened
 * a transaction and died does not leave it open forever. Runs on workers (APP_ROLE worker or all):
 * at start-up, then once per TRANSACTION_EXPIRY_INTERVAL_MS across the fleet (a claimed round).
 * One UPDATE per round; it needs no advisory lock, since running it twice changes nothing more.
 */
@Injectable()
export class TransactionExpiry implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Provisioning');
  private timer?: NodeJS.Timeout;
  private running: Promise<number> | null = null;
  private lastError = '';

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly periodic: PeriodicTasks,
    private readonly runner: TransactionRunner,
    private readonly transactions: TransactionsRepository,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.appRole === 'api' || this.config.retention.openTransactionMinutes === null) return;
    this.timer = setInterval(() => void this.run(), TRANSACTION_EXPIRY_INTERVAL_MS).unref();
    void this.run();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** A pass if this round is this instance's; answers how many expired. Never rejects. */
  run(): Promise<number> {
    this.running ??= this.periodic
      .claimRound('transaction-expiry', roundInterval(TRANSACTION_EXPIRY_INTERVAL_MS))
      .then((mine) => (mine ? this.expire() : 0))
      .then((expired) => {
        if (expired > 0) this.logger.log(`Expired ${expired} idle OPEN transaction(s)`);
        this.lastError = '';
        return expired;
      })
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        if (message !== this.lastError) this.logger.warn(`Transaction expiry failed: ${message}`);
        this.lastError = message;
        return 0;
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  /** Expires now, whoever's round it is; answers how many. */
  async expire(now = new Date()): Promise<number> {
    const minutes = this.config.retention.openTransactionMinutes;
    if (minutes === null) return 0;
    const before = new Date(now.getTime() - minutes * MINUTE_MS);
    return this.runner.run((em) => this.transactions.expireIdleSince(em, before));
  }
}
