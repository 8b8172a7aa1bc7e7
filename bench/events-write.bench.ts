// Benchmark: what change capture (issue 20) costs the writers. The same service on the same
// database, once with the change-capture triggers enabled and once with exactly those triggers
// disabled (ALTER TABLE ... DISABLE TRIGGER <name>, nothing else), alternately, ROUNDS times each:
//   (a) a 10,000-operation provisioning commit (2,000 departments + 8,000 users with 12,000
//       assignments, as bench/transaction-commit.bench.ts queues it): commit -> COMPLETED, creates;
//   (b) SCIM POST /Users throughput (the body Entra ID sends, bench/support/scim-scenarios.ts),
//       50 connections, POST_PAIRS pairs of runs per round (EVENTS_BENCH_POST_PAIRS, 3).
// Targets: commit with events <= 1.15x without; POST /Users with events >= 0.90x without. The two
// modes run in pairs, back to back (which one first alternates), and the figure is the median of the
// pairs' own with/without ratios: this machine's speed drifts by a fifth between runs a minute
// apart, and the database grows every round, so a run is compared with its neighbour, not with a
// run of the other mode several minutes away. The medians of each mode are printed too.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 npm run bench:events-write
// The service runs built (`node dist/src/main.js`) in its own process; the sequencer and everything
// else the service does in the background with events on is part of the "with events" figure.
// Each run also prints the CPU the service and PostgreSQL spent (per commit; per POST) and the WAL
// each POST wrote. EVENTS_BENCH_SCENARIOS=commit (or post) runs one scenario alone.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import { Client } from 'pg';
import { withCleanup } from './support/cleanup';
import { withScratchDatabase } from './support/database';
import { runLoad } from './support/load';
import { freePort, processesCpu, startServer } from './support/processes';
import { BenchOptions, BenchReport, figure, formatNumber, scaled, standalone } from './support/report';
import { KINDS, scimScenario } from './support/scim-scenarios';

const DEPARTMENTS = 2_000;
const USERS = 8_000;
const PER_REQUEST = 1_000;
/** Seven: on two noisy cores a ratio needs that many pairs to settle within a few per cent. */
const ROUNDS = Number(process.env.EVENTS_BENCH_ROUNDS ?? 7);
/** Pairs of POST /Users runs per round: a pair's runs are seconds apart, a round's commits minutes. */
const POST_PAIRS = Number(process.env.EVENTS_BENCH_POST_PAIRS ?? 3);
const CONNECTIONS = 50;
const WARMUP_SECONDS = 1;
/** Unmeasured POST load per mode before round 1. */
const POST_WARMUP_SECONDS = 3;
const MEASURE_SECONDS = 6;
const TARGET = { commitRatio: 1.15, postRatio: 0.9 };
/** `commit`, `post` or both (the default): one scenario alone, when working on its cost. */
const SCENARIOS = (process.env.EVENTS_BENCH_SCENARIOS ?? 'commit,post').split(',');

type Mode = 'with events' | 'without events';

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

function departments(count: number, run: string): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const parent = i < 5 ? null : `${run}-d${Math.floor((i - 5) / 5)}`;
    items.push({ externalId: `${run}-d${i}`, departmentName: `Department ${i} (${run})`, parentExternalId: parent });
  }
  return items.reverse();
}

function users(count: number, departmentCount: number, run: string): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({
    externalId: `${run}-u${i}`,
    email: `${run}.user${i}@example.com`,
    firstName: `First${i}`,
    lastName: `Last${i}`,
    phoneNumber: '+44 20 7946 0000',
    active: true,
    userTypes: [
      { departmentExternalId: `${run}-d${i % departmentCount}`, userTypeId: '1' },
      ...(i % 2 === 0 ? [{ departmentExternalId: `${run}-d${(i * 7) % departmentCount}`, userTypeId: '1' }] : []),
    ],
  }));
}

/** The change-capture triggers: those on the directory tables whose function writes change_events. */
async function captureTriggers(db: Client): Promise<{ table: string; name: string }[]> {
  const found = await db.query<{ table: string; name: string }>(
    `SELECT c.relname AS table, t.tgname AS name
       FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
      WHERE NOT t.tgisinternal AND c.relname IN ('users', 'departments', 'assignments')
        AND p.prosrc LIKE '%change_events%'
      ORDER BY 1, 2`,
  );
  return found.rows;
}

