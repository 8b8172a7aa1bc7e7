// Benchmark: what one logged request costs the log, in CPU. For three SCIM answers (an `eq` filter's
// one-user ListResponse, a page of 100 users, a POST /Users), it measures Node's CPU to build the row
// (`toLogRow`: redaction, search text, truncation) and to send it (`insertMany`), and the PostgreSQL
// backend's CPU per row inserted, with every request_logs index and with each one left out. Run it as:
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx ts-node -T bench/request-log-write.bench.ts
// (ROWS=20000 by default, INDEXES=all to skip the one-index-less runs; a scratch database idp_test_logw_<random> is created and dropped after.)
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options';
import { runMigrations } from '../src/database/migrations';
import { CapturedExchange, identifierOf, NewRequestLog, toLogRow } from '../src/request-log/capture';
import { RequestLogsRepository } from '../src/request-log/request-logs.repository';
import { withScratchDatabase } from './support/database';
import { processCpuMs } from './support/processes';

const ROWS = Number(process.env.ROWS ?? 20_000);
const BATCH = 500;
const BODY_LIMIT = 64 * 1024;

const user = (n: number, id = randomUUID()) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  id,
  externalId: `ext-${n}`,
  userName: `user${n}@example.com`,
  name: { givenName: `Given${n}`, familyName: `Family${n}`, formatted: `Given${n} Family${n}` },
  displayName: `Given${n} Family${n}`,
  active: true,
  emails: [{ value: `user${n}@example.com`, type: 'work', primary: true }],
  meta: {
    resourceType: 'User',
    created: new Date().toISOString(),
    lastModified: new Date().toISOString(),
    version: 'W/"1"',
    location: `http://127.0.0.1:3000/scim/v2/Users/${id}`,
  },
});
const list = (users: unknown[], total: number) => ({
  schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
  totalResults: total,
  startIndex: 1,
  itemsPerPage: users.length,
  Resources: users,
});
const requestHeaders = () => ({
  host: '127.0.0.1:3000',
  authorization: `Bearer ${randomBytes(24).toString('base64url')}`,
  accept: 'application/scim+json',
  'content-type': 'application/scim+json',
  'user-agent': 'autocannon',
});
const responseHeaders = (length: number) => ({
  'x-request-id': randomUUID(),
  'content-type': 'application/scim+json; charset=utf-8',
  'content-length': String(length),
  etag: 'W/"1"',
});

