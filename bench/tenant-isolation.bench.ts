// Benchmark: another tenant's latency while one tenant floods SCIM or sends the largest PATCH the
// caps allow (issue 14, "Done when"): a quiet tenant's light SCIM request, its p99 on an idle
// service (the baseline), then under each kind of pressure from a noisy tenant.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 npm run bench:isolation
// Scenarios (target from the issue: (b) and (c) at most 3x (a) on PostgreSQL):
//   (a) idle: the quiet tenant alone
//   (b) flood: the noisy tenant's GET /Users pages on FLOOD_CONNECTIONS keep-alive connections
//   (c) PATCH: the noisy tenant's PATCH of one user with PATCH_OPERATIONS operations, back to back
//       on PATCH_CONNECTIONS connections
// The quiet tenant sends `GET /Users?filter=userName eq "<random seeded user>"` open loop at
// PROBE_RATE a second (its own load stays light, and no queue of its own making hides in its
// latencies). The service runs built (`node dist/src/main.js`) with RATE_LIMITS=off, so the
// per-tenant gate (its defaults: 1 request at once per tenant while another tenant is active, the
// whole pool for a tenant alone, a queue of 64, 5 s) and the request log's per-tenant body budget
// (REQUEST_LOG_BODY_RATE, 512 KB/s) keep the tenants apart;
// with rate limits on, a flood is cut off sooner still. TENANT_BENCH_EMBEDDED=1 runs the service on
// its embedded PostgreSQL (DATA_DIR in a temporary folder) instead, seeding over SCIM.
// Exits non-zero only when the run itself fails (a quiet request not answered 200, a 5xx), never on
// a missed target. BENCH_SCALE below 1 shrinks the directory and the seconds.
import { randomBytes, randomInt } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { withCleanup } from './support/cleanup';
import { withScratchDatabase } from './support/database';
import { describeStatuses, LoadRequest, LoadResult, percentile, runLoad, runPaced } from './support/load';
import { freePort, processesCpu, Server, startServer } from './support/processes';
import { BenchOptions, BenchReport, Figure, figure, scaled, standalone } from './support/report';
import { seedDirectory, seededUserName } from './support/scim-seed';

const NOISY = 'default';
const QUIET = 'quiet';
const NOISY_USERS = 20_000;
const QUIET_USERS = 2_000;
const EMBEDDED_NOISY_USERS = 2_000;
const EMBEDDED_QUIET_USERS = 500;
const FLOOD_CONNECTIONS = 32;
const PATCH_CONNECTIONS = 2;
const PATCH_OPERATIONS = 1_000;
const PROBE_RATE = 10;
const MEASURE_SECONDS = 20;
const WARMUP_SECONDS = 3;
const RATIO_TARGET = 3;

const URN_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const URN_PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const ms = (value: number): string => `${value.toFixed(1)} ms`;

interface Sizes {
  noisyUsers: number;
  quietUsers: number;
  seconds: number;
  warmUpSeconds: number;
}

interface Probe {
  p50: number;
  p99: number;
  count: number;
  statuses: Map<number, number>;
  errors: number;
}

/** The largest PATCH the caps allow: PATCH_OPERATIONS add/replace operations on one user. */
export function largestPatch(run: string): string {
  const operations = Array.from({ length: PATCH_OPERATIONS }, (_, i) => {
    switch (i % 4) {
      case 0:
        return { op: 'replace', path: 'displayName', value: `Display ${run} ${i}` };
      case 1:
        return { op: 'add', path: 'title', value: `Title ${i}` };
      case 2:
        return { op: 'replace', path: 'name.givenName', value: `Given ${i}` };
      default:
        return { op: 'add', value: { nickName: `nick-${i}`, preferredLanguage: 'en-GB' } };
    }
  });
  return JSON.stringify({ schemas: [URN_PATCH], Operations: operations });
}