/** Every PostgreSQL process (backends, autovacuum, WAL writer...): what the database spends. */
const postgresProcesses = (): number[] =>
  execFileSync('pgrep', ['-u', 'postgres'], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);

export async function run(options: BenchOptions): Promise<BenchReport> {
  const sizes = { departments: scaled(DEPARTMENTS, options.scale, 5), users: scaled(USERS, options.scale) };
  const operations = sizes.departments + sizes.users;
  const seconds = Math.max(1, Math.round(MEASURE_SECONDS * options.scale));
  const name = `idp_bench_events_${randomBytes(4).toString('hex')}`;
  return withScratchDatabase(options.databaseUrl, name, async (url) => {
    const token = `bench-${randomBytes(16).toString('hex')}`;
    const scimSecret = `scim-${token}`;
    const service = await startServer(
      'service',
      ['dist/src/main.js'],
      {
        DATABASE_URL: url,
        REDIS_URL: options.redisUrl ?? '',
        PROVISIONING_API_TOKEN: token,
        SCIM_SHARED_SECRET: scimSecret,
        ADMIN_TOKEN: `admin-${token}`,
        JWT_SECRET: `jwt-${token}`,
        RATE_LIMITS: 'off',
      },
      await freePort(),
      '/health',
    );
    const db = new Client({ connectionString: url });
    await db.connect();
    return withCleanup(
      async () => {
        await db.end();
        await service.stop();
      },
      async () => {
        const triggers = await captureTriggers(db);
        if (triggers.length === 0) throw new Error('No change-capture trigger found: is the migration applied?');
        const setMode = async (mode: Mode): Promise<void> => {
          const verb = mode === 'with events' ? 'ENABLE' : 'DISABLE';
          for (const trigger of triggers)
            await db.query(`ALTER TABLE "${trigger.table}" ${verb} TRIGGER "${trigger.name}"`);
        };
        /**
         * Before each measured run: what the last run left to clean up (the trigram indexes' GIN
         * pending lists, whose flush costs seconds; dead rows; statistics) is cleaned up now, and a
         * checkpoint taken, rather than landing on whichever mode runs next.
         */
        const settle = async (): Promise<void> => {
          await db.query('VACUUM (ANALYZE) users, departments, assignments, change_events, change_runs');
          await db.query('CHECKPOINT');
        };
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
        const events = async (): Promise<number> =>
          Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM change_events')).rows[0].n);

        /** Queues a fresh 10,000-operation transaction and times its commit to COMPLETED. */
        const commitOnce = async (run: string): Promise<number> => {
          const tx = (await call('POST', '/checkpoint')).transactionId as string;
          for (const [kind, items] of [
            ['department', departments(sizes.departments, run)],
            ['user', users(sizes.users, sizes.departments, run)],
          ] as const) {
            for (let start = 0; start < items.length; start += PER_REQUEST) {
              await call('POST', `/${tx}/${kind}`, items.slice(start, start + PER_REQUEST));
            }
          }
          const started = performance.now();
          const cpu = {
            service: processesCpu(() => [service.child.pid!])(),
            postgres: processesCpu(postgresProcesses)(),
          };
          await call('POST', `/${tx}/commit`);
          for (;;) {
            const status = await call('GET', `/transaction/${tx}/status`);
            if (status.transactionStatus !== 'COMMITTED' && status.transactionStatus !== 'PROCESSING') {
              if (status.transactionStatus !== 'COMPLETED' || status.completedOperations !== operations) {
                throw new Error(`commit ${run}: ${JSON.stringify(status).slice(0, 2000)}`);
              }
              console.log(
                `  CPU during the commit (ms): service ${cpu.service().toFixed(0)}, postgres ${cpu.postgres().toFixed(0)}`,
              );
              return performance.now() - started;
            }
            await new Promise((resolve) => setTimeout(resolve, 25));
          }
        };

        const runId = randomBytes(3).toString('hex');
        const context = {
          users: 0,
          userIds: [],
          scimHeaders: { Authorization: `Bearer ${scimSecret}` },
          run: runId,
          db,
          tenant: 'default',
        };
        const postSpec = KINDS.find((kind) => kind.kind === 'post')!;
        const failures: string[] = [];
        /** POST /Users under load: requests/s. */
        const postOnce = async (mode: Mode, window: string): Promise<number> => {
          const scenario = scimScenario(
            { ...context, run: `${runId}${mode === 'with events' ? 'e' : 'n'}${window}` },
            postSpec,
            'service',
          );
          await runLoad({ base: service.base, connections: CONNECTIONS, seconds: WARMUP_SECONDS, next: scenario.next });
          const walBefore = (await db.query<{ l: string }>('SELECT pg_current_wal_lsn() AS l')).rows[0].l;
          const result = await runLoad({
            base: service.base,
            connections: CONNECTIONS,
            seconds,
            next: scenario.next,
            cpu: { service: processesCpu(() => [service.child.pid!]), postgres: processesCpu(postgresProcesses) },
          });
          const bad = result.requests - (result.statuses.get(201) ?? 0);
          if (bad > 0 || result.errors > 0) {
            const other = [...result.statuses]
              .filter(([status]) => status !== 201)
              .map(([status, n]) => `${n} x ${status}`);
            failures.push(
              `POST /Users ${mode} window ${window}: ${bad} answers not 201 (${other.join(', ')}), ${result.errors} errors`,
            );
          }
          const walBytes = Number(
            (await db.query<{ b: string }>(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1) AS b`, [walBefore]))
              .rows[0].b,
          );
          const perRequest = (cores: number): string => ((cores * 1000) / result.perSecond).toFixed(3);
          console.log(`  WAL per request: ${(walBytes / result.requests).toFixed(0)} bytes`);
          console.log(
            `  CPU per request (ms): service ${perRequest(result.cores.service)}, postgres ${perRequest(result.cores.postgres)}, rest ${perRequest(result.cores.other)}`,
          );
          return result.perSecond;
        };

        const commit: Record<Mode, number[]> = { 'with events': [], 'without events': [] };
        const post: Record<Mode, number[]> = { 'with events': [], 'without events': [] };
        const details: string[] = [];
        // A commit first, not measured: the first after the start pays for warming the service up.
        if (SCENARIOS.includes('commit')) await commitOnce('warm');
        // And the POST path in both modes, not measured: the service's first seconds of POSTs are
        // its JIT warming up, which would otherwise fall on whichever mode round 1 starts with.
        if (SCENARIOS.includes('post')) {
          for (const mode of ['with events', 'without events'] as const) {
            await setMode(mode);
            const warm = scimScenario(
              { ...context, run: `${runId}w${mode === 'with events' ? 'e' : 'n'}` },
              postSpec,
              'service',
            );
            await runLoad({
              base: service.base,
              connections: CONNECTIONS,
              seconds: POST_WARMUP_SECONDS,
              next: warm.next,
            });
          }
        }
        // Alternating, starting with a different mode each round, so drift of the machine is shared.
        for (let round = 1; round <= ROUNDS; round++) {
          const order: Mode[] = round % 2 ? ['with events', 'without events'] : ['without events', 'with events'];
          for (const mode of SCENARIOS.includes('commit') ? order : []) {
            await setMode(mode);
            await settle();
            const before = await events();
            const ms = await commitOnce(`r${round}${mode === 'with events' ? 'e' : 'n'}`);
            const written = (await events()) - before;
            commit[mode].push(ms);
            const line = `round ${round}: commit ${mode.padEnd(14)} ${ms.toFixed(0).padStart(6)} ms  (${written} events written)`;
            console.log(line);
            details.push(line);
          }
          for (let pair = 1; pair <= (SCENARIOS.includes('post') ? POST_PAIRS : 0); pair++) {
            const pairOrder = (round + pair) % 2 ? order : [...order].reverse();
            for (const mode of pairOrder) {
              await setMode(mode);
              await settle();
              const before = await events();
              const rate = await postOnce(mode, `${round}p${pair}`);
              const written = (await events()) - before;
              post[mode].push(rate);
              const line = `round ${round}.${pair}: POST /Users ${mode.padEnd(14)} ${rate.toFixed(0).padStart(6)} req/s  (${written} events written)`;
              console.log(line);
              details.push(line);
            }
          }
        }
        await setMode('with events');

        const commitWith = median(commit['with events']);
        const commitWithout = median(commit['without events']);
        const postWith = median(post['with events']);
        const postWithout = median(post['without events']);
        /** The median of each pair's with / without: the figure the targets are about. */
        const pairedRatio = (runs: Record<Mode, number[]>): number =>
          median(runs['with events'].map((value, pair) => value / runs['without events'][pair]));
        const commitRatio = pairedRatio(commit);
        const postRatio = pairedRatio(post);
        const version = (await db.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
        console.log(
          `change capture cost, ${os.cpus().length} cores, PostgreSQL ${version}, queue ${options.redisUrl ? 'redis' : 'in-process'}, ${ROUNDS} rounds: medians of each mode, ratio = median of the pairs' with/without`,
        );
        console.log(
          `commit ${operations} ops -> COMPLETED  with ${commitWith.toFixed(0)} ms  without ${commitWithout.toFixed(0)} ms  ratio ${commitRatio.toFixed(3)}x (of the medians ${(commitWith / commitWithout).toFixed(3)}x)  target <= ${TARGET.commitRatio}x`,
        );
        console.log(
          `POST /Users (${CONNECTIONS} conns)     with ${postWith.toFixed(0)} req/s  without ${postWithout.toFixed(0)} req/s  ratio ${postRatio.toFixed(3)}x (of the medians ${(postWith / postWithout).toFixed(3)}x)  target >= ${TARGET.postRatio}x`,
        );
        const commitFigure = figure('commit -> COMPLETED, with events', commitWith, 'ms', {
          baseline: { name: 'without events', value: commitWithout },
        });
        commitFigure.target = `<= ${TARGET.commitRatio}x without events`;
        commitFigure.ratio = commitRatio;
        commitFigure.pass = commitRatio <= TARGET.commitRatio;
        const postFigure = figure('POST /Users with events (throughput)', postWith, 'req/s', {
          baseline: { name: 'without events', value: postWithout },
        });
        postFigure.target = `>= ${TARGET.postRatio}x without events`;
        postFigure.ratio = postRatio;
        postFigure.pass = postRatio >= TARGET.postRatio;
        return {
          title: 'Change capture: what the change-event triggers cost the writers',
          command:
            'DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 npm run bench:events-write',
          notes: [
            `One built service and one database; the change-capture triggers (${triggers.map((t) => `${t.table}.${t.name}`).join(', ')}) ` +
              'enabled ("with events") or exactly those disabled ("without events"), alternately, ' +
              `${ROUNDS} rounds, the two modes back to back in pairs. (a) A ${formatNumber(operations)}-operation provisioning commit (creates, ` +
              'queued as bench:commit queues it), commit -> COMPLETED. (b) SCIM POST /Users, the body Entra ID sends, ' +
              `${CONNECTIONS} connections for ${seconds} s after a ${WARMUP_SECONDS} s warm-up, ${POST_PAIRS} pairs a round.`,
            `Targets: the commit with events at most ${TARGET.commitRatio}x without; POST /Users with events at least ` +
              `${TARGET.postRatio}x the throughput without. A ratio is the median of the pairs' own with / without ` +
              "(each run compared with its neighbour: the machine's speed drifts and the database grows); the " +
              'figures are the medians of each mode.',
          ],
          figures: [commitFigure, postFigure],
          table: [
            ['scenario', 'with events', 'without events', 'ratio'],
            [
              'commit -> COMPLETED',
              `${formatNumber(commitWith)} ms`,
              `${formatNumber(commitWithout)} ms`,
              `${commitRatio.toFixed(2)}x`,
            ],
            [
              'POST /Users',
              `${formatNumber(postWith)} req/s`,
              `${formatNumber(postWithout)} req/s`,
              `${postRatio.toFixed(2)}x`,
            ],
          ],
          details,
          failures,
        };
      },
    );
  });
}

if (require.main === module) standalone(run);
