import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as jwt from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import type { NewRequestLog } from '../src/request-log/capture';
import { RequestLogWriter } from '../src/request-log/request-log.writer';
import { randomSecret, startTestApp, TestApp } from './support/test-app';

const MASK = '[REDACTED]';
const DEPTH = 10_000;

interface LogDetail {
  id: string;
  method: string;
  path: string;
  status: number;
  tenantId: string | null;
  credentialId: string | null;
  identifier: string | null;
  errorMessage: string | null;
  requestHeaders: Record<string, string>;
  requestBody: string | null;
  responseBody: string | null;
  detailsOmitted: boolean;
}

/**
 * Whatever a client sends, its request leaves exactly one request-log row, and no secret in it:
 * NUL and lone surrogates anywhere, bodies nested 10,000 deep, bytes that are not UTF-8, and the
 * doors whose requests carry credentials in their bodies (OAuth, partner sync).
 */
describe('request log under hostile input', () => {
  let t: TestApp;
  let db: DataSource;
  const partnerSecret = randomSecret('partner');
  const oauthSecret = randomSecret('oauth');
  const admin = (): Record<string, string> => ({ Authorization: `Bearer ${t.secrets.adminToken}` });
  const scim = (): Record<string, string> => ({ Authorization: `Bearer ${t.secrets.scimSecret}` });
  const api = (): Record<string, string> => ({ 'auth-tenant-id': 'default', 'auth-token': t.secrets.apiToken });
  const trace = (): string => `hostile-${randomUUID()}`;

  /** The one row of the request sent with this X-Request-Id, read through the admin API. */
  async function onlyRow(correlationId: string, answered: { status: number }): Promise<LogDetail> {
    await t.app.get(RequestLogWriter).flush();
    const rows: { id: string }[] = await db.query('SELECT id FROM request_logs WHERE correlation_id = $1', [
      correlationId,
    ]);
    expect(rows).toHaveLength(1);
    const res = await t.http.get(`/api/admin/logs/${rows[0].id}`).set(admin()).expect(200);
    const log = res.body as LogDetail;
    expect(log.status).toBe(answered.status);
    return log;
  }

  /** Neither the API nor the table holds any of these values. */
  async function holdsNoSecret(log: LogDetail, secrets: string[]): Promise<void> {
    const [stored]: { text: string }[] = await db.query(
      'SELECT row_to_json(r)::text AS text FROM request_logs r WHERE id = $1',
      [log.id],
    );
    for (const secret of secrets) {
      expect(JSON.stringify(log)).not.toContain(secret);
      expect(stored.text).not.toContain(secret);
    }
  }

  beforeAll(async () => {
    t = await startTestApp({
      WRAPPER_SECRET_KEY: partnerSecret,
      WRAPPER_ORG_CODE: 'hostile-org',
      OAUTH_CLIENT_ID: 'hostile-client',
      OAUTH_CLIENT_SECRET: oauthSecret,
      REQUEST_LOG_BODY_LIMIT: '4kb',
    });
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  describe('NUL', () => {
    it('in a JSON body, escaped or raw', async () => {
      const escaped = trace();
      const res = await t.http
        .post('/scim/v2/Users')
        .set(scim())
        .set('X-Request-Id', escaped)
        .set('Content-Type', 'application/scim+json')
        .send('{"userName":"nul\\u0000user@example.com","password":"nul-secret-1"}');
      const log = await onlyRow(escaped, res);
      expect(log.requestBody).toContain('nul\\u0000user@example.com');
      expect(log.identifier).toBe('nul\uFFFDuser@example.com');
      await holdsNoSecret(log, ['nul-secret-1', t.secrets.scimSecret]);

      const raw = trace();
      const refused = await t.http
        .post('/scim/v2/Users')
        .set(scim())
        .set('X-Request-Id', raw)
        .set('Content-Type', 'application/scim+json')
        // As sent: superagent would serialise a Buffer as JSON.
        .serialize((body: unknown) => body as string)
        .send(Buffer.from('{"userName":"raw\u0000nul@example.com","password":"nul-secret-2"}'));
      expect(refused.status).toBe(400);
      const rawLog = await onlyRow(raw, refused);
      expect(rawLog.requestBody).toContain('raw\uFFFDnul@example.com');
      await holdsNoSecret(rawLog, ['nul-secret-2']);
    });

    it('in a form body', async () => {
      const id = trace();
      const res = await t.http
        .post('/oauth/token')
        .set('X-Request-Id', id)
        .type('form')
        .send(`grant_type=client_credentials&client_id=a%00b&client_secret=${oauthSecret}%00`);
      const log = await onlyRow(id, res);
      await holdsNoSecret(log, [oauthSecret]);
    });

    it('in the path and the query string, on every door', async () => {
      const cases: [string, Record<string, string>][] = [
        ['/api/nowhere%00x?q=a%00b', {}],
        ['/scim/v2/Users?filter=userName%20eq%20%22a%00b%22', scim()],
        ['/scim/v2/Users/a%00b', scim()],
        ['/api/provisioning/iam/user?createdBy=a%00b', api()],
        ['/api/admin/logs?search=a%00b&path=%00&tenant=%00', admin()],
      ];
      for (const [url, headers] of cases) {
        const id = trace();
        const res = await t.http.get(url).set(headers).set('X-Request-Id', id);
        const log = await onlyRow(id, res);
        expect(log.path).toBe(url);
      }
    });
  });

  describe('refused before any route', () => {
    it('by the router: the root, a path that does not decode', async () => {
      for (const url of ['/', '/%', '/scim/v2/Users/%E0%A4%A']) {
        const id = trace();
        const res = await t.http.get(url).set(scim()).set('X-Request-Id', id);
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.headers['x-request-id']).toBe(id);
        const log = await onlyRow(id, res);
        expect(log.path).toBe(url);
      }
    });

    it("by Node's HTTP parser: a raw NUL or control character in the request line or a header", async () => {
      const server = t.app.getHttpServer() as Server;
      if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const send = (raw: string): Promise<string> =>
        new Promise((resolve, reject) => {
          let answer = '';
          const socket = net.connect(port, '127.0.0.1', () => socket.write(raw));
          socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
          socket.on('end', () => resolve(answer));
          socket.on('error', reject);
        });
      const marks = [randomUUID(), randomUUID()];
      const requests = [
        `GET /api/raw-${marks[0]}\u0000x?access_token=raw-secret-1 HTTP/1.1\r\nHost: a\r\n\r\n`,
        `POST /scim/v2/Users/raw-${marks[1]} HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer raw-secret-2\r\nX-Bad: a\u0001b\r\n\r\n`,
      ];
      for (const raw of requests) expect(await send(raw)).toMatch(/^HTTP\/1\.1 400 /);
      await t.app.get(RequestLogWriter).flush();
      for (const mark of marks) {
        const rows: { id: string; path: string; status: number; text: string }[] = await db.query(
          `SELECT id, path, status, row_to_json(r)::text AS text FROM request_logs r WHERE path LIKE $1`,
          [`%raw-${mark}%`],
        );
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ status: 400 });
        expect(rows[0].text).not.toMatch(/raw-secret/);
      }
    });
  });

  describe('deep nesting', () => {
    const objects = `${'{"a":'.repeat(DEPTH)}"bottom"${'}'.repeat(DEPTH)}`;
    const arrays = `${'['.repeat(DEPTH)}"bottom"${']'.repeat(DEPTH)}`;

    it.each([
      ['SCIM, objects', '/scim/v2/Users', objects],
      ['SCIM, arrays', '/scim/v2/Users', arrays],
      ['SCIM, cut short', '/scim/v2/Users', objects.slice(0, DEPTH * 3)],
      ['SCIM, under a password', '/scim/v2/Users', `{"userName":"deep@example.com","password":${objects}}`],
      ['provisioning', '/api/provisioning/iam/user', `[${objects}]`],
      ['admin', '/api/admin/tenants', objects],
    ])('%s: 10,000 levels', async (_name, url, body) => {
      const id = trace();
      const headers = url.startsWith('/scim') ? scim() : url.startsWith('/api/admin') ? admin() : api();
      const res = await t.http
        .post(url)
        .set(headers)
        .set('X-Request-Id', id)
        .set('Content-Type', 'application/json')
        .send(body);
      const log = await onlyRow(id, res);
      expect(log.requestBody?.length).toBeGreaterThan(0);
      if (body.includes('password')) {
        // The stored prefix ends inside the masked value: the mask covers it to the end.
        expect(log.requestBody).toBe(`{"userName":"deep@example.com","password":"${MASK}"`);
      }
    });
  });

  describe('text that is not Unicode', () => {
    it('a lone surrogate, escaped in JSON', async () => {
      const id = trace();
      const res = await t.http
        .post('/scim/v2/Users')
        .set(scim())
        .set('X-Request-Id', id)
        .set('Content-Type', 'application/scim+json')
        .send('{"userName":"lone\\ud800@example.com","displayName":"\\udc00"}');
      const log = await onlyRow(id, res);
      expect(log.identifier).toBe('lone\uFFFD@example.com');
    });

    it('a surrogate or invalid bytes in UTF-8 (CESU-8, 0xFF)', async () => {
      for (const bytes of [
        Buffer.from([...Buffer.from('{"userName":"cesu'), 0xed, 0xa0, 0x80, ...Buffer.from('@example.com"}')]),
        Buffer.from([...Buffer.from('{"userName":"ff'), 0xff, 0xfe, ...Buffer.from('@example.com"}')]),
      ]) {
        const id = trace();
        const res = await t.http
          .post('/scim/v2/Users')
          .set(scim())
          .set('X-Request-Id', id)
          .set('Content-Type', 'application/scim+json')
          .serialize((body: unknown) => body as string)
          .send(bytes);
        const log = await onlyRow(id, res);
        expect(log.requestBody).toContain('\uFFFD@example.com');
      }
    });
  });

  describe('doors with credentials in the request', () => {
    it('an OAuth token exchange, form, JSON or Basic: one row each, under the client, no secret', async () => {
      const sends = [
        (id: string) =>
          t.http
            .post('/oauth/token')
            .set('X-Request-Id', id)
            .type('form')
            .send({ grant_type: 'client_credentials', client_id: 'hostile-client', client_secret: oauthSecret }),
        (id: string) =>
          t.http
            .post('/oauth/token')
            .set('X-Request-Id', id)
            .send({ grant_type: 'client_credentials', client_id: 'hostile-client', client_secret: oauthSecret }),
        (id: string) =>
          t.http
            .post('/oauth/token')
            .set('X-Request-Id', id)
            .auth('hostile-client', oauthSecret)
            .type('form')
            .send({ grant_type: 'client_credentials' }),
      ];
      const client = await t.http.get('/api/admin/tenants/default/credentials').set(admin()).expect(200);
      const credentialId = (client.body.items as { id: string; kind: string; name?: string }[]).find(
        (item) => item.kind === 'OAUTH_CLIENT',
      )?.id;
      for (const send of sends) {
        const id = trace();
        const res = await send(id).expect(200);
        const token = (res.body as { access_token: string }).access_token;
        const log = await onlyRow(id, res);
        expect(log).toMatchObject({ path: '/oauth/token', tenantId: 'default', credentialId, errorMessage: null });
        await holdsNoSecret(log, [
          oauthSecret,
          token,
          token.split('.')[2],
          Buffer.from(oauthSecret).toString('base64'),
        ]);
      }

      const wrong = trace();
      const refused = await t.http
        .post('/oauth/token')
        .set('X-Request-Id', wrong)
        .send({ grant_type: 'client_credentials', client_id: 'hostile-client', client_secret: 'wrong-secret-123' })
        .expect(401);
      const refusedLog = await onlyRow(wrong, refused);
      expect(refusedLog.tenantId).toBeNull();
      await holdsNoSecret(refusedLog, ['wrong-secret-123']);
    });

    it('a partner sync: one row under the partner credential, no JWT', async () => {
      const token = jwt.sign({ orgCode: 'hostile-org' }, partnerSecret, { algorithm: 'HS256', expiresIn: 300 });
      const id = trace();
      const res = await t.http
        .post('/api/admin/users/sync')
        .set('Authorization', `Bearer ${token}`)
        .set('X-Request-Id', id)
        .send({
          mode: 'upsert',
          users: [
            {
              email: `partner.${randomUUID()}@example.com`,
              firstName: 'P',
              lastName: 'S',
              externalId: randomUUID(),
              orgCode: 'hostile-org',
              isActive: true,
            },
          ],
        })
        .expect(200);
      const log = await onlyRow(id, res);
      expect(log).toMatchObject({
        tenantId: 'default',
        requestHeaders: expect.objectContaining({ authorization: `Bearer ${MASK}` }),
      });
      await holdsNoSecret(log, [token, token.split('.')[2], partnerSecret]);
    });
  });

  it('writes a row PostgreSQL refuses without its bodies, or bare, marked and counted', async () => {
    const writer = t.app.get(RequestLogWriter);
    const before = writer.stats.detailsOmitted;
    const row = (correlationId: string, overrides: Partial<NewRequestLog>): NewRequestLog => ({
      time: new Date(),
      method: 'POST',
      path: '/refused',
      status: 200,
      durationMs: 1,
      tenantId: null,
      credentialId: null,
      correlationId,
      identifier: 'who',
      errorMessage: null,
      authFailure: null,
      clientAddress: null,
      admin: false,
      keepalive: false,
      requestHeaders: {},
      requestBody: null,
      requestBodyTruncated: false,
      responseHeaders: {},
      responseBody: null,
      responseBodyTruncated: false,
      detailsOmitted: false,
      searchText: '/refused',
      ...overrides,
    });
    // What toLogRow never builds, as a row from a future bug would: the database's refusal is the test.
    const bodies = trace();
    const headers = trace();
    const fine = trace();
    writer.add(row(bodies, { requestBody: 'a\u0000b' }));
    writer.add(row(headers, { requestHeaders: { 'x-nul': 'a\u0000b' }, identifier: 'c\u0000d' }));
    writer.add(row(fine, {}));
    await writer.flush();
    const read = async (id: string): Promise<LogDetail> => {
      const [{ id: rowId }]: { id: string }[] = await db.query(
        'SELECT id FROM request_logs WHERE correlation_id = $1',
        [id],
      );
      return (await t.http.get(`/api/admin/logs/${rowId}`).set(admin()).expect(200)).body as LogDetail;
    };
    expect(await read(bodies)).toMatchObject({ requestBody: null, identifier: 'who', detailsOmitted: true });
    expect(await read(headers)).toMatchObject({ requestHeaders: {}, identifier: null, detailsOmitted: true });
    expect(await read(fine)).toMatchObject({ detailsOmitted: false });
    expect(writer.stats.detailsOmitted).toBe(before + 2);
    const health = await t.http.get('/health').expect(200);
    expect(health.body.requestLog).toMatchObject({ detailsOmitted: before + 2 });
  });
});
