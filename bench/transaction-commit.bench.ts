// Benchmark: a 10,000-operation transaction (2,000 departments in a five-level tree, 8,000 users
// with one or two assignments each), queued in ten requests of 1,000 and committed; the time from
// the commit to COMPLETED, then the same again as updates. Beside it, the floor: the same rows
// written with raw SQL (one multi-row statement per table and 1,000 rows). Real PostgreSQL and Redis:
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 npm run bench:commit
// The service runs as its own process (built first), so its peak memory is its own.
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { DataSource } from 'typeorm';
import { withCleanup } from './support/cleanup';
import { withScratchDatabase } from './support/database';
import { freePort, startServer } from './support/processes';
import { BenchOptions, BenchReport, figure, formatNumber, scaled, standalone } from './support/report';

const DEPARTMENTS = 2_000;
const USERS = 8_000;
const PER_REQUEST = 1_000;
const TARGET_MS = 3_000;
const TARGET_RSS_MB = 300;

interface Sizes {
  departments: number;
  users: number;
}

function departments(sizes: Sizes, run: string): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < sizes.departments; i++) {
    // A five-ary forest: 0-4 are roots, the parent of i is (i - 5) / 5, so 2,000 nodes make five levels.
    const parent = i < 5 ? null : `${run}-d${Math.floor((i - 5) / 5)}`;
    items.push({
      externalId: `${run}-d${i}`,
      departmentName: `Department ${i} (${run})`,
      active: true,
      parentExternalId: parent,
    });
  }
  // Children before parents in the queue: the commit must reorder them.
  return items.reverse();
}

function users(sizes: Sizes, run: string, suffix: string): Record<string, unknown>[] {
  return Array.from({ length: sizes.users }, (_, i) => ({
    externalId: `${run}-u${i}`,
    email: `${run}.user${i}@example.com`,
    firstName: `First${i}${suffix}`,
    lastName: `Last${i}`,
    phoneNumber: '+44 20 7946 0000',
    active: true,
    userTypes: [
      { departmentExternalId: `${run}-d${i % sizes.departments}`, userTypeId: '1' },
      ...(i % 2 === 0 ? [{ departmentExternalId: `${run}-d${(i * 7) % sizes.departments}`, userTypeId: '1' }] : []),
    ],
  }));
}

async function rawFloor(source: DataSource, sizes: Sizes, tenantId: string): Promise<number> {
  const started = performance.now();
  await source.transaction(async (em) => {
    const ids = Array.from({ length: sizes.departments }, () => randomUUID());
    for (let start = 0; start < sizes.departments; start += PER_REQUEST) {
      const part = Array.from({ length: Math.min(PER_REQUEST, sizes.departments - start) }, (_, k) => start + k);
      await em.query(
        `INSERT INTO departments (id, tenant_id, external_id, name, parent_id, active)
         SELECT d.id, $1, d.ext, d.name, d.parent, true FROM unnest($2::uuid[], $3::text[], $4::text[], $5::uuid[]) AS d(id, ext, name, parent)`,
        [
          tenantId,
          part.map((i) => ids[i]),
          part.map((i) => `floor-d${i}`),
          part.map((i) => `Department ${i}`),
          part.map((i) => (i < 5 ? null : ids[Math.floor((i - 5) / 5)])),
        ],
      );
    }
    const userIds = Array.from({ length: sizes.users }, () => randomUUID());
    for (let start = 0; start < sizes.users; start += PER_REQUEST) {
      const part = Array.from({ length: Math.min(PER_REQUEST, sizes.users - start) }, (_, k) => start + k);
      await em.query(
        `INSERT INTO users (id, tenant_id, user_name, external_id, given_name, family_name, email, emails, phone_number, active, created_by, changed_by)
         SELECT u.id, $1, u.email, u.ext, u.first, u.last, u.email, jsonb_build_array(jsonb_build_object('value', u.email, 'primary', true)), '+44', true, 'batch', 'batch'
           FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u(id, ext, email, first, last)`,
        [
          tenantId,
          part.map((i) => userIds[i]),
          part.map((i) => `floor-u${i}`),
          part.map((i) => `floor.user${i}@example.com`),
          part.map((i) => `First${i}`),
          part.map((i) => `Last${i}`),
        ],
      );
      const pairs = part.flatMap((i) => [
        [userIds[i], ids[i % sizes.departments]],
        ...(i % 2 === 0 ? [[userIds[i], ids[(i * 7) % sizes.departments]]] : []),
      ]);
      await em.query(
        `INSERT INTO assignments (user_id, department_id, user_type_id, tenant_id)
         SELECT DISTINCT a.u, a.d, '1', $1 FROM unnest($2::uuid[], $3::uuid[]) AS a(u, d)`,
        [tenantId, pairs.map((p) => p[0]), pairs.map((p) => p[1])],
      );
    }
  });
  return performance.now() - started;
}

