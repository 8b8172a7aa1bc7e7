import { DataSource } from 'typeorm';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { usersPageQuery } from '../src/directory/users.repository';
import { ListQuery } from '../src/scim/scim-list-query';
import { searchPage } from '../src/scim/scim-search';
import { userResolver } from '../src/scim/scim-sql.resolvers';
import { startTestApp, TestApp } from './support/test-app';

// Groups at enterprise size (issue 19): one PATCH operation adds or removes up to 10,000 members,
// an answer carries at most 100,000 members (more is 400 tooMany saying how to read the group),
// `excludedAttributes=members` reads no memberships, and members are paged as
// `/Users?filter=groups.value eq "<id>"` over the assignments' department index.

const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const TENANT = 'default';
const ROOTS = ['/scim/v2', '/scim', `/scim/endpoints/${TENANT}`];

let seq = 0;
const unique = (label: string): string => `${label}-${Date.now().toString(36)}-${++seq}`;

interface Harness {
  t: TestApp;
  db: DataSource;
}

function harness(): Harness {
  const h = {} as Harness;
  beforeAll(async () => {
    h.t = await startTestApp({ RATE_LIMITS: 'off' });
    h.db = h.t.app.get(DataSource);
  }, 120_000);
  afterAll(async () => {
    await h.t.close();
  });
  return h;
}

function client(h: Harness, root = '/scim/v2') {
  const bearer = { Authorization: `Bearer ${h.t.secrets.scimSecret}` };
  const send = (method: 'post' | 'put' | 'patch', path: string, body: unknown) =>
    h.t.http[method](`${root}${path}`)
      .set(bearer)
      .set('Content-Type', 'application/scim+json')
      .send(JSON.stringify(body));
  return {
    get: (path: string) => h.t.http.get(`${root}${path}`).set(bearer),
    send,
    patch: (path: string, Operations: unknown[]) => send('patch', path, { schemas: [PATCH_OP], Operations }),
    /** How many users the group has, as a client reads it: the total of the member filter. */
    memberCount: async (groupId: string): Promise<number> => {
      const filter = encodeURIComponent(`groups.value eq "${groupId}"`);
      const res = await h.t.http.get(`${root}/Users?filter=${filter}&count=0`).set(bearer).expect(200);
      return res.body.totalResults as number;
    },
  };
}

/** `count` users of the default tenant straight into the table; their ids in creation order. */
async function seedUsers(db: DataSource, count: number): Promise<string[]> {
  const prefix = unique('m');
  const rows: { id: string }[] = await db.query(
    `INSERT INTO users (tenant_id, user_name, email, created_by, changed_by, created_on, updated_on)
     SELECT $1, $2 || '-' || g || '@example.com', $2 || '-' || g || '@example.com', 'scim', 'scim',
            now() - make_interval(secs => $3::int - g), now() - make_interval(secs => $3::int - g)
       FROM generate_series(1, $3::int) g
     RETURNING id`,
    [TENANT, prefix, count],
  );
  return rows.map((row) => row.id);
}

async function createGroup(h: Harness): Promise<string> {
  const res = await client(h).send('post', '/Groups', { schemas: [GROUP], displayName: unique('Group') });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

function expectTooMany(res: { status: number; body: Record<string, unknown> }, detail: RegExp): void {
  expect(res.status).toBe(400);
  expect(res.body).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'tooMany' });
  expect(res.body.detail).toMatch(detail);
}

