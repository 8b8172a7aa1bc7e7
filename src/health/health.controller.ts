import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { QUEUE_HEALTH, QueueHealth } from '../jobs/queue-health';
import { Lifecycle } from '../lifecycle/lifecycle';
import { SECURITY } from '../openapi/components';
import { OpenApiController, OpenApiOperation } from '../openapi/openapi.decorators';
import { TAGS } from '../openapi/tags';
import { RequestLogWriter } from '../request-log/request-log.writer';
import { GET_HEALTH, GET_HEALTH_LIVE, GET_HEALTH_READY } from './health.openapi';

const DATABASE_TIMEOUT_MS = 2000;

interface Check {
  ready: boolean;
  error?: string;
}

@OpenApiController({ tag: TAGS.service.name, door: 'provisioning', errors: [400, 500], security: SECURITY.public })
@Controller('health')
export class HealthController {
  /** Whether this instance is useless without the queue: a worker takes its work from it. */
  private readonly needsQueue: boolean;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(QUEUE_HEALTH) private readonly queue: QueueHealth,
    private readonly requestLog: RequestLogWriter,
    private readonly lifecycle: Lifecycle,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.needsQueue = config.appRole === 'worker';
  }

  /** Kept as it was before /health/live and /health/ready: every dependency must be up. */
  @Get()
  @OpenApiOperation(GET_HEALTH)
  async health(@Res() res: Response): Promise<void> {
    const [database, queue] = await Promise.all([this.checkDatabase(), this.queue.check()]);
    const stopping = this.lifecycle.isStopping;
    const ok = database.ready && queue.ready && !stopping;
    res.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json({
      status: stopping ? 'stopping' : ok ? 'ok' : 'unavailable',
      ...this.dependencies(database, queue),
      // Informational: a full request-log buffer drops log rows, never requests, so it never fails /health.
      requestLog: this.requestLog.stats,
    });
  }

  /**
   * Liveness: answering at all proves the process runs and its event loop turns. No dependency is
   * asked, on purpose: a probe that failed on a database or Redis outage would have healthy
   * processes restarted, which cures nothing and drops the requests they were serving.
   */
  @Get('live')
  @OpenApiOperation(GET_HEALTH_LIVE)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Readiness: whether a load balancer should send this instance traffic. Not while it drains
   * (SIGTERM) nor without PostgreSQL. Without Redis an API instance still serves reads, SCIM,
   * partner sync, the admin API and commits (their jobs wait in PostgreSQL), so it stays ready and
   * says `degraded`; a worker is not ready without its queue.
   */
  @Get('ready')
  @OpenApiOperation(GET_HEALTH_READY)
  async ready(@Res() res: Response): Promise<void> {
    const [database, queue] = await Promise.all([this.checkDatabase(), this.queue.check()]);
    const stopping = this.lifecycle.isStopping;
    const ready = !stopping && database.ready && (queue.ready || !this.needsQueue);
    const status = stopping ? 'stopping' : !ready ? 'unavailable' : queue.ready ? 'ok' : 'degraded';
    res.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json({
      status,
      ...this.dependencies(database, queue),
    });
  }

  private dependencies(database: Check, queue: Check): Record<'database' | 'queue', object> {
    return {
      database: { status: database.ready ? 'up' : 'down', ...(database.error ? { error: database.error } : {}) },
      queue: {
        status: queue.ready ? 'up' : 'down',
        mode: this.queue.mode,
        ...(queue.error ? { error: queue.error } : {}),
      },
    };
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
