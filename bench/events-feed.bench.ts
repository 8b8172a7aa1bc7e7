// Benchmark: the change feed (GET /api/provisioning/iam/changes?limit=1000) on 1,000,000 events of
// one tenant in real PostgreSQL. The events are written set-based (one INSERT ... SELECT
// generate_series, already sequenced 1..EVENTS in one run each, a reader's worst case), every other
// one a user's create as the capture triggers store it (its attribute names and ids for the reader
// to put back) and a patch between, then the built service (dist/src/main.js, rate
// limits and request log off) answers pages of 1,000 at the start (after=0), the middle and the end
// (the last full page); each figure is the median of RUNS requests over HTTP, one at a time, after a
// few unmeasured ones, the three timed in turn in each round. Target: < 50 ms a page, at every depth.
//   npm run build && DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:feed
// (EVENTS=1000000 RUNS=20 by default; the database idp_test_feed_<random> is created and dropped after.)
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { ADVISORY_LOCKS } from '../src/database/advisory-lock';
import { withScratchDatabase } from './support/database';
import { freePort, startServer } from './support/processes';

const EVENTS = Number(process.env.EVENTS ?? 1_000_000);
const RUNS = Number(process.env.RUNS ?? 20);
const LIMIT = 1000;
const WARMUP = 3;
const TARGET_MS = 50;
const TENANT = 'default';