async function probe(base: string, headers: Record<string, string>, sizes: Sizes): Promise<Probe> {
  const result = await runPaced({
    base,
    rate: PROBE_RATE,
    seconds: sizes.seconds,
    next: () => ({
      method: 'GET',
      path: `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${seededUserName(randomInt(1, sizes.quietUsers + 1))}"`)}`,
      headers,
    }),
  });
  return {
    p50: percentile(result.latencies, 50),
    p99: percentile(result.latencies, 99),
    count: result.latencies.length,
    statuses: result.statuses,
    errors: result.errors,
  };
}

/** The quiet tenant's probe while `pressure` runs for as long as the probe (after a warm-up). */
async function probeUnder(
  base: string,
  quietHeaders: Record<string, string>,
  sizes: Sizes,
  pressure: (seconds: number) => Promise<LoadResult>,
): Promise<{ quiet: Probe; noisy: LoadResult }> {
  const noisy = pressure(sizes.warmUpSeconds + sizes.seconds + 1);
  await new Promise((resolve) => setTimeout(resolve, sizes.warmUpSeconds * 1000));
  const quiet = await probe(base, quietHeaders, sizes);
  return { quiet, noisy: await noisy };
}

async function createQuietTenant(base: string, adminToken: string): Promise<string> {
  const admin = { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' };
  const tenant = await fetch(`${base}/api/admin/tenants`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({ id: QUIET, name: 'Quiet tenant' }),
  });
  if (tenant.status !== 201) throw new Error(`creating the quiet tenant answered ${tenant.status}`);
  const credential = await fetch(`${base}/api/admin/tenants/${QUIET}/credentials`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({ kind: 'SCIM_SECRET', name: 'isolation bench' }),
  });
  const body = (await credential.json()) as { secret?: string };
  if (credential.status !== 201 || !body.secret)
    throw new Error(`issuing the quiet SCIM secret answered ${credential.status}`);
  return body.secret;
}

/** Embedded: no SQL access from here, so users go in over SCIM, a few requests at a time. */
async function seedOverScim(base: string, headers: Record<string, string>, users: number): Promise<void> {
  let next = 1;
  const worker = async (): Promise<void> => {
    while (next <= users) {
      const n = next++;
      const res = await fetch(`${base}/scim/v2/Users`, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/scim+json' },
        body: JSON.stringify({
          schemas: [URN_USER],
          userName: seededUserName(n),
          name: { givenName: `Given${n}`, familyName: `Family${n}` },
          emails: [{ value: seededUserName(n), type: 'work', primary: true }],
          active: true,
        }),
      });
      await res.arrayBuffer();
      if (res.status !== 201) throw new Error(`seeding user ${n} answered ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}

async function firstUserId(base: string, headers: Record<string, string>): Promise<string> {
  const filter = encodeURIComponent(`userName eq "${seededUserName(1)}"`);
  const res = await fetch(`${base}/scim/v2/Users?filter=${filter}`, { headers });
  const body = (await res.json()) as { Resources?: { id: string }[] };
  const id = body.Resources?.[0]?.id;
  if (!id) throw new Error('the noisy tenant has no user 1');
  return id;
}

async function measure(
  service: Server,
  sizes: Sizes,
  noisyHeaders: Record<string, string>,
  quietHeaders: Record<string, string>,
  problems: string[],
): Promise<{ figures: Figure[]; table: string[][]; details: string[] }> {
  const base = service.base;
  const cpu = { service: processesCpu(() => [service.child.pid!]) };
  const patchTarget = await firstUserId(base, noisyHeaders);
  const run = randomBytes(3).toString('hex');
  const patchBody = largestPatch(run);
  // The PATCH must be accepted whole (204), or (c) would measure a refusal.
  const check = await fetch(`${base}/scim/v2/Users/${patchTarget}`, {
    method: 'PATCH',
    headers: { ...noisyHeaders, 'Content-Type': 'application/scim+json' },
    body: patchBody,
  });
  if (check.status !== 204) problems.push(`the largest PATCH answered ${check.status}: ${await check.text()}`);

  // Warm the quiet path (JIT, plans, principal cache) before the idle figure.
  await probe(base, quietHeaders, { ...sizes, seconds: sizes.warmUpSeconds });
  const idle = await probe(base, quietHeaders, sizes);
  console.log(`(a) idle: quiet p50 ${ms(idle.p50)}, p99 ${ms(idle.p99)} (${describeStatuses(idle.statuses)})`);

  const flood = await probeUnder(base, quietHeaders, sizes, (seconds) =>
    runLoad({
      base,
      connections: FLOOD_CONNECTIONS,
      seconds,
      cpu,
      next: (): LoadRequest => ({
        method: 'GET',
        path: `/scim/v2/Users?startIndex=${randomInt(1, Math.max(2, sizes.noisyUsers - 100))}&count=100`,
        headers: noisyHeaders,
      }),
    }),
  );
  console.log(
    `(b) flood: quiet p50 ${ms(flood.quiet.p50)}, p99 ${ms(flood.quiet.p99)} (${describeStatuses(flood.quiet.statuses)}); ` +
      `noisy ${Math.round(flood.noisy.perSecond)} req/s, ${describeStatuses(flood.noisy.statuses)}`,
  );

  const patch = await probeUnder(base, quietHeaders, sizes, (seconds) =>
    runLoad({
      base,
      connections: PATCH_CONNECTIONS,
      seconds,
      cpu,
      next: (): LoadRequest => ({
        method: 'PATCH',
        path: `/scim/v2/Users/${patchTarget}`,
        headers: { ...noisyHeaders, 'Content-Type': 'application/scim+json' },
        body: patchBody,
      }),
    }),
  );
  const patchMedian = percentile(patch.noisy.latencies, 50);
  console.log(
    `(c) PATCH: quiet p50 ${ms(patch.quiet.p50)}, p99 ${ms(patch.quiet.p99)} (${describeStatuses(patch.quiet.statuses)}); ` +
      `noisy ${patch.noisy.requests} PATCHes, median ${ms(patchMedian)}, ${describeStatuses(patch.noisy.statuses)}`,
  );

  for (const [name, probed] of [
    ['idle', idle],
    ['flood', flood.quiet],
    ['PATCH', patch.quiet],
  ] as const) {
    const other = [...probed.statuses.keys()].filter((status) => status !== 200);
    if (other.length > 0 || probed.errors > 0) {
      problems.push(
        `quiet tenant during ${name}: ${describeStatuses(probed.statuses)}, ${probed.errors} without answer`,
      );
    }
  }
  for (const [name, noisy] of [
    ['flood', flood.noisy],
    ['PATCH', patch.noisy],
  ] as const) {
    const failed = [...noisy.statuses.keys()].filter((status) => status >= 500);
    if (failed.length > 0 || noisy.errors > 0) {
      problems.push(`noisy tenant during ${name}: ${describeStatuses(noisy.statuses)}, ${noisy.errors} errors`);
    }
  }

  const baseline = { name: 'idle p99', value: idle.p99 };
  const target = { below: RATIO_TARGET * idle.p99 };
  const figures = [
    figure('quiet tenant GET /Users?filter, idle (p99)', idle.p99, 'ms'),
    figure(`quiet tenant, noisy tenant flooding on ${FLOOD_CONNECTIONS} connections (p99)`, flood.quiet.p99, 'ms', {
      baseline,
      target,
    }),
    figure(
      `quiet tenant, noisy tenant's ${PATCH_OPERATIONS}-operation PATCH back to back (p99)`,
      patch.quiet.p99,
      'ms',
      {
        baseline,
        target,
      },
    ),
  ];
  for (const f of figures.slice(1)) f.target = `<= ${RATIO_TARGET}x idle p99`;
  const table = [
    ['scenario', 'quiet p50', 'quiet p99', 'ratio to idle p99', 'quiet answers', 'noisy tenant'],
    ['(a) idle', ms(idle.p50), ms(idle.p99), '1.00x', describeStatuses(idle.statuses), '-'],
    [
      `(b) flood, ${FLOOD_CONNECTIONS} connections`,
      ms(flood.quiet.p50),
      ms(flood.quiet.p99),
      `${(flood.quiet.p99 / idle.p99).toFixed(2)}x`,
      describeStatuses(flood.quiet.statuses),
      `${Math.round(flood.noisy.perSecond)} req/s: ${describeStatuses(flood.noisy.statuses)}`,
    ],
    [
      `(c) ${PATCH_OPERATIONS}-op PATCH, ${PATCH_CONNECTIONS} connections`,
      ms(patch.quiet.p50),
      ms(patch.quiet.p99),
      `${(patch.quiet.p99 / idle.p99).toFixed(2)}x`,
      describeStatuses(patch.quiet.statuses),
      `${patch.noisy.requests} PATCHes, median ${ms(patchMedian)}: ${describeStatuses(patch.noisy.statuses)}`,
    ],
  ];
  const cores = (result: LoadResult): string =>
    `the service used ${result.cores.service.toFixed(2)} cores, the machine was ${(result.machineBusy * 100).toFixed(0)}% busy ` +
    `and ${result.cores.other.toFixed(2)} cores went to other processes (PostgreSQL, the load generator, other work)`;
  const details = [
    `Quiet probes: ${idle.count} / ${flood.quiet.count} / ${patch.quiet.count} answers at ${PROBE_RATE} req/s.`,
    `During the flood: ${cores(flood.noisy)}; during the PATCHes: ${cores(patch.noisy)}.`,
  ];
  return { figures, table, details };
}

export async function run(options: BenchOptions & { embedded?: boolean }): Promise<BenchReport> {
  const embedded = options.embedded ?? false;
  const sizes: Sizes = {
    noisyUsers: scaled(embedded ? EMBEDDED_NOISY_USERS : NOISY_USERS, options.scale, 200),
    quietUsers: scaled(embedded ? EMBEDDED_QUIET_USERS : QUIET_USERS, options.scale, 20),
    seconds: scaled(MEASURE_SECONDS, options.scale, 2),
    warmUpSeconds: scaled(WARMUP_SECONDS, options.scale),
  };
  const secrets = {
    noisy: `scim-${randomBytes(16).toString('hex')}`,
    admin: `admin-${randomBytes(16).toString('hex')}`,
  };
  const measureOn = async (url: string | null): Promise<BenchReport> => {
    const dataDir = embedded ? fs.mkdtempSync(path.join(os.tmpdir(), 'idp-bench-isolation-')) : null;
    const servers: Server[] = [];
    const db = url ? new Client({ connectionString: url }) : null;
    const stopAll = async (): Promise<void> => {
      for (const running of servers.reverse()) await running.stop();
      await db?.end().catch(() => undefined);
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    };
    return withCleanup(stopAll, async () => {
      const env: Record<string, string> = {
        ...(url ? { DATABASE_URL: url } : { DATABASE_URL: '', DATA_DIR: dataDir! }),
        REDIS_URL: embedded ? '' : (options.redisUrl ?? ''),
        // The gate alone keeps the tenants apart here; rate limits would refuse the flood sooner.
        RATE_LIMITS: 'off',
        SCIM_SHARED_SECRET: secrets.noisy,
        ADMIN_TOKEN: secrets.admin,
        PROVISIONING_API_TOKEN: `provisioning-${randomBytes(16).toString('hex')}`,
        JWT_SECRET: randomBytes(32).toString('hex'),
      };
      const service = await startServer('service', ['dist/src/main.js'], env, await freePort(), '/health');
      servers.push(service);
      const quietSecret = await createQuietTenant(service.base, secrets.admin);
      const noisyHeaders = { Authorization: `Bearer ${secrets.noisy}`, Accept: 'application/scim+json' };
      const quietHeaders = { Authorization: `Bearer ${quietSecret}`, Accept: 'application/scim+json' };

      const started = performance.now();
      if (db) {
        await db.connect();
        await seedDirectory(db, NOISY, { users: sizes.noisyUsers, groups: 20 });
        await seedDirectory(db, QUIET, { users: sizes.quietUsers, groups: 5 });
      } else {
        await seedOverScim(service.base, noisyHeaders, sizes.noisyUsers);
        await seedOverScim(service.base, quietHeaders, sizes.quietUsers);
      }
      const seedSeconds = (performance.now() - started) / 1000;
      const where = embedded ? 'embedded PostgreSQL (PGlite)' : 'PostgreSQL';
      console.log(
        `Tenant isolation on ${where}: noisy tenant ${sizes.noisyUsers} users, quiet tenant ${sizes.quietUsers} ` +
          `(seeded in ${seedSeconds.toFixed(1)} s), ${os.cpus().length} cores, Node ${process.version}`,
      );
      const problems: string[] = [];
      const measured = await measure(service, sizes, noisyHeaders, quietHeaders, problems);
      return {
        title: `Tenant isolation on ${where}: another tenant's p99 under a SCIM flood and under the largest PATCH`,
        command: embedded
          ? 'TENANT_BENCH_EMBEDDED=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:isolation'
          : 'DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 npm run bench:isolation',
        notes: notes(sizes, where),
        ...measured,
        details: [...measured.details, `Seeded in ${seedSeconds.toFixed(1)} s.`],
        failures: problems,
      };
    });
  };
  if (embedded) return measureOn(null);
  const dbName = `idp_bench_isolation_${randomBytes(4).toString('hex')}`;
  return withScratchDatabase(options.databaseUrl, dbName, measureOn);
}

function notes(sizes: Sizes, where: string): string[] {
  const n = (value: number) => value.toLocaleString('en-GB');
  return [
    `Setup: the built service on ${where} with its defaults except \`RATE_LIMITS=off\`, so the per-tenant gate ` +
      '(`TENANT_CONCURRENCY` 1 while another tenant is active, `TENANT_BURST` the pool for a tenant alone; `TENANT_QUEUE` 64; ' +
      '`TENANT_QUEUE_WAIT_MS` 5000) and the request log body budget (`REQUEST_LOG_BODY_RATE` 512 KB/s per tenant) are ' +
      `what keeps the tenants apart. A noisy tenant with ${n(sizes.noisyUsers)} users, a quiet one with ` +
      `${n(sizes.quietUsers)}.`,
    `The quiet tenant sends \`GET /scim/v2/Users?filter=userName eq "<random user>"\` open loop at ${PROBE_RATE} ` +
      `requests a second for ${sizes.seconds} s, after ${sizes.warmUpSeconds} s of the pressure: (a) alone, the ` +
      `baseline; (b) while the noisy tenant reads pages of 100 users on ${FLOOD_CONNECTIONS} connections, closed ` +
      `loop; (c) while the noisy tenant sends the largest PATCH the caps allow (${n(PATCH_OPERATIONS)} add/replace ` +
      `operations on one user) back to back on ${PATCH_CONNECTIONS} connections. Target (issue 14): (b) and (c) ` +
      `at most ${RATIO_TARGET}x (a)'s p99 on PostgreSQL. The noisy tenant's 429s (the gate's queue full, or a ` +
      'wait over 5 s) are expected and counted; any answer to the quiet tenant other than 200 fails the run.',
    'The load generator shares the cores with the service and PostgreSQL, as on every benchmark here; on a ' +
      'machine shared with other work the p99s are noisy, so the details give how busy the machine was.',
  ];
}

if (require.main === module) {
  standalone((options) => run({ ...options, embedded: process.env.TENANT_BENCH_EMBEDDED === '1' }));
}
