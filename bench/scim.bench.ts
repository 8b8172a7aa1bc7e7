// Benchmark: the SCIM front door on 100,000 users and 2,000 groups in real PostgreSQL, against a
// baseline measured in the same run: a bare Nest + TypeORM service doing one primary-key lookup.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 npm run bench:scim
// Scenarios (targets from the issue):
//   - GET /Users?filter=userName eq "..." under 50 connections: >= 0.6x the baseline's requests/s, p99 < 25 ms
//   - POST /Users (the body Entra ID sends) under 50 connections: >= 0.3x the baseline's requests/s
//   - a page of 100 users at a random startIndex, one request at a time: median < 20 ms
//   - PATCH adding 1,000 members to a fresh group, one at a time: median < 300 ms
//   (these two first, on the 100,000 users as seeded, before the load rounds add users and writes)
//   - request logging (issue 6): the filter lookup on a second instance started with REQUEST_LOG=off,
//     interleaved with the logged one: logging costs at most 10% of its requests/s (ratio >= 0.9)
// Beside them, for information: the filter lookup paced (open loop) at a quarter of the throughput
// it reached, i.e. its latency without the queue that 50 closed-loop connections build in front of
// any server on two cores.
// The service runs built (`node dist/src/main.js`) and the baseline in their own processes; the load
// generator (autocannon) runs here, so all three share the machine's cores, as a client on the
// same box would. Each load line says how many cores the server, its PostgreSQL backends, the load
// generator and everything else used: "other" above a few tenths means someone else's work was
// competing and the figures are low. A fresh database is created on the server and dropped after
// (SCIM_BENCH_KEEP_DB=1 keeps it, for EXPLAIN ANALYZE). SCIM_BENCH_ROUNDS (default 3) sets how many
// times the load scenarios run, interleaved; the table shows medians over the rounds. Exits
// non-zero only when the run itself fails (a 5xx, a request without an answer, a wrong answer),
// never on a missed target. BENCH_SCALE below 1 shrinks the directory and the load's seconds too.
import { randomBytes, randomInt } from 'node:crypto';
import * as os from 'node:os';
import { Client } from 'pg';
import { dataSourceOptions } from '../src/database/data-source-options';
import { withCleanup } from './support/cleanup';
import { withScratchDatabase } from './support/database';
import { CpuMeter, describeStatuses, LoadRequest, LoadResult, percentile, runLoad, runPaced } from './support/load';
import { freePort, processesCpu, Server, startServer } from './support/processes';
import { BenchOptions, BenchReport, Figure, figure, scaled, standalone } from './support/report';
import { seedDirectory, seededUserName } from './support/scim-seed';

const USERS = 100_000;
const GROUPS = 2_000;
const CONNECTIONS = 50;
const WARMUP_SECONDS = 2;
const MEASURE_SECONDS = 10;
const ROUNDS = 3;
/** The paced filter run asks for this share of the filter's throughput: low enough that nothing queues. */
const PACED_SHARE = 0.25;
const PAGE_SIZE = 100;
const PAGE_SAMPLES = 50;
const PATCH_MEMBERS = 1_000;
const PATCH_RUNS = 5;
/** The user whose answer is checked before anything is measured. */
const CHECKED_USER = 4242;
const TENANT = 'default';

const TARGET = {
  filterRatio: 0.6,
  filterP99Ms: 25,
  postRatio: 0.3,
  pageMedianMs: 20,
  patchMedianMs: 300,
  loggedRatio: 0.9,
};

const URN_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const URN_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const URN_PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** How each server names itself to PostgreSQL (`application_name`), to find its backends. */
const SERVICE_APPLICATION = (dataSourceOptions('postgres://unused').extra as { application_name: string })
  .application_name;
const BASELINE_APPLICATION = 'idp-bench-baseline';

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const ms = (value: number): string => `${value.toFixed(1)} ms`;
const rps = (value: number): string => `${Math.round(value).toLocaleString('en-GB')} req/s`;

