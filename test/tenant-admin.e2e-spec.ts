import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Response } from 'supertest';
import { RequestLogWriter } from '../src/request-log/request-log.writer';
import { oauthToken, startTestApp, TestApp } from './support/test-app';

const PROVISIONING = '/api/provisioning/iam';
const A = 'ta-alpha';
const B = 'ta-beta';

type Headers = Record<string, string>;
const bearer = (secret: string): Headers => ({ Authorization: `Bearer ${secret}` });

/** A 404's body without its correlation id, the id it names replaced by a placeholder. */
function notFoundBody(res: Response, id: string): string {
  expect(res.status).toBe(404);
  const { correlationId: _correlationId, ...body } = res.body as Record<string, unknown>;
  return JSON.stringify(body).split(id).join('<id>');
}

async function eventually<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`never saw ${what}`);
}

describe('TENANT_ADMIN: an operator of one tenant', () => {
  let t: TestApp;
  let admin: Headers;
  let tenantAdmin: Headers;
  let tenantAdminId: string;
  const scim: Record<string, string> = {};
  const api: Record<string, Headers> = {};
  const apiTokenName: Record<string, string> = {};
  const transaction: Record<string, string> = {};
  const job: Record<string, string> = {};
  const credentialOf: Record<string, string> = {};
  const flush = (): Promise<void> => t.app.get(RequestLogWriter).flush();

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMITS: 'off' });
    admin = bearer(t.secrets.adminToken);
    for (const tenant of [A, B]) {
      await t.http
        .post('/api/admin/tenants')
        .set(admin)
        .send({ id: tenant, name: `Tenant ${tenant}` })
        .expect(201);
      const secret = await t.http
        .post(`/api/admin/tenants/${tenant}/credentials`)
        .set(admin)
        .send({ kind: 'SCIM_SECRET', name: `Entra ${tenant}` })
        .expect(201);
      scim[tenant] = secret.body.secret;
      credentialOf[tenant] = secret.body.id;
      apiTokenName[tenant] = `HR sync ${tenant}`;
      const token = await t.http
        .post(`/api/admin/tenants/${tenant}/credentials`)
        .set(admin)
        .send({ kind: 'API_TOKEN', name: apiTokenName[tenant] })
        .expect(201);
      api[tenant] = { 'auth-tenant-id': tenant, 'auth-token': token.body.secret };
      await t.http
        .post('/scim/v2/Users')
        .set(bearer(scim[tenant]))
        .send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `someone@${tenant}.example` })
        .expect(201);
      const checkpoint = await t.http.post(`${PROVISIONING}/checkpoint`).set(api[tenant]).expect(200);
      transaction[tenant] = checkpoint.body.transactionId;
      await t.http
        .post(`${PROVISIONING}/${transaction[tenant]}/department`)
        .set(api[tenant])
        .send([{ externalId: `${tenant}-root`, departmentName: 'Root' }])
        .expect(200);
      const commit = await t.http
        .post(`${PROVISIONING}/${transaction[tenant]}/commit?wait=true`)
        .set(api[tenant])
        .expect(200);
      job[tenant] = commit.body.jobId;
    }
    const issued = await t.http
      .post(`/api/admin/tenants/${A}/credentials`)
      .set(admin)
      .send({ kind: 'ADMIN_TOKEN', name: 'Alpha IT' })
      .expect(201);
    expect(issued.body).toMatchObject({ tenantId: A, kind: 'ADMIN_TOKEN', roles: ['TENANT_ADMIN'] });
    tenantAdmin = bearer(issued.body.secret);
    tenantAdminId = issued.body.id;
    await flush();
  });
  afterAll(() => t.close());

  it('says who it is: its one tenant, by name', async () => {
    const me = await t.http.get('/api/admin/me').set(tenantAdmin).expect(200);
    expect(me.body).toEqual({
      credentialId: tenantAdminId,
      name: 'Alpha IT',
      kind: 'ADMIN_TOKEN',
      roles: ['TENANT_ADMIN'],
      scope: 'tenant',
      tenantId: A,
      tenantName: `Tenant ${A}`,
    });
  });

  it("sees and edits its tenant; another tenant's id answers exactly as a missing one; cannot create tenants", async () => {
    const list = await t.http.get('/api/admin/tenants').set(tenantAdmin).expect(200);
    expect(list.body).toMatchObject({ total: 1, items: [expect.objectContaining({ id: A })] });
    await t.http.get(`/api/admin/tenants/${A}`).set(tenantAdmin).expect(200);
    await t.http.patch(`/api/admin/tenants/${A}`).set(tenantAdmin).send({ locale: 'de-DE' }).expect(200);

    const missing = notFoundBody(await t.http.get('/api/admin/tenants/ta-nowhere').set(tenantAdmin), 'ta-nowhere');
    expect(notFoundBody(await t.http.get(`/api/admin/tenants/${B}`).set(tenantAdmin), B)).toBe(missing);
    expect(notFoundBody(await t.http.patch(`/api/admin/tenants/${B}`).set(tenantAdmin).send({ name: 'x' }), B)).toBe(
      missing,
    );
    const created = await t.http.post('/api/admin/tenants').set(tenantAdmin).send({ id: 'ta-new', name: 'New' });
    expect(created.status).toBe(403);
    expect(created.body).toMatchObject({ status: false, error: 'Missing required role: ADMIN' });
    await t.http.get(`/api/admin/tenants/${B}`).set(admin).expect(200);
  });

  it("manages its tenant's non-admin credentials only", async () => {
    const listed = await t.http.get(`/api/admin/tenants/${A}/credentials`).set(tenantAdmin).expect(200);
    const ids = listed.body.items.map((item: { id: string }) => item.id);
    expect(ids).toContain(credentialOf[A]);
    expect(ids).not.toContain(tenantAdminId);
    // An ADMIN sees it, with its last use (the admin door).
    const all = await t.http.get(`/api/admin/tenants/${A}/credentials`).set(admin).expect(200);
    const own = all.body.items.find((item: { id: string }) => item.id === tenantAdminId);
    expect(own).toMatchObject({ roles: ['TENANT_ADMIN'], lastUsedDoor: 'admin' });

    const missing = notFoundBody(
      await t.http.get('/api/admin/tenants/ta-nowhere/credentials').set(tenantAdmin),
      'ta-nowhere',
    );
    expect(notFoundBody(await t.http.get(`/api/admin/tenants/${B}/credentials`).set(tenantAdmin), B)).toBe(missing);
    const issueElsewhere = await t.http
      .post(`/api/admin/tenants/${B}/credentials`)
      .set(tenantAdmin)
      .send({ kind: 'SCIM_SECRET', name: 'sneaky' });
    expect(notFoundBody(issueElsewhere, B)).toBe(missing);

    const another = await t.http
      .post(`/api/admin/tenants/${A}/credentials`)
      .set(tenantAdmin)
      .send({ kind: 'ADMIN_TOKEN', name: 'second admin' });
    expect(another.status).toBe(403);
    const explicit = await t.http
      .post(`/api/admin/tenants/${A}/credentials`)
      .set(tenantAdmin)
      .send({ kind: 'OAUTH_CLIENT', name: 'admin client', roles: ['TENANT_ADMIN'] });
    expect(explicit.status).toBe(403);

    const scimSecret = await t.http
      .post(`/api/admin/tenants/${A}/credentials`)
      .set(tenantAdmin)
      .send({ kind: 'SCIM_SECRET', name: 'Okta' })
      .expect(201);
    // Revoking: B's credential and its own admin credential answer as missing ones.
    const missingCredential = notFoundBody(
      await t.http.delete(`/api/admin/tenants/${A}/credentials/${randomUUID()}`).set(tenantAdmin),
      'x',
    ).replace(/[0-9a-f-]{36}/g, '<uuid>');
    for (const [tenant, id] of [
      [A, credentialOf[B]],
      [A, tenantAdminId],
    ]) {
      const res = await t.http.delete(`/api/admin/tenants/${tenant}/credentials/${id}`).set(tenantAdmin);
      expect(notFoundBody(res, 'x').replace(/[0-9a-f-]{36}/g, '<uuid>')).toBe(missingCredential);
    }
    await t.http.delete(`/api/admin/tenants/${A}/credentials/${scimSecret.body.id}`).set(tenantAdmin).expect(204);
    await t.http.get('/scim/v2/Users').set(bearer(scimSecret.body.secret)).expect(401);
    await t.http.get('/api/admin/me').set(tenantAdmin).expect(200);
  });

  it("manages its tenant's user types only", async () => {
    await t.http.get(`/api/admin/tenants/${A}/user-types`).set(tenantAdmin).expect(200);
    await t.http
      .post(`/api/admin/tenants/${A}/user-types`)
      .set(tenantAdmin)
      .send({ id: '2', name: 'Staff' })
      .expect(201);
    await t.http.patch(`/api/admin/tenants/${A}/user-types/2`).set(tenantAdmin).send({ name: 'Team' }).expect(200);
    const missing = notFoundBody(
      await t.http.get('/api/admin/tenants/ta-nowhere/user-types').set(tenantAdmin),
      'ta-nowhere',
    );
    expect(notFoundBody(await t.http.get(`/api/admin/tenants/${B}/user-types`).set(tenantAdmin), B)).toBe(missing);
    const create = await t.http
      .post(`/api/admin/tenants/${B}/user-types`)
      .set(tenantAdmin)
      .send({ id: '3', name: 'x' });
    expect(notFoundBody(create, B)).toBe(missing);
    const rename = await t.http.patch(`/api/admin/tenants/${B}/user-types/1`).set(tenantAdmin).send({ name: 'x' });
    expect(notFoundBody(rename, B)).toBe(missing);
  });

  it("sees only its tenant's transactions, named by their creator", async () => {
    const list = await t.http.get('/api/admin/transactions').set(tenantAdmin).expect(200);
    expect(list.body.items.map((item: { id: string }) => item.id)).toEqual([transaction[A]]);
    expect(list.body.items[0]).toMatchObject({ tenantId: A, createdByName: apiTokenName[A] });
    const elsewhere = await t.http.get('/api/admin/transactions').query({ tenant: B }).set(tenantAdmin).expect(200);
    expect(elsewhere.body).toMatchObject({ total: 0, items: [] });
    const detail = await t.http.get(`/api/admin/transactions/${transaction[A]}`).set(tenantAdmin).expect(200);
    expect(detail.body.createdByName).toBe(apiTokenName[A]);

    const missing = notFoundBody(await t.http.get(`/api/admin/transactions/${randomUUID()}`).set(tenantAdmin), 'x');
    expect(notFoundBody(await t.http.get(`/api/admin/transactions/${transaction[B]}`).set(tenantAdmin), 'x')).toBe(
      missing,
    );
    const both = await t.http.get('/api/admin/transactions').set(admin).expect(200);
    expect(both.body.items.map((item: { id: string }) => item.id)).toEqual(
      expect.arrayContaining([transaction[A], transaction[B]]),
    );
  });

  it("sees and cancels only its tenant's jobs", async () => {
    const list = await t.http.get('/api/admin/jobs').set(tenantAdmin).expect(200);
    expect(list.body.items.map((item: { id: string }) => item.id)).toEqual([job[A]]);
    expect(list.body.items[0]).toMatchObject({ createdByName: apiTokenName[A] });
    const elsewhere = await t.http.get('/api/admin/jobs').query({ tenant: B }).set(tenantAdmin).expect(200);
    expect(elsewhere.body).toMatchObject({ total: 0, items: [] });

    const own = await t.http.get(`/api/user/job/${job[A]}`).set(tenantAdmin).expect(200);
    expect(own.body.value).toMatchObject({ id: job[A], createdByName: apiTokenName[A] });
    const missing = notFoundBody(await t.http.get(`/api/user/job/${randomUUID()}`).set(tenantAdmin), 'x');
    expect(notFoundBody(await t.http.get(`/api/user/job/${job[B]}`).set(tenantAdmin), 'x')).toBe(missing);
    const missingCancel = notFoundBody(await t.http.post(`/api/user/job/${randomUUID()}/cancel`).set(tenantAdmin), 'x');
    expect(notFoundBody(await t.http.post(`/api/user/job/${job[B]}/cancel`).set(tenantAdmin), 'x')).toBe(missingCancel);
    // The ADMIN reaches B's job; it has ended, so cancelling it is a conflict, not a 404.
    await t.http.get(`/api/user/job/${job[B]}`).set(admin).expect(200);
    await t.http.post(`/api/user/job/${job[B]}/cancel`).set(admin).expect(409);
  });

  it("reads, counts and clears only its tenant's request logs, with names", async () => {
    await flush();
    const list = await t.http.get('/api/admin/logs').query({ includeAdmin: true }).set(tenantAdmin).expect(200);
    expect(list.body.items.length).toBeGreaterThan(0);
    expect(new Set(list.body.items.map((item: { tenantId: string }) => item.tenantId))).toEqual(new Set([A]));
    const scimCall = list.body.items.find((item: { path: string }) => item.path === '/scim/v2/Users');
    expect(scimCall).toMatchObject({ credentialName: `Entra ${A}`, tenantName: `Tenant ${A}` });
    const elsewhere = await t.http.get('/api/admin/logs').query({ tenant: B }).set(tenantAdmin).expect(200);
    expect(elsewhere.body).toMatchObject({ total: 0, items: [] });

    const ofB = await t.http.get('/api/admin/logs').query({ tenant: B }).set(admin).expect(200);
    expect(ofB.body.items.length).toBeGreaterThan(0);
    const bRow = ofB.body.items[0].id as string;
    await t.http.get(`/api/admin/logs/${list.body.items[0].id}`).set(tenantAdmin).expect(200);
    const missing = notFoundBody(await t.http.get(`/api/admin/logs/${randomUUID()}`).set(tenantAdmin), 'x').replace(
      /[0-9a-f-]{36}/g,
      '<uuid>',
    );
    const other = notFoundBody(await t.http.get(`/api/admin/logs/${bRow}`).set(tenantAdmin), 'x');
    expect(other.replace(/[0-9a-f-]{36}/g, '<uuid>')).toBe(missing);

    const stats = await t.http.get('/api/admin/logs/stats').set(tenantAdmin).expect(200);
    const everything = await t.http.get('/api/admin/logs/stats').set(admin).expect(200);
    expect(stats.body.rows).toBeGreaterThan(0);
    expect(stats.body.rows).toBeLessThan(everything.body.rows);

    await flush();
    const cleared = await t.http.delete('/api/admin/logs').set(tenantAdmin).expect(200);
    expect(cleared.body.deleted).toBeGreaterThan(0);
    const afterB = await t.http.get('/api/admin/logs').query({ tenant: B }).set(admin).expect(200);
    expect(afterB.body.total).toBe(ofB.body.total);
  });

  it("streams only its tenant's requests", async () => {
    const server = t.app.getHttpServer() as Server;
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const marker = `stream-${randomUUID()}`;
    const abort = new AbortController();
    const res = await fetch(`${base}/api/admin/logs/stream?search=${marker}`, {
      headers: tenantAdmin,
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let received = '';
    // B's request first: were it streamed, it would come before A's.
    for (const tenant of [B, A]) {
      await t.http
        .post('/scim/v2/Users')
        .set(bearer(scim[tenant]))
        .send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `${marker}@${tenant}.example` })
        .expect(201);
    }
    const deadline = Date.now() + 15_000;
    while (!received.includes('event: log') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      received += decoder.decode(value, { stream: true });
    }
    abort.abort();
    await reader.cancel().catch(() => undefined);
    const events = [...received.matchAll(/event: log\ndata: (.*)\n\n/g)].map((match) => JSON.parse(match[1]));
    expect(events.length).toBeGreaterThan(0);
    expect(events.map((event: { tenantId: string }) => event.tenantId)).toEqual(events.map(() => A));
  });

  it('records where each credential was last used', async () => {
    await t.http.get('/scim/v2/Users').set(bearer(scim[B])).expect(200);
    const used = await eventually(async () => {
      const list = await t.http.get(`/api/admin/tenants/${B}/credentials`).set(admin).expect(200);
      const item = list.body.items.find((entry: { id: string }) => entry.id === credentialOf[B]);
      return item?.lastUsedAt ? item : undefined;
    }, 'the SCIM secret used');
    expect(used).toMatchObject({ lastUsedDoor: 'scim' });
    expect(Date.parse(used.lastUsedAt)).toBeGreaterThan(Date.now() - 60_000);
  });
});

