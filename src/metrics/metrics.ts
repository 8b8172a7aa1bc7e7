import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { doorOf, HttpDoor, methodLabel, routeTemplateOf, statusClassOf, UNMATCHED_ROUTE } from './http-labels';
import { rateLimitOf } from './rate-limited';
import { stopEventLoopMonitors, trackEventLoopMonitors } from './event-loop-monitors';

/** Seconds; from 5 ms (a cached SCIM GET) to 10 s (a large direct-mode batch). */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds; jobs run from a fraction of a second to many minutes. */
const JOB_BUCKETS = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600];

type HttpLabel = 'door' | 'route' | 'method' | 'status_class';
type HttpSeries = Histogram.Internal<HttpLabel>;

/** How a job's run on this process ended. */
export type JobRunOutcome = 'completed' | 'failed' | 'cancelled' | 'lease_lost' | 'handed_back';

/** The instruments, created only when metrics are on: off, nothing is collected at all. */
class Instruments {
  readonly http: Histogram<HttpLabel>;
  readonly rateLimitRejections: Counter<'limit' | 'door'>;
  readonly jobDuration: Histogram<'type' | 'outcome'>;
  readonly operations: Counter<'operation' | 'result' | 'error_type'>;
  /** Series of matched routes, by Express's route object: no string is built per request. */
  private readonly routes = new WeakMap<object, RouteSeries>();
  private readonly unmatched = new Map<HttpDoor, RouteSeries>();

  constructor(readonly registry: Registry) {
    const registers = [registry];
    this.http = new Histogram({
      name: 'idp_http_request_duration_seconds',
      help: 'HTTP requests by door, route template, method and status class: time from arrival to the last byte of the answer.',
      labelNames: ['door', 'route', 'method', 'status_class'],
      buckets: HTTP_BUCKETS,
      registers,
    });
    this.rateLimitRejections = new Counter({
      name: 'idp_rate_limit_rejections_total',
      help: 'Requests refused with 429, by the limit that refused them and the door.',
      labelNames: ['limit', 'door'],
      registers,
    });
    this.jobDuration = new Histogram({
      name: 'idp_job_duration_seconds',
      help: 'Background job runs on this process, by job type and outcome, from claim to end.',
      labelNames: ['type', 'outcome'],
      buckets: JOB_BUCKETS,
      registers,
    });
    this.operations = new Counter({
      name: 'idp_operations_total',
      help: 'Provisioning operations (batch commits and direct mode) by operation, result and the error type of a failure.',
      labelNames: ['operation', 'result', 'error_type'],
      registers,
    });
    new Gauge({
      name: 'idp_build_info',
      help: 'Always 1: the version of the service and of Node.js this process runs.',
      labelNames: ['version', 'node_version'],
      registers,
    }).set({ version: packageVersion(), node_version: process.version }, 1);
  }

  seriesOf(req: Request): RouteSeries {
    const route = req.route as object | undefined;
    if (route) {
      let series = this.routes.get(route);
      if (!series) {
        const template = routeTemplateOf(req);
        series = new RouteSeries(this.http, doorOf(template), template);
        this.routes.set(route, series);
      }
      return series;
    }
    const door = doorOf((req.originalUrl ?? req.url).split('?')[0]);
    let series = this.unmatched.get(door);
    if (!series) {
      series = new RouteSeries(this.http, door, UNMATCHED_ROUTE);
      this.unmatched.set(door, series);
    }
    return series;
  }
}

/** The histogram's children of one route, bound once per method and status class. */
class RouteSeries {
  private readonly byMethod = new Map<string, HttpSeries[]>();

  constructor(
    private readonly histogram: Histogram<HttpLabel>,
    readonly door: HttpDoor,
    private readonly route: string,
  ) {}

