import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { PeriodicTasks, roundInterval } from '../database/periodic-tasks';
import { TransactionRunner } from '../database/transaction-runner';
import { JobDispatcher } from './job-dispatcher';
import { SWEEP_BATCH, SWEEP_INTERVAL_MS, UNCLAIMED_GRACE_MS } from './job-timing';
import { JobsRepository } from './jobs.repository';

/**
 * Makes PostgreSQL, not the queue, the source of truth: every SWEEP_INTERVAL_MS it hands out again
 * the jobs nobody runs (NOT_STARTED for a while: the message was lost; STARTED with an expired
 * lease: the worker died). It sweeps at start-up too, so a restart resumes interrupted jobs at once.
 * In-process the dispatcher claims runnable jobs itself, so a sweep is just its poll.
 */
@Injectable()
export class JobSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Jobs');
  private readonly worker: boolean;
  private timer?: NodeJS.Timeout;
  private sweeping: Promise<void> | null = null;
  private stopped = false;
  private lastError = '';

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly transactions: TransactionRunner,
    private readonly jobs: JobsRepository,
    private readonly dispatcher: JobDispatcher,
    private readonly periodic: PeriodicTasks,
  ) {
    this.worker = config.appRole !== 'api';
  }

  /** After every module's onModuleInit, so every handler is registered before a job is resumed. */
  onApplicationBootstrap(): void {
    if (!this.worker) return;
    this.timer = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS).unref();
    void this.sweep();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.sweeping;
  }

  /** One pass; a pass still running is joined, not doubled. */
  sweep(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (!this.sweeping) {
      this.sweeping = this.sweepOnce()
        .then(() => {
          this.lastError = '';
        })
        .catch((error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          if (message !== this.lastError) this.logger.warn(`Job sweep failed: ${message}`);
          this.lastError = message;
        })
        .finally(() => {
          this.sweeping = null;
        });
    }
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    if (this.dispatcher.claimsFromDatabase) return this.dispatcher.redeliver([]);
    // One worker of a fleet sweeps each round; the others skip it instead of queueing twice.
    if (!(await this.periodic.claimRound('job-sweep', roundInterval(SWEEP_INTERVAL_MS)))) return;
    const due = await this.transactions.run((em) => this.jobs.findUnattended(em, UNCLAIMED_GRACE_MS, SWEEP_BATCH));
    if (!this.stopped) await this.dispatcher.redeliver(due);
  }
}
