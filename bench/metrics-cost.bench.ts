// Benchmark: what Prometheus metrics cost on the SCIM filter load of bench/scim.bench.ts.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 npm run bench:metrics
// Two instances of the built service on one seeded database: metrics off (neither METRICS_TOKEN nor
// METRICS_PORT: nothing is collected, the baseline) and metrics on (METRICS_TOKEN, with a scrape of
// GET /metrics every second while it is measured, as a Prometheus with a 1 s interval would). Each
// runs `GET /Users?filter=userName eq "<random seeded user>"` on 50 connections, 2 s warm-up then
// 10 s measured, in interleaved rounds (off, on, on, off, off, on...) so that the machine's noise
// falls on both alike; the figures are medians over the rounds. Target (issue 17): metrics on
// costs under 3% of the requests/s. On a machine shared with other work the requests/s of one run
// swing far more than 3% with the others' load: the server's CPU time per request (from /proc),
// which other work disturbs much less, is printed beside them and is the figure to read there.
// Before the load, the recording itself is timed in this process: the HTTP middleware on a
// request and its answer, 100,000 times, against the same request and answer without it. METRICS_BENCH_ROUNDS (default 6) sets the rounds; BENCH_SCALE
// below 1 shrinks the directory and the seconds, only to check that the bench runs.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { NextFunction, Request, Response } from 'express';
import * as os from 'node:os';
import { Client } from 'pg';
import { withCleanup } from './support/cleanup';
import { withScratchDatabase } from './support/database';
import { describeStatuses, LoadResult, percentile, runLoad } from './support/load';
import { freePort, processesCpu, Server, startServer } from './support/processes';
import { BenchOptions, BenchReport, figure, scaled, standalone } from './support/report';
import { KINDS, scimScenario } from './support/scim-scenarios';
import { seedDirectory } from './support/scim-seed';
import { loadConfig } from '../src/config/app-config';
import { Metrics } from '../src/metrics/metrics';

const USERS = 100_000;
const GROUPS = 2_000;
const CONNECTIONS = 50;
const WARMUP_SECONDS = 2;
const MEASURE_SECONDS = 10;
const ROUNDS = 6;
const SCRAPE_EVERY_MS = 1000;
/** Metrics on must keep at least this share of metrics off's requests/s. */
const TARGET_RATIO = 0.97;
const TENANT = 'default';

type Mode = 'off' | 'on';

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const rps = (value: number): string => `${Math.round(value).toLocaleString('en-GB')} req/s`;
const ms = (value: number): string => `${value.toFixed(1)} ms`;

const HOT_PATH_REQUESTS = 100_000;
const HOT_PATH_REPEATS = 7;

/**
 * Microseconds the metrics middleware adds to one request, in this process: an answer's `finish`
 * with the middleware's listener (the histogram observed through its pre-bound series) minus the
 * same without it. The least of several repeats: the machine's other work only ever adds time.
 */
function hotPathMicros(): number {
  const metrics = new Metrics(loadConfig({ METRICS_TOKEN: 'bench-only-metrics-token' }));
  const middleware = metrics.httpMiddleware()!;
  const route = { path: '/scim/v2/Users' };
  const req = { method: 'GET', url: '/scim/v2/Users', originalUrl: '/scim/v2/Users', baseUrl: '', route } as Request;
  const next: NextFunction = () => undefined;
  const time = (withMetrics: boolean): number => {
    const started = performance.now();
    for (let i = 0; i < HOT_PATH_REQUESTS; i++) {
      const res = Object.assign(new EventEmitter(), { statusCode: 200 }) as unknown as Response;
      if (withMetrics) middleware(req, res, next);
      res.emit('finish');
    }
    return ((performance.now() - started) * 1000) / HOT_PATH_REQUESTS;
  };
  let best = Infinity;
  for (let repeat = 0; repeat < HOT_PATH_REPEATS; repeat++) best = Math.min(best, time(true) - time(false));
  metrics.onApplicationShutdown();
  return Math.max(0, best);
}

/** GET /metrics every second until stopped; answers how many scrapes there were and their statuses. */
function scrapeEverySecond(server: Server, token: string): { stop: () => Promise<{ scrapes: number; bad: number }> } {
  let scrapes = 0;
  let bad = 0;
  let pending: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    pending = fetch(`${server.base}/metrics`, { headers: { Authorization: `Bearer ${token}` } })
      .then(async (res) => {
        await res.text();
        scrapes++;
        if (res.status !== 200) bad++;
      })
      .catch(() => {
        bad++;
      });
  }, SCRAPE_EVERY_MS);
  return {
    stop: async () => {
      clearInterval(timer);
      await pending;
      return { scrapes, bad };
    },
  };
}