  child(method: string, status: number): HttpSeries {
    let byClass = this.byMethod.get(method);
    if (!byClass) {
      byClass = [];
      this.byMethod.set(method, byClass);
    }
    const index = status >= 100 && status < 600 ? Math.floor(status / 100) : 0;
    return (byClass[index] ??= this.histogram.labels(
      this.door,
      this.route,
      methodLabel(method),
      statusClassOf(status),
    ));
  }
}

/**
 * The service's Prometheus metrics: one registry per app (tests run many apps in one process),
 * nothing recorded and no registry at all unless METRICS_TOKEN or METRICS_PORT turns them on.
 * Recording methods are safe to call either way.
 */
@Injectable()
export class Metrics implements OnModuleInit, OnApplicationShutdown {
  private readonly on: Instruments | null;
  private readonly stopMonitors: () => void;
  private readonly token: boolean;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.token = config.metrics.token !== undefined;
    const enabled = config.metrics.token !== undefined || config.metrics.port !== undefined;
    if (!enabled) {
      this.on = null;
      this.stopMonitors = () => undefined;
      return;
    }
    const registry = new Registry();
    this.on = new Instruments(registry);
    // Process metrics and event-loop lag; prom-client never stops its event-loop monitor, so
    // this app stops the ones it started when it closes.
    const monitors = trackEventLoopMonitors(() => collectDefaultMetrics({ register: registry, prefix: 'idp_' }));
    // Gauges named like counters, which promtool's lint refuses; the same counts by type remain.
    for (const name of ['active_handles', 'active_requests', 'active_resources']) {
      registry.removeSingleMetric(`idp_nodejs_${name}_total`);
    }
    this.stopMonitors = () => stopEventLoopMonitors(monitors);
  }

  onModuleInit(): void {
    if (this.on) {
      if (this.token) new Logger('Metrics').log('Metrics served on GET /metrics to the METRICS_TOKEN bearer token');
      return;
    }
    new Logger('Metrics').log(
      'Prometheus metrics are off: set METRICS_TOKEN (GET /metrics with that bearer token) or METRICS_PORT (a listener of their own) to turn them on',
    );
  }

  get enabled(): boolean {
    return this.on !== null;
  }

  /** The registry to add scrape-time gauges to; null when metrics are off. */
  get registry(): Registry | null {
    return this.on?.registry ?? null;
  }

  /** The exposition (text format 0.0.4) and its content type. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    if (!this.on) throw new Error('Metrics are off');
    return { contentType: this.on.registry.contentType, body: await this.on.registry.metrics() };
  }

  /**
   * Times every request from arrival to the answer's last byte; installed first (createApp), so
   * requests refused before routing are counted too. Null when metrics are off.
   */
  httpMiddleware(): ((req: Request, res: Response, next: NextFunction) => void) | null {
    const on = this.on;
    if (!on) return null;
    return (req, res, next) => {
      const started = performance.now();
      res.once('finish', () => {
        const series = on.seriesOf(req);
        const status = res.statusCode;
        series.child(req.method, status).observe((performance.now() - started) / 1000);
        if (status === 429) on.rateLimitRejections.labels(rateLimitOf(res), series.door).inc();
      });
      next();
    };
  }

  jobFinished(type: string, outcome: JobRunOutcome, seconds: number): void {
    this.on?.jobDuration.labels(type, outcome).observe(seconds);
  }

  /** `operation` as `CREATE_USER`; `errorType` null when it was applied. */
  operation(operation: string, errorType: string | null, count = 1): void {
    if (!this.on || count === 0) return;
    this.on.operations.labels(operation, errorType ? 'failed' : 'applied', errorType ?? 'none').inc(count);
  }

  onApplicationShutdown(): void {
    this.stopMonitors();
    this.on?.registry.clear();
  }
}

let version: string | undefined;

/** The version in the package.json above this file (src/ or dist/src/). */
function packageVersion(): string {
  if (version !== undefined) return version;
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: unknown };
    version = typeof parsed.version === 'string' ? parsed.version : 'unknown';
  } catch {
    version = 'unknown';
  }
  return version;
}