type Kind = 'eq' | 'page100' | 'post';
export function exchange(kind: Kind, n: number): CapturedExchange {
  const base = { time: new Date(), durationMs: 3, aborted: false, tenantId: 'bench', credentialId: randomUUID() };
  if (kind === 'post') {
    const body = { ...user(n), id: undefined, meta: undefined, password: 'Secret-123' };
    const request = Buffer.from(JSON.stringify(body));
    const answer = Buffer.from(JSON.stringify(user(n)));
    return {
      ...base,
      method: 'POST',
      url: '/scim/v2/Users',
      status: 201,
      requestHeaders: requestHeaders(),
      requestBody: request,
      requestIdentifier: identifierOf(body),
      responseHeaders: responseHeaders(answer.length),
      responseBody: answer,
      responseBytes: answer.length,
      correlationId: randomUUID(),
    };
  }
  const answer = Buffer.from(
    JSON.stringify(
      kind === 'eq'
        ? list([user(n)], 1)
        : list(
            Array.from({ length: 100 }, (_, i) => user(n + i)),
            100_000,
          ),
    ),
  );
  return {
    ...base,
    method: 'GET',
    url:
      kind === 'eq'
        ? `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "user${n}@example.com"`)}`
        : `/scim/v2/Users?startIndex=${n}&count=100`,
    status: 200,
    requestHeaders: requestHeaders(),
    responseHeaders: responseHeaders(answer.length),
    responseBody: answer,
    responseBytes: answer.length,
    correlationId: randomUUID(),
  };
}

const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function insertAll(
  repository: RequestLogsRepository,
  rows: NewRequestLog[],
  backendPid: number,
): Promise<{ nodeMs: number; pgMs: number; wallMs: number }> {
  const node = cpuMs();
  const pg = processCpuMs(backendPid);
  const started = performance.now();
  for (let i = 0; i < rows.length; i += BATCH) await repository.insertMany(rows.slice(i, i + BATCH));
  return { wallMs: performance.now() - started, nodeMs: cpuMs() - node, pgMs: processCpuMs(backendPid) - pg };
}

async function measure(url: string): Promise<void> {
  const migrator = await new DataSource(dataSourceOptions(url)).initialize();
  await runMigrations(migrator);
  await migrator.destroy();
  // One connection: its backend is the one whose CPU is read.
  const source = await new DataSource(dataSourceOptions(url, { size: 1, statementTimeoutMs: 600_000 })).initialize();
  const admin = new Client({ connectionString: url });
  await admin.connect();
  try {
    const [{ pid }] = await source.query<{ pid: number }[]>('SELECT pg_backend_pid() AS pid');
    const repository = new RequestLogsRepository(source);
    const kinds: Kind[] = ['eq', 'page100', 'post'];
    const built = new Map<Kind, NewRequestLog[]>();
    console.log(`Node CPU per row built (toLogRow), ${ROWS} rows of each kind:`);
    for (const kind of kinds) {
      const exchanges = Array.from({ length: ROWS }, (_, n) => exchange(kind, n + 1));
      const started = cpuMs();
      built.set(
        kind,
        exchanges.map((e) => toLogRow(e, BODY_LIMIT)),
      );
      const rows = built.get(kind)!;
      const search = rows.reduce((sum, row) => sum + row.searchText.length, 0) / rows.length;
      const body = rows.reduce((sum, row) => sum + (row.responseBody?.length ?? 0), 0) / rows.length;
      console.log(
        `  ${kind}: ${((cpuMs() - started) / ROWS).toFixed(3)} ms/row (answer ${Math.round(body)} chars, search_text ${Math.round(search)} chars)`,
      );
    }
    const indexes = await source.query<{ name: string; def: string }[]>(
      `SELECT indexname AS name, indexdef AS def FROM pg_indexes
        WHERE tablename = 'request_logs' AND indexname NOT LIKE 'PK_%' ORDER BY indexname`,
    );
    // INDEXES=all measures only with every index and with none (a quicker run).
    const configs: [string, string[]][] = [
      ['every index', []],
      ...(process.env.INDEXES === 'all'
        ? []
        : indexes.map((index): [string, string[]] => [`without ${index.name}`, [index.name]])),
      ['primary key only', indexes.map((index) => index.name)],
    ];
    console.log(`\nPer row inserted (batches of ${BATCH}): PostgreSQL backend CPU ms, Node CPU ms, wall ms`);
    console.log(`| indexes | ${kinds.map((k) => `${k} pg | ${k} node`).join(' | ')} | mix pg |`);
    for (const [label, dropped] of configs) {
      for (const name of dropped) await source.query(`DROP INDEX "${name}"`);
      const cells: string[] = [];
      let mix = 0;
      for (const kind of kinds) {
        await source.query('TRUNCATE request_logs');
        await source.query('CHECKPOINT');
        const rows = built.get(kind)!.map((row) => ({ ...row, time: new Date() }));
        // Warm-up: the first batch pays for catalog lookups and plan caching.
        await repository.insertMany(rows.slice(0, BATCH));
        const result = await insertAll(repository, rows, pid);
        // A GIN index with fastupdate keeps new entries in a pending list: merging it is part of the cost.
        const vacuumPg = processCpuMs(pid);
        if (!dropped.includes('IDX_request_logs_search_text')) {
          await source.query(`SELECT gin_clean_pending_list('"IDX_request_logs_search_text"'::regclass)`);
        }
        const pgMs = result.pgMs + processCpuMs(pid) - vacuumPg;
        cells.push((pgMs / ROWS).toFixed(3), (result.nodeMs / ROWS).toFixed(3));
        mix += pgMs / ROWS / kinds.length;
      }
      console.log(`| ${label} | ${cells.join(' | ')} | ${mix.toFixed(3)} |`);
      for (const name of dropped) await source.query(indexes.find((index) => index.name === name)!.def);
    }
    const [size] = await source.query<{ table: string; indexes: string }[]>(
      `SELECT pg_size_pretty(pg_table_size('request_logs')) AS table, pg_size_pretty(pg_indexes_size('request_logs')) AS indexes`,
    );
    console.log(`\nLast table (post rows): ${size.table}, indexes ${size.indexes}`);
  } finally {
    await admin.end();
    await source.destroy();
  }
}

if (require.main === module) {
  const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  withScratchDatabase(server, `idp_test_logw_${randomBytes(4).toString('hex')}`, measure).catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
