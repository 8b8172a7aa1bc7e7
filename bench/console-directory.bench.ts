// Benchmark: the operator console's directory reads on 100,000 users in real PostgreSQL. Seeds one
// tenant with 100,000 users, a three-level tree of 2,220 departments (20 roots x 10 x 10), every
// user assigned to a leaf (about 50 a leaf) and 10,000 of them to one root as well, and 300,000
// request-log rows (one in 30 about a seeded user); then times each read the console makes, through
// the service's own repository and SQL (median of RUNS), and prints the EXPLAIN ANALYZE of each.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx ts-node -T bench/console-directory.bench.ts
// (USERS=100000 LOGS=300000 RUNS=15 by default; a scratch database idp_test_console_<random> is created and dropped after.)
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options';
import { runMigrations } from '../src/database/migrations';
import { pageQuery } from '../src/directory/search-page';
import { DirectoryBrowserRepository } from '../src/console/directory-browser.repository';
import { userSearchPage } from '../src/console/directory-browser.service';
import { withScratchDatabase } from './support/database';

const USERS = Number(process.env.USERS ?? 100_000);
const LOGS = Number(process.env.LOGS ?? 300_000);
const RUNS = Number(process.env.RUNS ?? 15);
/** The seed's SQL names it as a constant ('bench'). */
const TENANT = 'bench';

async function seed(source: DataSource): Promise<void> {
  // One connection without the service's statement timeout: the seed's statements take seconds.
  const db = source.createQueryRunner();
  await db.query('SET statement_timeout = 0');
  await db.query(`INSERT INTO tenants (id, name) VALUES ('bench', 'Bench')`);
  await db.query(`INSERT INTO user_types (tenant_id, id, name) VALUES ('bench', '1', 'Member') ON CONFLICT DO NOTHING`);
  await db.query(
    `INSERT INTO departments (tenant_id, external_id, name) SELECT 'bench', 'r' || g, 'Root ' || g FROM generate_series(1, 20) g`,
  );
  await db.query(
    `INSERT INTO departments (tenant_id, external_id, name, parent_id)
     SELECT 'bench', d.external_id || '-' || g, d.name || ' / ' || g, d.id FROM departments d, generate_series(1, 10) g
      WHERE d.tenant_id = 'bench' AND d.parent_id IS NULL`,
  );
  await db.query(
    `INSERT INTO departments (tenant_id, external_id, name, parent_id)
     SELECT 'bench', d.external_id || '-' || g, d.name || ' / ' || g, d.id FROM departments d, generate_series(1, 10) g
      WHERE d.tenant_id = 'bench' AND d.parent_id IS NOT NULL`,
  );
  await db.query(
    `INSERT INTO users (tenant_id, user_name, external_id, given_name, family_name, display_name, email, emails, active, created_by, changed_by)
     SELECT 'bench', 'user' || g || '@example.com', 'ext-' || g, 'Given' || g, 'Family' || (g % 5000), 'Given' || g || ' Family' || (g % 5000),
            'user' || g || '@example.com', jsonb_build_array(jsonb_build_object('value', 'user' || g || '@example.com', 'type', 'work', 'primary', true)),
            g % 10 <> 0, 'scim', 'scim'
       FROM generate_series(1, $1) g`,
    [USERS],
  );
  await db.query(
    `WITH leaves AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n, count(*) OVER () AS leaves FROM departments d
                      WHERE d.tenant_id = 'bench' AND NOT EXISTS (SELECT 1 FROM departments c WHERE c.parent_id = d.id)),
          numbered AS (SELECT id, row_number() OVER (ORDER BY created_on, id) - 1 AS n FROM users WHERE tenant_id = 'bench')
     INSERT INTO assignments (user_id, department_id, user_type_id, tenant_id)
     SELECT u.id, l.id, '1', 'bench' FROM numbered u JOIN leaves l ON l.n = u.n % l.leaves`,
  );
  await db.query(
    `INSERT INTO assignments (user_id, department_id, user_type_id, tenant_id)
     SELECT u.id, (SELECT id FROM departments WHERE tenant_id = 'bench' AND external_id = 'r1'), '1', 'bench'
       FROM users u WHERE u.tenant_id = 'bench' ORDER BY u.created_on LIMIT 10000`,
  );
  // One row in 30 names a user: its id in the path (a SCIM GET) or its userName as the identifier (a POST).
  await db.query(
    `WITH picked AS (SELECT id, user_name, row_number() OVER (ORDER BY id) AS n FROM users WHERE tenant_id = 'bench')
     INSERT INTO request_logs (time, method, path, status, duration_ms, tenant_id, identifier, request_headers, response_headers, search_text)
     SELECT now() - (g || ' seconds')::interval,
            CASE WHEN g % 60 = 0 THEN 'GET' ELSE 'POST' END,
            CASE WHEN g % 60 = 0 THEN '/scim/v2/Users/' || p.id WHEN g % 30 = 0 THEN '/scim/v2/Users' ELSE '/api/provisioning/iam/user' END,
            200, 3, 'bench',
            CASE WHEN g % 30 = 0 AND g % 60 <> 0 THEN p.user_name END,
            '{}', '{}',
            lower(CASE WHEN g % 60 = 0 THEN '/scim/v2/Users/' || p.id WHEN g % 30 = 0 THEN '/scim/v2/Users' || E'\\n' || p.user_name
                       ELSE '/api/provisioning/iam/user' || E'\\n' || 'other' || g END)
       FROM generate_series(1, $1) g JOIN picked p ON p.n = 1 + (g / 30) % $2`,
    [LOGS, USERS],
  );
  await db.query('VACUUM ANALYZE');
  await db.release();
}