describe('SCIM groups: member caps (both modes)', () => {
  const h = harness();
  let users: string[];

  beforeAll(async () => {
    users = await seedUsers(h.db, 10_001);
  }, 120_000);

  it('adds 10,000 members in one operation and removes them in one, under each root', async () => {
    for (const root of ROOTS) {
      const scim = client(h, root);
      const id = await createGroup(h);
      const add = await scim.patch(`/Groups/${id}`, [
        { op: 'add', path: 'members', value: users.slice(0, 10_000).map((value) => ({ value })) },
      ]);
      expect(add.status).toBe(204);
      expect(await scim.memberCount(id)).toBe(10_000);
      const remove = await scim.patch(`/Groups/${id}`, [
        { op: 'remove', path: 'members', value: users.slice(0, 9_000).map((value) => ({ value })) },
      ]);
      expect(remove.status).toBe(204);
      expect(await scim.memberCount(id)).toBe(1_000);
    }
  }, 300_000);

  it('runs a fixed number of statements whatever the number of members (10 or 10,000, add or remove)', async () => {
    const scim = client(h);
    // Counted, not changed: every statement the app sends about groups and their members.
    const spy = jest.spyOn(PostgresQueryRunner.prototype, 'query');
    const statements = async (op: 'add' | 'remove', id: string, members: string[]): Promise<number> => {
      spy.mockClear();
      const res = await scim.patch(`/Groups/${id}`, [
        { op, path: 'members', value: members.map((value) => ({ value })) },
      ]);
      expect(res.status).toBe(204);
      return spy.mock.calls.filter(([sql]) => /assignments|departments/.test(String(sql))).length;
    };
    try {
      const small = await createGroup(h);
      const large = await createGroup(h);
      const counts = {
        add: [
          await statements('add', small, users.slice(0, 10)),
          await statements('add', large, users.slice(0, 10_000)),
        ],
        remove: [
          await statements('remove', small, users.slice(0, 10)),
          await statements('remove', large, users.slice(0, 10_000)),
        ],
      };
      expect(counts.add[1]).toBe(counts.add[0]);
      expect(counts.remove[1]).toBe(counts.remove[0]);
      expect(counts.add[0]).toBeGreaterThan(0);
      expect(counts.add[0]).toBeLessThanOrEqual(8);
    } finally {
      spy.mockRestore();
    }
  }, 120_000);

  it('takes 10,000 members as a no-path value, and a members filter naming many ids', async () => {
    const scim = client(h);
    const id = await createGroup(h);
    const noPath = await scim.patch(`/Groups/${id}`, [
      { op: 'add', value: { members: users.slice(0, 10_000).map((value) => ({ value })) } },
    ]);
    expect(noPath.status).toBe(204);
    expect(await scim.memberCount(id)).toBe(10_000);
    const path = `members[${users
      .slice(0, 50)
      .map((value) => `value eq "${value}"`)
      .join(' or ')}]`;
    expect((await scim.patch(`/Groups/${id}`, [{ op: 'remove', path }])).status).toBe(204);
    expect(await scim.memberCount(id)).toBe(9_950);
  }, 120_000);

  it('refuses 10,001 members in one operation with tooMany, and changes nothing', async () => {
    const scim = client(h);
    const id = await createGroup(h);
    const value = users.map((member) => ({ value: member }));
    for (const operation of [
      { op: 'add', path: 'members', value },
      { op: 'add', path: `${GROUP}:members`, value },
      { op: 'add', value: { members: value } },
      { op: 'remove', path: 'members', value },
    ]) {
      const res = await scim.patch(`/Groups/${id}`, [operation]);
      expectTooMany(res, /Members in Operations\[0\]: 10001 given, at most 10000/);
    }
    expect(await scim.memberCount(id)).toBe(0);
  }, 120_000);

  it('keeps other values at 1,000 per operation, and 10,000 across the request', async () => {
    const scim = client(h);
    const id = await createGroup(h);
    const custom = await scim.patch(`/Groups/${id}`, [
      { op: 'add', path: 'custom', value: Array.from({ length: 1_001 }, (_, i) => i) },
    ]);
    expectTooMany(custom, /Values in Operations\[0\]: 1001 given, at most 1000/);
    const across = await scim.patch(`/Groups/${id}`, [
      { op: 'add', path: 'members', value: users.slice(0, 10_000).map((value) => ({ value })) },
      { op: 'add', path: 'members', value: [{ value: users[10_000] }] },
    ]);
    expectTooMany(across, /Values across one PATCH: 10001 given, at most 10000/);
  }, 120_000);

  it('pages members through /Users?filter=groups.value eq, the same whatever the case of the id', async () => {
    const scim = client(h);
    const id = await createGroup(h);
    await scim.patch(`/Groups/${id}`, [
      { op: 'add', path: 'members', value: users.slice(0, 250).map((value) => ({ value })) },
    ]);
    const seen: string[] = [];
    for (let startIndex = 1; startIndex <= 250; startIndex += 100) {
      const filter = encodeURIComponent(`groups.value eq "${id.toUpperCase()}"`);
      const res = await scim
        .get(`/Users?filter=${filter}&startIndex=${startIndex}&count=100&attributes=userName`)
        .expect(200);
      expect(res.body.totalResults).toBe(250);
      seen.push(...(res.body.Resources as { id: string }[]).map((user) => user.id));
    }
    expect(seen).toEqual(users.slice(0, 250));
    // A value that is not a UUID names no group: nothing matches, no error.
    const none = await scim.get(`/Users?filter=${encodeURIComponent('groups.value eq "not-a-group"')}`).expect(200);
    expect(none.body.totalResults).toBe(0);
    // ...and every user is `ne` it, grouped or not; `co` still compares the text of the id, and
    // sortBy on the users' groups still sorts.
    const ne = await scim
      .get(`/Users?filter=${encodeURIComponent('groups.value ne "not-a-group"')}&count=0`)
      .expect(200);
    const all = await scim.get('/Users?count=0').expect(200);
    expect(ne.body.totalResults).toBe(all.body.totalResults);
    const co = await scim
      .get(`/Users?filter=${encodeURIComponent(`groups.value co "${id.slice(0, 8).toUpperCase()}"`)}&count=0`)
      .expect(200);
    expect(co.body.totalResults).toBeGreaterThanOrEqual(250);
    await scim.get('/Users?sortBy=groups.value&count=5').expect(200);
    // And on Groups: members.value eq finds the group.
    const groups = await scim
      .get(
        `/Groups?filter=${encodeURIComponent(`members.value eq "${users[3].toUpperCase()}"`)}&excludedAttributes=members`,
      )
      .expect(200);
    expect((groups.body.Resources as { id: string }[]).map((group) => group.id)).toContain(id);
  }, 120_000);
});

