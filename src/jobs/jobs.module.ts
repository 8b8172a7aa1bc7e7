import { BullModule, getQueueToken } from '@nestjs/bull';
import { DynamicModule, Logger, Module } from '@nestjs/common';
import type { Queue } from 'bull';
import type { AppConfig } from '../config/app-config';
import { PROVISIONING_QUEUE, QUEUE_HEALTH, QueueHealth } from './queue-health';

const PING_TIMEOUT_MS = 2000;

/**
 * The job queue: Bull on Redis when REDIS_URL is set, otherwise jobs run in this process
 * (a single node). The job processors arrive with the transactions module.
 */
@Module({})
export class JobsModule {
  static forRoot(config: AppConfig): DynamicModule {
    if (!config.redisUrl) {
      const inProcess: QueueHealth = { mode: 'in-process', check: () => Promise.resolve({ ready: true }) };
      return {
        module: JobsModule,
        global: true,
        providers: [{ provide: QUEUE_HEALTH, useValue: inProcess }],
        exports: [QUEUE_HEALTH],
      };
    }
    return {
      module: JobsModule,
      global: true,
      imports: [
        BullModule.forRoot({ redis: config.redisUrl, prefix: 'idp' }),
        BullModule.registerQueue({ name: PROVISIONING_QUEUE }),
      ],
      providers: [
        {
          provide: QUEUE_HEALTH,
          inject: [getQueueToken(PROVISIONING_QUEUE)],
          useFactory: (queue: Queue): QueueHealth => redisHealth(queue),
        },
      ],
      exports: [QUEUE_HEALTH, BullModule],
    };
  }
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