describe('operator (ADMIN) credentials', () => {
  let t: TestApp;
  let admin: Headers;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMITS: 'off' });
    admin = bearer(t.secrets.adminToken);
  });
  afterAll(() => t.close());

  it('refuses ADMIN under a tenant, saying where it is issued', async () => {
    const res = await t.http
      .post('/api/admin/tenants/default/credentials')
      .set(admin)
      .send({ kind: 'ADMIN_TOKEN', name: 'ops', roles: ['ADMIN'] })
      .expect(400);
    expect(res.body).toMatchObject({ status: false });
    expect(JSON.stringify(res.body)).toContain('/api/admin/credentials');
    await t.http
      .post('/api/admin/tenants/default/credentials')
      .set(admin)
      .send({ kind: 'OAUTH_CLIENT', name: 'ops', roles: ['SCIM', 'ADMIN'] })
      .expect(400);
  });

  it('issues, lists and revokes operator credentials outside any tenant', async () => {
    const list = await t.http.get('/api/admin/credentials').set(admin).expect(200);
    // The environment's admin token is one, with no tenant.
    expect(list.body.items).toEqual([
      expect.objectContaining({ kind: 'ADMIN_TOKEN', tenantId: null, roles: ['ADMIN'], bootstrap: true }),
    ]);

    const issued = await t.http
      .post('/api/admin/credentials')
      .set(admin)
      .send({ kind: 'ADMIN_TOKEN', name: 'Ops on-call' })
      .expect(201);
    expect(issued.body).toMatchObject({ tenantId: null, roles: ['ADMIN'], lastUsedAt: null, lastUsedDoor: null });
    const token = bearer(issued.body.secret);
    const me = await t.http.get('/api/admin/me').set(token).expect(200);
    expect(me.body).toMatchObject({ name: 'Ops on-call', scope: 'all', tenantId: null, tenantName: null });
    await t.http.get('/api/admin/tenants').set(token).expect(200);
    // An operator credential has no tenant door.
    await t.http.get('/scim/v2/Users').set(token).expect(403);

    const client = await t.http
      .post('/api/admin/credentials')
      .set(admin)
      .send({ kind: 'OAUTH_CLIENT', name: 'Automation' })
      .expect(201);
    expect(client.body).toMatchObject({ tenantId: null, roles: ['ADMIN'], clientId: expect.any(String) });
    const jwt = await oauthToken(t, client.body.clientId, client.body.secret);
    const viaJwt = await t.http.get('/api/admin/me').set(bearer(jwt)).expect(200);
    expect(viaJwt.body).toMatchObject({ scope: 'all', kind: 'OAUTH_CLIENT' });

    const names = (await t.http.get('/api/admin/credentials').set(admin).expect(200)).body.items.map(
      (item: { name: string }) => item.name,
    );
    expect(names).toEqual(expect.arrayContaining(['Ops on-call', 'Automation']));

    await t.http.delete(`/api/admin/credentials/${issued.body.id}`).set(admin).expect(204);
    await t.http.get('/api/admin/me').set(token).expect(401);
    await t.http.delete(`/api/admin/credentials/${issued.body.id}`).set(admin).expect(404);
    // A tenant's credential is not an operator's.
    const scimSecret = await t.http
      .post('/api/admin/tenants/default/credentials')
      .set(admin)
      .send({ kind: 'SCIM_SECRET', name: 'Entra' })
      .expect(201);
    await t.http.delete(`/api/admin/credentials/${scimSecret.body.id}`).set(admin).expect(404);

    const bad = await t.http.post('/api/admin/credentials').set(admin).send({ kind: 'SCIM_SECRET', name: 'x' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('kind');
  });

  it('is out of reach of a TENANT_ADMIN', async () => {
    const issued = await t.http
      .post('/api/admin/tenants/default/credentials')
      .set(admin)
      .send({ kind: 'ADMIN_TOKEN', name: 'Default IT' })
      .expect(201);
    const tenantAdmin = bearer(issued.body.secret);
    const operators = (await t.http.get('/api/admin/credentials').set(admin).expect(200)).body.items as {
      id: string;
    }[];
    for (const res of [
      await t.http.get('/api/admin/credentials').set(tenantAdmin),
      await t.http.post('/api/admin/credentials').set(tenantAdmin).send({ kind: 'ADMIN_TOKEN', name: 'me too' }),
      await t.http.delete(`/api/admin/credentials/${operators[0].id}`).set(tenantAdmin),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ status: false, error: 'Missing required role: ADMIN' });
    }
    await t.http.get('/api/admin/me').set(admin).expect(200);
  });
});
