import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { poolStatsOf } from '../database/pool-stats';
import type { JobBacklog } from '../jobs/jobs.repository';
import { JobsService } from '../jobs/jobs.service';
import { RequestLogWriter } from '../request-log/request-log.writer';
import { Metrics } from './metrics';

/**
 * Figures read when Prometheus scrapes, not kept up to date per event: the job backlog (one query
 * per scrape), the request-log buffer and the database pool. Each role exports what it does: the
 * backlog where jobs run (worker, all), the request log where requests are captured (api, all).
 */
@Injectable()
export class ScrapeGauges implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
    private readonly dataSource: DataSource,
    private readonly jobs: JobsService,
    private readonly requestLog: RequestLogWriter,
  ) {}

  onModuleInit(): void {
    const registry = this.metrics.registry;
    if (!registry) return;
    if (this.config.appRole !== 'api') this.jobBacklog(registry);
    if (this.config.appRole !== 'worker') this.requestLogBuffer(registry);
    this.databasePool(registry);
  }

  private jobBacklog(registers: Registry): void {
    // Both gauges are collected at once (prom-client collects concurrently): one query answers both.
    let pending: Promise<JobBacklog> | null = null;
    const backlog = (): Promise<JobBacklog> => {
      pending ??= this.jobs.backlog().finally(() => (pending = null));
      return pending;
    };
    new Gauge({
      name: 'idp_job_queue_depth',
      help: 'Jobs due and waiting for a worker, across the fleet (from the backend_jobs table).',
      registers: [registers],
      async collect() {
        this.set((await backlog()).waiting);
      },
    });
    new Gauge({
      name: 'idp_job_queue_oldest_age_seconds',
      help: 'How long the oldest waiting job has been due; 0 when none waits.',
      registers: [registers],
      async collect() {
        this.set((await backlog()).oldestAgeSeconds);
      },
    });
  }

  private requestLogBuffer(registers: Registry): void {
    const writer = this.requestLog;
    new Gauge({
      name: 'idp_request_log_buffered_rows',
      help: 'Request-log rows waiting in memory for their INSERT.',
      registers: [registers],
      collect() {
        this.set(writer.stats.buffered);
      },
    });
    new Counter({
      name: 'idp_request_log_dropped_rows_total',
      help: 'Request-log rows dropped since the process started: the buffer was full, or a row could not be stored.',
      registers: [registers],
      collect() {
        setCounter(this, writer.stats.dropped);
      },
    });
    new Counter({
      name: 'idp_request_log_failed_writes_total',
      help: 'Request-log batch INSERTs that failed (the rows are kept and retried) since the process started.',
      registers: [registers],
      collect() {
        setCounter(this, writer.failedWrites);
      },
    });
  }

  private databasePool(registers: Registry): void {
    const dataSource = this.dataSource;
    new Gauge({
      name: 'idp_db_pool_connections',
      help: 'Connections of the PostgreSQL pool by state: in_use, idle.',
      labelNames: ['state'],
      registers: [registers],
      collect() {
        const stats = poolStatsOf(dataSource);
        this.set({ state: 'in_use' }, stats ? stats.total - stats.idle : 0);
        this.set({ state: 'idle' }, stats?.idle ?? 0);
      },
    });
    new Gauge({
      name: 'idp_db_pool_waiting_queries',
      help: 'Queries waiting for a free connection of the PostgreSQL pool: above 0, the pool is saturated.',
      registers: [registers],
      collect() {
        this.set(poolStatsOf(dataSource)?.waiting ?? 0);
      },
    });
  }
}

/** A counter kept elsewhere (the writer's own): the exposition shows its current value. */
function setCounter(counter: Counter, value: number): void {
  counter.reset();
  counter.inc(value);
}
