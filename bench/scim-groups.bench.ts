// Benchmark: SCIM groups at enterprise size (issue 19), over HTTP against the built service on real
// PostgreSQL:
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 npm run bench:groups
// A group of 100,000 members (users seeded by SQL, assignments by SQL) beside a group of 10:
//   - GET /Groups/{id}?excludedAttributes=members of the large group against the small one: the read
//     takes no memberships, so the ratio should stay near 1 (the "constant time");
//   - GET /Groups/{id} of the large group whole (100,000 members, the most one answer carries);
//   - PATCH adding 10,000 members in one operation, then removing them in one (set-based);
//   - GET /Users?filter=groups.value eq "<id>"&count=100 deep into the members (a member page).
// Sequential requests, medians over RUNS. BENCH_SCALE below 1 shrinks the group (only to check
// that the bench runs).
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { withCleanup } from './support/cleanup';
import { withScratchDatabase } from './support/database';
import { Server, startScimService } from './support/processes';
import { BenchOptions, BenchReport, figure, formatNumber, scaled, standalone } from './support/report';

const MEMBERS = 100_000;
const SMALL = 10;
const PATCH_MEMBERS = 10_000;
const RUNS = 21;
const WHOLE_RUNS = 5;
const PATCH_RUNS = 3;
const TENANT = 'default';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function seedUsers(db: Client, prefix: string, count: number): Promise<string[]> {
  const result = await db.query<{ id: string }>(
    `INSERT INTO users (tenant_id, user_name, email, created_by, changed_by)
     SELECT $1, $2 || g || '@example.com', $2 || g || '@example.com', 'scim', 'scim' FROM generate_series(1, $3::int) g
     RETURNING id`,
    [TENANT, prefix, count],
  );
  return result.rows.map((row) => row.id);
}

