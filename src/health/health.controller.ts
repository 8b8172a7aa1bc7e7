import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { QUEUE_HEALTH, QueueHealth } from '../jobs/queue-health';
import { Lifecycle } from '../lifecycle/lifecycle';
import { SECURITY } from '../openapi/components';
import { OpenApiController, OpenApiOperation } from '../openapi/openapi.decorators';
import { TAGS } from '../openapi/tags';
import { RequestLogWriter } from '../request-log/request-log.writer';
import { GET_HEALTH } from './health.openapi';

const DATABASE_TIMEOUT_MS = 2000;

interface Check {
  ready: boolean;
  error?: string;
}

@OpenApiController({ tag: TAGS.service.name, door: 'provisioning', errors: [400, 500], security: SECURITY.public })
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(QUEUE_HEALTH) private readonly queue: QueueHealth,
    private readonly requestLog: RequestLogWriter,
    private readonly lifecycle: Lifecycle,
  ) {}

  @Get()
  @OpenApiOperation(GET_HEALTH)
  async health(@Res() res: Response): Promise<void> {
    const [database, queue] = await Promise.all([this.checkDatabase(), this.queue.check()]);
    const stopping = this.lifecycle.isStopping;
    const ok = database.ready && queue.ready && !stopping;
    res.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json({
      status: stopping ? 'stopping' : ok ? 'ok' : 'unavailable',
      database: { status: database.ready ? 'up' : 'down', ...(database.error ? { error: database.error } : {}) },
      queue: {
        status: queue.ready ? 'up' : 'down',
        mode: this.queue.mode,
        ...(queue.error ? { error: queue.error } : {}),
      },
      // Informational: a full request-log buffer drops log rows, never requests, so it never fails /health.
      requestLog: this.requestLog.stats,
    });
  }

  private async checkDatabase(): Promise<Check> {
    try {
      await Promise.race([
        this.dataSource.query('SELECT 1'),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error('PostgreSQL did not answer in time')), DATABASE_TIMEOUT_MS).unref(),
        ),
      ]);
      return { ready: true };
    } catch (error) {
      return { ready: false, error: (error as Error).message };
    }
  }
}
