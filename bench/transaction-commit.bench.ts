// Benchmark: a 10,000-operation transaction (2,000 departments in a five-level tree, 8,000 users
// with one or two assignments each), queued in ten requests of 1,000 and committed; the time from
// the commit to COMPLETED, then the same again as updates. Beside it, the floor: the same rows
// written with raw SQL (one multi-row statement per table and 1,000 rows). Real PostgreSQL and Redis:
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 npm run bench:commit
// The service runs as its own process (built first), so its peak memory is its own.
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';

const DEPARTMENTS = 2_000;
const USERS = 8_000;
const PER_REQUEST = 1_000;

function departments(run: string): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < DEPARTMENTS; i++) {
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

function users(run: string, suffix: string): Record<string, unknown>[] {
  return Array.from({ length: USERS }, (_, i) => ({
    externalId: `${run}-u${i}`,
    email: `${run}.user${i}@example.com`,
    firstName: `First${i}${suffix}`,
    lastName: `Last${i}`,
    phoneNumber: '+44 20 7946 0000',
    active: true,
    userTypes: [
      { departmentExternalId: `${run}-d${i % DEPARTMENTS}`, userTypeId: '1' },
      ...(i % 2 === 0 ? [{ departmentExternalId: `${run}-d${(i * 7) % DEPARTMENTS}`, userTypeId: '1' }] : []),
    ],
  }));
}

async function rawFloor(source: DataSource, tenantId: string): Promise<number> {
  const started = performance.now();
  await source.transaction(async (em) => {
    const ids = Array.from({ length: DEPARTMENTS }, () => randomUUID());
    for (let start = 0; start < DEPARTMENTS; start += PER_REQUEST) {
      const part = Array.from({ length: Math.min(PER_REQUEST, DEPARTMENTS - start) }, (_, k) => start + k);
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
    const userIds = Array.from({ length: USERS }, () => randomUUID());
    for (let start = 0; start < USERS; start += PER_REQUEST) {
      const part = Array.from({ length: Math.min(PER_REQUEST, USERS - start) }, (_, k) => start + k);
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
        [userIds[i], ids[i % DEPARTMENTS]],
        ...(i % 2 === 0 ? [[userIds[i], ids[(i * 7) % DEPARTMENTS]]] : []),
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

/** The service as it runs in production (`node dist/src/main.js`, built first), in its own process. */
async function startService(env: Record<string, string>): Promise<{ child: ChildProcess; base: string }> {
  const port = 3900 + Math.floor(Math.random() * 500);
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: path.resolve(__dirname, '..'),
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
    const ok = await fetch(`${base}/health`).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return { child, base };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('service did not start');
}

/** Peak resident memory of a process (Linux VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

async function main(): Promise<void> {
  const server = process.env.DATABASE_URL;
  if (!server) throw new Error('DATABASE_URL must name a PostgreSQL server');
  const name = `idp_bench_test_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  const token = `bench-${randomBytes(16).toString('hex')}`;
  const { child, base } = await startService({
    DATABASE_URL: url.toString(),
    REDIS_URL: process.env.REDIS_URL ?? '',
    PROVISIONING_API_TOKEN: token,
    SCIM_SHARED_SECRET: `scim-${token}`,
    ADMIN_TOKEN: `admin-${token}`,
    JWT_SECRET: `jwt-${token}`,
    RATE_LIMITS: 'off',
  });
  const headers = { 'auth-tenant-id': 'default', 'auth-token': token, 'Content-Type': 'application/json' };
  const call = async (method: string, route: string, body?: unknown): Promise<Record<string, unknown>> => {
    const res = await fetch(`${base}/api/provisioning/iam${route}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status >= 300 && res.status !== 202)
      throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };
  const source = await new DataSource({ type: 'postgres', url: url.toString() }).initialize();
  try {
    const runOnce = async (label: string, suffix: string): Promise<number> => {
      const tx = (await call('POST', '/checkpoint')).transactionId as string;
      const items = [
        ...departments('b').map((item) => ({ kind: 'department', item })),
        ...users('b', suffix).map((item) => ({ kind: 'user', item })),
      ];
      for (let start = 0; start < items.length; start += PER_REQUEST) {
        const part = items.slice(start, start + PER_REQUEST);
        await call(
          'POST',
          `/${tx}/${part[0].kind}`,
          part.map((entry) => entry.item),
        );
      }
      const started = performance.now();
      await call('POST', `/${tx}/commit`);
      for (;;) {
        const status = await call('GET', `/transaction/${tx}/status`);
        if (status.transactionStatus !== 'COMMITTED' && status.transactionStatus !== 'PROCESSING') {
          const ms = performance.now() - started;
          if (status.transactionStatus !== 'COMPLETED' || status.completedOperations !== DEPARTMENTS + USERS) {
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
    const floor = await rawFloor(source, 'floor');
    const version = (await source.query<{ server_version: string }[]>('SHOW server_version'))[0].server_version;
    const queue = process.env.REDIS_URL ? 'redis' : 'in-process';
    const ratio = (ms: number): string => `${(ms / floor).toFixed(2)}x`;
    console.log(
      `transaction commit, ${DEPARTMENTS} departments + ${USERS} users, ${os.cpus().length} cores, PostgreSQL ${version}, queue ${queue}`,
    );
    console.log(
      `commit -> COMPLETED (creates)  ${create.toFixed(0).padStart(6)} ms  floor ${floor.toFixed(0)} ms  ratio ${ratio(create)}  target 3000 ms`,
    );
    console.log(
      `commit -> COMPLETED (updates)  ${update.toFixed(0).padStart(6)} ms  floor ${floor.toFixed(0)} ms  ratio ${ratio(update)}  target 3000 ms`,
    );
    console.log(`peak RSS of the service        ${peakRssMb(child.pid!).toFixed(0).padStart(6)} MB  target 300 MB`);
  } finally {
    await source.destroy();
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
