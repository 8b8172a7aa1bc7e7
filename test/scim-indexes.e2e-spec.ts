import { seedDirectory } from '../bench/support/scim-seed';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { departmentsPageQuery } from '../src/directory/departments.repository';
import { SearchPage } from '../src/directory/search-page';
import { usersPageQuery } from '../src/directory/users.repository';
import { ListQuery } from '../src/scim/scim-list-query';
import { searchPage } from '../src/scim/scim-search';
import { groupResolver, userResolver } from '../src/scim/scim-sql.resolvers';
import { startTestApp, TestApp } from './support/test-app';

// The SQL a SCIM list runs, at 100,000 users: EXPLAIN of the exact statements the service builds
// (searchPage -> compileFilter -> usersPageQuery / departmentsPageQuery) must use the trigram or
// prefix index for `co`, `sw` and `ew`, read a page's groups in one join (no per-row SubPlan) and
// count in the same statement; and the answers over HTTP must be what the seeded data says.
// 20,000 groups rather than the benchmark's 2,000: at 2,000 the whole table is 78 pages, and a
// scan of it is rightly cheaper than any index for a filter matching dozens of groups.

const USERS = 100_000;
const GROUPS = 20_000;
const TENANT = 'default';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Parent Relationship'?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];

const query = (filter: string | undefined, startIndex = 1, count = 100): ListQuery => ({
  filter,
  startIndex,
  count,
  sortOrder: 'ascending',
});

/** n in 1..USERS whose seeded `user<n>@example.com` (and the rest) `matches`. */
const seeded = (matches: (n: number) => boolean): number[] =>
  Array.from({ length: USERS }, (_, i) => i + 1).filter(matches);

