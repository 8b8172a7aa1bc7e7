// Benchmark: GET /api/admin/overview on 1,000,000 request-log rows, against the same overview
// computed straight from request_logs. Run it as:
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 npm run bench:overview
// Fills a scratch database (idp_test_overview_<random>, dropped after) with set-based INSERT ...
// SELECT generate_series: 20 tenants, 1,000,000 request_logs rows over 7 days (SCIM reads and writes,
// OAuth, provisioning, partner sync, admin; about 6% 4xx and 1% 5xx), the rollup built from the
// same rows by the migration's own statement, 100,000 transactions (some OPEN, some ended with
// failures) and 40,000 jobs (a few running). Then times the endpoint of the built service over HTTP
// (p50/p95 of N calls), the overview's four queries at the SQL level, and the baseline: the same
// four queries with the two request-log ones reading request_logs (GROUP BY over the rows) instead
// of the rollup; and prints EXPLAIN ANALYZE execution times of each. BENCH_SCALE below 1 shrinks
// the rows (only to check that the bench runs).
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { REQUEST_ACTIVITY_FROM_LOGS } from '../migrations/1795630000000-request-activity';
import { OverviewRepository } from '../src/console/overview.repository';
import { dataSourceOptions } from '../src/database/data-source-options';
import { runMigrations } from '../src/database/migrations';
import { withCleanup } from './support/cleanup';
import { withScratchDatabase } from './support/database';
import { freePort, Server, startServer } from './support/processes';
import { BenchOptions, BenchReport, figure, formatNumber, scaled, standalone } from './support/report';
import { DataSource as TypeOrmDataSource } from 'typeorm';

const ROWS = 1_000_000;
const TENANTS = 20;
const DAYS = 7;
const FILL_CHUNK = 100_000;
const TRANSACTIONS_PER_TENANT = 5_000;
const JOBS_PER_TENANT = 2_000;
const ENDPOINT_CALLS = 100;
const SQL_CALLS = 20;
const BASELINE_CALLS = 10;
const HOUR_MS = 3_600_000;

const tenantIds = Array.from({ length: TENANTS }, (_, i) => `tenant-${String(i).padStart(2, '0')}`);

interface Statement {
  name: string;
  sql: string;
  params: unknown[];
}

/** The SQL OverviewRepository sends, captured by handing it a data source that only records. */
async function overviewStatements(now: Date): Promise<Statement[]> {
  const captured: Statement[] = [];
  const recorder = {
    query: (sql: string, params: unknown[]) => {
      captured.push({ name: '', sql, params });
      return Promise.resolve([]);
    },
  } as unknown as DataSource;
  const repository = new OverviewRepository(recorder);
  const firstHour = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS - 23 * HOUR_MS);
  const dayAgo = new Date(now.getTime() - 24 * HOUR_MS);
  await repository.doorsLastAt(tenantIds);
  await repository.hoursSince(tenantIds, firstHour);
  await repository.transactionCounts(tenantIds, dayAgo);
  await repository.runningJobs(tenantIds);
  const names = ['doors: latest request per door (rollup)', 'last 24 h by hour (rollup)', 'transactions', 'jobs'];
  return captured.map((statement, i) => ({ ...statement, name: names[i] }));
}

/** What an overview without the rollup reads instead: request_logs itself, grouped. */
const DOOR_OF_PATH = `CASE
    WHEN p = '/api/admin/users/sync' OR p LIKE '/api/admin/users/sync/%' THEN 'partner'
    WHEN p = '/api/admin' OR p LIKE '/api/admin/%' THEN 'admin'
    WHEN p = '/api/provisioning' OR p LIKE '/api/provisioning/%' OR p = '/api/user/job' OR p LIKE '/api/user/job/%' THEN 'provisioning'
    WHEN p = '/scim' OR p LIKE '/scim/%' OR p = '/oauth' OR p LIKE '/oauth/%' THEN 'scim'
  END`;

