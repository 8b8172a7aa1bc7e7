import * as jwt from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { randomSecret, startTestApp, TestApp } from './support/test-app';

const NO_TOKEN = { success: false, error: 'No authorization token provided' };
const REFUSED = { success: false, error: 'Invalid or expired token' };
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('partner user sync (POST /api/admin/users/sync)', () => {
  let t: TestApp;
  let db: DataSource;
  const partnerSecret = randomSecret('wrapper');
  const acmeSecret = randomSecret('acme');
  const admin = (): Record<string, string> => ({ Authorization: `Bearer ${t.secrets.adminToken}` });

  /** A partner token as the Wrapper signs it; `options` changes one property under test. */
  function sign(orgCode = 'test-org', secret = partnerSecret, options: jwt.SignOptions = {}): string {
    return jwt.sign({ orgCode }, secret, { algorithm: 'HS256', expiresIn: 300, ...options });
  }

  const sync = (body: unknown, token = sign()) =>
    t.http
      .post('/api/admin/users/sync')
      .set('Authorization', `Bearer ${token}`)
      .send(body as object);

  const user = (id: string, extra: Record<string, unknown> = {}, orgCode = 'test-org'): Record<string, unknown> => ({
    externalId: id,
    email: `${id}@example.com`,
    firstName: 'First',
    lastName: 'Last',
    role: 'user',
    isActive: true,
    orgCode,
    ...extra,
  });

  async function stored(tenantId: string, externalId: string): Promise<Record<string, unknown> | undefined> {
    const rows: Record<string, unknown>[] = await db.query(
      `SELECT id, user_name, email, given_name, family_name, active, role, metadata, created_by, changed_by
         FROM users WHERE tenant_id = $1 AND external_id = $2`,
      [tenantId, externalId],
    );
    return rows[0];
  }

  beforeAll(async () => {
    t = await startTestApp({ WRAPPER_SECRET_KEY: partnerSecret, WRAPPER_ORG_CODE: 'test-org', BODY_LIMIT: '64kb' });
    db = t.app.get(DataSource);
    await t.http
      .post('/api/admin/tenants')
      .set(admin())
      .send({ id: 'acme', name: 'Acme', orgCode: 'acme' })
      .expect(201);
    await t.http
      .post('/api/admin/tenants/acme/credentials')
      .set(admin())
      .send({ kind: 'PARTNER_SECRET', name: 'wrapper', secret: acmeSecret })
      .expect(201);
    await t.http
      .post('/api/admin/tenants')
      .set(admin())
      .send({ id: 'keyless', name: 'No partner secret', orgCode: 'keyless' })
      .expect(201);
  });
  afterAll(() => t.close());

  it("answers the seed's curl example exactly as the seed shows", async () => {
    const res = await t.http
      .post('/api/admin/users/sync')
      .set('Authorization', `Bearer ${sign()}`)
      .set('Content-Type', 'application/json')
      .send(
        `{
    "mode": "upsert",
    "users": [
      {
        "externalId": "test-123",
        "email": "test@example.com",
        "firstName": "Test",
        "lastName": "User",
        "role": "user",
        "isActive": true,
        "orgCode": "test-org"
      }
    ]
  }`,
      )
      .expect(200);
    expect(res.body).toEqual({
      success: true,
      message: 'Sync completed successfully',
      data: {
        mode: 'upsert',
        summary: { total: 1, created: 1, updated: 0, failed: 0, errors: [] },
        results: [{ userId: 'test-123', email: 'test@example.com', status: 'created', crmUserId: expect.any(String) }],
        timestamp: expect.stringMatching(ISO),
      },
    });
    expect(await stored('default', 'test-123')).toMatchObject({
      id: res.body.data.results[0].crmUserId,
      user_name: 'test@example.com',
      given_name: 'Test',
      family_name: 'User',
      role: 'user',
      active: true,
      created_by: 'partner',
    });
  });

  it('updates on a second upsert: email matched ignoring case, metadata merged, role and isActive kept', async () => {
    const first = await sync({
      mode: 'upsert',
      users: [user('up-1', { role: 'admin', metadata: { department: 'Engineering', permissions: ['read'] } })],
    }).expect(200);
    const id = first.body.data.results[0].crmUserId;
    const second = await sync({
      mode: 'upsert',
      users: [
        user('up-1', { email: 'UP-1@Example.com', firstName: 'Renamed', isActive: false, metadata: { level: 3 } }),
      ],
    }).expect(200);
    expect(second.body.data.summary).toEqual({ total: 1, created: 0, updated: 1, failed: 0, errors: [] });
    expect(second.body.data.results).toEqual([
      { userId: 'up-1', email: 'UP-1@Example.com', status: 'updated', crmUserId: id },
    ]);
    expect(await stored('default', 'up-1')).toMatchObject({
      id,
      user_name: 'up-1@example.com',
      email: 'UP-1@Example.com',
      given_name: 'Renamed',
      role: 'user',
      active: false,
      metadata: { department: 'Engineering', permissions: ['read'], level: 3 },
      created_by: 'partner',
      changed_by: 'partner',
    });
    // The email changes, the external id still finds the user.
    const third = await sync({ mode: 'upsert', users: [user('up-1', { email: 'moved@example.com' })] }).expect(200);
    expect(third.body.data.results[0]).toMatchObject({ status: 'updated', crmUserId: id });
  });

  it('shows synced users through the provisioning read API', async () => {
    await sync({ mode: 'upsert', users: [user('visible-1', { firstName: 'Vis' })] }).expect(200);
    const res = await t.http
      .get('/api/provisioning/iam/user')
      .query({ externalId: 'visible-1' })
      .set({ 'auth-tenant-id': 'default', 'auth-token': t.secrets.apiToken })
      .expect(200);
    const found = (res.body.entries as Record<string, unknown>[]).filter((entry) =>
      JSON.stringify(entry).includes('visible-1@example.com'),
    );
    expect(found).toHaveLength(1);
  });

  it('reports a failing user in its result and the summary, and the others go through', async () => {
    await sync({ mode: 'upsert', users: [user('holder'), user('owner')] }).expect(200);
    const res = await sync({
      mode: 'upsert',
      users: [
        user('good-1'),
        user('no-email', { email: undefined }),
        { ...user('x'), externalId: undefined },
        // The email finds 'holder'; the external id belongs to 'owner': refused, nothing merged.
        user('owner', { email: 'holder@example.com' }),
        user('good-2'),
      ],
    }).expect(200);
    const { summary, results } = res.body.data;
    expect(summary).toMatchObject({ total: 5, created: 2, updated: 0, failed: 3 });
    expect(summary.errors).toHaveLength(3);
    expect(results.map((r: { status: string }) => r.status)).toEqual([
      'created',
      'failed',
      'failed',
      'failed',
      'created',
    ]);
    expect(results[1]).toEqual({
      userId: 'no-email',
      email: null,
      status: 'failed',
      error: 'Missing required field: email',
    });
    expect(results[2]).toMatchObject({
      userId: null,
      email: 'x@example.com',
      error: 'Missing required field: externalId',
    });
    expect(results[3].error).toMatch(/externalId 'owner' is already taken/);
    expect(results[3].crmUserId).toBeUndefined();
    expect(await stored('default', 'good-2')).toBeDefined();
    expect(await stored('default', 'owner')).toMatchObject({ email: 'owner@example.com' });
  });

  it('answers a taken email (another user’s userName) as a failure of that user', async () => {
    await db.query(
      `INSERT INTO users (id, tenant_id, user_name, external_id, email, created_by, changed_by)
       VALUES (gen_random_uuid(), 'default', 'claimed@example.com', 'scim-claimed', NULL, 'scim', 'scim')`,
    );
    const res = await sync({ mode: 'upsert', users: [user('claimed'), user('fine')] }).expect(200);
    expect(res.body.data.results[0]).toMatchObject({
      status: 'failed',
      error: "email 'claimed@example.com' is already taken by another user",
    });
    expect(res.body.data.results[1]).toMatchObject({ status: 'created' });
  });

  describe('full-reconcile', () => {
    beforeAll(async () => {
      await sync({ mode: 'upsert', users: ['r-keep', 'r-gone-1', 'r-gone-2'].map((id) => user(id)) }).expect(200);
      await sync({ mode: 'upsert', users: [user('acme-1', {}, 'acme')] }, sign('acme', acmeSecret)).expect(200);
      await db.query(
        `INSERT INTO users (id, tenant_id, user_name, external_id, email, created_by, changed_by)
         VALUES (gen_random_uuid(), 'default', 'scim-user', 'scim-1', 'scim-1@example.com', 'scim', 'scim')`,
      );
      await t.http
        .post('/api/provisioning/iam/user')
        .set({ 'auth-tenant-id': 'default', 'auth-token': t.secrets.apiToken })
        .send([{ externalId: 'batch-1', email: 'batch-1@example.com', firstName: 'Batch' }])
        .expect(200);
      expect(await stored('default', 'batch-1')).toMatchObject({ created_by: 'batch', active: true });
    });

    async function activeOf(tenantId: string): Promise<Record<string, boolean>> {
      const rows: { external_id: string; active: boolean }[] = await db.query(
        'SELECT external_id, active FROM users WHERE tenant_id = $1 AND external_id IS NOT NULL',
        [tenantId],
      );
      return Object.fromEntries(rows.map((row) => [row.external_id, row.active]));
    }

    it('a dry run answers what would change and changes nothing', async () => {
      const before = { default: await activeOf('default'), acme: await activeOf('acme') };
      const res = await sync({ mode: 'full-reconcile', dryRun: true, users: [user('r-keep'), user('r-new')] }).expect(
        200,
      );
      expect(res.body.data).toMatchObject({
        mode: 'full-reconcile',
        dryRun: true,
        summary: { total: 2, created: 1, updated: 1, failed: 0, errors: [] },
      });
      const deactivated = res.body.data.deactivated.map((entry: { userId: string }) => entry.userId);
      expect(deactivated).toEqual(expect.arrayContaining(['r-gone-1', 'r-gone-2']));
      expect(deactivated).not.toEqual(expect.arrayContaining(['r-keep']));
      expect(await activeOf('default')).toEqual(before.default);
      expect(await activeOf('acme')).toEqual(before.acme);
      expect(await stored('default', 'r-new')).toBeUndefined();
    });

    it("deactivates only this tenant's partner-created users absent from the list, in one answer", async () => {
      const everyPartnerUser: { external_id: string }[] = await db.query(
        `SELECT external_id FROM users WHERE tenant_id = 'default' AND created_by = 'partner' AND active
            AND external_id NOT IN ('r-keep')`,
      );
      const res = await sync({ mode: 'full-reconcile', users: [user('r-keep', { firstName: 'Kept' })] }).expect(200);
      expect(res.body.success).toBe(true);
      expect(Object.keys(res.body.data)).toEqual(['mode', 'summary', 'results', 'deactivated', 'timestamp']);
      expect(res.body.data.summary).toEqual({ total: 1, created: 0, updated: 1, failed: 0, errors: [] });
      const deactivated: { userId: string; email: string; crmUserId: string }[] = res.body.data.deactivated;
      expect(deactivated.map((entry) => entry.userId).sort()).toEqual(
        everyPartnerUser.map((row) => row.external_id).sort(),
      );
      expect(deactivated).toContainEqual({
        userId: 'r-gone-1',
        email: 'r-gone-1@example.com',
        crmUserId: expect.any(String),
      });
      expect(await stored('default', 'r-gone-1')).toMatchObject({ active: false, changed_by: 'partner' });
      expect(await stored('default', 'r-keep')).toMatchObject({ active: true, given_name: 'Kept' });
      expect(await stored('default', 'scim-1')).toMatchObject({ active: true, created_by: 'scim', changed_by: 'scim' });
      expect(await stored('default', 'batch-1')).toMatchObject({
        active: true,
        created_by: 'batch',
        changed_by: 'batch',
      });
      expect(await stored('acme', 'acme-1')).toMatchObject({ active: true });
      // Nothing left to deactivate the second time.
      const again = await sync({ mode: 'full-reconcile', users: [user('r-keep')] }).expect(200);
      expect(again.body.data.deactivated).toEqual([]);
    });

    it("reconciles the other tenant with that tenant's token only", async () => {
      const res = await sync(
        { mode: 'full-reconcile', users: [user('acme-2', {}, 'acme')] },
        sign('acme', acmeSecret),
      ).expect(200);
      expect(res.body.data.deactivated.map((entry: { userId: string }) => entry.userId)).toEqual(['acme-1']);
      expect(await stored('default', 'r-keep')).toMatchObject({ active: true });
      expect(await stored('default', 'acme-2')).toBeUndefined();
    });
  });

  describe('authentication', () => {
    const body = { mode: 'upsert', users: [user('auth-1')] };

    it('answers 401 without a token', async () => {
      const none = await t.http.post('/api/admin/users/sync').send(body).expect(401);
      expect(none.body).toEqual(NO_TOKEN);
      const basic = await t.http.post('/api/admin/users/sync').set('Authorization', 'Basic abc').send(body).expect(401);
      expect(basic.body).toEqual(NO_TOKEN);
    });

    it('answers 403 for every bad token', async () => {
      const now = Math.floor(Date.now() / 1000);
      const header = (alg: string) => Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url');
      const payload = Buffer.from(JSON.stringify({ orgCode: 'test-org', exp: now + 300 })).toString('base64url');
      const tokens: Record<string, string> = {
        malformed: 'not-a-jwt',
        'wrong secret': sign('test-org', randomSecret('wrong')),
        expired: jwt.sign({ orgCode: 'test-org', exp: now - 10 }, partnerSecret, { algorithm: 'HS256' }),
        'alg none': `${header('none')}.${payload}.`,
        HS512: sign('test-org', partnerSecret, { algorithm: 'HS512' }),
        'missing exp': jwt.sign({ orgCode: 'test-org' }, partnerSecret, { algorithm: 'HS256' }),
        'unknown org': sign('nobody', partnerSecret),
        'no orgCode claim': jwt.sign({}, partnerSecret, { algorithm: 'HS256', expiresIn: 300 }),
        'tenant without partner secret': sign('keyless', partnerSecret),
        "other org's token": sign('acme', acmeSecret),
        'other org claim, our secret': sign('acme', partnerSecret),
        'exp 1e308': jwt.sign({ orgCode: 'test-org', exp: 1e308 }, partnerSecret, { algorithm: 'HS256' }),
        'exp 2 h away': sign('test-org', partnerSecret, { expiresIn: 7200 }),
        'exp 2 h after iat': jwt.sign({ orgCode: 'test-org', iat: now - 3600, exp: now + 3600 }, partnerSecret, {
          algorithm: 'HS256',
        }),
      };
      for (const [name, token] of Object.entries(tokens)) {
        const res = await sync(body, token);
        expect({ name, status: res.status, body: res.body }).toEqual({ name, status: 403, body: REFUSED });
      }
      expect(await stored('default', 'auth-1')).toBeUndefined();
      expect(await stored('acme', 'auth-1')).toBeUndefined();
    });

    it('accepts a token of the longest allowed lifetime, one hour', async () => {
      await sync(body, sign('test-org', partnerSecret, { expiresIn: 3600 })).expect(200);
    });

    it('answers 403 when any users[].orgCode differs from the claim, and writes nothing', async () => {
      for (const users of [
        [user('auth-2'), user('auth-3', {}, 'acme')],
        [user('auth-2'), user('auth-3', { orgCode: undefined })],
      ]) {
        const res = await sync({ mode: 'upsert', users }).expect(403);
        expect(res.body).toEqual(REFUSED);
      }
      expect(await stored('default', 'auth-2')).toBeUndefined();
    });

    it('is not the admin guard: the admin token is refused', async () => {
      const res = await sync(body, t.secrets.adminToken).expect(403);
      expect(res.body).toEqual(REFUSED);
    });
  });

  describe('bad input', () => {
    const refused = (error: string) => ({ success: false, error });

    it('answers 400 in seed 002’s shape for a bad envelope', async () => {
      const cases: [unknown, string][] = [
        [{ mode: 'upsert', users: [] }, 'Invalid users array provided'],
        [{ mode: 'upsert' }, 'Invalid users array provided'],
        [{ mode: 'upsert', users: 'all' }, 'Invalid users array provided'],
        [{ mode: 'merge', users: [user('bad-1')] }, "Invalid mode: expected 'upsert' or 'full-reconcile'"],
        [{ users: [user('bad-1')] }, "Invalid mode: expected 'upsert' or 'full-reconcile'"],
        [{ mode: 'upsert', users: [user('bad-1')], dryRun: 'yes' }, 'dryRun must be a boolean'],
        [[user('bad-1')], 'Request body must be a JSON object with mode and users'],
      ];
      for (const [body, error] of cases) {
        const res = await sync(body);
        expect({ body, status: res.status, answer: res.body }).toEqual({ body, status: 400, answer: refused(error) });
      }
      expect(await stored('default', 'bad-1')).toBeUndefined();
    });

    const notJson = () =>
      t.http
        .post('/api/admin/users/sync')
        .set('Authorization', `Bearer ${sign()}`)
        .set('Content-Type', 'application/json')
        .send('{"mode": "upsert", "users": [');
    const tooLarge = () => sync({ mode: 'upsert', users: Array.from({ length: 600 }, (_, i) => user(`big-${i}`)) });

    it('answers 400 for a body that is not JSON and 413 for one over BODY_LIMIT, writing nothing', async () => {
      expect((await notJson().expect(400)).body).toMatchObject({ error: 'Request body is not valid JSON' });
      const large = await tooLarge().expect(413);
      expect(large.body).toMatchObject({ error: 'Request body is larger than the limit of 65536 bytes' });
      expect(await stored('default', 'big-0')).toBeUndefined();
    });

    it('renders body-parser failures in seed 002’s exact shape', async () => {
      expect((await notJson()).body).toEqual(refused('Request body is not valid JSON'));
      expect((await tooLarge()).body).toEqual(refused('Request body is larger than the limit of 65536 bytes'));
    });
  });
});