export async function run(options: BenchOptions): Promise<BenchReport> {
  const members = scaled(MEMBERS, options.scale, 100);
  const patchMembers = scaled(PATCH_MEMBERS, options.scale, 10);
  const secret = `scim-${randomBytes(16).toString('hex')}`;
  const name = `idp_bench_test_${randomBytes(4).toString('hex')}`;
  return withScratchDatabase(options.databaseUrl, name, async (url) => {
    const servers: Server[] = [];
    const db = new Client({ connectionString: url });
    const stopAll = async (): Promise<void> => {
      for (const running of servers) await running.stop();
      await db.end().catch(() => undefined);
    };
    return withCleanup(stopAll, async () => {
      const service = await startScimService(url, options.redisUrl, secret);
      servers.push(service);
      await db.connect();
      const headers = { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/scim+json' };
      const failures: string[] = [];
      const call = async (method: string, path: string, body?: unknown, expected = 200) => {
        const started = performance.now();
        const res = await fetch(`${service.base}/scim/v2${path}`, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        const ms = performance.now() - started;
        if (res.status !== expected)
          failures.push(`${method} ${path.slice(0, 80)}: ${res.status} ${text.slice(0, 200)}`);
        return { ms, bytes: Buffer.byteLength(text), json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
      };
      const createGroup = async (displayName: string): Promise<string> =>
        (await call('POST', '/Groups', { schemas: [GROUP], displayName }, 201)).json.id as string;

      const seedStarted = performance.now();
      const large = await createGroup('Large');
      const small = await createGroup('Small');
      const users = await seedUsers(db, 'member', members);
      const extra = await seedUsers(db, 'extra', patchMembers);
      await db.query(
        `INSERT INTO assignments (user_id, department_id, user_type_id, tenant_id)
         SELECT id, $2::uuid, '1', $1::text FROM unnest($3::uuid[]) AS given(id)
         UNION ALL SELECT id, $4::uuid, '1', $1::text FROM unnest($5::uuid[]) AS given(id)`,
        [TENANT, large, users, small, users.slice(0, SMALL)],
      );
      await db.query('VACUUM ANALYZE users, departments, assignments');
      const seedSeconds = (performance.now() - seedStarted) / 1000;
      console.log(
        `seeded ${members} + ${patchMembers} users, groups of ${members} and ${SMALL} in ${seedSeconds.toFixed(1)} s`,
      );

      const timeRuns = async (runs: number, work: () => Promise<{ ms: number }>): Promise<number> => {
        await work(); // warm-up
        const times: number[] = [];
        for (let i = 0; i < runs; i++) times.push((await work()).ms);
        return median(times);
      };
      // Interleaved, so that a busy moment of the shared machine falls on both.
      const lightLarge: number[] = [];
      const lightSmall: number[] = [];
      for (let i = 0; i < RUNS + 1; i++) {
        const l = await call('GET', `/Groups/${large}?excludedAttributes=members`);
        const s = await call('GET', `/Groups/${small}?excludedAttributes=members`);
        if (i > 0) {
          lightLarge.push(l.ms);
          lightSmall.push(s.ms);
        }
      }
      const light = { large: median(lightLarge), small: median(lightSmall) };
      console.log(
        `GET excludedAttributes=members: ${members} members ${light.large.toFixed(1)} ms, ${SMALL} members ${light.small.toFixed(1)} ms`,
      );

      let wholeBytes = 0;
      const whole = await timeRuns(WHOLE_RUNS, async () => {
        const res = await call('GET', `/Groups/${large}`);
        wholeBytes = res.bytes;
        if ((res.json.members as unknown[] | undefined)?.length !== members)
          failures.push('whole GET: wrong member count');
        return res;
      });
      console.log(`GET whole group (${members} members, ${(wholeBytes / 1e6).toFixed(1)} MB): ${whole.toFixed(0)} ms`);

      const patchOf = (op: 'add' | 'remove') => ({
        schemas: [PATCH_OP],
        Operations: [{ op, path: 'members', value: extra.map((value) => ({ value })) }],
      });
      const adds: number[] = [];
      const removes: number[] = [];
      for (let i = 0; i < PATCH_RUNS; i++) {
        adds.push((await call('PATCH', `/Groups/${large}`, patchOf('add'), 204)).ms);
        removes.push((await call('PATCH', `/Groups/${large}`, patchOf('remove'), 204)).ms);
      }
      const patch = { add: median(adds), remove: median(removes) };
      console.log(
        `PATCH ${patchMembers} members in one operation: add ${patch.add.toFixed(0)} ms, remove ${patch.remove.toFixed(0)} ms`,
      );

      const filter = encodeURIComponent(`groups.value eq "${large}"`);
      const deep = Math.max(1, members - 100 + 1);
      const memberPage = await timeRuns(RUNS, () =>
        call('GET', `/Users?filter=${filter}&startIndex=${deep}&count=100`),
      );
      console.log(`GET /Users?filter=groups.value eq (page of 100 at startIndex ${deep}): ${memberPage.toFixed(1)} ms`);

      const baseline = { name: `GET excludedAttributes=members, group of ${SMALL}`, value: light.small };
      return {
        title: 'SCIM large groups',
        command:
          'DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 npm run bench:groups',
        notes: [
          `A group of ${formatNumber(members)} members (seeded by SQL) beside a group of ${SMALL}, read and written over HTTP through the built service, one request at a time; medians over ${RUNS} reads (${WHOLE_RUNS} for the whole group, ${PATCH_RUNS} for each PATCH).`,
        ],
        figures: [
          figure(`GET /Groups/{id}?excludedAttributes=members, ${formatNumber(members)} members`, light.large, 'ms', {
            baseline,
          }),
          figure(`GET /Groups/{id} whole, ${formatNumber(members)} members`, whole, 'ms'),
          figure(`PATCH add ${formatNumber(patchMembers)} members, one operation`, patch.add, 'ms'),
          figure(`PATCH remove ${formatNumber(patchMembers)} members, one operation`, patch.remove, 'ms'),
          figure('GET /Users?filter=groups.value eq (last page of 100)', memberPage, 'ms'),
        ],
        table: [
          ['request', 'median ms'],
          [`GET excludedAttributes=members (${members} members)`, formatNumber(light.large)],
          [`GET excludedAttributes=members (${SMALL} members)`, formatNumber(light.small)],
          [`GET whole (${members} members, ${(wholeBytes / 1e6).toFixed(1)} MB)`, formatNumber(whole)],
          [`PATCH add ${patchMembers}`, formatNumber(patch.add)],
          [`PATCH remove ${patchMembers}`, formatNumber(patch.remove)],
          ['member page (groups.value eq, last 100)', formatNumber(memberPage)],
        ],
        details: [`seed: ${seedSeconds.toFixed(1)} s`],
        failures,
      };
    });
  });
}

if (require.main === module) standalone(run);