function baselineStatements(overview: Statement[], now: Date): Statement[] {
  const firstHour = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS - 23 * HOUR_MS);
  return [
    {
      name: 'doors: latest request per door (request_logs)',
      sql: `SELECT tenant_id, door, max(time) AS last_at FROM (
              SELECT tenant_id, time, ${DOOR_OF_PATH} AS door
              FROM (SELECT tenant_id, time, split_part(lower(path), '?', 1) AS p FROM request_logs
                    WHERE tenant_id = ANY($1::varchar[])) logged
            ) classified WHERE door IS NOT NULL GROUP BY tenant_id, door`,
      params: [tenantIds],
    },
    {
      name: 'last 24 h by hour (request_logs)',
      sql: `SELECT tenant_id, date_trunc('hour', time) AS hour, count(*)::int AS requests,
                   count(*) FILTER (WHERE status >= 500 OR status IN (401, 403, 429))::int AS errors,
                   count(*) FILTER (WHERE status >= 400 AND status < 500 AND status NOT IN (401, 403, 429))::int AS client_errors
            FROM (SELECT tenant_id, time, status, ${DOOR_OF_PATH} AS door
                  FROM (SELECT tenant_id, time, status, split_part(lower(path), '?', 1) AS p FROM request_logs
                        WHERE time >= $2 AND tenant_id = ANY($1::varchar[])) logged) classified
            WHERE door IS NOT NULL GROUP BY 1, 2`,
      params: [tenantIds, firstHour],
    },
    overview[2],
    overview[3],
  ];
}