const onServer = process.env.DATABASE_URL ? describe : describe.skip;

onServer('SCIM groups of 100,000 members (server mode)', () => {
  const h = harness();
  const MEMBERS = 100_000;
  let groupId: string;
  let extra: string[];

  beforeAll(async () => {
    groupId = await createGroup(h);
    const members = await seedUsers(h.db, MEMBERS);
    await h.db.query(
      `INSERT INTO assignments (user_id, department_id, user_type_id, tenant_id)
       SELECT id, $2, '1', $1 FROM unnest($3::uuid[]) AS given(id)`,
      [TENANT, groupId, members],
    );
    extra = await seedUsers(h.db, 10_000);
    await h.db.query('VACUUM ANALYZE users, departments, assignments');
  }, 600_000);

  it('reads the group without members, and whole with its 100,000 members', async () => {
    const scim = client(h);
    const light = await scim.get(`/Groups/${groupId}?excludedAttributes=members`).expect(200);
    expect(light.body.members).toBeUndefined();
    expect(light.body.id).toBe(groupId);
    const whole = await scim.get(`/Groups/${groupId}`).expect(200);
    expect(whole.body.members).toHaveLength(MEMBERS);
    expect(whole.body.members[0]).toMatchObject({ type: 'User', $ref: expect.stringContaining('/Users/') });
  }, 300_000);

  it('adds 10,000 in one operation, then refuses the whole group with guidance, then removes them', async () => {
    const scim = client(h);
    const add = await scim.patch(`/Groups/${groupId}`, [
      { op: 'add', path: 'members', value: extra.map((value) => ({ value })) },
    ]);
    expect(add.status).toBe(204);
    expect(await scim.memberCount(groupId)).toBe(MEMBERS + 10_000);

    const guidance = new RegExp(
      `110000 members; one answer carries at most 100000.*excludedAttributes=members.*groups\\.value eq "${groupId}"`,
    );
    expectTooMany(await scim.get(`/Groups/${groupId}`), guidance);
    // A PATCH asking for the group back is refused the same way, and so changes nothing.
    const answered = await scim.patch(`/Groups/${groupId}?attributes=members`, [
      { op: 'replace', path: 'displayName', value: 'Renamed' },
    ]);
    expectTooMany(answered, guidance);
    const filter = encodeURIComponent(`id eq "${groupId}"`);
    expectTooMany(await scim.get(`/Groups?filter=${filter}`), /excludedAttributes=members/);
    const listed = await scim.get(`/Groups?filter=${filter}&excludedAttributes=members`).expect(200);
    expect(listed.body.Resources[0].displayName).not.toBe('Renamed');
    await scim.get(`/Groups/${groupId}?excludedAttributes=members`).expect(200);
    // A PUT (a rename without members, as Okta sends) is kept, and answers the group without members.
    const renamed = unique('Renamed by PUT');
    const put = await client(h).send('put', `/Groups/${groupId}`, { schemas: [GROUP], displayName: renamed });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: groupId, displayName: renamed });
    expect(put.body.members).toBeUndefined();
    expect(await scim.memberCount(groupId)).toBe(MEMBERS + 10_000);

    const remove = await scim.patch(`/Groups/${groupId}`, [
      { op: 'remove', path: 'members', value: extra.map((value) => ({ value })) },
    ]);
    expect(remove.status).toBe(204);
    expect(await scim.memberCount(groupId)).toBe(MEMBERS);
  }, 300_000);

  it('pages the members by the filter: a semi-join, from the department index for a small group', async () => {
    const scim = client(h);
    const filter = encodeURIComponent(`groups.value eq "${groupId}"`);
    const page = await scim.get(`/Users?filter=${filter}&startIndex=50001&count=1000&attributes=userName`).expect(200);
    expect(page.body).toMatchObject({ totalResults: MEMBERS, itemsPerPage: 1000, startIndex: 50001 });

    const small = await createGroup(h);
    await h.db.query(
      `INSERT INTO assignments (user_id, department_id, user_type_id, tenant_id)
       SELECT id, $2::uuid, '1', $1::text FROM users WHERE tenant_id = $1::text ORDER BY created_on DESC LIMIT 10`,
      [TENANT, small],
    );
    await h.db.query('ANALYZE assignments');
    expect(await scim.memberCount(small)).toBe(10);
    const planOf = async (id: string): Promise<string> => {
      const listQuery: ListQuery = {
        filter: `groups.value eq "${id}"`,
        startIndex: 1,
        count: 100,
        sortOrder: 'ascending',
      };
      const [sql, parameters] = usersPageQuery(TENANT, searchPage(listQuery, userResolver, 'u'), false);
      const rows: { 'QUERY PLAN': string }[] = await h.db.query(`EXPLAIN ${sql}`, parameters);
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    };
    // Most of the tenant: a hashed semi-join over one scan of each table, never a probe per user.
    const largePlan = await planOf(groupId);
    expect(largePlan).toMatch(/Semi Join/);
    expect(largePlan).not.toMatch(/SubPlan/);
    // Ten members: found from the group's assignments by the department index.
    const smallPlan = await planOf(small);
    expect(smallPlan).toMatch(/IDX_assignments_department_user/);
    expect(smallPlan).not.toMatch(/SubPlan/);
  }, 300_000);
});