async function main(): Promise<void> {
  const server = process.env.DATABASE_URL;
  if (!server) throw new Error('DATABASE_URL must name a PostgreSQL server');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-feed-bench-'));
  const token = `api-${randomBytes(32).toString('base64url')}`;
  await withScratchDatabase(server, `idp_test_feed_${randomBytes(4).toString('hex')}`, async (url) => {
    const service = await startServer(
      'service',
      ['dist/src/main.js'],
      {
        DATABASE_URL: url,
        DATA_DIR: dataDir,
        REDIS_URL: '',
        RATE_LIMITS: 'off',
        REQUEST_LOG: 'off',
        PROVISIONING_API_TOKEN: token,
        ADMIN_TOKEN: `admin-${randomBytes(32).toString('base64url')}`,
        JWT_SECRET: randomBytes(32).toString('hex'),
      },
      await freePort(),
      '/health',
    );
    try {
      const db = new Client({ connectionString: url });
      await db.connect();
      const filling = performance.now();
      await db.query('SET statement_timeout = 0');
      // One transaction, holding the sequencer's lock (the service runs it), writing the events
      // already numbered: what a year of a busy tenant leaves after the sequencer.
      await db.query('BEGIN');
      await db.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCKS.changeSequencer]);
      await db.query(
        `INSERT INTO change_events (tenant_id, resource_type, resource_id, external_id, version,
           event_type, attributes, data, door, credential_id, credential_name, correlation_id, occurred_on)
         SELECT $1, 'user', gen_random_uuid(), 'ext-' || g, 1 + g % 2, e.type, e.attributes, e.data, 'scim', NULL,
           'entra', md5(g::text), now() - (($2 - g) || ' seconds')::interval
         FROM generate_series(1, $2::bigint) g
         CROSS JOIN LATERAL (
           SELECT 'create' AS type, '{}'::text[] AS attributes, jsonb_build_object(
               'userName', 'user' || g || '@example.com', 'givenName', 'Given ' || g, 'familyName', 'Family ' || g,
               'displayName', 'Given ' || g || ' Family ' || g, 'email', 'user' || g || '@example.com',
               'emails', jsonb_build_array(jsonb_build_object('value', 'user' || g || '@example.com', 'type', 'work', 'primary', true)),
               'active', true, 'attributes', jsonb_build_object(
                 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
                 jsonb_build_object('employeeNumber', g::text, 'department', 'Sales'))) AS data
            WHERE g % 2 = 1
           UNION ALL
           SELECT 'patch', ARRAY['familyName'], jsonb_build_object('familyName', 'Family ' || g) WHERE g % 2 = 0) e`,
        [TENANT, EVENTS],
      );
      // Numbered one run per event: the worst case for a reader (every event numbered alone, as
      // when each SCIM request's event sits between another tenant's), where a batch commit's
      // events share a few runs.
      await db.query(
        `INSERT INTO change_runs (last_id, first_id, tenant_id, first_seq, last_seq)
         SELECT id, id, tenant_id, n, n
           FROM (SELECT id, tenant_id, row_number() OVER (ORDER BY id) AS n FROM change_events WHERE tenant_id = $1) e`,
        [TENANT],
      );
      // Every event numbered: the sequencer's watermark past them all, as it is once it has caught up.
      await db.query(
        `UPDATE change_sequencer SET (watermark, next_watermark) = (SELECT max(id), max(id) FROM change_events)`,
      );
      await db.query(
        `INSERT INTO change_sequences (tenant_id, last_seq) VALUES ($1, $2)
         ON CONFLICT (tenant_id) DO UPDATE SET last_seq = excluded.last_seq`,
        [TENANT, EVENTS],
      );
      await db.query('COMMIT');
      await db.query('ANALYZE change_events, change_runs');
      console.log(`filled ${EVENTS} events in ${((performance.now() - filling) / 1000).toFixed(1)} s`);

      // The feed's statement alone (FeedRepository.findAfter, form=full), as PostgreSQL runs it.
      const feedSql = `SELECT seq::text AS "seq", event_id, resource_type, resource_id, member_id, user_type_id,
          external_id, version, event_type, attributes, data, door, credential_id, credential_name, correlation_id,
          transaction_id, occurred_on
        FROM change_feed_after($1, $2::bigint) LIMIT $3`;
      const plan = (await db.query(`EXPLAIN ${feedSql}`, [TENANT, EVENTS / 2, LIMIT + 1])).rows
        .map((row: Record<string, string>) => row['QUERY PLAN'])
        .join('\n');
      console.log(`\nplan of the page read (after=${EVENTS / 2}):\n${plan}`);
      if (!plan.includes('UQ_change_runs_tenant_seq'))
        throw new Error("the page read does not use the runs' (tenant_id, last_seq) index");
      for (const [label, after] of [
        ['start', 0],
        ['middle', EVENTS / 2],
        ['end', EVENTS - LIMIT],
      ] as const) {
        const times: number[] = [];
        for (let i = 0; i < RUNS + WARMUP; i++) {
          const started = performance.now();
          const { rows } = await db.query(feedSql, [TENANT, after, LIMIT + 1]);
          if (i >= WARMUP) times.push(performance.now() - started);
          if (rows.length !== Math.min(LIMIT + 1, EVENTS - after))
            throw new Error(`SQL after=${after}: ${rows.length} rows`);
        }
        const median = times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
        console.log(
          `SQL only, ${label.padEnd(7)} ${median.toFixed(1).padStart(7)} ms (median of ${RUNS}, rows read by node-postgres)`,
        );
      }
      await db.end();

      const get = async (after: number, form: string): Promise<void> => {
        const res = await fetch(
          `${service.base}/api/provisioning/iam/changes?after=${after}&limit=${LIMIT}&form=${form}`,
          {
            headers: { 'auth-tenant-id': TENANT, 'auth-token': token },
          },
        );
        if (res.status !== 200) throw new Error(`after=${after} answered ${res.status}: ${await res.text()}`);
        const body = (await res.json()) as { changes: unknown[] };
        if (body.changes.length !== LIMIT) throw new Error(`after=${after} answered ${body.changes.length} changes`);
      };
      const points: [string, number][] = [
        ['start (after=0)', 0],
        [`middle (after=${EVENTS / 2})`, EVENTS / 2],
        [`end (after=${EVENTS - LIMIT})`, EVENTS - LIMIT],
      ];
      for (const form of ['notice', 'full']) {
        for (const [, after] of points) for (let i = 0; i < WARMUP; i++) await get(after, form);
        const times: number[][] = points.map(() => []);
        for (let round = 0; round < RUNS; round++) {
          for (const [i, [, after]] of points.entries()) {
            const started = performance.now();
            await get(after, form);
            times[i].push(performance.now() - started);
          }
        }
        console.log(`\nGET /changes?limit=${LIMIT}&form=${form} over ${EVENTS} events, median of ${RUNS}:`);
        for (const [i, [label]] of points.entries()) {
          const sorted = times[i].sort((a, b) => a - b);
          const median = sorted[Math.floor(sorted.length / 2)];
          console.log(
            `${label.padEnd(28)} ${median.toFixed(1).padStart(7)} ms  ${(median / TARGET_MS).toFixed(2)}x of the ${TARGET_MS} ms target`,
          );
        }
      }
    } finally {
      await service.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