async function fill(db: Client, rows: number): Promise<string[]> {
  const details: string[] = [];
  const timed = async (label: string, sql: string, params: unknown[] = []): Promise<void> => {
    const started = performance.now();
    await db.query(sql, params);
    const line = `${label}: ${((performance.now() - started) / 1000).toFixed(1)} s`;
    console.log(`  ${line}`);
    details.push(line);
  };
  await db.query(
    `INSERT INTO tenants (id, name) SELECT id, 'Tenant ' || right(id, 2) FROM unnest($1::varchar[]) AS t(id)
     ON CONFLICT DO NOTHING`,
    [tenantIds],
  );
  // Row g: tenant g % 20, evenly over the last 7 days (newest = g 1); its kind from g % 100.
  for (let from = 1; from <= rows; from += FILL_CHUNK) {
    const to = Math.min(rows, from + FILL_CHUNK - 1);
    await timed(
      `request_logs rows ${from.toLocaleString('en-GB')} to ${to.toLocaleString('en-GB')}`,
      `INSERT INTO request_logs (time, method, path, status, duration_ms, tenant_id, credential_id, correlation_id,
         admin, request_headers, response_headers, search_text)
       SELECT now() - (g * ($3::float8 * 86400 / $4)) * interval '1 second', k.method, k.path,
              CASE WHEN g % 97 = 0 THEN 500 WHEN g % 89 = 0 THEN 401 WHEN g % 83 = 0 THEN 429
                   WHEN g % 19 = 0 THEN 404 WHEN g % 53 = 0 THEN 409 ELSE 200 END,
              (g % 80) + 2, 'tenant-' || lpad((g % ${TENANTS})::text, 2, '0'), md5(g::text), md5((g + 1)::text),
              k.path LIKE '/api/admin/%' AND k.path NOT LIKE '/api/admin/users/sync%',
              '{"host":"idp.example.com"}'::jsonb, '{"content-type":"application/json"}'::jsonb, lower(k.path)
       FROM generate_series($1::int, $2::int) g
       CROSS JOIN LATERAL (SELECT CASE
           WHEN g % 100 < 45 THEN 'GET' WHEN g % 100 < 70 THEN 'POST' WHEN g % 100 < 80 THEN 'PATCH' ELSE 'GET' END AS method,
           CASE
             WHEN g % 100 < 45 THEN '/scim/v2/Users?filter=userName%20eq%20%22user' || g || '%22'
             WHEN g % 100 < 70 THEN '/scim/v2/Users'
             WHEN g % 100 < 80 THEN '/scim/v2/Users/' || md5(g::text)
             WHEN g % 100 < 84 THEN '/oauth/token'
             WHEN g % 100 < 92 THEN '/api/provisioning/iam/' || md5(g::text) || '/user'
             WHEN g % 100 < 96 THEN '/api/admin/users/sync'
             ELSE '/api/admin/logs?page=1' END AS path) k`,
      [from, to, DAYS, rows],
    );
  }
  await timed('request_activity from the same rows (the migration statement)', REQUEST_ACTIVITY_FROM_LOGS);
  await timed(
    `provisioning_transactions: ${formatNumber(TENANTS * TRANSACTIONS_PER_TENANT)}`,
    `INSERT INTO provisioning_transactions (tenant_id, status, created_by, updated_by, operation_count, completed_count,
       failed_count, last_order_id, created_on, committed_on, completed_on)
     SELECT 'tenant-' || lpad((g % ${TENANTS})::text, 2, '0'),
            CASE WHEN g % 50 = 0 THEN 'OPEN' WHEN g % 7 = 0 THEN 'FAILED' ELSE 'COMPLETED' END, 'bench', 'bench',
            10, CASE WHEN g % 7 = 0 THEN 0 ELSE 10 - (g % 3) END, CASE WHEN g % 7 = 0 THEN 10 ELSE g % 3 END, 10,
            now() - g * interval '1 minute', now() - g * interval '1 minute',
            CASE WHEN g % 50 = 0 THEN NULL ELSE now() - g * interval '1 minute' + interval '5 seconds' END
     FROM generate_series(1, $1::int) g`,
    [TENANTS * TRANSACTIONS_PER_TENANT],
  );
  await timed(
    `backend_jobs: ${formatNumber(TENANTS * JOBS_PER_TENANT)} (3 running per tenant)`,
    `INSERT INTO backend_jobs (tenant_id, type, status, created_by, payload, started_on, finished_on, done_percentage,
       lease_owner, lease_expires_at, created_on)
     SELECT 'tenant-' || lpad((g % ${TENANTS})::text, 2, '0'), 'EXECUTE_IAM_COMMIT_TRANSACTION_JOB',
            CASE WHEN g <= ${TENANTS * 3} THEN 'STARTED' ELSE 'DONE' END, 'bench', '{}'::jsonb,
            now() - g * interval '1 minute', CASE WHEN g <= ${TENANTS * 3} THEN NULL ELSE now() END,
            CASE WHEN g <= ${TENANTS * 3} THEN g % 100 ELSE 100 END,
            CASE WHEN g <= ${TENANTS * 3} THEN 'bench' END,
            CASE WHEN g <= ${TENANTS * 3} THEN now() + interval '1 day' END,
            now() - g * interval '1 minute'
     FROM generate_series(1, $1::int) g`,
    [TENANTS * JOBS_PER_TENANT],
  );
  await timed('VACUUM ANALYZE', 'VACUUM ANALYZE');
  return details;
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

async function timeCalls(calls: number, work: () => Promise<void>): Promise<{ p50: number; p95: number }> {
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

async function explainMs(db: Client, statement: Statement): Promise<number> {
  const result = await db.query<{ 'QUERY PLAN': { 'Execution Time': number }[] }>(
    `EXPLAIN (ANALYZE, FORMAT JSON) ${statement.sql}`,
    statement.params,
  );
  return result.rows[0]['QUERY PLAN'][0]['Execution Time'];
}

async function measure(
  url: string,
  options: BenchOptions,
  rows: number,
): Promise<Omit<BenchReport, 'title' | 'notes'>> {
  const source = await new TypeOrmDataSource(dataSourceOptions(url)).initialize();
  try {
    await runMigrations(source);
  } finally {
    await source.destroy();
  }
  const db = new Client({ connectionString: url });
  let server: Server | undefined;
  const stop = async (): Promise<void> => {
    await server?.stop();
    await db.end().catch(() => undefined);
  };
  return withCleanup(stop, async () => {
    await db.connect();
    console.log(`Filling ${formatNumber(rows)} request_logs rows across ${TENANTS} tenants over ${DAYS} days...`);
    const fillStarted = performance.now();
    const details = await fill(db, rows);
    details.push(`Fill and VACUUM ANALYZE took ${((performance.now() - fillStarted) / 1000).toFixed(0)} s in all.`);
    const [{ activity }] = (
      await db.query<{ activity: number }>('SELECT count(*)::int AS activity FROM request_activity')
    ).rows;
    details.push(`request_activity holds ${formatNumber(activity)} rows for ${formatNumber(rows)} request_logs rows.`);

    const adminToken = `admin-${randomBytes(16).toString('hex')}`;
    server = await startServer(
      'overview',
      ['dist/src/main.js'],
      {
        DATABASE_URL: url,
        REDIS_URL: options.redisUrl ?? '',
        APP_ROLE: options.redisUrl ? 'api' : 'all',
        RATE_LIMITS: 'off',
        // The bench's own requests would be counted otherwise.
        REQUEST_LOG: 'off',
        ADMIN_TOKEN: adminToken,
        JWT_SECRET: randomBytes(32).toString('hex'),
      },
      await freePort(),
      '/health',
    );
    const failures: string[] = [];
    const call = async (): Promise<void> => {
      const res = await fetch(`${server!.base}/api/admin/overview`, {
        headers: { Authorization: `Bearer ${adminToken}` },
      });
      if (res.status !== 200) {
        failures.push(`GET /api/admin/overview answered ${res.status}`);
        return;
      }
      const body = (await res.json()) as { tenants: { tenantId: string; last24h: { requests: number } }[] };
      const filled = body.tenants.filter((tenant) => tenantIds.includes(tenant.tenantId));
      if (filled.length < TENANTS || filled.some((tenant) => tenant.last24h.requests === 0)) {
        failures.push('GET /api/admin/overview left tenants out or counted no requests');
      }
    };
    await call(); // warm-up: connections, prepared plans
    console.log(`Timing the endpoint (${ENDPOINT_CALLS} calls)...`);
    const endpoint = await timeCalls(ENDPOINT_CALLS, call);

    const now = new Date();
    const rollup = await overviewStatements(now);
    const baseline = baselineStatements(rollup, now);
    const runAll = (statements: Statement[]) => async (): Promise<void> => {
      for (const statement of statements) await db.query(statement.sql, statement.params);
    };
    console.log(`Timing the overview's queries (${SQL_CALLS} calls) and the baseline's (${BASELINE_CALLS})...`);
    await runAll(rollup)();
    const rollupSql = await timeCalls(SQL_CALLS, runAll(rollup));
    await runAll(baseline)();
    const baselineSql = await timeCalls(BASELINE_CALLS, runAll(baseline));

    const table = [['query', 'EXPLAIN ANALYZE execution ms']];
    for (const statement of [...rollup, ...baseline.slice(0, 2)]) {
      table.push([statement.name, (await explainMs(db, statement)).toFixed(2)]);
    }
    const ms = (value: number) => `${value.toFixed(1)} ms`;
    const lines = [
      `endpoint GET /api/admin/overview: p50 ${ms(endpoint.p50)}, p95 ${ms(endpoint.p95)} (${ENDPOINT_CALLS} calls)`,
      `overview queries (rollup), SQL only: p50 ${ms(rollupSql.p50)}, p95 ${ms(rollupSql.p95)} (${SQL_CALLS} calls)`,
      `baseline queries (request_logs), SQL only: p50 ${ms(baselineSql.p50)}, p95 ${ms(baselineSql.p95)} (${BASELINE_CALLS} calls)`,
      `ratio baseline / rollup at the SQL level (p50): ${(baselineSql.p50 / rollupSql.p50).toFixed(0)}x; baseline SQL / endpoint (p50): ${(baselineSql.p50 / endpoint.p50).toFixed(1)}x`,
    ];
    for (const line of lines) console.log(line);
    const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
    console.log([row(table[0]), row(['---', '---']), ...table.slice(1).map(row)].join('\n'));
    details.push(...lines.map((line) => `${line[0].toUpperCase()}${line.slice(1)}.`));
    return {
      command:
        'DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 npm run bench:overview',
      figures: [
        figure('GET /api/admin/overview, 20 tenants (p50)', endpoint.p50, 'ms', {
          baseline: { name: 'from request_logs', value: baselineSql.p50 },
        }),
        figure('GET /api/admin/overview, 20 tenants (p95)', endpoint.p95, 'ms'),
        figure("the overview's queries on the rollup (p50)", rollupSql.p50, 'ms', {
          baseline: { name: 'from request_logs', value: baselineSql.p50 },
        }),
      ],
      table,
      details,
      failures: [...new Set(failures)],
    };
  });
}

export async function run(options: BenchOptions): Promise<BenchReport> {
  const rows = scaled(ROWS, options.scale, 10_000);
  const name = `idp_test_overview_${randomBytes(4).toString('hex')}`;
  const measured = await withScratchDatabase(options.databaseUrl, name, (url) => measure(url, options, rows));
  return {
    title: `Overview: GET /api/admin/overview on ${formatNumber(rows)} request-log rows`,
    notes: [
      `${formatNumber(rows)} request_logs rows across ${TENANTS} tenants over ${DAYS} days, filled set-based, with the ` +
        'hourly rollup (request_activity) built from the same rows by the migration statement that backfills it; ' +
        `${formatNumber(TENANTS * TRANSACTIONS_PER_TENANT)} transactions and ${formatNumber(TENANTS * JOBS_PER_TENANT)} jobs. ` +
        `The endpoint is timed over HTTP on the built service (${ENDPOINT_CALLS} calls, one at a time). The baseline is ` +
        'the same overview computed straight from request_logs (the GROUP BY an implementation without the rollup ' +
        "runs: the doors' latest request over every row, the last 24 hours grouped by hour), with the same " +
        "transaction and job queries; it is timed at the SQL level, as are the overview's own queries, so the " +
        'ratio of the two compares like with like. The EXPLAIN ANALYZE table gives each query its execution time.',
    ],
    ...measured,
  };
}

if (require.main === module) standalone(run);