describe('SCIM substring filters and pages at 100,000 users', () => {
  let t: TestApp;
  let db: DataSource;
  const bearer = (): Record<string, string> => ({ Authorization: `Bearer ${t.secrets.scimSecret}` });

  async function plan(statement: [string, unknown[]]): Promise<PlanNode[]> {
    const rows: { 'QUERY PLAN': [{ Plan: PlanNode }] }[] = await db.query(
      `EXPLAIN (FORMAT JSON) ${statement[0]}`,
      statement[1],
    );
    return nodes(rows[0]['QUERY PLAN'][0].Plan);
  }

  const usersPage = (page: SearchPage, withGroups = true) => plan(usersPageQuery(TENANT, page, withGroups));
  const indexesOf = (found: PlanNode[]) => found.map((node) => node['Index Name']).filter(Boolean);

  /** The ids of users n, in creation order (the seeded order). */
  async function idsOf(ns: number[]): Promise<string[]> {
    const rows: { id: string }[] = await db.query(
      `SELECT id FROM users WHERE tenant_id = $1 AND external_id = ANY($2::text[]) ORDER BY created_on, id`,
      [TENANT, ns.map((n) => `ext-${n}`)],
    );
    return rows.map((row) => row.id);
  }

  beforeAll(async () => {
    t = await startTestApp();
    db = t.app.get(DataSource);
    await seedDirectory(db, TENANT, { users: USERS, groups: GROUPS });
    // A second address on one user, so `emails.value` has to look past the first element.
    await db.query(
      `UPDATE users SET emails = emails || '[{"value": "Second.Address@Other.example", "type": "home"}]'::jsonb
        WHERE tenant_id = $1 AND external_id = 'ext-77'`,
      [TENANT],
    );
    await db.query('VACUUM ANALYZE users, departments, assignments');
  }, 600_000);

  afterAll(async () => {
    await t?.close();
  });

  describe('co, sw and ew use an index', () => {
    const userCases: [string, string, string[]][] = [
      ['userName co', 'userName co "user1234"', ['IDX_users_trgm_user_name']],
      // The prefix B-tree or the trigrams, whichever the planner prices lower.
      [
        'userName sw',
        'userName sw "USER1234"',
        ['IDX_users_tenant_user_name_prefix', 'IDX_users_trgm_user_name', 'UQ_users_tenant_lower_user_name'],
      ],
      ['userName ew', 'userName ew "1234@example.com"', ['IDX_users_trgm_user_name']],
      ['displayName co', 'displayName co "family4242"', ['IDX_users_trgm_display_name']],
      ['displayName sw', 'displayName sw "given4242 "', ['IDX_users_trgm_display_name']],
      ['displayName ew', 'displayName ew "family4242"', ['IDX_users_trgm_display_name']],
      ['emails.value co', 'emails.value co "user4242@"', ['IDX_users_trgm_emails']],
      ['emails.value sw', 'emails.value sw "user4242@"', ['IDX_users_trgm_emails']],
      ['emails.value ew', 'emails.value ew "r4242@example.com"', ['IDX_users_trgm_emails']],
      ['emails co (value)', 'emails co "user4242@"', ['IDX_users_trgm_emails']],
      ['externalId co', 'externalId co "ext-4242"', ['IDX_users_trgm_external_id']],
      // In a database whose collation is "C" (the embedded one) a plain B-tree serves a prefix too.
      ['externalId sw', 'externalId sw "ext-4242"', ['IDX_users_trgm_external_id', 'UQ_users_tenant_external_id']],
      ['externalId ew', 'externalId ew "t-4242"', ['IDX_users_trgm_external_id']],
    ];

    it.each(userCases)('%s', async (_label, filter, indexes) => {
      const found = await usersPage(searchPage(query(filter), userResolver, 'u'));
      expect(indexesOf(found).filter((name) => indexes.includes(name!))).not.toHaveLength(0);
      // No scan of the whole users table anywhere in the statement.
      expect(found.filter((node) => node['Node Type'] === 'Seq Scan' && node['Relation Name'] === 'users')).toEqual([]);
    });

    it.each([
      ['Group displayName co', 'displayName co "group 1234"', ['IDX_departments_trgm_name']],
      [
        'Group displayName sw',
        'displayName sw "group 1234"',
        ['IDX_departments_trgm_name', 'IDX_departments_tenant_lower_name'],
      ],
      ['Group displayName ew', 'displayName ew "p 12345"', ['IDX_departments_trgm_name']],
    ])('%s', async (_label, filter, indexes) => {
      const found = await plan(departmentsPageQuery(TENANT, searchPage(query(filter), groupResolver, 'd')));
      expect(indexesOf(found).filter((name) => indexes.includes(name!))).not.toHaveLength(0);
      expect(found.filter((node) => node['Node Type'] === 'Seq Scan')).toEqual([]);
    });
  });

  describe('pages', () => {
    it.each([
      ['the first page', undefined, 1],
      ['a page deep in the tenant', undefined, 54_321],
      ['a filtered page', 'userName co "user1"', 2_001],
    ])("%s reads the users' groups in one join and counts in the same statement", async (_l, filter, startIndex) => {
      const found = await usersPage(searchPage(query(filter, startIndex), userResolver, 'u'));
      expect(found.filter((node) => node['Parent Relationship'] === 'SubPlan')).toEqual([]);
      expect(found.filter((node) => node['Relation Name'] === 'assignments')).toHaveLength(1);
      const users = found.filter((node) => node['Relation Name'] === 'users');
      expect(users.filter((node) => node['Node Type'] === 'Seq Scan')).toEqual([]);
    });

    it('without groups reads no assignments', async () => {
      const found = await usersPage(searchPage(query(undefined, 500), userResolver, 'u'), false);
      expect(found.filter((node) => node['Relation Name'] === 'assignments')).toEqual([]);
    });
  });

  describe('answers over HTTP', () => {
    async function list(path: string, filter?: string, extra = ''): Promise<{ total: number; ids: string[] }> {
      const search = filter === undefined ? '' : `filter=${encodeURIComponent(filter)}&`;
      const res = await t.http.get(`/scim/v2/${path}?${search}${extra}`).set(bearer()).expect(200);
      return { total: res.body.totalResults, ids: res.body.Resources.map((r: { id: string }) => r.id) };
    }

    it.each([
      ['userName co "user123"', (n: number) => `user${n}@example.com`.includes('user123')],
      ['userName sw "USER999"', (n: number) => `user${n}`.startsWith('user999')],
      ['userName ew "00@example.com"', (n: number) => n % 100 === 0],
      ['displayName co "n4242 f"', (n: number) => `given${n} family${n}`.includes('n4242 f')],
      ['emails.value co "r4242@"', (n: number) => `user${n}@`.includes('r4242@')],
      ['emails.value ew "example.com"', () => true],
      ['externalId co "t-777"', (n: number) => `ext-${n}`.includes('t-777')],
      // caseExact: nothing is stored in capitals.
      ['externalId co "EXT-777"', () => false],
    ])('%s: the total and the ids of the first page', async (filter, matches) => {
      const expected = seeded(matches);
      const { total, ids } = await list('Users', filter, 'count=100&excludedAttributes=groups');
      expect(total).toBe(expected.length);
      expect(ids).toEqual(await idsOf(expected.slice(0, 100)));
    });

    it('emails.value finds an address after the first, ignoring case, and a short value too', async () => {
      expect((await list('Users', 'emails.value co "address@other"')).ids).toEqual(await idsOf([77]));
      expect((await list('Users', 'emails.value sw "SECOND."')).ids).toEqual(await idsOf([77]));
      // Two characters: no trigram, so no prefilter; every seeded address still matches `ew "om"`.
      expect((await list('Users', 'emails ew "om"', 'count=1')).total).toBe(USERS);
    });

    it('pages the whole tenant with its total, and past the end', async () => {
      const deep = await list('Users', undefined, 'startIndex=54322&count=100');
      expect(deep.total).toBe(USERS);
      expect(deep.ids).toEqual(await idsOf(Array.from({ length: 100 }, (_, i) => 54_322 + i)));
      expect(await list('Users', undefined, `startIndex=${USERS + 1}&count=100`)).toEqual({ total: USERS, ids: [] });
      expect(await list('Users', undefined, 'count=0')).toEqual({ total: USERS, ids: [] });
    });

    it('pages from the nearer end: the same pages either side of the middle, ascending and descending', async () => {
      const at = (first: number, count: number) => Array.from({ length: count }, (_, i) => first + i);
      for (const startIndex of [49_950, 49_951, 50_001, 99_901, 99_951]) {
        const page = await list('Users', undefined, `startIndex=${startIndex}&count=100&excludedAttributes=groups`);
        expect(page.total).toBe(USERS);
        expect(page.ids).toEqual(await idsOf(at(startIndex, Math.min(100, USERS - startIndex + 1))));
      }
      const descending = await list('Users', undefined, 'startIndex=70001&count=10&sortOrder=descending');
      expect(descending.ids).toEqual((await idsOf(at(USERS - 70_000 - 9, 10))).reverse());
    });

    it('pages a filter with its total, and past the end', async () => {
      const expected = seeded((n) => `user${n}@example.com`.includes('user1'));
      const page = await list('Users', 'userName co "user1"', 'startIndex=2001&count=100');
      expect(page.total).toBe(expected.length);
      expect(page.ids).toEqual(await idsOf(expected.slice(2000, 2100)));
      expect(await list('Users', 'userName co "user1"', `startIndex=${expected.length + 1}`)).toEqual({
        total: expected.length,
        ids: [],
      });
      expect(await list('Users', 'userName co "nobody"')).toEqual({ total: 0, ids: [] });
    });

    it('gives each user of a page its groups', async () => {
      const res = await t.http.get('/scim/v2/Users?startIndex=20001&count=3').set(bearer()).expect(200);
      const groups = res.body.Resources.map((r: { groups: { display: string }[] }) => r.groups.map((g) => g.display));
      expect(groups).toEqual([['Group 1'], ['Group 2'], ['Group 3']]);
    });

    it('Groups: the total and the first page of a filter', async () => {
      const { total, ids } = await list('Groups', 'displayName co "group 1234"', 'excludedAttributes=members');
      const rows: { id: string }[] = await db.query(
        `SELECT id FROM departments WHERE tenant_id = $1 AND name = ANY($2::text[]) ORDER BY created_on, id`,
        [TENANT, ['Group 1234', ...Array.from({ length: 10 }, (_, i) => `Group 1234${i}`)]],
      );
      expect({ total, ids }).toEqual({ total: 11, ids: rows.map((row) => row.id) });
    });

    it("keeps the tenant's total exact through concurrent creates and deletes", async () => {
      const json = { ...bearer(), 'Content-Type': 'application/scim+json' };
      const create = (i: number) =>
        t.http
          .post('/scim/v2/Users')
          .set(json)
          .send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `tally${i}@example.com` })
          .expect(201);
      const created = await Promise.all(Array.from({ length: 12 }, (_, i) => create(i)));
      const gone = created.slice(0, 5).map((res) => res.body.id as string);
      await Promise.all([
        ...gone.map((id) => t.http.delete(`/scim/v2/Users/${id}`).set(bearer()).expect(204)),
        ...Array.from({ length: 4 }, (_, i) => create(100 + i)),
      ]);
      // And a batch statement that deletes several at once.
      await db.query(`DELETE FROM users WHERE tenant_id = $1 AND user_name LIKE 'tally10_@example.com'`, [TENANT]);
      const counted: { n: string }[] = await db.query('SELECT count(*) AS n FROM users WHERE tenant_id = $1', [TENANT]);
      expect(Number(counted[0].n)).toBe(USERS + 12 - 5 + 4 - 4);
      for (const extra of ['count=100', 'startIndex=90001&count=100', 'count=0', `startIndex=${USERS + 50}`]) {
        expect((await list('Users', undefined, extra)).total).toBe(Number(counted[0].n));
      }
      await db.query(`DELETE FROM users WHERE tenant_id = $1 AND user_name LIKE 'tally%'`, [TENANT]);
      expect((await list('Users', undefined, 'startIndex=60001')).total).toBe(USERS);
    });

    it('a list runs one statement over users: no count beside the page', async () => {
      // At the driver, under TypeORM: the statement may run unnamed (em.query) or prepared (preparedQuery).
      const spy = jest.spyOn(Client.prototype, 'query');
      try {
        for (const [filter, extra] of [
          [undefined, 'startIndex=777&count=100'],
          ['userName co "user123"', 'count=100'],
          ['userName eq "user4242@example.com"', ''],
        ] as const) {
          spy.mockClear();
          await list('Users', filter, extra);
          const statements = spy.mock.calls
            .map(([query]) => (typeof query === 'string' ? query : (query as { text?: string }).text) ?? '')
            .filter((sql) => /\busers u\b/.test(sql));
          expect(statements).toHaveLength(1);
        }
      } finally {
        spy.mockRestore();
      }
    });
  });
});
