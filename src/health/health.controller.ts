import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { QUEUE_HEALTH, QueueHealth } from '../jobs/queue-health';
import { Lifecycle } from '../lifecycle/lifecycle';
import { RequestLogWriter } from '../request-log/request-log.writer';

const DATABASE_TIMEOUT_MS = 2000;

interface Check {
  ready: boolean;
  error?: string;
}

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(QUEUE_HEALTH) private readonly queue: QueueHealth,
    private readonly requestLog: RequestLogWriter,
    private readonly lifecycle: Lifecycle,
  ) {}

  @Get()
  @ApiOperation({
    summary: '200 when the database and the job queue are ready; 503 naming the one that is not, or while stopping',
  })
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
