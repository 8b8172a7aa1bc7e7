import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { TransactionRunner } from '../../database/transaction-runner';
import { JobsService } from '../../jobs/jobs.service';
import { EVENT_DELIVERY } from './event-delivery.handler';
import { EventDeliveryRepository } from './event-delivery.repository';

/** How often a worker looks for push streams with events to deliver. */
export const DELIVERY_SCHEDULE_MS = 200;
/** Streams one tick starts jobs for. */
const STREAMS_PER_TICK = 100;

/**
 * On the worker role: every DELIVERY_SCHEDULE_MS, starts an EVENT_DELIVERY job for each active
 * push stream that has numbered events after its cursor (the EventSequencer numbers them within
 * SEQUENCE_INTERVAL_MS of their commit, on every instance), is due
 * (next_attempt_on) and has no live job. The stream row is locked while its job is created and
 * recorded in delivery_job_id, so a fleet of workers starts one job per stream.
 */
@Injectable()
export class DeliveryScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('EventDelivery');
  private readonly worker: boolean;
  private timer?: NodeJS.Timeout;
  private ticking: Promise<void> | null = null;
  private stopped = false;
  private lastError = '';

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly transactions: TransactionRunner,
    private readonly repository: EventDeliveryRepository,
    private readonly jobs: JobsService,
  ) {
    this.worker = config.appRole !== 'api';
  }

  onApplicationBootstrap(): void {
    if (!this.worker) return;
    this.timer = setInterval(() => void this.tick(), DELIVERY_SCHEDULE_MS).unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.ticking;
  }

  /** One pass; a pass still running is joined, not doubled. */
  tick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.ticking ??= this.startDue()
      .then(() => {
        this.lastError = '';
      })
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        if (message !== this.lastError) this.logger.warn(`Event delivery scheduling failed: ${message}`);
        this.lastError = message;
      })
      .finally(() => {
        this.ticking = null;
      });
    return this.ticking ?? Promise.resolve();
  }

  private async startDue(): Promise<void> {
    const started = await this.transactions.run(async (em) => {
      const due = await this.repository.lockDueStreams(em, STREAMS_PER_TICK);
      const ids: string[] = [];
      for (const stream of due) {
        const job = await this.jobs.create(em, {
          type: EVENT_DELIVERY,
          tenantId: stream.tenantId,
          createdBy: 'system',
          payload: { streamId: stream.id },
        });
        await this.repository.setDeliveryJob(em, stream.id, job.id);
        ids.push(job.id);
      }
      return ids;
    });
    for (const id of started) this.jobs.dispatch(id, EVENT_DELIVERY);
  }
}