async function timed(label: string, work: () => Promise<unknown>): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(58)} median ${times[Math.floor(times.length / 2)].toFixed(1)} ms, max ${times[times.length - 1].toFixed(1)} ms`,
  );
}

async function explain(db: DataSource, label: string, sql: string, parameters: unknown[]): Promise<void> {
  const plan = await db.query<{ 'QUERY PLAN': string }[]>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, parameters);
  const lines = plan.map((row) => row['QUERY PLAN']);
  console.log(`\n-- ${label}: ${lines.find((line) => line.startsWith('Execution Time')) ?? ''}`);
  if (process.env.PLANS) console.log(lines.join('\n'));
}

async function main(): Promise<void> {
  const server = process.env.DATABASE_URL;
  if (!server) throw new Error('DATABASE_URL must name a PostgreSQL server');
  await withScratchDatabase(server, `idp_test_console_${randomBytes(4).toString('hex')}`, async (url) => {
    const db = await new DataSource(dataSourceOptions(url)).initialize();
    try {
      await runMigrations(db);
      const seeding = performance.now();
      await seed(db);
      console.log(
        `seeded ${USERS} users, 2,220 departments, ${LOGS} request-log rows in ${((performance.now() - seeding) / 1000).toFixed(1)} s\n`,
      );
      const store = new DirectoryBrowserRepository(db);
      const [root] = await db.query<{ id: string }[]>(`SELECT id FROM departments WHERE external_id = 'r1'`);
      const [leaf] = await db.query<{ id: string }[]>(`SELECT id FROM departments WHERE external_id = 'r2-3-4'`);
      const [user] = await db.query<{ id: string; user_name: string; email: string; external_id: string }[]>(
        `SELECT id, user_name, email, external_id FROM users WHERE user_name = 'user4321@example.com'`,
      );
      const identifiers = [user.user_name, user.external_id];

      await timed('tree: the roots (20, counts: one with 10,000 users)', () =>
        store.departmentLevel(TENANT, null, 100, 0),
      );
      await timed('tree: one level (10 children)', () => store.departmentLevel(TENANT, root.id, 100, 0));
      const searches: [string, Parameters<typeof userSearchPage>[0]][] = [
        ['users: first page of the tenant', {}],
        ['users: a deep page (page 1,000 of 50)', { page: 1000 }],
        ['users: search "user4321" (substring of 4 columns)', { search: 'user4321' }],
        ['users: search "family42" (100+ matches)', { search: 'family42' }],
        ['users: filter name.familyName eq "Family42"', { filter: 'name.familyName eq "Family42"' }],
        ['users: filter active eq false (10,000 matches)', { filter: 'active eq false' }],
        ['users: department (a leaf, ~50 users)', { departmentId: leaf.id }],
        ['users: department (a root, 10,000 users)', { departmentId: root.id }],
      ];
      for (const [label, query] of searches) {
        const page = userSearchPage(query, 50, ((query.page ?? 1) - 1) * 50);
        await timed(label, () => store.userPage(TENANT, page));
      }
      await timed('detail: the user row', () => store.findUser(TENANT, user.id));
      await timed('detail: its assignments', () => store.assignmentsOf(TENANT, user.id));
      await timed(`detail: newest 20 request-log rows about it (of ${LOGS})`, () =>
        store.logsAbout(TENANT, user.id, identifiers),
      );

      const page = userSearchPage({ search: 'user4321' }, 50, 0);
      await explain(db, 'users: search "user4321"', ...pageQuery('users', 'u', 'u.id', TENANT, page));
      const dept = userSearchPage({ departmentId: root.id }, 50, 0);
      await explain(db, 'users: department of 10,000', ...pageQuery('users', 'u', 'u.id', TENANT, dept));
    } finally {
      await db.destroy();
    }
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
