import { BullModule, getQueueToken } from '@nestjs/bull';
import { DynamicModule, Logger, Module, Provider } from '@nestjs/common';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { AuthModule } from '../auth/auth.module';
import type { AppConfig } from '../config/app-config';
import { BullDispatcher } from './bull-dispatcher';
import { InProcessDispatcher } from './in-process-dispatcher';
import { JobAuthGuard } from './job-auth.guard';
import { JobDispatcher } from './job-dispatcher';
import { JobRegistry } from './job-registry';
import { JobRunner } from './job-runner';
import { JobRetention } from './job-retention';
import { JobSweeper } from './job-sweeper';
import { AdminJobsController } from './admin-jobs.controller';
import { JobsController } from './jobs.controller';
import { JobsRepository } from './jobs.repository';
import { JobsService } from './jobs.service';
import { EVENTS_QUEUE, PROVISIONING_QUEUE, QUEUE_HEALTH, QueueHealth } from './queue-health';
import { queuePrefix } from './queue-namespace';

const PING_TIMEOUT_MS = 2000;

/**
 * The durable job engine. PostgreSQL holds every job; Bull on Redis (REDIS_URL) only rings the
 * workers' doorbell, and without Redis this process claims jobs from PostgreSQL itself. Either
 * way the sweeper re-delivers what nobody runs. Global: modules register their handlers with
 * JobRegistry and create jobs through JobsService.
 */
@Module({})
export class JobsModule {
  static forRoot(config: AppConfig): DynamicModule {
    const engine: Provider[] = [
      JobRegistry,
      JobsRepository,
      JobRunner,
      JobSweeper,
      JobRetention,
      JobsService,
      JobAuthGuard,
    ];
    const exports = [QUEUE_HEALTH, JobsService, JobRegistry];
    if (!config.redisUrl) {
      const inProcess: QueueHealth = { mode: 'in-process', check: () => Promise.resolve({ ready: true }) };
      return {
        module: JobsModule,
        global: true,
        imports: [AuthModule],
        controllers: [JobsController, AdminJobsController],
        providers: [
          ...engine,
          { provide: JobDispatcher, useClass: InProcessDispatcher },
          { provide: QUEUE_HEALTH, useValue: inProcess },
        ],
        exports,
      };
    }
    return {
      module: JobsModule,
      global: true,
      imports: [
        AuthModule,
        BullModule.forRootAsync({
          inject: [DataSource],
          useFactory: async (dataSource: DataSource) => ({
            redis: config.redisUrl,
            prefix: await queuePrefix(dataSource),
          }),
        }),
        BullModule.registerQueue({ name: PROVISIONING_QUEUE }, { name: EVENTS_QUEUE }),
      ],
      controllers: [JobsController, AdminJobsController],
      providers: [
        ...engine,
        { provide: JobDispatcher, useClass: BullDispatcher },
        {
          provide: QUEUE_HEALTH,
          inject: [getQueueToken(PROVISIONING_QUEUE), getQueueToken(EVENTS_QUEUE)],
          useFactory: (queue: Queue, eventsQueue: Queue): QueueHealth => {
            closeWithoutThrowing(queue);
            closeWithoutThrowing(eventsQueue);
            // Both queues share the Redis; the provisioning queue's health speaks for both.
            eventsQueue.on('error', () => undefined);
            return redisHealth(queue);
          },
        },
      ],
      exports: [...exports, BullModule],
    };
  }
}

/**
 * Bull's close() of a queue whose Redis never answered can reject with the connection's error (it
 * listens for 'error' while it drops a client still connecting), which would fail the whole
 * shutdown; the shutdown goes on, and the error is logged.
 */
function closeWithoutThrowing(queue: Queue): void {
  const close = queue.close.bind(queue);
  queue.close = (doNotWaitJobs?: boolean) =>
    close(doNotWaitJobs).catch((error: unknown) =>
      new Logger('Queue').warn(`Closing the queue: ${error instanceof Error ? error.message : String(error)}`),
    );
}

function redisHealth(queue: Queue): QueueHealth {
  const logger = new Logger('Queue');
  let lastError = '';
  queue.on('error', (error: Error) => {
    // ioredis repeats the same error on every reconnect attempt: log each new one once.
    if (error.message !== lastError) logger.warn(`Redis: ${error.message}`);
    lastError = error.message;
  });
  return {
    mode: 'redis',
    check: async () => {
      try {
        await Promise.race([
          queue.client.ping(),
          new Promise((_, reject) =>
            setTimeout(() => reject(new Error('Redis did not answer PING in time')), PING_TIMEOUT_MS).unref(),
          ),
        ]);
        lastError = '';
        return { ready: true };
      } catch (error) {
        return { ready: false, error: (error as Error).message };
      }
    },
  };
}
