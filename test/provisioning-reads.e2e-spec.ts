import { DataSource } from 'typeorm';
import { ReadsModule } from '../src/provisioning/reads/reads.module';
import { startTestApp, TestApp } from './support/test-app';

const DEPARTMENTS = '/api/provisioning/iam/department';
const USERS = '/api/provisioning/iam/user';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const PRESET_MESSAGE =
  'Invalid date range preset. Valid values are: TODAY, YESTERDAY, LAST_7_DAYS, LAST_30_DAYS, LAST_90_DAYS, ' +
  'THIS_WEEK, LAST_WEEK, THIS_MONTH, LAST_MONTH, THIS_QUARTER, LAST_QUARTER, THIS_YEAR, LAST_YEAR, CUSTOM';
const FORMAT_MESSAGE = 'Invalid date range format. Expected PipelineDateRange JSON object or preset string.';

/** Seed 001's error body for one field (the envelope adds code, paths, messages, correlationId). */
const seedError = (field: string, message: string): Record<string, unknown> => ({
  status: false,
  errors: [{ type: 'VALIDATION', field: [field], message }],
});

/** The calendar date of an instant in a zone, read independently of the code under test. */
const localDate = (instant: Date, timeZone: string): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);

describe('provisioning reads: GET /department and /user', () => {
  let t: TestApp;
  let db: DataSource;
  let acmeToken: string;
  let searchToken: string;
  const ids: Record<string, string> = {};
  const start = new Date();
  const ago = (ms: number): Date => new Date(start.getTime() - ms);

  const admin = (): Record<string, string> => ({ Authorization: `Bearer ${t.secrets.adminToken}` });
  const api = (token = t.secrets.apiToken, tenant = 'default'): Record<string, string> => ({
    'auth-tenant-id': tenant,
    'auth-token': token,
  });

  async function insertDepartment(
    tenantId: string,
    externalId: string,
    name: string,
    options: { parent?: string; active?: boolean; createdOn?: Date; updatedOn?: Date } = {},
  ): Promise<string> {
    const createdOn = options.createdOn ?? start;
    const rows: { id: string }[] = await db.query(
      `INSERT INTO departments (tenant_id, external_id, name, parent_id, active, created_on, updated_on)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [
        tenantId,
        externalId,
        name,
        options.parent ? ids[options.parent] : null,
        options.active ?? true,
        createdOn,
        options.updatedOn ?? createdOn,
      ],
    );
    ids[externalId] = rows[0].id;
    return rows[0].id;
  }

  async function insertUser(
    tenantId: string,
    key: string,
    user: { externalId?: string | null; given?: string; middle?: string; family?: string; phone?: string },
    options: { active?: boolean; createdOn?: Date; updatedOn?: Date } = {},
  ): Promise<string> {
    const createdOn = options.createdOn ?? start;
    const rows: { id: string }[] = await db.query(
      `INSERT INTO users (tenant_id, user_name, external_id, given_name, middle_name, family_name, email,
         phone_number, active, created_by, changed_by, created_on, updated_on)
       VALUES ($1, $2, $3, $4, $5, $6, $2, $7, $8, 'batch', 'batch', $9, $10) RETURNING id`,
      [
        tenantId,
        `${key}@example.com`,
        user.externalId === undefined ? key : user.externalId,
        user.given ?? null,
        user.middle ?? null,
        user.family ?? null,
        user.phone ?? null,
        options.active ?? true,
        createdOn,
        options.updatedOn ?? createdOn,
      ],
    );
    ids[key] = rows[0].id;
    return rows[0].id;
  }

  async function assign(tenantId: string, user: string, department: string, userTypeId: string): Promise<void> {
    await db.query(
      'INSERT INTO assignments (user_id, department_id, user_type_id, tenant_id) VALUES ($1, $2, $3, $4)',
      [ids[user], ids[department], userTypeId, tenantId],
    );
  }

  /** External ids of every department the query selects (limit 1000: all of them here). */
  async function departmentsWhere(query: Record<string, string>, headers = api()): Promise<string[]> {
    const res = await t.http
      .get(DEPARTMENTS)
      .query({ limit: '1000', ...query })
      .set(headers)
      .expect(200);
    expect(res.body.totalCount).toBe(res.body.departments.length);
    return (res.body.departments as { externalId: string }[]).map((d) => d.externalId).sort();
  }

  async function usersWhere(query: Record<string, string>, headers = api()): Promise<string[]> {
    const res = await t.http
      .get(USERS)
      .query({ limit: '1000', ...query })
      .set(headers)
      .expect(200);
    expect(res.body.totalCount).toBe(res.body.entries.length);
    return (res.body.entries as { userName: string }[]).map((u) => u.userName.split('@')[0]).sort();
  }

  beforeAll(async () => {
    t = await startTestApp({}, [ReadsModule]);
    db = t.app.get(DataSource);
    await t.http.post('/api/admin/tenants').set(admin()).send({ id: 'acme', name: 'Acme Ltd' }).expect(201);
    const acme = await t.http
      .post('/api/admin/tenants/acme/credentials')
      .set(admin())
      .send({ kind: 'API_TOKEN', name: 'x' })
      .expect(201);
    acmeToken = acme.body.secret;
    const reader = await t.http
      .post('/api/admin/tenants/default/credentials')
      .set(admin())
      .send({ kind: 'API_TOKEN', name: 'reader', roles: ['PROVISIONING_SEARCH'] })
      .expect(201);
    searchToken = reader.body.secret;

    await db.query("INSERT INTO user_types (tenant_id, id, name) VALUES ('default', 'lead', 'Team lead')");
    // Creation order (created_on, then id) is the listing order.
    await insertDepartment('default', 'r-root', 'Root', { createdOn: new Date('2020-01-10T09:00:00Z') });
    await insertDepartment('default', 'r-eng', 'Engineering', {
      parent: 'r-root',
      createdOn: new Date('2020-02-01T10:00:00Z'),
      updatedOn: new Date('2023-06-01T08:00:00Z'),
    });
    await insertDepartment('default', 'r-old', 'Legacy', {
      active: false,
      createdOn: new Date('2020-03-01T10:00:00Z'),
    });
    await insertDepartment('default', 'r-feb', 'February', { createdOn: new Date('2021-02-28T23:59:59Z') });
    await insertDepartment('default', 'r-mar-first', 'March 1st', { createdOn: new Date('2021-03-01T00:30:00Z') });
    // 23:30 BST on 31 March 2021, then 00:30 BST on 1 April (still March in UTC).
    await insertDepartment('default', 'r-mar-last', 'March 31st', { createdOn: new Date('2021-03-31T22:30:00Z') });
    await insertDepartment('default', 'r-apr', 'April 1st', { createdOn: new Date('2021-03-31T23:30:00Z') });
    await insertDepartment('default', 'r-10d', 'Ten days ago', { createdOn: ago(10 * DAY) });
    await insertDepartment('default', 'r-3d', 'Three days ago', { createdOn: ago(3 * DAY) });
    // More than a day ago, so never today in any zone.
    await insertDepartment('default', 'r-yday', 'Yesterday or before', { createdOn: ago(30 * HOUR) });
    await insertDepartment('default', 'r-now', 'Now', { parent: 'r-eng' });

    await insertUser(
      'default',
      'ann',
      { externalId: 'u-ann', given: 'Ann', middle: 'Marie', family: 'Smith', phone: '+44 20 7946 0000' },
      { createdOn: new Date('2020-01-15T09:00:00Z'), updatedOn: new Date('2024-05-05T05:05:05Z') },
    );
    await insertUser(
      'default',
      'bob',
      { externalId: null },
      { active: false, createdOn: new Date('2020-02-15T09:00:00Z') },
    );
    await insertUser('default', 'cat', { given: 'Cat' }, { createdOn: ago(3 * DAY) });
    await assign('default', 'ann', 'r-eng', '1');
    await assign('default', 'ann', 'r-root', 'lead');
    await assign('default', 'cat', 'r-old', '1');

    await insertDepartment('acme', 'a-dept', 'Acme only');
    await insertUser('acme', 'a-user', {});
    await assign('acme', 'a-user', 'a-dept', '1');
  });
  afterAll(() => t.close());

  describe('GET /department', () => {
    it("answers seed 001's document and seed 004's entries with the same objects", async () => {
      const res = await t.http.get(DEPARTMENTS).set(api()).expect(200);
      expect(Object.keys(res.body).sort()).toEqual(['departments', 'entries', 'limit', 'skip', 'status', 'totalCount']);
      expect(res.body).toMatchObject({ status: true, totalCount: 11, skip: 0, limit: 50 });
      expect(res.body.entries).toEqual(res.body.departments);
      const byExternalId = new Map(res.body.departments.map((d: { externalId: string }) => [d.externalId, d]));
      expect(byExternalId.get('r-eng')).toEqual({
        id: ids['r-eng'],
        name: 'Engineering',
        externalId: 'r-eng',
        parentDepartmentId: ids['r-root'],
        parentExternalId: 'r-root',
        directoryUniqueIdentifier: 'r-eng',
        parentDirectoryUniqueIdentifier: 'r-root',
        createdOn: '2020-02-01T10:00:00.000Z',
        updatedOn: '2023-06-01T08:00:00.000Z',
        active: true,
      });
      expect(byExternalId.get('r-root')).toMatchObject({
        parentDepartmentId: null,
        parentExternalId: null,
        parentDirectoryUniqueIdentifier: null,
      });
      expect(byExternalId.get('r-now')).toMatchObject({ parentDepartmentId: ids['r-eng'], parentExternalId: 'r-eng' });
    });

    it('filters on active: true, false; null, empty or absent filter nothing', async () => {
      const all = await departmentsWhere({});
      expect(all).toHaveLength(11);
      expect(await departmentsWhere({ active: 'true' })).toEqual(all.filter((id) => id !== 'r-old'));
      expect(await departmentsWhere({ active: 'false' })).toEqual(['r-old']);
      expect(await departmentsWhere({ active: 'null' })).toEqual(all);
      expect(await departmentsWhere({ active: '' })).toEqual(all);
    });

    it('pages in creation order with the total of all matches', async () => {
      const first = await t.http.get(DEPARTMENTS).query({ skip: '3', limit: '3' }).set(api()).expect(200);
      expect(first.body).toMatchObject({ totalCount: 11, skip: 3, limit: 3 });
      expect(first.body.departments.map((d: { externalId: string }) => d.externalId)).toEqual([
        'r-feb',
        'r-mar-first',
        'r-mar-last',
      ]);

      const walked: string[] = [];
      for (let skip = 0; skip < 12; skip += 4) {
        const page = await t.http
          .get(DEPARTMENTS)
          .query({ skip: String(skip), limit: '4' })
          .set(api())
          .expect(200);
        expect(page.body.totalCount).toBe(11);
        walked.push(...page.body.departments.map((d: { id: string }) => d.id));
      }
      const whole = await t.http.get(DEPARTMENTS).query({ limit: '1000' }).set(api()).expect(200);
      expect(walked).toEqual(whole.body.departments.map((d: { id: string }) => d.id));
      expect(whole.body.departments.slice(0, 3).map((d: { externalId: string }) => d.externalId)).toEqual([
        'r-root',
        'r-eng',
        'r-old',
      ]);

      const past = await t.http.get(DEPARTMENTS).query({ skip: '50', active: 'true' }).set(api()).expect(200);
      expect(past.body).toMatchObject({ departments: [], entries: [], totalCount: 10, skip: 50, limit: 50 });
    });

    it('filters createdOn by relative presets in the tenant’s zone', async () => {
      expect(await departmentsWhere({ createdOn: 'TODAY' })).toEqual(['r-now']);
      expect(await departmentsWhere({ createdOn: 'LAST_7_DAYS' })).toEqual(['r-3d', 'r-now', 'r-yday']);
      expect(await departmentsWhere({ createdOn: '{"preset":"LAST_7_DAYS"}' })).toEqual(['r-3d', 'r-now', 'r-yday']);
      expect(await departmentsWhere({ createdOn: 'LAST_30_DAYS' })).toEqual(['r-10d', 'r-3d', 'r-now', 'r-yday']);
      expect(await departmentsWhere({ createdOn: 'LAST_7_DAYS', active: 'false' })).toEqual([]);
    });

    it('filters by CUSTOM ranges: date-only days in Europe/London, end inclusive; date-times as instants', async () => {
      const march = '{"preset":"CUSTOM","start":"2021-03-01","end":"2021-03-31"}';
      expect(await departmentsWhere({ createdOn: march })).toEqual(['r-mar-first', 'r-mar-last']);
      expect(
        await departmentsWhere({
          'createdOn[preset]': 'CUSTOM',
          'createdOn[start]': '2021-03-01',
          'createdOn[end]': '2021-03-31',
        }),
      ).toEqual(['r-mar-first', 'r-mar-last']);
      const instants = '{"preset":"CUSTOM","start":"2020-02-01T10:00:00Z","end":"2020-03-01T10:00:00Z"}';
      expect(await departmentsWhere({ createdOn: instants })).toEqual(['r-eng', 'r-old']);
      const june = '{"preset":"CUSTOM","start":"2023-06-01","end":"2023-06-01"}';
      expect(await departmentsWhere({ updatedOn: june })).toEqual(['r-eng']);
      expect(await departmentsWhere({ updatedOn: june, createdOn: 'LAST_30_DAYS' })).toEqual([]);
      expect(await departmentsWhere({ updatedOn: june, active: 'false' })).toEqual([]);
    });
  });

  describe('errors (seed 001 bodies, status 400)', () => {
    it.each([
      ['an unknown createdOn preset', { createdOn: 'NEXT_WEEK' }, 'createdOn', PRESET_MESSAGE],
      ['an unknown preset in JSON', { updatedOn: '{"preset":"SOMETIME"}' }, 'updatedOn', PRESET_MESSAGE],
      ['JSON that does not parse', { updatedOn: '{"preset":"CUSTOM",' }, 'updatedOn', FORMAT_MESSAGE],
      ['CUSTOM without bounds', { createdOn: 'CUSTOM' }, 'createdOn', FORMAT_MESSAGE],
      [
        'CUSTOM with a bad date',
        { createdOn: '{"preset":"CUSTOM","start":"2024-02-30","end":"2024-03-01"}' },
        'createdOn',
        FORMAT_MESSAGE,
      ],
      [
        'CUSTOM with start after end',
        { createdOn: '{"preset":"CUSTOM","start":"2024-02-01","end":"2024-01-01"}' },
        'createdOn',
        FORMAT_MESSAGE,
      ],
      ['a limit above 1000', { limit: '1001' }, 'limit', 'Limit cannot exceed 1000'],
    ])('%s', async (_, query, field, message) => {
      for (const path of [DEPARTMENTS, USERS]) {
        const res = await t.http.get(path).query(query).set(api()).expect(400);
        expect(res.body).toMatchObject(seedError(field, message));
        expect(res.body.errors).toHaveLength(1);
        expect(res.body.errors[0]).toMatchObject({ code: 'VALIDATION', paths: [field] });
      }
    });

    it('accepts limit 1000 and refuses 0, a negative skip, a bad active and repeated parameters', async () => {
      await t.http.get(DEPARTMENTS).query({ limit: '1000' }).set(api()).expect(200);
      for (const [query, field] of [
        ['limit=0', 'limit'],
        ['limit=ten', 'limit'],
        ['skip=-1', 'skip'],
        ['active=yes', 'active'],
        ['active=true&active=false', 'active'],
        ['createdOn=TODAY&createdOn=YESTERDAY', 'createdOn'],
      ]) {
        const res = await t.http.get(`${DEPARTMENTS}?${query}`).set(api()).expect(400);
        expect(res.body).toMatchObject({ status: false, errors: [{ type: 'VALIDATION', field: [field] }] });
      }
    });
  });

  describe('GET /user', () => {
    it("answers seed 004's entries with department and user-type names", async () => {
      const res = await t.http.get(USERS).set(api()).expect(200);
      expect(Object.keys(res.body).sort()).toEqual(['entries', 'limit', 'skip', 'status', 'totalCount']);
      expect(res.body).toMatchObject({ status: true, totalCount: 3, skip: 0, limit: 50 });
      expect(res.body.entries.map((u: { userName: string }) => u.userName)).toEqual([
        'ann@example.com',
        'bob@example.com',
        'cat@example.com',
      ]);
      const [ann, bob, cat] = res.body.entries;
      expect(ann).toEqual({
        id: ids.ann,
        firstName: 'Ann',
        middleName: 'Marie',
        lastName: 'Smith',
        email: 'ann@example.com',
        phoneNumber: '+44 20 7946 0000',
        directoryUniqueIdentifier: 'u-ann',
        externalId: 'u-ann',
        userName: 'ann@example.com',
        active: true,
        createdOn: '2020-01-15T09:00:00.000Z',
        updatedOn: '2024-05-05T05:05:05.000Z',
        userTypes: [
          {
            departmentId: ids['r-eng'],
            departmentName: 'Engineering',
            departmentExternalId: 'r-eng',
            userTypeId: '1',
            userTypeName: 'Member',
          },
          {
            departmentId: ids['r-root'],
            departmentName: 'Root',
            departmentExternalId: 'r-root',
            userTypeId: 'lead',
            userTypeName: 'Team lead',
          },
        ],
      });
      expect(bob).toMatchObject({ active: false, externalId: null, directoryUniqueIdentifier: null, userTypes: [] });
      expect(cat.userTypes).toEqual([
        {
          departmentId: ids['r-old'],
          departmentName: 'Legacy',
          departmentExternalId: 'r-old',
          userTypeId: '1',
          userTypeName: 'Member',
        },
      ]);
    });

    it('filters on active and dates, and pages with the total', async () => {
      expect(await usersWhere({ active: 'false' })).toEqual(['bob']);
      expect(await usersWhere({ active: 'true' })).toEqual(['ann', 'cat']);
      expect(await usersWhere({ active: 'null' })).toEqual(['ann', 'bob', 'cat']);
      expect(await usersWhere({ createdOn: 'LAST_7_DAYS' })).toEqual(['cat']);
      expect(await usersWhere({ updatedOn: '{"preset":"CUSTOM","start":"2024-05-05","end":"2024-05-05"}' })).toEqual([
        'ann',
      ]);
      const page = await t.http.get(USERS).query({ skip: '1', limit: '1' }).set(api()).expect(200);
      expect(page.body).toMatchObject({ totalCount: 3, skip: 1, limit: 1 });
      expect(page.body.entries.map((u: { id: string }) => u.id)).toEqual([ids.bob]);
    });
  });

  describe('authentication and tenancy', () => {
    it('lets a SEARCH-only token read and refuses a request without a token', async () => {
      for (const path of [DEPARTMENTS, USERS]) {
        await t.http.get(path).set(api(searchToken)).expect(200);
        const res = await t.http.get(path).expect(401);
        expect(res.body).toMatchObject({
          status: false,
          message: 'Authentication failed',
          error: 'Invalid or missing auth-token',
        });
      }
    });

    it("never shows another tenant's rows, and shows that tenant only its own", async () => {
      expect(await departmentsWhere({})).not.toContain('a-dept');
      expect(await usersWhere({})).not.toContain('a-user');
      expect(await departmentsWhere({}, api(acmeToken, 'acme'))).toEqual(['a-dept']);
      const users = await t.http.get(USERS).set(api(acmeToken, 'acme')).expect(200);
      expect(users.body).toMatchObject({ totalCount: 1 });
      expect(users.body.entries[0].userTypes).toEqual([
        {
          departmentId: ids['a-dept'],
          departmentName: 'Acme only',
          departmentExternalId: 'a-dept',
          userTypeId: '1',
          userTypeName: 'Member',
        },
      ]);
      await t.http.get(DEPARTMENTS).set(api(t.secrets.apiToken, 'acme')).expect(403);
    });
  });

  describe('the tenant’s time zone', () => {
    /** An instant within a day of now that is "today" in `inZone` but not in `notInZone`. */
    function todayOnlyIn(inZone: string, notInZone: string): Date {
      const now = new Date();
      const candidates: Date[] = [];
      for (let step = -96; step <= 96; step++) {
        const instant = new Date(now.getTime() + step * 30 * 60_000);
        if (
          localDate(instant, inZone) === localDate(now, inZone) &&
          localDate(instant, notInZone) !== localDate(now, notInZone)
        ) {
          candidates.push(instant);
        }
      }
      // The middle of the run, as far as possible from either midnight.
      return candidates[Math.floor(candidates.length / 2)];
    }

    it('decides which rows TODAY selects (PATCH Europe/London -> Pacific/Auckland)', async () => {
      await insertDepartment('default', 'tz-london', 'Today in London', {
        createdOn: todayOnlyIn('Europe/London', 'Pacific/Auckland'),
      });
      await insertDepartment('default', 'tz-auckland', 'Today in Auckland', {
        createdOn: todayOnlyIn('Pacific/Auckland', 'Europe/London'),
      });
      try {
        const london = await departmentsWhere({ createdOn: 'TODAY' });
        expect(london).toContain('tz-london');
        expect(london).not.toContain('tz-auckland');

        await t.http
          .patch('/api/admin/tenants/default')
          .set(admin())
          .send({ timeZone: 'Pacific/Auckland' })
          .expect(200);
        const auckland = await departmentsWhere({ createdOn: 'TODAY' });
        expect(auckland).toContain('tz-auckland');
        expect(auckland).not.toContain('tz-london');
      } finally {
        await t.http.patch('/api/admin/tenants/default').set(admin()).send({ timeZone: 'Europe/London' }).expect(200);
        await db.query("DELETE FROM departments WHERE tenant_id = 'default' AND external_id LIKE 'tz-%'");
      }
    });
  });
});