/** One request, timed from send to the last byte of the answer. */
async function timed(url: string, init: RequestInit = {}): Promise<{ status: number; ms: number; body: string }> {
  const started = performance.now();
  const res = await fetch(url, init);
  const body = await res.text();
  return { status: res.status, ms: performance.now() - started, body };
}

/** The run's sizes: the documented ones, or smaller (BENCH_SCALE) to check that the bench runs. */
interface Sizes {
  users: number;
  groups: number;
  patchMembers: number;
  rounds: number;
  warmUpSeconds: number;
  measureSeconds: number;
}

/** The running bench: both servers on one seeded database. */
interface Bench {
  sizes: Sizes;
  service: Server;
  /** The same service started with REQUEST_LOG=off, for the cost of request logging. */
  unlogged: Server;
  baseline: Server;
  /** A connection of the bench's own to the bench database. */
  db: Client;
  dbName: string;
  /** The seeded users' ids, in creation order. */
  userIds: string[];
  scimHeaders: Record<string, string>;
  /** Tells this run's names apart from any earlier run's. */
  run: string;
  /** Failures of the run itself, as opposed to a missed target. */
  problems: string[];
}

interface Scenario {
  name: string;
  server: 'service' | 'unlogged' | 'baseline';
  expected: number;
  next: () => LoadRequest;
}

interface Measured {
  result: LoadResult;
  p50: number;
  p99: number;
}

