// Benchmark: 1,000 user creates as one SCIM Bulk against the same 1,000 as single POST /Users,
// sent one after another and with 8 in flight (the concurrency a provisioning client would use),
// measured in the same run on the built service over real PostgreSQL.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 npm run bench:bulk
// The bulk's user POSTs go through one ScimUsersService.createMany: the figure measures whatever
// createMany is on the branch that runs it (one create after another until it is set-based).
// Each way runs RUNS times, interleaved, on fresh userNames; the table shows medians. Exits non-zero
// only when the run itself fails (a status other than 201), never on a ratio.
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import { withCleanup } from './support/cleanup';
import { withScratchDatabase } from './support/database';
import { Server, startScimService } from './support/processes';
import { BenchOptions, BenchReport, figure, formatNumber, scaled, standalone } from './support/report';

const USERS = 1_000;
const CONCURRENCY = 8;
const RUNS = 3;
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const userBody = (userName: string) => ({
  schemas: [USER],
  userName,
  name: { givenName: 'Bench', familyName: 'User' },
  emails: [{ value: userName, type: 'work', primary: true }],
  active: true,
});

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

export async function run(options: BenchOptions): Promise<BenchReport> {
  const users = scaled(USERS, options.scale, 10);
  const name = `idp_bench_bulk_${randomBytes(4).toString('hex')}`;
  return withScratchDatabase(options.databaseUrl, name, async (url) => {
    const servers: Server[] = [];
    return withCleanup(
      async () => {
        for (const server of servers) await server.stop();
      },
      async () => {
        const secret = `scim-${randomBytes(16).toString('hex')}`;
        const service = await startScimService(url, options.redisUrl, secret);
        servers.push(service);
        const headers = { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/scim+json' };
        const failures: string[] = [];
        let batch = 0;
        const names = () => {
          batch += 1;
          return Array.from({ length: users }, (_, i) => `bench-${batch}-${i}@example.com`);
        };
        const postUser = async (userName: string) => {
          const res = await fetch(`${service.base}/scim/v2/Users`, {
            method: 'POST',
            headers,
            body: JSON.stringify(userBody(userName)),
          });
          await res.arrayBuffer();
          if (res.status !== 201) failures.push(`POST /Users answered ${res.status}`);
        };
        const ways: Record<string, () => Promise<void>> = {
          bulk: async () => {
            const Operations = names().map((userName, i) => ({
              method: 'POST',
              path: '/Users',
              bulkId: `u${i}`,
              data: userBody(userName),
            }));
            const res = await fetch(`${service.base}/scim/v2/Bulk`, {
              method: 'POST',
              headers,
              body: JSON.stringify({ schemas: [BULK_REQUEST], Operations }),
            });
            const body = (await res.json()) as { Operations?: { status: string }[] };
            const created = body.Operations?.filter((op) => op.status === '201').length ?? 0;
            if (res.status !== 200 || created !== users) failures.push(`Bulk: ${res.status}, ${created} created`);
          },
          sequential: async () => {
            for (const userName of names()) await postUser(userName);
          },
          concurrent: async () => {
            const queue = names();
            await Promise.all(
              Array.from({ length: CONCURRENCY }, async () => {
                for (let next = queue.shift(); next !== undefined; next = queue.shift()) await postUser(next);
              }),
            );
          },
        };
        // Warm-up: the JIT, the connection pool, prepared statements.
        await ways.bulk();
        await ways.concurrent();
        const times: Record<string, number[]> = { bulk: [], sequential: [], concurrent: [] };
        for (let round = 0; round < RUNS; round++) {
          for (const [way, work] of Object.entries(ways)) {
            const ms = await timed(work);
            times[way].push(ms);
            console.log(`round ${round + 1}: ${way} ${formatNumber(ms)} ms`);
          }
        }
        const bulk = median(times.bulk);
        const sequential = median(times.sequential);
        const concurrent = median(times.concurrent);
        const n = users.toLocaleString('en-GB');
        const figures = [
          figure(`${n} user creates in one Bulk vs ${n} POST /Users one after another`, bulk, 'ms', {
            baseline: { name: `${n} sequential POSTs`, value: sequential },
          }),
          figure(`${n} user creates in one Bulk vs ${n} POST /Users, ${CONCURRENCY} in flight`, bulk, 'ms', {
            baseline: { name: `${n} POSTs, ${CONCURRENCY} in flight`, value: concurrent },
          }),
        ];
        const row = (way: string, ms: number) => [way, formatNumber(ms), formatNumber((users * 1000) / ms)];
        const table = [
          ['way', 'median ms', 'users/s'],
          row(`one Bulk of ${n} POST operations`, bulk),
          row('POST /Users one after another', sequential),
          row(`POST /Users, ${CONCURRENCY} in flight`, concurrent),
        ];
        for (const line of table) console.log(line.join(' | '));
        console.log(
          `Bulk / sequential: ${(bulk / sequential).toFixed(2)}x; Bulk / ${CONCURRENCY} in flight: ${(bulk / concurrent).toFixed(2)}x`,
        );
        return {
          title: 'SCIM Bulk',
          command: 'npm run bench:bulk',
          notes: [
            `${n} users created through one \`POST /scim/v2/Bulk\` (${n} POST operations), against the same through single \`POST /scim/v2/Users\` sent one after another and with ${CONCURRENCY} in flight, measured on the built service (\`node dist/src/main.js\`, request log on, \`RATE_LIMITS=off\`) over a fresh database, ${RUNS} interleaved rounds after a warm-up, medians. A ratio below 1 means the Bulk is faster.`,
            "The Bulk's user POSTs go through one `ScimUsersService.createMany`: the figure is whatever createMany is on the branch measured (one `create` after another on the `bulk` branch; set-based once the `creates` work lands), so its gain here is the saved HTTP round trips, authentication, rate limiting and request logging per user.",
          ],
          figures,
          table,
          details: [
            `${os.cpus().length} cores; load average at the end ${os
              .loadavg()
              .map((l) => l.toFixed(2))
              .join(' / ')}`,
          ],
          failures,
        };
      },
    );
  });
}

if (require.main === module) standalone(run);
