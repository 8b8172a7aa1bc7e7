import { randomBytes, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as jwt from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { RequestLogRetention } from '../src/request-log/request-log.retention';
import { RequestLogWriter } from '../src/request-log/request-log.writer';
import { createAppStore, randomSecret, startAppOn, startTestApp, TestApp } from './support/test-app';

const MASK = '[REDACTED]';
const GUID = () => randomUUID();

interface LogItem {
  id: string;
  time: string;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  tenantId: string | null;
  credentialId: string | null;
  correlationId: string | null;
  identifier: string | null;
  errorMessage: string | null;
  admin: boolean;
  keepalive: boolean;
}

const scimUser = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName,
  name: { givenName: 'Log', familyName: 'Test' },
  emails: [{ value: userName, type: 'work', primary: true }],
  ...extra,
});

describe('request log', () => {
  let t: TestApp;
  let db: DataSource;
  const partnerSecret = randomSecret('partner');
  const oauthSecret = randomSecret('oauth');
  const admin = (): Record<string, string> => ({ Authorization: `Bearer ${t.secrets.adminToken}` });
  const scim = (): Record<string, string> => ({ Authorization: `Bearer ${t.secrets.scimSecret}` });
  const api = (): Record<string, string> => ({ 'auth-tenant-id': 'default', 'auth-token': t.secrets.apiToken });
  const partnerToken = (): string =>
    jwt.sign({ orgCode: 'log-org' }, partnerSecret, { algorithm: 'HS256', expiresIn: 300 });
  const flush = (): Promise<void> => t.app.get(RequestLogWriter).flush();

  /** The list, after everything answered so far is written. */
  async function list(query: Record<string, string | number | boolean>): Promise<{
    total: number;
    items: LogItem[];
    hasNext: boolean;
    page: number;
    pageSize: number;
    totalIsLowerBound: boolean;
  }> {
    await flush();
    const res = await t.http.get('/api/admin/logs').query(query).set(admin()).expect(200);
    return res.body;
  }

  /** The one row of a request sent with this X-Request-Id. */
  async function byCorrelation(correlationId: string): Promise<LogItem> {
    await flush();
    const rows: { id: string }[] = await db.query('SELECT id FROM request_logs WHERE correlation_id = $1', [
      correlationId,
    ]);
    expect(rows).toHaveLength(1);
    const res = await t.http.get(`/api/admin/logs/${rows[0].id}`).set(admin()).expect(200);
    return res.body;
  }

  /** `tenant` null: an operator credential (ADMIN, no tenant). */
  async function credentialId(kind: string, tenant: string | null = 'default'): Promise<string> {
    const where = tenant === null ? '/api/admin/credentials' : `/api/admin/tenants/${tenant}/credentials`;
    const res = await t.http.get(where).set(admin()).expect(200);
    return res.body.items.find((item: { kind: string; revokedOn: string | null }) => item.kind === kind).id;
  }

  beforeAll(async () => {
    t = await startTestApp({
      WRAPPER_SECRET_KEY: partnerSecret,
      WRAPPER_ORG_CODE: 'log-org',
      OAUTH_CLIENT_ID: 'log-client',
      OAUTH_CLIENT_SECRET: oauthSecret,
      BODY_LIMIT: '64kb',
      REQUEST_LOG_BODY_LIMIT: '4kb',
    });
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  describe('capture', () => {
    it('records a SCIM request with every field, secrets masked', async () => {
      const userName = `capture.${GUID()}@example.com`;
      const res = await t.http
        .post('/scim/v2/Users')
        .set(scim())
        .set('X-Request-Id', 'trace-scim-create')
        .set('Content-Type', 'application/scim+json')
        .send(JSON.stringify(scimUser(userName)))
        .expect(201);
      const log = await byCorrelation('trace-scim-create');
      expect(log).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        method: 'POST',
        path: '/scim/v2/Users',
        status: 201,
        durationMs: expect.any(Number),
        tenantId: 'default',
        credentialId: await credentialId('SCIM_SECRET'),
        credentialName: 'SCIM_SHARED_SECRET (environment)',
        tenantName: 'default',
        correlationId: 'trace-scim-create',
        identifier: userName,
        errorMessage: null,
        authFailure: null,
        clientAddress: expect.stringMatching(/^127\.0\.0\.1$|^::1$/),
        admin: false,
        keepalive: false,
        requestHeaders: expect.objectContaining({
          authorization: `Bearer ${MASK}`,
          'content-type': 'application/scim+json',
          'x-request-id': 'trace-scim-create',
        }),
        requestBody: JSON.stringify(scimUser(userName)),
        requestBodyTruncated: false,
        responseHeaders: expect.objectContaining({
          'x-request-id': 'trace-scim-create',
          'content-type': expect.stringContaining('application/scim+json'),
        }),
        responseBody: expect.stringContaining(res.body.id),
        responseBodyTruncated: false,
        // A SCIM create belongs to no transaction and queued no job.
        related: { transactionId: null, jobId: null },
        detailsOmitted: false,
      });
      expect(Date.now() - Date.parse(log.time)).toBeLessThan(60_000);
    });

    it('records provisioning requests with their tenant, credential and the batch identifier', async () => {
      await t.http
        .post('/api/provisioning/iam/user')
        .set(api())
        .set('X-Request-Id', 'trace-provisioning')
        .send([
          { email: `p1.${GUID()}@example.com`, firstName: 'P', lastName: 'One', externalId: `p1-${GUID()}` },
          { email: `p2.${GUID()}@example.com`, firstName: 'P', lastName: 'Two', externalId: `p2-${GUID()}` },
        ])
        .expect((res) => expect(res.status).toBeLessThan(300));
      const log = await byCorrelation('trace-provisioning');
      expect(log).toMatchObject({
        method: 'POST',
        path: '/api/provisioning/iam/user',
        tenantId: 'default',
        credentialId: await credentialId('API_TOKEN'),
        identifier: expect.stringMatching(/^p1\..*@example\.com \(\+1 more\)$/),
        admin: false,
        requestHeaders: expect.objectContaining({ 'auth-token': MASK, 'auth-tenant-id': 'default' }),
      });
    });

    it('records partner sync with the partner credential, not as an admin request', async () => {
      const email = `partner.${GUID()}@example.com`;
      await t.http
        .post('/api/admin/users/sync')
        .set('Authorization', `Bearer ${partnerToken()}`)
        .set('X-Request-Id', 'trace-partner')
        .send({
          mode: 'upsert',
          users: [{ email, firstName: 'P', lastName: 'S', externalId: GUID(), orgCode: 'log-org', isActive: true }],
        })
        .expect(200);
      expect(await byCorrelation('trace-partner')).toMatchObject({
        path: '/api/admin/users/sync',
        status: 200,
        tenantId: 'default',
        credentialId: await credentialId('PARTNER_SECRET'),
        identifier: email,
        admin: false,
      });
    });

    it('records OAuth token requests with the form and the token masked', async () => {
      await t.http
        .post('/oauth/token')
        .set('X-Request-Id', 'trace-oauth')
        .type('form')
        .send({ grant_type: 'client_credentials', client_id: 'log-client', client_secret: oauthSecret })
        .expect(200);
      const log = await byCorrelation('trace-oauth');
      expect(log).toMatchObject({
        path: '/oauth/token',
        status: 200,
        identifier: 'log-client',
        requestBody: `grant_type=client_credentials&client_id=log-client&client_secret=${MASK}`,
      });
      expect(JSON.parse((log as unknown as { responseBody: string }).responseBody)).toMatchObject({
        access_token: MASK,
        token_type: 'Bearer',
      });
    });

    it('records admin requests flagged, hidden unless asked for', async () => {
      await t.http.get('/api/admin/tenants').set(admin()).set('X-Request-Id', 'trace-admin').expect(200);
      const log = await byCorrelation('trace-admin');
      expect(log).toMatchObject({
        path: '/api/admin/tenants',
        admin: true,
        credentialId: await credentialId('ADMIN_TOKEN', null),
        credentialName: 'ADMIN_TOKEN (environment)',
        tenantId: null,
        tenantName: null,
      });
      const hidden = await list({ path: '/api/admin/tenants', pageSize: 1000 });
      expect(hidden.items.map((item) => item.id)).not.toContain(log.id);
      const shown = await list({ path: '/api/admin/tenants', includeAdmin: true, pageSize: 1000 });
      expect(shown.items.map((item) => item.id)).toContain(log.id);
    });

    it('records requests refused early: 401, bad JSON, 413, unknown route, 429', async () => {
      await t.http.get('/scim/v2/Users').set('X-Request-Id', 'trace-401').expect(401);
      expect(await byCorrelation('trace-401')).toMatchObject({
        status: 401,
        errorMessage: expect.any(String),
        tenantId: null,
        credentialId: null,
      });

      await t.http
        .post('/scim/v2/Users')
        .set(scim())
        .set('X-Request-Id', 'trace-400')
        .set('Content-Type', 'application/scim+json')
        .send('{"userName": "broken@example.com", "password": "in-bad-json",,}')
        .expect(400);
      const bad = (await byCorrelation('trace-400')) as LogItem & { requestBody: string };
      expect(bad).toMatchObject({ status: 400, errorMessage: 'Request body is not valid JSON' });
      expect(bad.requestBody).toContain('broken@example.com');
      expect(bad.requestBody).not.toContain('in-bad-json');

      await t.http
        .post('/api/provisioning/iam/user')
        .set(api())
        .set('X-Request-Id', 'trace-413')
        .send([{ email: 'x'.repeat(70 * 1024) }])
        .expect(413);
      expect(await byCorrelation('trace-413')).toMatchObject({
        status: 413,
        errorMessage: expect.stringMatching(/limit/),
      });

      await t.http.get('/api/nowhere?x=1').set('X-Request-Id', 'trace-404').expect(404);
      expect(await byCorrelation('trace-404')).toMatchObject({ status: 404, path: '/api/nowhere?x=1' });

      const limited = await t.http
        .post('/api/admin/tenants/default/credentials')
        .set(admin())
        .send({ kind: 'API_TOKEN', name: 'rate limited' })
        .expect(201);
      const headers = { 'auth-tenant-id': 'default', 'auth-token': limited.body.secret };
      for (let i = 0; i < 10; i++) await t.http.post('/api/provisioning/iam/checkpoint').set(headers).expect(200);
      await t.http.post('/api/provisioning/iam/checkpoint').set(headers).set('X-Request-Id', 'trace-429').expect(429);
      expect(await byCorrelation('trace-429')).toMatchObject({ status: 429, credentialId: limited.body.id });
    });

    it('flags the keepalive probe, truncates large bodies, and skips health, docs and the operator page', async () => {
      const probe = `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${GUID()}"`)}`;
      await t.http.get(probe).set(scim()).set('X-Request-Id', 'trace-keepalive').expect(200);
      expect(await byCorrelation('trace-keepalive')).toMatchObject({ keepalive: true, path: probe });

      const big = `big.${GUID()}@example.com`;
      await t.http
        .post('/scim/v2/Users')
        .set(scim())
        .set('X-Request-Id', 'trace-big')
        .send(scimUser(big, { title: 't'.repeat(6000) }))
        .expect(201);
      const log = (await byCorrelation('trace-big')) as LogItem & Record<string, unknown>;
      expect(log).toMatchObject({ requestBodyTruncated: true, responseBodyTruncated: true, identifier: big });
      expect(Buffer.byteLength(log.requestBody as string)).toBeLessThanOrEqual(4096);
      expect(Buffer.byteLength(log.responseBody as string)).toBeLessThanOrEqual(4096);

      await t.http.get('/health').set('X-Request-Id', 'trace-health').expect(200);
      await t.http.get('/api/docs/openapi.json').set('X-Request-Id', 'trace-docs').expect(200);
      await t.http.get('/admin').set('X-Request-Id', 'trace-page');
      await flush();
      const skipped = await db.query(
        `SELECT path FROM request_logs WHERE correlation_id IN ('trace-health', 'trace-docs', 'trace-page')`,
      );
      expect(skipped).toEqual([]);
    });
  });

  it('never writes a secret, in any form, through any route', async () => {
    const secret = (label: string): string => `${label}-${randomBytes(24).toString('base64url')}`;
    const secrets: Record<string, string> = {
      cookie: secret('cookie'),
      queryToken: secret('query'),
      queryClientSecret: secret('query-cs'),
      unknownRouteToken: secret('unknown-route'),
      apiKeyHeader: secret('apikey-header'),
      scimPassword: secret('scim-password'),
      patchPassword: secret('patch-password'),
      patchNoPath: secret('patch-nopath'),
      patchUrn: secret('patch-urn'),
      provisioningNested: secret('prov-nested'),
      partnerNested: secret('partner-nested'),
      partnerDeep: secret('partner-deep'),
      issuedPartner: secret('issued-partner'),
      badJson: secret('bad-json'),
      badForm: secret('bad-form'),
      adminBody: secret('admin-body'),
    };
    const known = {
      scimSecret: t.secrets.scimSecret,
      apiToken: t.secrets.apiToken,
      adminToken: t.secrets.adminToken,
      oauthSecret,
      partnerSecret,
    };
    const issued: Record<string, string> = {};

    // Headers: Authorization (SCIM secret, admin token, partner JWT, OAuth JWT), auth-token, cookies.
    const userName = `secret.${GUID()}@example.com`;
    const created = await t.http
      .post('/scim/v2/Users')
      .set(scim())
      .set('Cookie', `session=${secrets.cookie}; theme=dark`)
      .set('X-Api-Key', secrets.apiKeyHeader)
      .send(scimUser(userName, { password: secrets.scimPassword }))
      .expect(201);
    await t.http
      .patch(`/scim/v2/Users/${created.body.id}`)
      .set(scim())
      .send({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [
          { op: 'replace', path: 'password', value: secrets.patchPassword },
          { op: 'replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:password', value: secrets.patchUrn },
          { op: 'replace', value: { password: secrets.patchNoPath, displayName: 'Still Here' } },
        ],
      });
    await t.http
      .get(`/scim/v2/Users?access_token=${secrets.queryToken}&client_secret=${secrets.queryClientSecret}`)
      .set(scim());

    // An unknown route's 404 repeats the URL it was given.
    await t.http.get(`/api/nowhere?access_token=${secrets.unknownRouteToken}`).expect(404);

    // OAuth: form body, JSON body, Basic header; the tokens it answers.
    const form = await t.http
      .post('/oauth/token')
      .type('form')
      .send({ grant_type: 'client_credentials', client_id: 'log-client', client_secret: oauthSecret })
      .expect(200);
    const json = await t.http
      .post('/oauth/token')
      .send({ grant_type: 'client_credentials', client_id: 'log-client', client_secret: oauthSecret })
      .expect(200);
    const basic = await t.http
      .post('/oauth/token')
      .auth('log-client', oauthSecret)
      .type('form')
      .send({ grant_type: 'client_credentials' })
      .expect(200);
    issued.formToken = form.body.access_token;
    issued.jsonToken = json.body.access_token;
    issued.basicToken = basic.body.access_token;
    await t.http.get('/scim/v2/Users?count=1').set('Authorization', `Bearer ${issued.jsonToken}`).expect(200);
    await t.http
      .post('/oauth/token')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send(`grant_type=client_credentials&client_id=log-client&client_secret=%E0%A4%A${secrets.badForm}`)
      .expect((res) => expect(res.status).toBeGreaterThanOrEqual(400));

    // Provisioning and jobs: auth-token, nested secrets in the body, a body that is not JSON.
    await t.http
      .post('/api/provisioning/iam/user')
      .set(api())
      .send([
        {
          email: `nested.${GUID()}@example.com`,
          firstName: 'N',
          lastName: 'S',
          externalId: GUID(),
          settings: { integration: { apiKey: secrets.provisioningNested } },
        },
      ]);
    await t.http.get(`/api/user/job/${GUID()}`).set(api());
    await t.http
      .post('/api/provisioning/iam/department')
      .set(api())
      .set('Content-Type', 'application/json')
      .send(`{"name": "x", "password": "${secrets.badJson}"`)
      .expect(400);

    // Partner sync: the JWT, nested secrets.
    await t.http
      .post('/api/admin/users/sync')
      .set('Authorization', `Bearer ${partnerToken()}`)
      .send({
        mode: 'upsert',
        users: [
          {
            email: `partner.secret.${GUID()}@example.com`,
            firstName: 'P',
            lastName: 'S',
            externalId: GUID(),
            orgCode: 'log-org',
            metadata: { apiKey: secrets.partnerNested, deeper: [{ credentials: { token: secrets.partnerDeep } }] },
          },
        ],
      })
      .expect(200);
    issued.partnerJwt = partnerToken();
    await t.http.post('/api/admin/users/sync').set('Authorization', `Bearer ${issued.partnerJwt}`).send({});

    // Admin: credentials whose answer holds the secret, and one whose request does.
    for (const kind of ['API_TOKEN', 'SCIM_SECRET', 'ADMIN_TOKEN']) {
      const res = await t.http
        .post('/api/admin/tenants/default/credentials')
        .set(admin())
        .send({ kind, name: `issued ${kind}` })
        .expect(201);
      issued[kind] = res.body.secret;
    }
    const oauthClient = await t.http
      .post('/api/admin/tenants/default/credentials')
      .set(admin())
      .send({ kind: 'OAUTH_CLIENT', name: 'issued client' })
      .expect(201);
    issued.OAUTH_CLIENT = oauthClient.body.secret;
    await t.http
      .post('/api/admin/tenants')
      .set(admin())
      .send({ id: 'secrets', name: 'S', orgCode: 'secrets-org' })
      .expect(201);
    await t.http
      .post('/api/admin/tenants/secrets/credentials')
      .set(admin())
      .send({ kind: 'PARTNER_SECRET', name: 'given', secret: secrets.issuedPartner })
      .expect(201);
    await t.http
      .post('/api/admin/tenants')
      .set(admin())
      .send({ id: 'nope nope', name: 'x', password: secrets.adminBody })
      .expect(400);

    // Each secret really went through, so finding none below means something.
    for (const [name, value] of Object.entries(issued))
      expect([name, typeof value, value.length > 10]).toEqual([name, 'string', true]);

    await flush();
    const rows: { row: string }[] = await db.query('SELECT r::text AS row FROM request_logs r');
    expect(rows.length).toBeGreaterThan(20);
    const everything = rows.map((r) => r.row).join('\n');
    for (const [name, value] of Object.entries({ ...secrets, ...known, ...issued })) {
      if (everything.includes(value)) throw new Error(`secret "${name}" was written to request_logs`);
    }
    // What is not secret stays readable.
    expect(everything).toContain(userName);
    expect(everything).toContain('Still Here');
    expect(everything).toContain(MASK);
  });

  describe('the list', () => {
    let marker: string;
    let scimCredential: string;
    const ids: Record<string, string> = {};
    const tenantScim = (): Record<string, string> => ({ Authorization: `Bearer ${scimCredential}` });

    beforeAll(async () => {
      // A tenant of its own, so every filter has an exact answer.
      marker = `mk${randomBytes(4).toString('hex')}`;
      await t.http.post('/api/admin/tenants').set(admin()).send({ id: marker, name: 'Filters' }).expect(201);
      const issued = await t.http
        .post(`/api/admin/tenants/${marker}/credentials`)
        .set(admin())
        .send({ kind: 'SCIM_SECRET', name: 'filters' })
        .expect(201);
      scimCredential = issued.body.secret;
      const send = async (name: string, request: () => Promise<unknown>): Promise<void> => {
        await request();
        await flush();
        const [row] = await db.query(
          `SELECT id FROM request_logs WHERE tenant_id = $1 ORDER BY logged_at DESC, time DESC LIMIT 1`,
          [marker],
        );
        ids[name] = row.id;
        // Distinct times, so "newest first" has one answer.
        await new Promise((resolve) => setTimeout(resolve, 5));
      };
      await send('createA', () =>
        t.http
          .post('/scim/v2/Users')
          .set(tenantScim())
          .send(scimUser(`alice.${marker}@example.com`))
          .expect(201),
      );
      await send('createB', () =>
        t.http
          .post('/scim/v2/Users')
          .set(tenantScim())
          .send(scimUser(`bob.${marker}@example.com`, { title: '100%_sure' }))
          .expect(201),
      );
      await send('conflict', () =>
        t.http
          .post('/scim/v2/Users')
          .set(tenantScim())
          .send(scimUser(`alice.${marker}@example.com`))
          .expect(409),
      );
      await send('missing', () => t.http.get(`/scim/v2/Users/${GUID()}`).set(tenantScim()).expect(404));
      await send('probe', () =>
        t.http.get(`/scim/v2/Users?filter=userName eq "${GUID()}"`).set(tenantScim()).expect(200),
      );
      await send('groups', () => t.http.get('/scim/v2/Groups').set(tenantScim()).expect(200));
    });

    const idsOf = (items: LogItem[]): string[] => items.map((item) => item.id);

    it('answers newest first, with the page fields', async () => {
      const page = await list({ tenant: marker });
      expect(page).toMatchObject({ total: 6, page: 1, pageSize: 50, hasNext: false, totalIsLowerBound: false });
      expect(idsOf(page.items)).toEqual(
        ['groups', 'probe', 'missing', 'conflict', 'createB', 'createA'].map((n) => ids[n]),
      );
      expect(Object.keys(page.items[0]).sort()).toEqual(
        [
          'admin',
          'authFailure',
          'clientAddress',
          'correlationId',
          'credentialId',
          'credentialName',
          'durationMs',
          'errorMessage',
          'id',
          'identifier',
          'keepalive',
          'method',
          'path',
          'status',
          'tenantId',
          'tenantName',
          'time',
        ].sort(),
      );
    });

    it('pages', async () => {
      const second = await list({ tenant: marker, pageSize: 4, page: 2 });
      expect(second).toMatchObject({ total: 6, page: 2, pageSize: 4, hasNext: false });
      expect(idsOf(second.items)).toEqual([ids.createB, ids.createA]);
      const first = await list({ tenant: marker, pageSize: 4 });
      expect(first.hasNext).toBe(true);
      expect(first.items).toHaveLength(4);
      expect((await list({ tenant: marker, page: 9 })).items).toEqual([]);
    });

    it.each([
      ['method', { method: 'post' }, ['conflict', 'createB', 'createA']],
      ['exact status', { status: '409' }, ['conflict']],
      ['status class', { status: '4xx' }, ['missing', 'conflict']],
      ['status class, other case', { status: '2XX' }, ['groups', 'probe', 'createB', 'createA']],
      ['errors', { hasError: true }, ['missing', 'conflict']],
      ['no errors', { hasError: false }, ['groups', 'probe', 'createB', 'createA']],
      ['path', { path: '/GROUPS' }, ['groups']],
      ['path with query', { path: 'filter=' }, ['probe']],
      ['keepalive hidden', { hideKeepalive: true }, ['groups', 'missing', 'conflict', 'createB', 'createA']],
      ['keepalive shown', { hideKeepalive: false }, ['groups', 'probe', 'missing', 'conflict', 'createB', 'createA']],
    ])('filters by %s', async (_label, filter, expected) => {
      const page = await list({ tenant: marker, ...filter });
      expect(idsOf(page.items)).toEqual(expected.map((name) => ids[name]));
      expect(page.total).toBe(expected.length);
    });

    it('searches identifiers and bodies, ignoring case, with % and _ taken literally', async () => {
      expect(idsOf((await list({ search: `ALICE.${marker}` })).items)).toEqual([ids.conflict, ids.createA]);
      expect(idsOf((await list({ search: '100%_sure' })).items)).toEqual([ids.createB]);
      expect((await list({ search: `100%_surf${marker}` })).total).toBe(0);
      expect(idsOf((await list({ search: `bob.${marker}`, tenant: marker, method: 'POST' })).items)).toEqual([
        ids.createB,
      ]);
      // The answer's body is searched too: the 409's message names the taken userName.
      expect(idsOf((await list({ search: 'uniqueness', tenant: marker })).items)).toContain(ids.conflict);
    });

    it('filters by time, since inclusive and until exclusive', async () => {
      const all = (await list({ tenant: marker })).items;
      const conflict = all.find((item) => item.id === ids.conflict)!;
      const since = await list({ tenant: marker, since: conflict.time });
      expect(idsOf(since.items)).toEqual(['groups', 'probe', 'missing', 'conflict'].map((n) => ids[n]));
      const until = await list({ tenant: marker, until: conflict.time });
      expect(idsOf(until.items)).toEqual([ids.createB, ids.createA]);
    });

    it('refuses bad filters', async () => {
      for (const query of [
        { status: '6xx' },
        { status: 'abc' },
        { method: 'GET;' },
        { hasError: 'yes' },
        { search: 'ab' },
        { since: 'yesterday' },
        { page: 0 },
        { pageSize: 1001 },
        { colour: 'red' },
      ]) {
        const res = await t.http.get('/api/admin/logs').query(query).set(admin());
        expect([JSON.stringify(query), res.status]).toEqual([JSON.stringify(query), 400]);
        expect(res.body).toMatchObject({ status: false, errors: [expect.objectContaining({ code: 'VALIDATION' })] });
      }
    });

    it('answers one request in full, and 404 for an unknown or malformed id', async () => {
      const res = await t.http.get(`/api/admin/logs/${ids.conflict}`).set(admin()).expect(200);
      expect(res.body).toMatchObject({
        id: ids.conflict,
        status: 409,
        tenantId: marker,
        identifier: `alice.${marker}@example.com`,
        errorMessage: expect.any(String),
        requestHeaders: expect.objectContaining({ authorization: `Bearer ${MASK}` }),
        requestBody: expect.stringContaining(`alice.${marker}`),
        requestBodyTruncated: false,
        responseHeaders: expect.any(Object),
        responseBody: expect.stringContaining('uniqueness'),
        responseBodyTruncated: false,
      });
      await t.http.get(`/api/admin/logs/${GUID()}`).set(admin()).expect(404);
      await t.http.get('/api/admin/logs/not-a-uuid').set(admin()).expect(404);
    });

    it('is for operators only', async () => {
      await t.http.get('/api/admin/logs').expect(401);
      await t.http.get('/api/admin/logs').set(scim()).expect(403);
      await t.http.get('/api/admin/logs/stats').set(api()).expect(401);
      await t.http.delete('/api/admin/logs').set(scim()).expect(403);
    });
  });

  it("finds a list answer by the userName or id of a resource on its page, not by the resources' other values", async () => {
    const marker = randomBytes(4).toString('hex');
    const userName = `listed.${marker}@example.com`;
    const created = await t.http
      .post('/scim/v2/Users')
      .set(scim())
      .set('x-request-id', `list-create-${marker}`)
      .send(scimUser(userName, { name: { givenName: `Given${marker}`, familyName: 'Listed' } }))
      .expect(201);
    const id = (created.body as { id: string }).id;
    await t.http
      .get('/scim/v2/Users')
      .query({ filter: `userName eq "${userName}"` })
      .set(scim())
      .set('x-request-id', `list-read-${marker}`)
      .expect(200);
    const search = async (term: string): Promise<(string | null)[]> => {
      await flush();
      const res = await t.http.get('/api/admin/logs').query({ search: term }).set(admin()).expect(200);
      return (res.body as { items: LogItem[] }).items.map((item) => item.correlationId).sort();
    };
    const both = [`list-create-${marker}`, `list-read-${marker}`];
    expect(await search(id)).toEqual(both);
    // The list's path holds the userName too: its answer is what is searched for the id above.
    expect(await search(userName)).toEqual(both);
    // The stored answer is whole (and redacted), but its search text is a summary.
    expect(await search(`given${marker}`)).toEqual([`list-create-${marker}`]);
    const [row] = await db.query<{ response_body: string }[]>(
      'SELECT response_body FROM request_logs WHERE correlation_id = $1',
      [`list-read-${marker}`],
    );
    expect(row.response_body).toContain(`Given${marker}`);
  });

  it('deletes before an instant or everything, and answers stats', async () => {
    await flush();
    const before = await t.http.get('/api/admin/logs/stats').set(admin()).expect(200);
    expect(before.body).toEqual({
      rows: expect.any(Number),
      rowsEstimated: false,
      buffered: expect.any(Number),
      dropped: 0,
      detailsOmitted: 0,
      oldest: expect.stringMatching(/^\d{4}-/),
    });
    expect(before.body.rows).toBeGreaterThan(10);

    await db.query(`UPDATE request_logs SET time = now() - interval '3 days' WHERE correlation_id = 'trace-oauth'`);
    const cutoff = new Date(Date.now() - 86_400_000).toISOString();
    const some = await t.http.delete('/api/admin/logs').query({ before: cutoff }).set(admin()).expect(200);
    expect(some.body).toEqual({ deleted: 1 });
    expect(await db.query(`SELECT id FROM request_logs WHERE correlation_id = 'trace-oauth'`)).toEqual([]);
    await t.http.delete('/api/admin/logs').query({ before: 'soon' }).set(admin()).expect(400);

    await flush();
    const [{ count }] = await db.query('SELECT count(*)::int AS count FROM request_logs');
    const all = await t.http.delete('/api/admin/logs').set(admin()).expect(200);
    expect(all.body.deleted).toBe(count);
    await flush();
    // Only the DELETE itself (and what came after it) remains.
    const after = await t.http.get('/api/admin/logs/stats').set(admin()).expect(200);
    expect(after.body.rows).toBeLessThanOrEqual(2);
    const health = await t.http.get('/health').expect(200);
    expect(health.body.requestLog).toEqual({ buffered: expect.any(Number), dropped: 0, detailsOmitted: 0 });
  });

  it('streams new requests as Server-Sent Events to an operator', async () => {
    const server = t.app.getHttpServer() as http.Server;
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const refused = await fetch(`${base}/api/admin/logs/stream`);
    expect(refused.status).toBe(401);

    const marker = `stream.${GUID()}@example.com`;
    const abort = new AbortController();
    const res = await fetch(`${base}/api/admin/logs/stream?search=${encodeURIComponent(marker)}`, {
      headers: admin(),
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let received = '';

    await t.http
      .post('/scim/v2/Users')
      .set(scim())
      .set('X-Request-Id', 'trace-stream')
      .send(scimUser(marker))
      .expect(201);
    const deadline = Date.now() + 15_000;
    while (!received.includes('event: log') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      received += decoder.decode(value, { stream: true });
    }
    abort.abort();
    await reader.cancel().catch(() => undefined);

    const event = /event: log\ndata: (.*)\n\n/.exec(received);
    expect(event).not.toBeNull();
    expect(JSON.parse(event![1])).toMatchObject({
      method: 'POST',
      path: '/scim/v2/Users',
      status: 201,
      identifier: marker,
      correlationId: 'trace-stream',
      admin: false,
    });
    expect(received.match(/event: log/g)).toHaveLength(1);

    // The stream ended when its client went away: its own row is written.
    const streamRow = async (): Promise<unknown[]> => {
      await flush();
      return db.query(`SELECT status FROM request_logs WHERE path LIKE '/api/admin/logs/stream?search=%' AND admin`);
    };
    for (let i = 0; i < 50 && (await streamRow()).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await streamRow()).toEqual([{ status: 200 }]);
  });
});

describe('request log under load, retention and shutdown', () => {
  it('drops (and counts) rows when the buffer is full, never failing a request', async () => {
    const t = await startTestApp({ REQUEST_LOG_BUFFER: '5' });
    try {
      const db = t.app.get(DataSource);
      const writer = t.app.get(RequestLogWriter);
      await writer.flush();
      // Hold the writer's INSERTs back: requests that touch no table still answer.
      const blocker = db.createQueryRunner();
      await blocker.connect();
      await blocker.startTransaction();
      await blocker.query('LOCK TABLE request_logs IN ACCESS EXCLUSIVE MODE');
      try {
        const answers = await Promise.all(Array.from({ length: 40 }, () => t.http.get('/api/not-here')));
        expect(answers.map((res) => res.status)).toEqual(Array(40).fill(404));
        expect(writer.stats.dropped).toBeGreaterThan(0);
        expect(writer.stats.buffered).toBeLessThanOrEqual(5);
      } finally {
        await blocker.rollbackTransaction();
        await blocker.release();
      }
      await writer.flush();
      const health = await t.http.get('/health').expect(200);
      expect(health.body.requestLog.dropped).toBeGreaterThan(0);
      const stats = await t.http
        .get('/api/admin/logs/stats')
        .set('Authorization', `Bearer ${t.secrets.adminToken}`)
        .expect(200);
      expect(stats.body.dropped).toBe(health.body.requestLog.dropped);
      expect(stats.body.rows).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
  });

  it('captures nothing with REQUEST_LOG=off', async () => {
    const t = await startTestApp({ REQUEST_LOG: 'off' });
    try {
      await t.http.get('/api/not-here').expect(404);
      await t.app.get(RequestLogWriter).flush();
      expect(await t.app.get(DataSource).query('SELECT id FROM request_logs')).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('keeps the log within its age and row count', async () => {
    const t = await startTestApp({ REQUEST_LOG_RETENTION_DAYS: '2', REQUEST_LOG_MAX_ROWS: '5' });
    try {
      const db = t.app.get(DataSource);
      const retention = t.app.get(RequestLogRetention);
      await retention.run(); // the start-up pass, if it is still running
      for (let i = 0; i < 3; i++) await t.http.get(`/api/old-${i}`).expect(404);
      await t.app.get(RequestLogWriter).flush();
      await db.query(`UPDATE request_logs SET time = now() - interval '3 days' WHERE path LIKE '/api/old-%'`);
      for (let i = 0; i < 8; i++) {
        await t.http.get(`/api/new-${i}`).expect(404);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await t.app.get(RequestLogWriter).flush();
      expect(await retention.enforce()).toEqual({ 'request log rows': 3 + 3 });
      const kept: { path: string }[] = await db.query('SELECT path FROM request_logs ORDER BY time DESC, id DESC');
      expect(kept.map((row) => row.path)).toEqual([4, 3, 2, 1, 0].map((i) => `/api/new-${i + 3}`));
    } finally {
      await t.close();
    }
  });

  it('writes every buffered row on shutdown, before the database closes, and ends open streams', async () => {
    const store = await createAppStore();
    try {
      const t = await startAppOn(store);
      const server = t.app.getHttpServer() as http.Server;
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as AddressInfo).port;

      const stream = await fetch(`http://127.0.0.1:${port}/api/admin/logs/stream`, {
        headers: { Authorization: `Bearer ${t.secrets.adminToken}` },
      });
      const reader = stream.body!.getReader();
      await reader.read();

      for (let i = 0; i < 3; i++) {
        await fetch(`http://127.0.0.1:${port}/api/before-close`, { headers: { 'X-Request-Id': `shutdown-${i}` } });
      }
      // A request still arriving while the app closes: it is answered (the server drains), and its
      // row can only be written by the writer's last flush, after the HTTP server has closed.
      const slow = http.request({
        port,
        host: '127.0.0.1',
        method: 'POST',
        path: '/api/in-flight',
        headers: { 'Content-Type': 'application/json', 'Content-Length': '13', 'X-Request-Id': 'shutdown-in-flight' },
      });
      const answered = new Promise<number>((resolve, reject) => {
        slow.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        slow.on('error', reject);
      });
      slow.write('{"a":');
      await new Promise((resolve) => setTimeout(resolve, 100));
      const closing = t.close();
      await new Promise((resolve) => setTimeout(resolve, 200));
      slow.end('"in-fl"}');
      expect(await answered).toBe(404);
      await closing;
      // The stream ended with the app.
      let done = false;
      while (!done) done = (await reader.read()).done;

      const again = await startAppOn(store);
      try {
        const rows: { correlation_id: string }[] = await again.app
          .get(DataSource)
          .query(
            `SELECT correlation_id FROM request_logs WHERE correlation_id LIKE 'shutdown-%' ORDER BY correlation_id`,
          );
        expect(rows.map((row) => row.correlation_id)).toEqual([
          'shutdown-0',
          'shutdown-1',
          'shutdown-2',
          'shutdown-in-flight',
        ]);
        const streamed = await again.app
          .get(DataSource)
          .query(`SELECT status FROM request_logs WHERE path = '/api/admin/logs/stream'`);
        expect(streamed).toEqual([{ status: 200 }]);
      } finally {
        await again.close();
      }
    } finally {
      await store.drop();
    }
  });
});