const filterPath = (n: number) => `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${seededUserName(n)}"`)}`;

function loadScenarios(bench: Bench): Scenario[] {
  let created = 0;
  const json = { ...bench.scimHeaders, 'Content-Type': 'application/scim+json' };
  return [
    {
      name: 'baseline',
      server: 'baseline',
      expected: 200,
      next: () => ({
        method: 'GET',
        path: `/baseline/users/${bench.userIds[randomInt(bench.sizes.users)]}`,
        headers: {},
      }),
    },
    {
      name: 'filter',
      server: 'service',
      expected: 200,
      next: () => ({ method: 'GET', path: filterPath(1 + randomInt(bench.sizes.users)), headers: bench.scimHeaders }),
    },
    {
      name: 'filter, REQUEST_LOG=off',
      server: 'unlogged',
      expected: 200,
      next: () => ({ method: 'GET', path: filterPath(1 + randomInt(bench.sizes.users)), headers: bench.scimHeaders }),
    },
    {
      name: 'POST /Users',
      server: 'service',
      expected: 201,
      next: () => {
        created += 1;
        const userName = `new.${bench.run}.${created}@example.com`;
        // As Entra ID sends it.
        const user = {
          schemas: [URN_USER],
          externalId: `new-${bench.run}-${created}`,
          userName,
          active: true,
          displayName: `New User ${created}`,
          emails: [{ primary: true, type: 'work', value: userName }],
          meta: { resourceType: 'User' },
          name: { formatted: `New User ${created}`, familyName: `User ${created}`, givenName: 'New' },
        };
        return { method: 'POST', path: '/scim/v2/Users', headers: json, body: JSON.stringify(user) };
      },
    },
  ];
}

/** Records a 5xx or a request without an answer as a failure of the run; answers the count of unexpected statuses. */
function checkStatuses(problems: string[], label: string, result: LoadResult, expected: number): number {
  const unexpected = [...result.statuses].filter(([status]) => status !== expected);
  const count = (entries: [number, number][]) => entries.reduce((sum, [, n]) => sum + n, 0);
  const serverErrors = count(unexpected.filter(([status]) => status >= 500));
  if (serverErrors > 0) problems.push(`${label}: ${serverErrors} answers with a 5xx status`);
  if (result.errors > 0) problems.push(`${label}: ${result.errors} requests without an answer`);
  if (result.requests === 0) problems.push(`${label}: no answer at all`);
  return count(unexpected);
}

/** Warm-up, then the measured run, with the CPU each party used. */
async function measureLoad(bench: Bench, scenario: Scenario, label: string): Promise<Measured> {
  const server = bench[scenario.server];
  const options = { base: server.base, connections: CONNECTIONS, next: scenario.next };
  const warmUp = await runLoad({ ...options, seconds: bench.sizes.warmUpSeconds });
  checkStatuses(bench.problems, `${label}, warm-up`, warmUp, scenario.expected);
  // After the warm-up the server's pool holds its connections: their backends are PostgreSQL's share.
  const application = scenario.server === 'baseline' ? BASELINE_APPLICATION : SERVICE_APPLICATION;
  const backends = await bench.db.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = $2',
    [bench.dbName, application],
  );
  const loadGenerator: CpuMeter = () => {
    const start = process.cpuUsage();
    return () => {
      const used = process.cpuUsage(start);
      return (used.user + used.system) / 1000;
    };
  };
  const result = await runLoad({
    ...options,
    seconds: bench.sizes.measureSeconds,
    cpu: {
      [scenario.server]: processesCpu(() => [server.child.pid!]),
      postgres: processesCpu(() => backends.rows.map((row) => row.pid)),
      'load generator': loadGenerator,
    },
  });

  const unexpected = checkStatuses(bench.problems, label, result, scenario.expected);
  const measured = { result, p50: percentile(result.latencies, 50), p99: percentile(result.latencies, 99) };
  const perRequest = (cores: number) => `${((cores * 1000) / result.perSecond).toFixed(2)} ms`;
  const cpuPerRequest = `${scenario.server} ${perRequest(result.cores[scenario.server])}, postgres ${perRequest(result.cores.postgres)}`;
  const cores = Object.entries(result.cores)
    .map(([name, used]) => `${name}${name === 'postgres' ? ` (${backends.rowCount} backends)` : ''} ${used.toFixed(2)}`)
    .join(', ');
  console.log(
    `  ${label.padEnd(24)} ${rps(result.perSecond).padStart(12)}  p50 ${ms(measured.p50).padStart(8)}  ` +
      `p99 ${ms(measured.p99).padStart(8)}  | ${describeStatuses(result.statuses)}, not ${scenario.expected}: ` +
      `${unexpected}, no answer: ${result.errors}  | cores: ${cores}  | CPU per request: ${cpuPerRequest}`,
  );
  return measured;
}

/** The filter lookup at a steady rate the service keeps up with: its own time, without a queue. */
async function measurePaced(bench: Bench, filter: Scenario, rate: number): Promise<Float64Array> {
  const paced = await runPaced({
    base: bench.service.base,
    rate,
    seconds: bench.sizes.measureSeconds,
    next: filter.next,
  });
  const wrong = [...paced.statuses].filter(([status]) => status !== filter.expected);
  if (wrong.some(([status]) => status >= 500) || paced.errors > 0) {
    bench.problems.push(
      `filter at ${rate} req/s: ${describeStatuses(paced.statuses)}, ${paced.errors} without an answer`,
    );
  }
  console.log(
    `  ${`filter, paced`.padEnd(24)} ${rps(rate).padStart(12)}  p50 ${ms(percentile(paced.latencies, 50)).padStart(8)}  ` +
      `p99 ${ms(percentile(paced.latencies, 99)).padStart(8)}  | ${describeStatuses(paced.statuses)}, no answer: ${paced.errors}`,
  );
  return paced.latencies;
}

/** Pages of 100 at random places, one request at a time (after 5 unmeasured ones). */
async function measurePages(bench: Bench): Promise<{ startIndex: number; ms: number }[]> {
  const pages: { startIndex: number; ms: number }[] = [];
  for (let i = -5; i < PAGE_SAMPLES; i++) {
    const startIndex = 1 + randomInt(bench.sizes.users - PAGE_SIZE + 1);
    const answer = await timed(`${bench.service.base}/scim/v2/Users?startIndex=${startIndex}&count=${PAGE_SIZE}`, {
      headers: bench.scimHeaders,
    });
    const page = answer.status === 200 ? (JSON.parse(answer.body) as { itemsPerPage?: number }) : undefined;
    if (page?.itemsPerPage !== PAGE_SIZE)
      bench.problems.push(`page at ${startIndex}: ${answer.status} ${answer.body.slice(0, 300)}`);
    else if (i >= 0) pages.push({ startIndex, ms: answer.ms });
  }
  return pages;
}

/**
 * PATCH adding 1,000 members (users no other run uses) to a group just created over SCIM, one at
 * a time; the first one warms up and is not counted. Each is checked in the database.
 */
async function measurePatches(bench: Bench): Promise<number[]> {
  const shuffled = [...bench.userIds];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  const headers = { ...bench.scimHeaders, 'Content-Type': 'application/scim+json' };
  const members = bench.sizes.patchMembers;
  const times: number[] = [];
  for (let run = 0; run <= PATCH_RUNS; run++) {
    const group = { schemas: [URN_GROUP], displayName: `Bench ${bench.run} ${run}`, externalId: `${bench.run}-${run}` };
    const created = await timed(`${bench.service.base}/scim/v2/Groups`, {
      method: 'POST',
      headers,
      body: JSON.stringify(group),
    });
    if (created.status !== 201) throw new Error(`POST /Groups answered ${created.status} ${created.body}`);
    const id = (JSON.parse(created.body) as { id: string }).id;
    const value = shuffled.slice(run * members, (run + 1) * members).map((id) => ({ value: id }));
    const patch = { schemas: [URN_PATCH], Operations: [{ op: 'add', path: 'members', value }] };
    const answer = await timed(`${bench.service.base}/scim/v2/Groups/${id}`, {
      method: 'PATCH',
      headers,
      body: JSON.stringify(patch),
    });
    if (answer.status !== 204) {
      bench.problems.push(`PATCH /Groups/${id}: ${answer.status} ${answer.body.slice(0, 300)}`);
      continue;
    }
    const stored = await bench.db.query<{ n: string }>(
      'SELECT count(*) AS n FROM assignments WHERE department_id = $1',
      [id],
    );
    const n = Number(stored.rows[0].n);
    if (n !== members) bench.problems.push(`PATCH /Groups/${id} answered 204, but the group has ${n} members`);
    if (run > 0) times.push(answer.ms);
  }
  return times;
}

/** The answers are right before their speed is worth measuring. */
async function checkAnswers(bench: Bench): Promise<void> {
  const n = Math.min(CHECKED_USER, bench.sizes.users);
  const filter = await timed(`${bench.service.base}${filterPath(n)}`, { headers: bench.scimHeaders });
  const found = JSON.parse(filter.body) as { totalResults?: number; Resources?: { userName?: string }[] };
  if (filter.status !== 200 || found.totalResults !== 1 || found.Resources?.[0].userName !== seededUserName(n)) {
    throw new Error(`the filter lookup answered ${filter.status} ${filter.body.slice(0, 500)}`);
  }
  const id = bench.userIds[n - 1];
  const direct = await timed(`${bench.baseline.base}/baseline/users/${id}`);
  if (direct.status !== 200 || (JSON.parse(direct.body) as { id?: string }).id !== id) {
    throw new Error(`the baseline answered ${direct.status} ${direct.body.slice(0, 500)}`);
  }
}

function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  console.log(line(rows[0]));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  for (const row of rows.slice(1)) console.log(line(row));
}

/** What `measure` found: the report's figures, detailed table and further lines. */
type Measurements = Pick<BenchReport, 'figures' | 'table' | 'details'>;

async function measure(bench: Bench): Promise<Measurements> {
  const { sizes } = bench;
  await checkAnswers(bench);
  // The sequential ones first, on the directory as seeded (100,000 users): after the load rounds
  // the POSTs have added tens of thousands of users, and PostgreSQL's autovacuum is still digesting
  // the rounds' writes (request-log rows and their trigram index above all) under the pages.
  const pages = await measurePages(bench);
  const patches = await measurePatches(bench);
  const scenarios = loadScenarios(bench);
  const rounds = new Map<string, Measured[]>(scenarios.map((scenario) => [scenario.name, []]));
  console.log(
    `\nUnder load: ${CONNECTIONS} connections, ${sizes.warmUpSeconds} s warm-up then ${sizes.measureSeconds} s measured, ` +
      `per scenario and round (cores: average use during the measured seconds)`,
  );
  for (let round = 1; round <= sizes.rounds; round++) {
    for (const scenario of scenarios) {
      rounds.get(scenario.name)!.push(await measureLoad(bench, scenario, `${scenario.name} (round ${round})`));
    }
  }
  const of = (name: string, pick: (m: Measured) => number) => median(rounds.get(name)!.map(pick));
  const perSecond = (m: Measured) => m.result.perSecond;
  const base = of('baseline', perSecond);
  const filter = of('filter', perSecond);
  const pacedRate = Math.max(1, Math.round(filter * PACED_SHARE));
  const paced = await measurePaced(
    bench,
    scenarios.find((scenario) => scenario.name === 'filter')!,
    pacedRate,
  );

  const filterP99 = of('filter', (m) => m.p99);
  const unlogged = of('filter, REQUEST_LOG=off', perSecond);
  const post = of('POST /Users', perSecond);
  const pageMs = pages.map((page) => page.ms).sort((a, b) => a - b);
  const pageMedian = median(pageMs);
  const patchMedian = median(patches);
  const byStart = [...pages].sort((a, b) => a.startIndex - b.startIndex);
  const third = Math.floor(byStart.length / 3);
  const thirds = [0, 1, 2].map((k) => ms(median(byStart.slice(k * third, (k + 1) * third).map((page) => page.ms))));
  const patchMembers = sizes.patchMembers.toLocaleString('en-GB');

  console.log(`\nPage of ${PAGE_SIZE}, median by startIndex (lowest, middle, highest third): ${thirds.join(' / ')}`);
  console.log(`PATCH +${patchMembers} members: ${patches.map(ms).join(', ')}`);
  console.log(`\nMedians over ${sizes.rounds} round(s); ratios compare the medians of this run.\n`);
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  const ofBaseline = (value: number) => `${(value / base).toFixed(2)}x of baseline`;
  const ofTarget = (value: number, target: number) => `${(value / target).toFixed(2)}x of target`;
  const latencies = (name: string) => `${ms(of(name, (m) => m.p50))} / ${ms(of(name, (m) => m.p99))}`;
  const table = [
    ['scenario', 'figure', 'measured', 'target', 'ratio', 'result'],
    ['baseline: GET by primary key', 'throughput', rps(base), '-', '1.00x of baseline', '-'],
    ['baseline: GET by primary key', 'p50 / p99', latencies('baseline'), '-', '-', '-'],
    [
      'GET /Users?filter=userName eq',
      'throughput',
      rps(filter),
      `>= ${TARGET.filterRatio}x baseline`,
      ofBaseline(filter),
      verdict(filter / base >= TARGET.filterRatio),
    ],
    [
      'GET /Users?filter=userName eq',
      'p99',
      ms(filterP99),
      `< ${TARGET.filterP99Ms} ms`,
      ofTarget(filterP99, TARGET.filterP99Ms),
      verdict(filterP99 < TARGET.filterP99Ms),
    ],
    ['GET /Users?filter=userName eq', 'p50 / p99', latencies('filter'), '-', '-', '-'],
    [
      'request logging: filter, logged',
      'throughput',
      rps(filter),
      `>= ${TARGET.loggedRatio}x unlogged`,
      `${(filter / unlogged).toFixed(2)}x of unlogged`,
      verdict(filter / unlogged >= TARGET.loggedRatio),
    ],
    ['filter, REQUEST_LOG=off', 'throughput', rps(unlogged), '-', ofBaseline(unlogged), '-'],
    [
      `GET /Users?filter, paced ${pacedRate} req/s`,
      'p50 / p99',
      `${ms(percentile(paced, 50))} / ${ms(percentile(paced, 99))}`,
      '-',
      '-',
      '-',
    ],
    [
      'POST /Users',
      'throughput',
      rps(post),
      `>= ${TARGET.postRatio}x baseline`,
      ofBaseline(post),
      verdict(post / base >= TARGET.postRatio),
    ],
    ['POST /Users', 'p50 / p99', latencies('POST /Users'), '-', '-', '-'],
    [
      `GET /Users page of ${PAGE_SIZE}, sequential`,
      `median (p95) of ${pages.length}`,
      `${ms(pageMedian)} (${ms(percentile(pageMs, 95))})`,
      `median < ${TARGET.pageMedianMs} ms`,
      ofTarget(pageMedian, TARGET.pageMedianMs),
      verdict(pageMedian < TARGET.pageMedianMs),
    ],
    [
      `PATCH Group +${patchMembers} members`,
      `median (max) of ${patches.length}`,
      `${ms(patchMedian)} (${ms(Math.max(...patches))})`,
      `median < ${TARGET.patchMedianMs} ms`,
      ofTarget(patchMedian, TARGET.patchMedianMs),
      verdict(patchMedian < TARGET.patchMedianMs),
    ],
  ];
  printTable(table);

  const baseline = { name: 'baseline', value: base };
  const figures: Figure[] = [
    figure('baseline: GET by primary key (throughput)', base, 'req/s'),
    figure('GET /Users?filter=userName eq (throughput)', filter, 'req/s', {
      baseline,
      target: { atLeast: TARGET.filterRatio, ofBaseline: true },
    }),
    figure('GET /Users?filter=userName eq (p99)', filterP99, 'ms', { target: { below: TARGET.filterP99Ms } }),
    figure('request logging: filter, logged (throughput)', filter, 'req/s', {
      baseline: { name: 'unlogged', value: unlogged },
      target: { atLeast: TARGET.loggedRatio, ofBaseline: true },
    }),
    figure('filter, REQUEST_LOG=off (throughput)', unlogged, 'req/s', { baseline }),
    figure(`GET /Users?filter, paced ${pacedRate} req/s (p99)`, percentile(paced, 99), 'ms'),
    figure('POST /Users (throughput)', post, 'req/s', {
      baseline,
      target: { atLeast: TARGET.postRatio, ofBaseline: true },
    }),
    figure(`GET /Users page of ${PAGE_SIZE}, sequential (median)`, pageMedian, 'ms', {
      target: { below: TARGET.pageMedianMs },
    }),
    figure(`PATCH Group +${patchMembers} members (median)`, patchMedian, 'ms', {
      target: { below: TARGET.patchMedianMs },
    }),
  ];
  const perRound = (name: string) =>
    rounds.get(name)!.map((m) => Math.round(m.result.perSecond).toLocaleString('en-GB'));
  const loggedShare = rounds
    .get('filter')!
    .map((m, round) =>
      (m.result.perSecond / rounds.get('filter, REQUEST_LOG=off')![round].result.perSecond).toFixed(2),
    );
  // "other" is what the machine used besides the meters: a little below 0 is rounding, not work.
  const other = [...rounds.values()].flat().map((m) => Math.max(0, m.result.cores.other));
  const details = [
    `Per round (req/s): filter ${perRound('filter').join(' / ')}; unlogged ${perRound('filter, REQUEST_LOG=off').join(' / ')} ` +
      `(logged/unlogged ${loggedShare.join(' / ')}); POST ${perRound('POST /Users').join(' / ')}; ` +
      `baseline ${perRound('baseline').join(' / ')}.`,
    `Page of ${PAGE_SIZE} by third of startIndex (lowest, middle, highest): ${thirds.join(' / ')}. ` +
      `PATCH +${patchMembers} members: ${patches.map(ms).join(', ')}.`,
    `Other work on the machine during the measured seconds ("other" in the load lines): ` +
      `${Math.min(...other).toFixed(2)} to ${Math.max(...other).toFixed(2)} cores.`,
  ];
  return { figures, table, details };
}

export async function run(options: BenchOptions & { rounds?: number; keepDatabase?: boolean }): Promise<BenchReport> {
  const sizes: Sizes = {
    users: scaled(USERS, options.scale, 10 * PAGE_SIZE),
    groups: scaled(GROUPS, options.scale),
    patchMembers: scaled(PATCH_MEMBERS, options.scale),
    rounds: options.rounds ?? ROUNDS,
    warmUpSeconds: scaled(WARMUP_SECONDS, options.scale),
    measureSeconds: scaled(MEASURE_SECONDS, options.scale),
  };
  if (!Number.isInteger(sizes.rounds) || sizes.rounds < 1) {
    throw new Error('SCIM_BENCH_ROUNDS must be a whole number from 1');
  }
  const redisUrl = options.redisUrl;
  const dbName = `idp_bench_scim_${randomBytes(4).toString('hex')}`;
  const measureOn = async (url: string): Promise<BenchReport> => {
    const servers: Server[] = [];
    const db = new Client({ connectionString: url });
    const stopAll = async () => {
      for (const running of servers.reverse()) await running.stop();
      await db.end().catch(() => undefined);
    };
    return withCleanup(stopAll, async () => {
      // The service makes the schema (migrations) and the default tenant at its first start.
      const secret = `scim-${randomBytes(16).toString('hex')}`;
      const serviceEnv = {
        DATABASE_URL: url,
        REDIS_URL: redisUrl ?? '',
        RATE_LIMITS: 'off',
        SCIM_SHARED_SECRET: secret,
        ADMIN_TOKEN: `admin-${randomBytes(16).toString('hex')}`,
        PROVISIONING_API_TOKEN: `provisioning-${randomBytes(16).toString('hex')}`,
        JWT_SECRET: randomBytes(32).toString('hex'),
      };
      const service = await startServer('service', ['dist/src/main.js'], serviceEnv, await freePort(), '/health');
      servers.push(service);
      const unloggedEnv = { ...serviceEnv, REQUEST_LOG: 'off' };
      const unlogged = await startServer('unlogged', ['dist/src/main.js'], unloggedEnv, await freePort(), '/health');
      servers.push(unlogged);
      await db.connect();
      const memberType = await db.query(`SELECT 1 FROM user_types WHERE tenant_id = $1 AND id = '1'`, [TENANT]);
      if (memberType.rowCount !== 1) throw new Error(`the service made no user type "1" in tenant '${TENANT}'`);

      const started = performance.now();
      await seedDirectory(db, TENANT, { users: sizes.users, groups: sizes.groups });
      const seedSeconds = (performance.now() - started) / 1000;
      const ids = await db.query<{ id: string }>('SELECT id FROM users WHERE tenant_id = $1 ORDER BY created_on', [
        TENANT,
      ]);
      const userIds = ids.rows.map((row) => row.id);

      const baseline = await startServer(
        'baseline',
        ['-r', 'ts-node/register/transpile-only', 'bench/support/baseline-app.ts'],
        { DATABASE_URL: url, APPLICATION_NAME: BASELINE_APPLICATION },
        await freePort(),
        `/baseline/users/${userIds[0]}`,
      );
      servers.push(baseline);

      const version = await db.query<{ server_version: string }>('SHOW server_version');
      const users = sizes.users.toLocaleString('en-GB');
      const groups = sizes.groups.toLocaleString('en-GB');
      console.log(
        `SCIM benchmark: ${users} users, ${groups} groups (seeded in ${seedSeconds.toFixed(1)} s), ` +
          `${os.cpus().length} cores, PostgreSQL ${version.rows[0].server_version}, Node ${process.version}, ` +
          `queue ${redisUrl ? 'redis' : 'in-process'}`,
      );
      const problems: string[] = [];
      const measured = await measure({
        sizes,
        service,
        unlogged,
        baseline,
        db,
        dbName,
        userIds,
        scimHeaders: { Authorization: `Bearer ${secret}`, Accept: 'application/scim+json' },
        run: randomBytes(3).toString('hex'),
        problems,
      });
      return {
        title: `SCIM: ${users} users and ${groups} groups, ${CONNECTIONS} connections, against a bare Nest + TypeORM baseline`,
        command:
          'DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 npm run bench:scim',
        notes: notes(sizes),
        ...measured,
        details: [...measured.details, `Seeded in ${seedSeconds.toFixed(1)} s.`],
        failures: problems,
      };
    });
  };
  return withScratchDatabase(options.databaseUrl, dbName, measureOn, { keep: options.keepDatabase });
}

/** What the SCIM section of RESULTS.md says besides its figures. */
function notes(sizes: Sizes): string[] {
  const n = (value: number) => value.toLocaleString('en-GB');
  return [
    'Setup: a fresh database; the built service (`node dist/src/main.js`, migrations at start, `RATE_LIMITS=off`, ' +
      'request logging on as by default), a second instance of it with `REQUEST_LOG=off` on the same database, ' +
      'and the baseline (`bench/support/baseline-app.ts`: one route, `SELECT * FROM users WHERE id = $1` through ' +
      "a TypeORM DataSource with the service's pool settings, 10 connections) run as their own processes; " +
      `${n(sizes.users)} users (one work email each) and ${n(sizes.groups)} groups are inserted with ` +
      '`generate_series`, each user a member of one group, then `VACUUM ANALYZE`.',
    `Load: autocannon in the bench process, ${CONNECTIONS} keep-alive connections, ${sizes.warmUpSeconds} s ` +
      `warm-up then ${sizes.measureSeconds} s measured, baseline / filter / filter unlogged / POST interleaved ` +
      `over ${sizes.rounds} rounds, medians shown. Filter: a random seeded \`userName\` per request; POST: a new ` +
      `user per request, with the body Entra ID sends. Page: ${PAGE_SAMPLES} sequential ` +
      `\`GET /scim/v2/Users?startIndex=<random>&count=${PAGE_SIZE}\`. PATCH: ${PATCH_RUNS} sequential ` +
      `\`PATCH /scim/v2/Groups/{id}\` adding ${n(sizes.patchMembers)} users to a group just created over SCIM ` +
      '(204, checked in the database). Page and PATCH run before the load rounds, on the users as seeded: ' +
      "measured after them, the pages were several times slower, because the rounds' POSTs had added tens of " +
      "thousands of users and autovacuum was still working through the rounds' writes (request-log rows and " +
      'their trigram index above all) under the pages. Every answer must have the expected status ' +
      '(200 / 201 / 204): anything else fails the run.',
    `Targets (from the issue): the filter at >= ${TARGET.filterRatio}x the baseline's requests/s and p99 under ` +
      `${TARGET.filterP99Ms} ms; POST at >= ${TARGET.postRatio}x the baseline; a page's median under ` +
      `${TARGET.pageMedianMs} ms; the PATCH's median under ${TARGET.patchMedianMs} ms; request logging costing ` +
      `at most 10% of the filter's requests/s (logged >= ${TARGET.loggedRatio}x unlogged).`,
    "**Reading the filter figures.** Closed-loop latency is connections / throughput (Little's law): a p99 below " +
      `${TARGET.filterP99Ms} ms at ${CONNECTIONS} connections needs well over 2,000 req/s, more than the bare ` +
      "baseline reaches on two cores (compare the baseline's own p99). The paced line, open loop at a quarter " +
      "of the filter's throughput, is the filter's latency without the queue that 50 closed-loop connections " +
      "build in front of any server. The SQL is one index lookup, like the baseline's; the rest of the cost is " +
      'the SCIM front door itself (filter parse and compile, the groups subquery, the document and projection, ' +
      '`application/scim+json`), the request-log row and, on shared cores, PostgreSQL planning a larger ' +
      'statement. A CPU profile of the service under this load (`node --cpu-prof`) puts about a third of its ' +
      "busy time in the kernel's `writev` of the query and of the answer over loopback, which the baseline pays too.",
    '**Reading the request-logging ratio.** Per request, logging adds capture, redaction and the batched ' +
      '`INSERT` in Node, and in PostgreSQL the row, seven B-tree entries and the trigrams of its search text ' +
      '(extracted on insert, about 0.25 ms per kilobyte: a JSON body contributes its distinct values only). With ' +
      "the service and PostgreSQL on the same cores, every logged request's work comes out of the throughput.",
  ];
}

if (require.main === module) {
  standalone((options) =>
    run({
      ...options,
      rounds: Number(process.env.SCIM_BENCH_ROUNDS ?? ROUNDS),
      keepDatabase: process.env.SCIM_BENCH_KEEP_DB === '1',
    }),
  );
}
