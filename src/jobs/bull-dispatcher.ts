import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Job, JobOptions, Queue } from 'bull';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { JobDispatcher } from './job-dispatcher';
import { JobRunner } from './job-runner';
import { ENQUEUE_TIMEOUT_MS } from './job-timing';
import type { UnattendedJob } from './jobs.repository';
import { EVENTS_QUEUE, PROVISIONING_QUEUE } from './queue-health';
import type { JobPool } from './job-handler';
import { JobRegistry } from './job-registry';

export interface QueueMessage {
  jobId: string;
}

/**
 * Redis: a Bull message is only a doorbell ("job X wants running"); the processor claims the job
 * in PostgreSQL like any other worker would. While Redis is unreachable, workers run the jobs the
 * sweeper finds themselves, so jobs keep running on PostgreSQL alone.
 */
@Injectable()
export class BullDispatcher extends JobDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  readonly claimsFromDatabase = false;
  private readonly logger = new Logger('Jobs');
  private readonly worker: boolean;
  /** Per pool: its queue, the queue's concurrency, and the jobs run without Redis (bounded alike). */
  private readonly pools: Record<
    JobPool,
    { queue: Queue<QueueMessage>; concurrency: number; local: Set<Promise<void>> }
  >;
  private stopped = false;
  private lastError = '';

  constructor(
    @InjectQueue(PROVISIONING_QUEUE) queue: Queue<QueueMessage>,
    @InjectQueue(EVENTS_QUEUE) eventsQueue: Queue<QueueMessage>,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly runner: JobRunner,
    private readonly registry: JobRegistry,
  ) {
    super();
    this.worker = config.appRole !== 'api';
    this.pools = {
      default: { queue, concurrency: config.jobConcurrency, local: new Set() },
      events: { queue: eventsQueue, concurrency: config.eventDelivery.concurrency, local: new Set() },
    };
  }

  /** After every module's onModuleInit, so every handler is registered before a job arrives. */
  onApplicationBootstrap(): void {
    if (!this.worker) return;
    for (const { queue, concurrency } of Object.values(this.pools)) {
      // process() settles only when the queue closes; its failures are the queue's own 'error's.
      queue
        .process(concurrency, (message: Job<QueueMessage>) =>
          this.stopped ? Promise.resolve() : this.runner.run(message.data.jobId),
        )
        .catch((error: unknown) => this.logger.warn(`Bull processor stopped: ${describe(error)}`));
    }
  }

  onModuleDestroy(): void {
    this.stopped = true;
  }

  dispatch(jobId: string, attempts = 0, type?: string): void {
    void this.enqueue(jobId, attempts, type);
  }

  /** True once Redis holds the message; false after a failure or ENQUEUE_TIMEOUT_MS (then the sweeper retries). */
  async enqueue(jobId: string, attempts: number, type?: string): Promise<boolean> {
    const { queue } = this.pools[type === undefined ? 'default' : this.registry.poolOf(type)];
    const options: JobOptions = {
      // One id per claim count: a re-dispatch is not deduplicated against a message already
      // consumed, while the sweeper re-adding a message still waiting in Redis is a no-op.
      jobId: `${jobId}:${attempts}`,
      attempts: 1,
      removeOnComplete: true,
      removeOnFail: true,
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Redis did not take the message within ${ENQUEUE_TIMEOUT_MS} ms`)),
        ENQUEUE_TIMEOUT_MS,
      ).unref();
    });
    try {
      // Bull's add() waits for Redis forever while it is down; the race bounds it. A late add is
      // harmless: the lease makes a job delivered twice run once.
      await Promise.race([queue.add({ jobId }, options), timeout]);
      this.lastError = '';
      return true;
    } catch (error) {
      const message = describe(error);
      if (message !== this.lastError) this.logger.warn(`Could not queue job ${jobId}: ${message}`);
      this.lastError = message;
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async redeliver(jobs: UnattendedJob[]): Promise<void> {
    let redisDown = false;
    for (const job of jobs) {
      if (this.stopped) return;
      if (!redisDown && (await this.enqueue(job.id, job.attempts, job.type))) continue;
      // Once Redis has failed in this sweep, do not pay its timeout for every job.
      redisDown = true;
      if (!this.worker) return;
      const { local, concurrency } = this.pools[this.registry.poolOf(job.type)];
      if (local.size >= concurrency) continue;
      const execution = this.runner
        .run(job.id)
        .catch((error: unknown) => this.logger.warn(`Job ${job.id}: ${describe(error)}`))
        .finally(() => local.delete(execution));
      local.add(execution);
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
