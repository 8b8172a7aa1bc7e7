// Benchmark: partner user sync (seed 002) of 10,000 users in one upsert request, then the same
// request again (all updates). Beside each, the floor: the same rows written with raw SQL in one
// unnest statement (INSERT, then UPDATE ... FROM unnest). Real PostgreSQL; the app runs in-process
// (createApp, migrations included), so no build is needed. Run it as:
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx ts-node -T bench/partner-sync.bench.ts
// (package.json has no script of its own for it; `npm run bench` runs it with the others.) A fresh
// database is created on the server and dropped after.
import { INestApplication } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import * as os from 'node:os';
import type { AddressInfo } from 'node:net';
import * as jwt from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory';
import { JsonLogger } from '../src/common/json-logger';
import { loadConfig } from '../src/config/app-config';
import { withScratchDatabase } from './support/database';
import { BenchOptions, BenchReport, figure, formatNumber, scaled, standalone } from './support/report';

const USERS = 10_000;
const TARGET_MS = 2_000;

function users(count: number, suffix: string): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({
    externalId: `p-${i}`,
    email: `partner.user${i}@example.com`,
    firstName: `First${i}${suffix}`,
    lastName: `Last${i}`,
    role: i % 10 === 0 ? 'admin' : 'user',
    isActive: true,
    orgCode: 'bench-org',
    metadata: { department: `Dept ${i % 50}${suffix}`, permissions: ['read', 'write'] },
  }));
}

/** The same rows as plain SQL: one INSERT, then one UPDATE, each timed on its own. */
async function rawFloor(
  source: DataSource,
  count: number,
  tenantId: string,
): Promise<{ insert: number; update: number }> {
  const rows = users(count, '');
  const ids = rows.map(() => randomUUID());
  const column = (name: string) => rows.map((row) => row[name]);
  const meta = rows.map((row) => JSON.stringify(row.metadata));
  const emails = rows.map((row) => JSON.stringify([{ value: row.email, type: 'work', primary: true }]));
  let started = performance.now();
  await source.transaction((em) =>
    em.query(
      `INSERT INTO users (id, tenant_id, user_name, external_id, given_name, family_name, email, emails, active,
         role, metadata, created_by, changed_by)
       SELECT u.id, $1, u.email, u.ext, u.first, u.last, u.email, u.emails, true, u.role, u.meta, 'partner', 'partner'
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::text[], $9::jsonb[])
           AS u(id, ext, email, first, last, emails, role, meta)
       RETURNING id`,
      [
        tenantId,
        ids,
        column('externalId'),
        column('email'),
        column('firstName'),
        column('lastName'),
        emails,
        column('role'),
        meta,
      ],
    ),
  );
  const insert = performance.now() - started;
  started = performance.now();
  await source.transaction((em) =>
    em.query(
      `UPDATE users SET given_name = u.first || ' again', metadata = users.metadata || u.meta, changed_by = 'partner',
         version = users.version + 1, updated_on = now()
         FROM unnest($2::uuid[], $3::text[], $4::jsonb[]) AS u(id, first, meta)
        WHERE users.tenant_id = $1 AND users.id = u.id
       RETURNING users.id`,
      [tenantId, ids, column('firstName'), meta],
    ),
  );
  return { insert, update: performance.now() - started };
}