/** Peak resident memory of a process (Linux VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

export async function run(options: BenchOptions): Promise<BenchReport> {
  const sizes = { departments: scaled(DEPARTMENTS, options.scale, 5), users: scaled(USERS, options.scale) };
  const operations = sizes.departments + sizes.users;
  const name = `idp_bench_test_${randomBytes(4).toString('hex')}`;
  return withScratchDatabase(options.databaseUrl, name, async (url) => {
    const token = `bench-${randomBytes(16).toString('hex')}`;
    // The service as it runs in production (`node dist/src/main.js`, built first), in its own process.
    const service = await startServer(
      'service',
      ['dist/src/main.js'],
      {
        DATABASE_URL: url,
        REDIS_URL: options.redisUrl ?? '',
        PROVISIONING_API_TOKEN: token,
        SCIM_SHARED_SECRET: `scim-${token}`,
        ADMIN_TOKEN: `admin-${token}`,
        JWT_SECRET: `jwt-${token}`,
        RATE_LIMITS: 'off',
      },
      await freePort(),
      '/health',
    );
    return withCleanup(service.stop, async () => {
      const headers = { 'auth-tenant-id': 'default', 'auth-token': token, 'Content-Type': 'application/json' };
      const call = async (method: string, route: string, body?: unknown): Promise<Record<string, unknown>> => {
        const res = await fetch(`${service.base}/api/provisioning/iam${route}`, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        if (res.status >= 300 && res.status !== 202)
          throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
        return (await res.json()) as Record<string, unknown>;
      };
      const source = await new DataSource({ type: 'postgres', url }).initialize();
      try {
        const runOnce = async (label: string, suffix: string): Promise<number> => {
          const tx = (await call('POST', '/checkpoint')).transactionId as string;
          const queue = [
            ['department', departments(sizes, 'b')],
            ['user', users(sizes, 'b', suffix)],
          ] as const;
          for (const [kind, items] of queue) {
            for (let start = 0; start < items.length; start += PER_REQUEST) {
              await call('POST', `/${tx}/${kind}`, items.slice(start, start + PER_REQUEST));
            }
          }
          const started = performance.now();
          await call('POST', `/${tx}/commit`);
          for (;;) {
            const status = await call('GET', `/transaction/${tx}/status`);
            if (status.transactionStatus !== 'COMMITTED' && status.transactionStatus !== 'PROCESSING') {
              const ms = performance.now() - started;
              if (status.transactionStatus !== 'COMPLETED' || status.completedOperations !== operations) {
                throw new Error(`${label}: ${JSON.stringify(status).slice(0, 2000)}`);
              }
              return ms;
            }
            await new Promise((resolve) => setTimeout(resolve, 25));
          }
        };
        const create = await runOnce('create', '');
        const update = await runOnce('update', ' again');
        await source.query(`INSERT INTO tenants (id, name) VALUES ('floor', 'Floor')`);
        await source.query(`INSERT INTO user_types (tenant_id, id, name) VALUES ('floor', '1', 'Member')`);
        const floor = await rawFloor(source, sizes, 'floor');
        const rss = peakRssMb(service.child.pid!);
        const version = (await source.query<{ server_version: string }[]>('SHOW server_version'))[0].server_version;
        const queue = options.redisUrl ? 'redis' : 'in-process';
        const ratio = (ms: number): string => `${(ms / floor).toFixed(2)}x`;
        console.log(
          `transaction commit, ${sizes.departments} departments + ${sizes.users} users, ${os.cpus().length} cores, PostgreSQL ${version}, queue ${queue}`,
        );
        console.log(
          `commit -> COMPLETED (creates)  ${create.toFixed(0).padStart(6)} ms  floor ${floor.toFixed(0)} ms  ratio ${ratio(create)}  target ${TARGET_MS} ms`,
        );
        console.log(
          `commit -> COMPLETED (updates)  ${update.toFixed(0).padStart(6)} ms  floor ${floor.toFixed(0)} ms  ratio ${ratio(update)}  target ${TARGET_MS} ms`,
        );
        console.log(`peak RSS of the service        ${rss.toFixed(0).padStart(6)} MB  target ${TARGET_RSS_MB} MB`);

        const n = (value: number) => value.toLocaleString('en-GB');
        const target = { below: TARGET_MS };
        const baseline = { name: 'floor', value: floor };
        return {
          title: `Provisioning: a ${n(operations)}-operation transaction, commit to COMPLETED`,
          command:
            'DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 npm run bench:commit',
          notes: [
            `Workload: ${n(sizes.departments)} departments in a five-level tree (queued children first) and ` +
              `${n(sizes.users)} users with one or two assignments each, queued in requests of at most ` +
              `${n(PER_REQUEST)}, then committed; timed from the commit until the status says COMPLETED with ` +
              `${n(operations)} operations done. Then the same items again in a new transaction (all updates). ` +
              'The service runs as its own built process (`node dist/src/main.js`) with its queue on Redis, and the ' +
              'benchmark drives it over HTTP. Baseline (the "floor"): the same rows written with raw SQL in one ' +
              `transaction, ${n(PER_REQUEST)} rows per statement per table, no reads and no rules.`,
            `Targets: COMPLETED within ${n(TARGET_MS)} ms of the commit, both ways; peak RSS of the service under ` +
              `${TARGET_RSS_MB} MB. The service, PostgreSQL and Redis share the machine's cores, so other work on ` +
              'the machine slows the commit directly: on the two-core machine a busy day has used up the whole ' +
              'margin to the target. Read the figures beside the load average in the header.',
          ],
          figures: [
            figure('commit -> COMPLETED (creates)', create, 'ms', { baseline, target }),
            figure('commit -> COMPLETED (updates)', update, 'ms', { baseline, target }),
            figure('peak RSS of the service', rss, 'MB', { target: { below: TARGET_RSS_MB } }),
          ],
          table: [
            ['creates', 'updates', 'floor', 'ratio (creates / updates)', 'peak RSS of the service'],
            [
              `${formatNumber(create)} ms`,
              `${formatNumber(update)} ms`,
              `${formatNumber(floor)} ms`,
              `${ratio(create)} / ${ratio(update)}`,
              `${formatNumber(rss)} MB`,
            ],
          ],
          details: [`Queue: ${queue}.`],
          failures: [],
        };
      } finally {
        await source.destroy();
      }
    });
  });
}

if (require.main === module) standalone(run);
