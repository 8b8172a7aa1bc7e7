import { DataSource } from 'typeorm';
import { RequestLogWriter } from '../src/request-log/request-log.writer';
import { seedDirectory, SeededDirectory } from './support/console-directory-seed';
import { oauthToken, randomSecret, startTestApp, TestApp } from './support/test-app';

const MISSING = '00000000-0000-4000-8000-000000000000';

describe('operator console: directory browser and identity-provider setup (HTTP)', () => {
  let t: TestApp;
  let acme: SeededDirectory;
  let other: SeededDirectory;
  const admin = (): Record<string, string> => ({ Authorization: `Bearer ${t.secrets.adminToken}` });
  const get = (path: string, query: Record<string, string | number> = {}) =>
    t.http.get(`/api/admin/tenants/${path}`).query(query).set(admin());

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMITS: 'off' });
    acme = await seedDirectory(t, 'acme');
    other = await seedDirectory(t, 'globex');
  });
  afterAll(() => t.close());

  it('refuses anyone but an operator', async () => {
    await t.http.get('/api/admin/tenants/acme/departments').expect(401);
    await t.http
      .get('/api/admin/tenants/acme/identity-providers')
      .set('Authorization', `Bearer ${acme.scimSecret}`)
      .expect(403);
  });

  describe('GET /departments', () => {
    it('answers the roots by name, with direct children and users counted', async () => {
      const res = await get('acme/departments').expect(200);
      expect(res.body).toEqual({
        items: [
          {
            id: acme.departments.root,
            name: 'Acme',
            externalId: 'acme-root',
            parentId: null,
            childCount: 2,
            userCount: 0,
            active: true,
          },
          expect.objectContaining({ id: acme.departments.archive, name: 'Archive', childCount: 0, userCount: 0 }),
        ],
        total: 2,
        page: 1,
        pageSize: 50,
        hasNext: false,
      });
    });

    it('answers one level under parentId, paged', async () => {
      const res = await get('acme/departments', { parentId: acme.departments.root }).expect(200);
      expect(
        res.body.items.map((d: { name: string; childCount: number; userCount: number }) => [
          d.name,
          d.childCount,
          d.userCount,
        ]),
      ).toEqual([
        ['Engineering', 1, 2],
        ['Sales', 0, 1],
      ]);
      const second = await get('acme/departments', { parentId: acme.departments.root, pageSize: 1, page: 2 }).expect(
        200,
      );
      expect(second.body).toMatchObject({ total: 2, page: 2, pageSize: 1, hasNext: false, items: [{ name: 'Sales' }] });
      const past = await get('acme/departments', { parentId: acme.departments.root, pageSize: 1, page: 5 }).expect(200);
      expect(past.body).toMatchObject({ total: 2, items: [], hasNext: false });
    });

    it("404s an unknown parent, another tenant's department and an unknown tenant alike; 400s a bad parentId", async () => {
      const unknown = await get('acme/departments', { parentId: MISSING }).expect(404);
      expect(unknown.body).toMatchObject({ status: false });
      await get('acme/departments', { parentId: other.departments.root }).expect(404);
      await get('nobody/departments').expect(404);
      const bad = await get('acme/departments', { parentId: 'not-a-uuid' }).expect(400);
      expect(JSON.stringify(bad.body)).toContain('parentId');
      await get('acme/departments', { pageSize: 201 }).expect(400);
    });
  });

  describe('GET /users', () => {
    const names = (body: { items: { userName: string }[] }): string[] => body.items.map((u) => u.userName).sort();

    it("pages the tenant's users, oldest first, never another tenant's", async () => {
      const res = await get('acme/users').expect(200);
      expect(res.body).toMatchObject({ total: 4, page: 1, pageSize: 50, hasNext: false });
      expect(res.body.items.every((u: { userName: string }) => u.userName.endsWith('acme.example'))).toBe(true);
      const margaret = res.body.items.find((u: { id: string }) => u.id === acme.users.margaret);
      expect(margaret).toEqual({
        id: acme.users.margaret,
        userName: 'margaret@acme.example',
        displayName: 'Margaret Hamilton',
        email: 'margaret@acme.example',
        externalId: 'acme-margaret',
        active: false,
        createdBy: 'scim',
        changedBy: 'scim',
        updatedOn: expect.any(String),
      });
      const paged = await get('acme/users', { pageSize: 3, page: 2 }).expect(200);
      expect(paged.body).toMatchObject({ total: 4, hasNext: false });
      expect(paged.body.items).toHaveLength(1);
    });

    it('searches userName, email, displayName and externalId, any case', async () => {
      expect(names((await get('acme/users', { search: 'HOPPER' }).expect(200)).body)).toEqual([
        'grace.hopper@acme.example',
      ]);
      expect(names((await get('acme/users', { search: 'Margaret Ham' }).expect(200)).body)).toEqual([
        'margaret@acme.example',
      ]);
      expect(names((await get('acme/users', { search: 'acme-lin' }).expect(200)).body)).toEqual([
        'linus.pauling@acme.example',
      ]);
      expect((await get('acme/users', { search: '100%' }).expect(200)).body.total).toBe(0);
    });

    it('filters with SCIM semantics, and by department', async () => {
      expect(names((await get('acme/users', { filter: 'active eq false' }).expect(200)).body)).toEqual([
        'margaret@acme.example',
      ]);
      expect(
        names((await get('acme/users', { filter: 'name.familyName sw "h"', search: 'grace' }).expect(200)).body),
      ).toEqual(['grace.hopper@acme.example']);
      const eng = await get('acme/users', { departmentId: acme.departments.eng }).expect(200);
      expect(names(eng.body)).toEqual(['ada.lovelace@acme.example', 'grace.hopper@acme.example']);
      expect((await get('acme/users', { departmentId: other.departments.eng }).expect(200)).body.total).toBe(0);
    });

    it("answers a bad filter 400 with the parser's message", async () => {
      const res = await get('acme/users', { filter: 'userName eq' }).expect(400);
      expect(res.body.status).toBe(false);
      expect(JSON.stringify(res.body)).toMatch(/filter/);
      await get('acme/users', { filter: 'nosuch.thing[ eq 1' }).expect(400);
      await get('acme/users', { departmentId: 'x' }).expect(400);
      await get('nobody/users').expect(404);
    });
  });

  describe('GET /users/{userId}', () => {
    it('answers the user in full: attributes, doors, assignments by name, request-log rows about it', async () => {
      const res = await get(`acme/users/${acme.users.margaret}`).expect(200);
      expect(res.body).toMatchObject({
        id: acme.users.margaret,
        givenName: 'Margaret',
        familyName: 'Hamilton',
        createdBy: 'scim',
        assignments: [],
        attributes: expect.objectContaining({ title: 'Director' }),
      });
      expect(res.body.requestLogs).toEqual([
        expect.objectContaining({ method: 'POST', path: '/scim/endpoints/acme/Users', status: 201 }),
      ]);
      const logged = await t.http.get(`/api/admin/logs/${res.body.requestLogs[0].id}`).set(admin()).expect(200);
      expect(logged.body.tenantId).toBe('acme');

      const ada = await get(`acme/users/${acme.users.ada}`).expect(200);
      expect(ada.body).toMatchObject({
        createdBy: 'batch',
        assignments: [
          {
            departmentId: acme.departments.eng,
            departmentName: 'Engineering',
            userTypeId: '1',
            userTypeName: 'Member',
          },
        ],
      });
    });

    it('lists rows whose path names the user id, newest first', async () => {
      await t.http
        .get(`/scim/endpoints/acme/Users/${acme.users.ada}`)
        .set('Authorization', `Bearer ${acme.scimSecret}`)
        .expect(200);
      await t.app.get(RequestLogWriter).flush();
      const res = await get(`acme/users/${acme.users.ada}`).expect(200);
      expect(res.body.requestLogs[0]).toMatchObject({
        method: 'GET',
        path: `/scim/endpoints/acme/Users/${acme.users.ada}`,
      });
      expect(res.body.requestLogs.every((row: { path: string }) => !row.path.startsWith('/api/admin'))).toBe(true);
    });

    it("404s an unknown user, another tenant's user and a malformed id alike", async () => {
      const missing = await get(`acme/users/${MISSING}`).expect(404);
      const foreign = await get(`acme/users/${other.users.ada}`).expect(404);
      expect(Object.keys(foreign.body).sort()).toEqual(Object.keys(missing.body).sort());
      await get('acme/users/not-a-uuid').expect(404);
      await get(`nobody/users/${acme.users.ada}`).expect(404);
    });
  });

  describe('identity providers', () => {
    it("answers the tenant's SCIM root, token endpoint, usable credentials and both guides", async () => {
      const res = await get('acme/identity-providers').expect(200);
      expect(res.body.scimBaseUrl).toMatch(/^http:\/\/[^/]+\/scim\/endpoints\/acme$/);
      expect(res.body.tokenEndpoint).toMatch(/^http:\/\/[^/]+\/oauth\/token$/);
      // The seed pushed users with it: its last use is recorded within the minute's throttle, or not yet.
      expect(res.body.credentials).toEqual([
        expect.objectContaining({ id: acme.scimCredentialId, name: 'Entra ID', kind: 'SCIM_SECRET' }),
      ]);
      const [{ lastUsedAt }] = res.body.credentials as { lastUsedAt: string | null }[];
      if (lastUsedAt !== null) expect(new Date(lastUsedAt).getTime()).toBeLessThanOrEqual(Date.now());
      for (const guide of [res.body.entra, res.body.okta]) {
        expect(guide.steps.length).toBeGreaterThan(3);
        expect(guide.mappings.map((m: { target: string }) => m.target)).toEqual(
          expect.arrayContaining([
            'userName',
            'active',
            'name.givenName',
            'name.familyName',
            'emails[type eq "work"].value',
          ]),
        );
      }
      await get('nobody/identity-providers').expect(404);
    });

    it('takes PUBLIC_BASE_URL when set', async () => {
      const other = await startTestApp({ RATE_LIMITS: 'off', PUBLIC_BASE_URL: 'https://idp.example.com/' });
      try {
        const res = await other.http
          .get('/api/admin/tenants/default/identity-providers')
          .set('Authorization', `Bearer ${other.secrets.adminToken}`)
          .expect(200);
        expect(res.body).toMatchObject({
          scimBaseUrl: 'https://idp.example.com/scim/endpoints/default',
          tokenEndpoint: 'https://idp.example.com/oauth/token',
        });
      } finally {
        await other.close();
      }
    });

    const test = (tenantId: string, body: Record<string, string>) =>
      t.http.post(`/api/admin/tenants/${tenantId}/identity-providers/test`).set(admin()).send(body);

    it('passes every discovery call with a good SCIM secret', async () => {
      const res = await test('acme', { token: acme.scimSecret }).expect(200);
      expect(res.body.ok).toBe(true);
      expect(res.body.checks.map((c: { path: string }) => c.path)).toEqual([
        '/scim/endpoints/acme/ServiceProviderConfig',
        '/scim/endpoints/acme/ResourceTypes',
        '/scim/endpoints/acme/Schemas',
        expect.stringMatching(/^\/scim\/endpoints\/acme\/Users\?filter=userName eq "idp-test-[0-9a-f]+"$/),
        '/scim/endpoints/acme/Users?startIndex=1&count=1',
        '/scim/endpoints/acme/Groups?excludedAttributes=members&count=1',
      ]);
      expect(res.body.checks.every((c: { ok: boolean; status: number }) => c.ok && c.status === 200)).toBe(true);
      expect(res.body.checks[3].detail).toBe('0 result(s)');
    });

    it("fails a wrong secret and another tenant's secret, and never answers or logs the secret", async () => {
      const wrong = randomSecret('wrong');
      const bad = await test('acme', { token: wrong }).expect(200);
      expect(bad.body.ok).toBe(false);
      expect(bad.body.checks.find((c: { path: string }) => c.path.includes('/Users'))).toMatchObject({
        status: 401,
        ok: false,
      });
      expect(JSON.stringify(bad.body)).not.toContain(wrong);

      const foreign = await test('acme', { token: other.scimSecret }).expect(200);
      expect(foreign.body.ok).toBe(false);
      expect(foreign.body.checks.find((c: { path: string }) => c.path.includes('/Users'))).toMatchObject({
        status: 403,
      });
      expect(JSON.stringify(foreign.body)).not.toContain(other.scimSecret);

      await t.app.get(RequestLogWriter).flush();
      const db = t.app.get(DataSource);
      const [{ rows }] = await db.query(
        `SELECT count(*)::int AS rows FROM request_logs WHERE path LIKE '%/identity-providers/test' OR path LIKE '/scim/endpoints/acme/%'`,
      );
      expect(rows).toBeGreaterThan(6);
      const [{ leaks }] = await db.query(
        `SELECT count(*)::int AS leaks FROM request_logs
          WHERE concat_ws(' ', path, identifier, request_headers::text, request_body, response_headers::text, response_body, search_text)
                LIKE '%' || $1 || '%'`,
        [wrong.slice(6)],
      );
      expect(leaks).toBe(0);
    });

    it('gets a token first for an OAuth client', async () => {
      const issued = await t.http
        .post('/api/admin/tenants/acme/credentials')
        .set(admin())
        .send({ kind: 'OAUTH_CLIENT', name: 'Okta', clientId: 'acme-okta', roles: ['SCIM'] })
        .expect(201);
      const secret = issued.body.secret as string;
      await oauthToken(t, 'acme-okta', secret);
      const good = await test('acme', { clientId: 'acme-okta', clientSecret: secret }).expect(200);
      expect(good.body.ok).toBe(true);
      expect(good.body.checks[0]).toMatchObject({
        name: 'OAuth token',
        method: 'POST',
        path: '/oauth/token',
        status: 200,
      });
      expect(good.body.checks).toHaveLength(7);
      const bad = await test('acme', { clientId: 'acme-okta', clientSecret: randomSecret('nope') }).expect(200);
      expect(bad.body).toMatchObject({ ok: false, checks: [{ path: '/oauth/token', ok: false }] });
      expect(JSON.stringify(good.body)).not.toContain(secret);
    });

    it('400s a body with no credential or half an OAuth client; 404s an unknown tenant', async () => {
      const none = await test('acme', {}).expect(400);
      expect(JSON.stringify(none.body)).toContain('token');
      const half = await test('acme', { clientId: 'acme-okta' }).expect(400);
      expect(JSON.stringify(half.body)).toContain('clientSecret');
      await test('acme', { token: 'x', clientId: 'y', clientSecret: 'z' }).expect(400);
      await test('nobody', { token: acme.scimSecret }).expect(404);
    });
  });
});