export async function run(options: BenchOptions & { rounds?: number }): Promise<BenchReport> {
  const users = scaled(USERS, options.scale, 1000);
  const groups = scaled(GROUPS, options.scale);
  const warmUpSeconds = scaled(WARMUP_SECONDS, options.scale);
  const measureSeconds = scaled(MEASURE_SECONDS, options.scale);
  const rounds = options.rounds ?? ROUNDS;
  if (!Number.isInteger(rounds) || rounds < 2) throw new Error('METRICS_BENCH_ROUNDS must be a whole number from 2');
  const dbName = `idp_bench_metrics_${randomBytes(4).toString('hex')}`;
  const loadAtStart = os.loadavg()[0];
  const micros = hotPathMicros();
  console.log(
    `Metrics middleware, in process: ${micros.toFixed(2)} µs per request (least of ${HOT_PATH_REPEATS} x ${HOT_PATH_REQUESTS.toLocaleString('en-GB')})`,
  );

  return withScratchDatabase(options.databaseUrl, dbName, async (url) => {
    const servers: Server[] = [];
    const db = new Client({ connectionString: url });
    const stopAll = async () => {
      for (const running of servers.reverse()) await running.stop();
      await db.end().catch(() => undefined);
    };
    return withCleanup(stopAll, async () => {
      const secret = `scim-${randomBytes(16).toString('hex')}`;
      const metricsToken = `metrics-${randomBytes(16).toString('hex')}`;
      const env = {
        DATABASE_URL: url,
        REDIS_URL: options.redisUrl ?? '',
        RATE_LIMITS: 'off',
        SCIM_SHARED_SECRET: secret,
        ADMIN_TOKEN: `admin-${randomBytes(16).toString('hex')}`,
        JWT_SECRET: randomBytes(32).toString('hex'),
        METRICS_TOKEN: '',
        METRICS_PORT: '',
      };
      const instances: Record<Mode, Server> = {
        off: await startServer('metrics off', ['dist/src/main.js'], env, await freePort(), '/health'),
        on: await startServer(
          'metrics on',
          ['dist/src/main.js'],
          { ...env, METRICS_TOKEN: metricsToken },
          await freePort(),
          '/health',
        ),
      };
      servers.push(instances.off, instances.on);
      await db.connect();
      await seedDirectory(db, TENANT, { users, groups });
      const ids = await db.query<{ id: string }>('SELECT id FROM users WHERE tenant_id = $1 ORDER BY created_on', [
        TENANT,
      ]);
      const context = {
        users,
        userIds: ids.rows.map((row) => row.id),
        scimHeaders: { Authorization: `Bearer ${secret}`, Accept: 'application/scim+json' },
        run: randomBytes(3).toString('hex'),
        db,
        tenant: TENANT,
      };
      const eq = scimScenario(
        context,
        KINDS.find((spec) => spec.kind === 'eq')!,
        'service',
      );
      console.log(
        `Metrics cost: ${users.toLocaleString('en-GB')} users, eq filter, ${CONNECTIONS} connections, ` +
          `${warmUpSeconds} s warm-up + ${measureSeconds} s per run, ${rounds} rounds, ${os.cpus().length} cores, ` +
          `Node ${process.version}, queue ${options.redisUrl ? 'redis' : 'in-process'}`,
      );

      const problems: string[] = [];
      const results: Record<Mode, LoadResult[]> = { off: [], on: [] };
      let scrapes = 0;
      for (let round = 1; round <= rounds; round++) {
        // off, on | on, off | off, on ...: neither always runs first, on a warmer machine.
        const order: Mode[] = round % 2 === 1 ? ['off', 'on'] : ['on', 'off'];
        for (const mode of order) {
          const server = instances[mode];
          const load = { base: server.base, connections: CONNECTIONS, next: eq.next };
          await runLoad({ ...load, seconds: warmUpSeconds });
          const scraper = mode === 'on' ? scrapeEverySecond(server, metricsToken) : null;
          const result = await runLoad({
            ...load,
            seconds: measureSeconds,
            cpu: { [mode]: processesCpu(() => [server.child.pid!]) },
          });
          const scraped = await scraper?.stop();
          if (scraped) {
            scrapes += scraped.scrapes;
            if (scraped.bad > 0) problems.push(`round ${round}: ${scraped.bad} scrapes failed`);
          }
          const unexpected = [...result.statuses].filter(([status]) => status !== 200);
          if (unexpected.length > 0 || result.errors > 0 || result.wrong > 0) {
            problems.push(
              `${mode}, round ${round}: ${describeStatuses(result.statuses)}, ${result.errors} without an answer, ` +
                `${result.wrong} wrong`,
            );
          }
          results[mode].push(result);
          console.log(
            `  metrics ${mode.padEnd(3)} (round ${round}) ${rps(result.perSecond).padStart(12)}  ` +
              `p50 ${ms(percentile(result.latencies, 50)).padStart(8)}  p99 ${ms(percentile(result.latencies, 99)).padStart(8)}  ` +
              `| server ${result.cores[mode].toFixed(2)} cores, other ${Math.max(0, result.cores.other).toFixed(2)}` +
              `${scraped ? ` | ${scraped.scrapes} scrapes` : ''} | load ${os.loadavg()[0].toFixed(2)}`,
          );
        }
      }
      const off = median(results.off.map((r) => r.perSecond));
      const on = median(results.on.map((r) => r.perSecond));
      const pairRatios = results.on.map((r, i) => r.perSecond / results.off[i].perSecond);
      const p99 = (mode: Mode) => median(results[mode].map((r) => percentile(r.latencies, 99)));
      // Milliseconds of the server's CPU per request: cores used / requests per second.
      const cpuMs = (mode: Mode) => median(results[mode].map((r) => (r.cores[mode] * 1000) / r.perSecond));
      const cpuRatio = cpuMs('on') / cpuMs('off');
      const ratio = on / off;
      const pass = ratio >= TARGET_RATIO;
      console.log(
        `\nMetrics off ${rps(off)}, on ${rps(on)} (medians of ${rounds}): on / off = ${ratio.toFixed(3)} ` +
          `(cost ${((1 - ratio) * 100).toFixed(1)}%), target >= ${TARGET_RATIO}: ${pass ? 'PASS' : 'FAIL'}. ` +
          `Per round on / off: ${pairRatios.map((r) => r.toFixed(3)).join(' / ')}.\n` +
          `Server CPU per request (medians): off ${cpuMs('off').toFixed(3)} ms, on ${cpuMs('on').toFixed(3)} ms: ` +
          `on / off = ${cpuRatio.toFixed(3)} (cost ${((cpuRatio - 1) * 100).toFixed(1)}%). The middleware's ` +
          `${micros.toFixed(2)} µs are ${(micros / 10 / cpuMs('off')).toFixed(2)}% of the off instance's CPU per request.`,
      );
      return {
        title: 'Metrics: what Prometheus metrics cost on the SCIM eq filter',
        command:
          'DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 npm run bench:metrics',
        notes: [
          'Two instances of the built service on one seeded database: metrics off (the default: nothing is ' +
            'collected) and metrics on (`METRICS_TOKEN` set, `GET /metrics` scraped every second while it is ' +
            `measured). Each runs the eq filter of the SCIM benchmark on ${CONNECTIONS} connections, in ` +
            'interleaved rounds; medians over the rounds. Target: metrics on keeps at least 97% of the requests/s.',
        ],
        figures: [
          figure('eq filter, metrics off (throughput)', off, 'req/s'),
          figure('eq filter, metrics on, scraped every second (throughput)', on, 'req/s', {
            baseline: { name: 'metrics off', value: off },
            target: { atLeast: TARGET_RATIO, ofBaseline: true },
          }),
          figure('metrics middleware per request, in process', micros, 'µs'),
          figure('eq filter, metrics off (server CPU per request)', cpuMs('off'), 'ms'),
          figure('eq filter, metrics on (server CPU per request)', cpuMs('on'), 'ms', {
            baseline: { name: 'metrics off', value: cpuMs('off') },
          }),
        ],
        table: [
          ['instance', 'throughput (median)', 'p99 (median)', 'server CPU per request (median)', 'per round'],
          [
            'metrics off',
            rps(off),
            ms(p99('off')),
            `${cpuMs('off').toFixed(3)} ms`,
            results.off.map((r) => Math.round(r.perSecond)).join(' / '),
          ],
          [
            'metrics on',
            rps(on),
            ms(p99('on')),
            `${cpuMs('on').toFixed(3)} ms`,
            results.on.map((r) => Math.round(r.perSecond)).join(' / '),
          ],
        ],
        details: [
          `on / off per round: ${pairRatios.map((r) => r.toFixed(3)).join(' / ')}; ${scrapes} scrapes in all.`,
          `The metrics middleware alone, in the bench process: ${micros.toFixed(2)} µs per request.`,
          `Load average (1 min) at the start: ${loadAtStart.toFixed(2)}, at the end: ${os.loadavg()[0].toFixed(2)}.`,
        ],
        failures: problems,
      };
    });
  });
}

if (require.main === module) {
  standalone((options) =>
    run({
      ...options,
      rounds: process.env.METRICS_BENCH_ROUNDS ? Number(process.env.METRICS_BENCH_ROUNDS) : undefined,
    }),
  );
}