export async function run(options: BenchOptions): Promise<BenchReport> {
  const count = scaled(USERS, options.scale);
  const name = `idp_bench_test_${randomBytes(4).toString('hex')}`;
  return withScratchDatabase(options.databaseUrl, name, async (url) => {
    const secret = `wrapper-${randomBytes(16).toString('hex')}`;
    const token = `bench-${randomBytes(16).toString('hex')}`;
    let app: INestApplication | undefined;
    let source: DataSource | undefined;
    try {
      const config = loadConfig({
        DATABASE_URL: url,
        PROVISIONING_API_TOKEN: token,
        SCIM_SHARED_SECRET: `scim-${token}`,
        ADMIN_TOKEN: `admin-${token}`,
        JWT_SECRET: `jwt-${token}`,
        WRAPPER_SECRET_KEY: secret,
        WRAPPER_ORG_CODE: 'bench-org',
        RATE_LIMITS: 'off',
        ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
      });
      app = await createApp(config, { logger: new JsonLogger(['error', 'fatal']) });
      await app.listen(0, '127.0.0.1');
      const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
      const sync = async (label: string, body: unknown, expect: 'created' | 'updated'): Promise<number> => {
        const payload = JSON.stringify(body);
        const bearer = jwt.sign({ orgCode: 'bench-org' }, secret, { algorithm: 'HS256', expiresIn: 300 });
        const started = performance.now();
        const res = await fetch(`${base}/api/admin/users/sync`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
          body: payload,
        });
        const answer = (await res.json()) as { data?: { summary?: Record<string, number> } };
        const ms = performance.now() - started;
        if (res.status !== 200 || answer.data?.summary?.[expect] !== count) {
          throw new Error(`${label}: ${res.status} ${JSON.stringify(answer).slice(0, 1000)}`);
        }
        return ms;
      };
      const create = await sync('create', { mode: 'upsert', users: users(count, '') }, 'created');
      const update = await sync('update', { mode: 'upsert', users: users(count, ' again') }, 'updated');
      source = await new DataSource({ type: 'postgres', url }).initialize();
      await source.query(`INSERT INTO tenants (id, name) VALUES ('floor', 'Floor')`);
      const floor = await rawFloor(source, count, 'floor');
      const version = (await source.query<{ server_version: string }[]>('SHOW server_version'))[0].server_version;
      const line = (label: string, ms: number, floorMs: number): string =>
        `${label}  ${ms.toFixed(0).padStart(6)} ms  floor ${floorMs.toFixed(0).padStart(4)} ms  ` +
        `ratio ${(ms / floorMs).toFixed(2)}x  target ${TARGET_MS} ms  ${ms < TARGET_MS ? 'ok' : 'OVER'}`;
      console.log(`partner sync, ${count} users in one request, ${os.cpus().length} cores, PostgreSQL ${version}`);
      console.log(line('upsert (creates)', create, floor.insert));
      console.log(line('upsert (updates)', update, floor.update));

      const n = count.toLocaleString('en-GB');
      const target = { below: TARGET_MS };
      const results = [
        figure('upsert (creates)', create, 'ms', { baseline: { name: 'floor', value: floor.insert }, target }),
        figure('upsert (updates)', update, 'ms', { baseline: { name: 'floor', value: floor.update }, target }),
      ];
      return {
        title: `Partner user sync: ${n} users in one request`,
        command: 'DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx ts-node -T bench/partner-sync.bench.ts',
        notes: [
          'The app in-process (`createApp`, embedded in the bench), one `POST /api/admin/users/sync` with ' +
            `\`mode: upsert\` and ${n} users (with metadata), then the same users again (all updates). Times are ` +
            'the whole HTTP request (JSON parse, JWT verify, lookups, `UsersService.upsertMany`, answer). ' +
            'Baseline (the "floor"): the same rows in one raw-SQL unnest `INSERT` / `UPDATE ... FROM unnest`. ' +
            `Target: each request within ${formatNumber(TARGET_MS)} ms.`,
        ],
        figures: results,
        table: [
          ['request', 'time', 'floor', 'ratio to floor', 'target', 'result'],
          ...results.map((result) => [
            result.scenario,
            `${formatNumber(result.value)} ms`,
            `${formatNumber(result.baseline!.value)} ms`,
            `${result.ratio!.toFixed(2)}x`,
            result.target!,
            result.pass ? 'PASS' : 'FAIL',
          ]),
        ],
        details: [],
        failures: [],
      };
    } finally {
      await source?.destroy();
      await app?.close();
    }
  });
}

if (require.main === module) standalone(run);
