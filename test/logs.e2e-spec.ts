import type { LogLevel } from '@nestjs/common';
import * as jwt from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { SERVER_KEY } from '../src/auth/server-key.provider';
import type { ServerKey } from '../src/auth/server-key';
import { JsonLogger, levelsFrom } from '../src/common/json-logger';
import { RequestLogWriter } from '../src/request-log/request-log.writer';
import { ProbeModule } from './support/probe.module';
import { oauthToken, randomSecret, startTestApp, TestApp } from './support/test-app';

const ORG = 'logs-org';
const base = '/api/provisioning/iam';

/** An app whose log lines (info and above) are kept, parsed, for the test to read. */
async function startLogged(env: Record<string, string>): Promise<{ t: TestApp; lines: Record<string, unknown>[] }> {
  const lines: Record<string, unknown>[] = [];
  const logger = new JsonLogger(levelsFrom('info'), (line: string, _level: LogLevel) => {
    lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  const t = await startTestApp({ RATE_LIMITS: 'off', ...env }, [ProbeModule], logger);
  return { t, lines };
}

async function eventually<T>(find: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`never saw ${what}`);
}

describe('log lines: correlation ids and job lines', () => {
  let t: TestApp;
  let lines: Record<string, unknown>[];

  beforeAll(async () => {
    ({ t, lines } = await startLogged({}));
  });
  afterAll(() => t.close());

  it("writes one line when a commit's job starts and one when it ends, with the commit's correlation id", async () => {
    const headers = { 'auth-tenant-id': 'default', 'auth-token': t.secrets.apiToken };
    const tx = (await t.http.post(`${base}/checkpoint`).set(headers).expect(200)).body.transactionId as string;
    await t.http
      .post(`${base}/${tx}/department`)
      .set(headers)
      .send([{ externalId: 'logs-dept', departmentName: 'Logs', active: true, parentExternalId: null }])
      .expect(200);
    await t.http
      .post(`${base}/${tx}/user`)
      .set(headers)
      .send([
        {
          firstName: 'Lena',
          lastName: 'Log',
          email: 'lena.log@example.com',
          externalId: 'logs-user',
          active: true,
          matchOnField: 'EXTERNAL_ID',
          userTypes: [{ departmentExternalId: 'logs-dept', userTypeId: '1' }],
        },
        // Not valid: recorded as a failed operation.
        { firstName: 'No', lastName: 'Email', externalId: 'logs-bad', active: true, matchOnField: 'EXTERNAL_ID' },
      ])
      .expect(200);
    const commit = await t.http
      .post(`${base}/${tx}/commit?wait=true`)
      .set(headers)
      .set('X-Request-Id', 'commit-trace-17')
      .expect(200);
    const jobId = commit.body.jobId as string;
    const ofJob = (outcome?: string) => (line: Record<string, unknown>) =>
      line.jobId === jobId && line.context === 'Jobs' && (outcome ? line.outcome === outcome : !('outcome' in line));

    const started = await eventually(() => lines.find(ofJob()), 'the start line');
    expect(started).toMatchObject({
      level: 'info',
      message: expect.stringContaining('started'),
      jobId,
      jobType: expect.any(String),
      tenantId: 'default',
      correlationId: 'commit-trace-17',
    });
    const ended = await eventually(() => lines.find(ofJob('completed')), 'the end line');
    expect(ended).toMatchObject({
      level: 'info',
      jobId,
      jobType: started.jobType,
      tenantId: 'default',
      correlationId: 'commit-trace-17',
      operationsTotal: commit.body.totalOperations,
      operationsApplied: commit.body.successfulOperations,
      operationsFailed: commit.body.failedOperations,
      durationMs: expect.any(Number),
    });
    expect(commit.body).toMatchObject({ totalOperations: 3, successfulOperations: 2, failedOperations: 1 });
    expect(lines.filter(ofJob())).toHaveLength(1);
  });

  it('puts the correlation id on the lines a request writes, and no request id on lines outside one', async () => {
    await t.http.get('/api/_probe/boom').set('X-Request-Id', 'boom-trace-1').expect(500);
    const line = await eventually(
      () => lines.find((l) => l.correlationId === 'boom-trace-1'),
      'a line of the failed request',
    );
    expect(line).toMatchObject({ level: 'error' });
    // The writer's flush may be triggered by a request; it is none of them.
    await t.app.get(RequestLogWriter).flush();
    const startup = lines.find((l) => String(l.message).startsWith('Nest application successfully started'));
    expect(startup).toBeDefined();
    expect(startup).not.toHaveProperty('correlationId');
  });

  it('keeps the route table out of the default level', () => {
    expect(lines.some((l) => String(l.message).startsWith('Mapped {'))).toBe(false);
    expect(lines.some((l) => l.context === 'InstanceLoader')).toBe(false);
  });
});

describe('request log: the real reason for each refusal, and the client address', () => {
  let t: TestApp;
  const partnerSecret = randomSecret('partner');
  const oauth = { id: 'logs-client', secret: randomSecret('oauth') };
  const admin = (): Record<string, string> => ({ Authorization: `Bearer ${t.secrets.adminToken}` });

  beforeAll(async () => {
    ({ t } = await startLogged({
      WRAPPER_SECRET_KEY: partnerSecret,
      WRAPPER_ORG_CODE: ORG,
      OAUTH_CLIENT_ID: oauth.id,
      OAUTH_CLIENT_SECRET: oauth.secret,
    }));
  });
  afterAll(() => t.close());

  /** The stored row of the request answered with this correlation id. */
  async function rowOf(correlationId: string): Promise<Record<string, unknown>> {
    await t.app.get(RequestLogWriter).flush();
    const page = await t.http
      .get('/api/admin/logs')
      .query({ search: correlationId, includeAdmin: true })
      .set(admin())
      .expect(200);
    const found = (page.body.items as Record<string, unknown>[]).filter((item) => item.correlationId === correlationId);
    expect(found).toHaveLength(1);
    return found[0];
  }

  /** What the caller sees, without what differs by request anyway (its id, its time). */
  function answer(res: Response): string {
    const headers = { ...res.headers };
    for (const name of ['x-request-id', 'date', 'etag', 'content-length']) delete headers[name];
    const body = res.text.replace(/"(correlationId|requestId|timestamp)":"[^"]*"/g, '"$1":""');
    return JSON.stringify({ status: res.status, headers, body });
  }

  /**
   * Sends each case and checks its row's reason; cases of one group must get byte-identical
   * answers: the reason is for the operator only.
   */
  async function expectReasons(
    cases: [reason: string, send: (id: string) => Promise<Response>][],
    sameAnswer: boolean,
  ): Promise<void> {
    const answers = new Set<string>();
    for (const [reason, send] of cases) {
      const id = `auth-${reason}-${randomUUID()}`;
      const res = await send(id);
      expect(res.status === 401 || res.status === 403).toBe(true);
      answers.add(answer(res));
      expect(await rowOf(id)).toMatchObject({ authFailure: reason });
    }
    if (sameAnswer) expect([...answers]).toHaveLength(1);
  }

  const serverSigned = (claims: object, options: jwt.SignOptions): string =>
    jwt.sign(claims, t.app.get<ServerKey>(SERVER_KEY).jwtSigningKey, {
      algorithm: 'HS256',
      issuer: 'identity-provisioning-hub',
      ...options,
    });

  async function issue(body: Record<string, unknown>): Promise<Record<string, string>> {
    return (await t.http.post('/api/admin/tenants/default/credentials').set(admin()).send(body).expect(201)).body;
  }

  it('SCIM: tells missing, malformed, unknown, forged, expired and revoked tokens apart; answers the token ones alike', async () => {
    const scim = (id: string, authorization?: string, path = '/scim/v2/Users') => {
      const req = t.http.get(path).set('X-Request-Id', id);
      return authorization === undefined ? req : req.set('Authorization', authorization);
    };
    const revoked = await issue({ kind: 'OAUTH_CLIENT', name: 'revoked later', clientId: 'logs-revoked' });
    const revokedToken = await oauthToken(t, 'logs-revoked', revoked.secret);
    await t.http.delete(`/api/admin/tenants/default/credentials/${revoked.id}`).set(admin()).expect(204);
    const claims = (cid: string) => ({ cid, tid: 'default', roles: ['SCIM'] });
    await expectReasons(
      [
        ['unknown_credential', (id) => scim(id, `Bearer ${randomSecret('not-a-secret')}`)],
        ['malformed_token', (id) => scim(id, 'Bearer aaaa.bbbb.cccc')],
        [
          'bad_signature',
          (id) => scim(id, `Bearer ${jwt.sign(claims(revoked.id), randomSecret('other-key'), { expiresIn: 60 })}`),
        ],
        ['token_expired', (id) => scim(id, `Bearer ${serverSigned(claims(revoked.id), { expiresIn: -60 })}`)],
        ['revoked_credential', (id) => scim(id, `Bearer ${revokedToken}`)],
      ],
      true,
    );
    await expectReasons(
      [
        ['missing_credentials', (id) => scim(id)],
        ['malformed_header', (id) => scim(id, `Basic ${Buffer.from('a:b').toString('base64')}`)],
        ['insufficient_role', (id) => scim(id, `Bearer ${t.secrets.adminToken}`)],
        ['wrong_tenant', (id) => scim(id, `Bearer ${t.secrets.scimSecret}`, '/scim/endpoints/elsewhere/Users')],
      ],
      false,
    );
  });

  it('provisioning API and jobs: missing, unknown, another tenant, a missing role', async () => {
    const reader = await issue({ kind: 'API_TOKEN', name: 'logs reader', roles: ['PROVISIONING_SEARCH'] });
    const checkpoint = (id: string, headers: Record<string, string>) =>
      t.http.post(`${base}/checkpoint`).set('X-Request-Id', id).set(headers);
    await expectReasons(
      [
        ['missing_credentials', (id) => checkpoint(id, { 'auth-tenant-id': 'default' })],
        ['unknown_credential', (id) => checkpoint(id, { 'auth-tenant-id': 'default', 'auth-token': 'idp_api_nope' })],
      ],
      true,
    );
    await expectReasons(
      [
        ['wrong_tenant', (id) => checkpoint(id, { 'auth-tenant-id': 'elsewhere', 'auth-token': t.secrets.apiToken })],
        ['insufficient_role', (id) => checkpoint(id, { 'auth-tenant-id': 'default', 'auth-token': reader.secret })],
        [
          'unknown_credential',
          (id) => t.http.get(`/api/user/job/${randomUUID()}`).set('X-Request-Id', id).set('Authorization', 'Bearer x'),
        ],
      ],
      false,
    );
  });

  it('admin API: unknown, forged and a credential without ADMIN', async () => {
    const adminCall = (id: string, authorization: string) =>
      t.http.get('/api/admin/tenants').set('X-Request-Id', id).set('Authorization', authorization);
    await expectReasons(
      [
        ['unknown_credential', (id) => adminCall(id, 'Bearer idp_admin_not-a-real-one')],
        [
          'bad_signature',
          (id) =>
            adminCall(
              id,
              `Bearer ${jwt.sign({ cid: randomUUID(), tid: 'default' }, 'x'.repeat(32), { expiresIn: 60 })}`,
            ),
        ],
      ],
      true,
    );
    await expectReasons([['insufficient_role', (id) => adminCall(id, `Bearer ${t.secrets.scimSecret}`)]], false);
  });

  it('partner sync: every refusal answers the same 403, each reason is recorded', async () => {
    const user = (orgCode: string) => ({
      externalId: 'logs-partner-1',
      email: 'partner@example.com',
      firstName: 'P',
      lastName: 'L',
      role: 'user',
      isActive: true,
      orgCode,
    });
    const sync = (id: string, token: string, orgCode = ORG) =>
      t.http
        .post('/api/admin/users/sync')
        .set('X-Request-Id', id)
        .set('Authorization', `Bearer ${token}`)
        .send({ mode: 'upsert', users: [user(orgCode)] });
    const sign = (claims: object, secret = partnerSecret, options: jwt.SignOptions = { expiresIn: 300 }) =>
      jwt.sign(claims, secret, { algorithm: 'HS256', ...options });
    const nowSeconds = Math.floor(Date.now() / 1000);
    await expectReasons(
      [
        ['malformed_token', (id) => sync(id, 'not-a-jwt')],
        ['unknown_org', (id) => sync(id, sign({ orgCode: 'nobody' }), 'nobody')],
        ['bad_signature', (id) => sync(id, sign({ orgCode: ORG }, randomSecret('wrong-partner-key')))],
        [
          'token_expired',
          (id) => sync(id, sign({ orgCode: ORG, iat: nowSeconds - 600, exp: nowSeconds - 60 }, partnerSecret, {})),
        ],
        ['invalid_claims', (id) => sync(id, sign({ orgCode: ORG }, partnerSecret, {}))],
        ['org_code_mismatch', (id) => sync(id, sign({ orgCode: ORG }), 'another-org')],
      ],
      true,
    );
    await expectReasons(
      [['missing_credentials', (id) => t.http.post('/api/admin/users/sync').set('X-Request-Id', id).send({})]],
      false,
    );
  });

  it('/oauth/token: no client, an unknown client and a wrong secret answer alike', async () => {
    const token = (id: string, body: Record<string, string>) =>
      t.http
        .post('/oauth/token')
        .set('X-Request-Id', id)
        .type('form')
        .send({ grant_type: 'client_credentials', ...body });
    await expectReasons(
      [
        ['missing_credentials', (id) => token(id, { client_id: oauth.id })],
        ['unknown_client', (id) => token(id, { client_id: 'nobody', client_secret: oauth.secret })],
        ['bad_client_secret', (id) => token(id, { client_id: oauth.id, client_secret: randomSecret('wrong') })],
      ],
      true,
    );
  });

  it('lists by reason, and records no reason for an accepted request', async () => {
    const id = `accepted-${randomUUID()}`;
    await t.http.get('/scim/v2/Users').set('X-Request-Id', id).set('Authorization', `Bearer ${t.secrets.scimSecret}`);
    expect(await rowOf(id)).toMatchObject({ authFailure: null });
    const page = await t.http
      .get('/api/admin/logs')
      .query({ authFailure: 'bad_client_secret' })
      .set(admin())
      .expect(200);
    expect(page.body.items.length).toBeGreaterThan(0);
    expect(page.body.items.every((item: { authFailure: string }) => item.authFailure === 'bad_client_secret')).toBe(
      true,
    );
    const any = await t.http.get('/api/admin/logs').query({ authFailure: 'any' }).set(admin()).expect(200);
    expect(any.body.items.every((item: { authFailure: string | null }) => item.authFailure !== null)).toBe(true);
    await t.http.get('/api/admin/logs').query({ authFailure: 'bored' }).set(admin()).expect(400);
  });

  it('records the socket address, ignoring X-Forwarded-For without TRUST_PROXY', async () => {
    const id = `address-${randomUUID()}`;
    await t.http.get('/scim/v2/Users').set('X-Request-Id', id).set('X-Forwarded-For', '198.51.100.23');
    const row = await rowOf(id);
    expect(row.clientAddress).toMatch(/^127\.0\.0\.1$|^::1$/);
    const detail = await t.http
      .get(`/api/admin/logs/${String(row.id)}`)
      .set(admin())
      .expect(200);
    expect(detail.body.clientAddress).toBe(row.clientAddress);
  });
});

describe('request log: the client address behind a trusted proxy', () => {
  let t: TestApp;
  beforeAll(async () => {
    ({ t } = await startLogged({ TRUST_PROXY: 'loopback' }));
  });
  afterAll(() => t.close());

  it("records X-Forwarded-For's client when the connection comes from a proxy TRUST_PROXY names", async () => {
    const id = `proxied-${randomUUID()}`;
    await t.http.get('/scim/v2/Users').set('X-Request-Id', id).set('X-Forwarded-For', '198.51.100.23');
    await t.app.get(RequestLogWriter).flush();
    const page = await t.http
      .get('/api/admin/logs')
      .query({ search: id })
      .set('Authorization', `Bearer ${t.secrets.adminToken}`)
      .expect(200);
    expect(page.body.items).toEqual([expect.objectContaining({ correlationId: id, clientAddress: '198.51.100.23' })]);
  });
});
