import * as jwt from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { UserNameNfc1795514000000 } from '../migrations/1795514000000-user-name-nfc';
import { MAX_JSON_DEPTH } from '../src/common/input-safety';
import { randomSecret, startTestApp, TestApp } from './support/test-app';

/** Malformed input at every door: a 4xx in that door's own envelope, never a 500, never a half-write. */
describe('hostile input', () => {
  let t: TestApp;
  let db: DataSource;
  let provisioning: Record<string, string>;
  const partnerSecret = randomSecret('wrapper');
  const base = '/api/provisioning/iam';
  const scim = (): Record<string, string> => ({
    Authorization: `Bearer ${t.secrets.scimSecret}`,
    'Content-Type': 'application/scim+json',
  });
  const admin = (): Record<string, string> => ({ Authorization: `Bearer ${t.secrets.adminToken}` });
  const partner = (): Record<string, string> => ({
    Authorization: `Bearer ${jwt.sign({ orgCode: 'test-org' }, partnerSecret, { algorithm: 'HS256', expiresIn: 300 })}`,
  });

  /** Sends a Buffer's bytes as they are (superagent would JSON-encode it). */
  const raw = (body: unknown): string => body as string;
  const nested = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);
  const deepUser = (levels: number): string =>
    `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"deep","x":${nested(levels - 1)}}`;
  const scimUser = (userName: string, extra: Record<string, unknown> = {}): string =>
    JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, ...extra });

  function expectScimError(body: unknown, status: number, scimType?: string): void {
    expect(body).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: String(status),
      ...(scimType ? { scimType } : {}),
    });
  }

  function expectEnvelope(body: unknown): void {
    expect(body).toMatchObject({ status: false, message: expect.any(String), error: expect.any(String) });
  }

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMITS: 'off', WRAPPER_SECRET_KEY: partnerSecret, WRAPPER_ORG_CODE: 'test-org' });
    db = t.app.get(DataSource);
    provisioning = { 'auth-tenant-id': 'default', 'auth-token': t.secrets.apiToken };
  });
  afterAll(() => t.close());

  describe(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`, () => {
    const deep = nested(10_000);

    it('is a 400 invalidSyntax on SCIM, before anything is parsed', async () => {
      const res = await t.http.post('/scim/v2/Users').set(scim()).send(deepUser(10_000)).expect(400);
      expectScimError(res.body, 400, 'invalidSyntax');
      expect(res.body.detail).toContain(`${MAX_JSON_DEPTH} levels`);
      const put = await t.http.put('/scim/v2/Groups/x').set(scim()).send(deep).expect(400);
      expectScimError(put.body, 400, 'invalidSyntax');
    });

    it('is refused at one level past the limit, and accepted at the limit', async () => {
      const over = await t.http
        .post('/scim/v2/Users')
        .set(scim())
        .send(deepUser(MAX_JSON_DEPTH + 1));
      expect(over.status).toBe(400);
      expectScimError(over.body, 400, 'invalidSyntax');
      const at = await t.http.post('/scim/v2/Users').set(scim()).send(deepUser(MAX_JSON_DEPTH));
      expect(at.status).toBe(201);
    });

    it('is a 400 in the envelope of every other door', async () => {
      const tenants = await t.http.post('/api/admin/tenants').set(admin()).type('json').send(deep).expect(400);
      expectEnvelope(tenants.body);
      const tx = await checkpoint();
      const queued = await t.http.post(`${base}/${tx}/user`).set(provisioning).type('json').send(deep).expect(400);
      expectEnvelope(queued.body);
      const sync = await t.http.post('/api/admin/users/sync').set(partner()).type('json').send(deep).expect(400);
      expect(sync.body).toEqual({ success: false, error: expect.stringContaining('levels') });
      const token = await t.http.post('/oauth/token').type('json').send(deep).expect(400);
      expect(token.body).toEqual({ error: 'invalid_request', error_description: expect.stringContaining('levels') });
    });
  });

  describe('bytes that are not UTF-8', () => {
    it('in a JSON body: 400, not U+FFFD', async () => {
      const body = Buffer.concat([Buffer.from(scimUser('bad-').slice(0, -2)), Buffer.from([0xff, 0x22, 0x7d])]);
      const res = await t.http.post('/scim/v2/Users').set(scim()).serialize(raw).send(body).expect(400);
      expectScimError(res.body, 400, 'invalidSyntax');
      expect(res.body.detail).toBe('Request body is not valid UTF-8');
      const surrogate = Buffer.from('{"id":"t1","name":"\xed\xa0\x80"}', 'latin1');
      const tenant = await t.http
        .post('/api/admin/tenants')
        .set(admin())
        .type('json')
        .serialize(raw)
        .send(surrogate)
        .expect(400);
      expectEnvelope(tenant.body);
      expect(tenant.body.error).toContain('UTF-8');
    });

    it('in a form body, raw or percent-encoded', async () => {
      const encoded = await t.http
        .post('/oauth/token')
        .type('form')
        .send('grant_type=client_credentials&client_id=%ff&client_secret=x')
        .expect(400);
      expect(encoded.body).toEqual({ error: 'invalid_request', error_description: expect.stringContaining('UTF-8') });
    });

    it('in a path, a query string or a header', async () => {
      const path = await t.http.get('/scim/v2/Users/%ff').set(scim()).expect(400);
      expectScimError(path.body, 400, 'invalidSyntax');
      const surrogate = await t.http.get('/scim/v2/Users?filter=userName%20eq%20%22%ED%A0%80%22').set(scim());
      expect(surrogate.status).toBe(400);
      expectScimError(surrogate.body, 400);
      const header = await t.http.get(`${base}/transactions`).set(provisioning).set('X-Note', '\xff\xfe').expect(400);
      expectEnvelope(header.body);
      // Valid UTF-8 in a header is fine.
      await t.http
        .get(`${base}/transactions`)
        .set(provisioning)
        .set('X-Note', Buffer.from('Amélie').toString('latin1'))
        .expect(200);
    });
  });

  describe('NUL and unpaired surrogates', () => {
    it('in a query parameter or a path: 400 on every door', async () => {
      const reads = await t.http.get(`${base}/user?createdBy=a%00b`).set(provisioning).expect(400);
      expectEnvelope(reads.body);
      expect(reads.body.error).toContain('NUL');
      const logs = await t.http.get('/api/admin/logs?search=%00').set(admin()).expect(400);
      expectEnvelope(logs.body);
      const job = await t.http.get('/api/user/job/a%00b').set(provisioning).expect(400);
      expectEnvelope(job.body);
      const user = await t.http.get('/scim/v2/Users/a%00').set(scim()).expect(400);
      expectScimError(user.body, 400, 'invalidValue');
    });

    it('in a SCIM body, escaped or not, in a key or a value: 400 invalidValue', async () => {
      for (const body of [
        scimUser('nul\u0000name'),
        scimUser('ok', { 'x\u0000': 1 }),
        '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"\\ud800"}',
        '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","title":"\\udc00x"}',
      ]) {
        const res = await t.http.post('/scim/v2/Users').set(scim()).send(body);
        expect(res.status).toBe(400);
        expectScimError(res.body, 400, 'invalidValue');
      }
      const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM users WHERE user_name IN ('ok', 'a')`);
      expect(count).toBe(0);
    });

    it('in admin, partner and oauth bodies: 400 in their envelopes', async () => {
      const tenant = await t.http
        .post('/api/admin/tenants')
        .set(admin())
        .send({ id: 'nul-tenant', name: 'a\u0000b' })
        .expect(400);
      expectEnvelope(tenant.body);
      expect(tenant.body.error).toContain("'name'");
      const sync = await t.http
        .post('/api/admin/users/sync')
        .set(partner())
        .send({
          mode: 'upsert',
          users: [{ externalId: 'p\u0000', email: 'p@example.com', orgCode: 'test-org' }],
        })
        .expect(400);
      expect(sync.body).toEqual({ success: false, error: expect.stringContaining('users.0.externalId') });
      const token = await t.http
        .post('/oauth/token')
        .type('json')
        .send('{"grant_type":"client_credentials","client_id":"\\ud800","client_secret":"x"}')
        .expect(400);
      expect(token.body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
      const form = await t.http
        .post('/oauth/token')
        .type('form')
        .send('grant_type=client_credentials&client_id=a%00&client_secret=x')
        .expect(400);
      expect(form.body.error).toBe('invalid_request');
    });
  });

  describe('a queue request mixing bad items with valid ones', () => {
    it('fails the bad items alone, queues the valid ones, and commits them', async () => {
      const tx = await checkpoint();
      const departments = await t.http
        .post(`${base}/${tx}/department`)
        .set(provisioning)
        .send([
          { externalId: 'hi-dept-1', departmentName: 'One', parentExternalId: null },
          { externalId: 'hi-nul\u0000', departmentName: 'Nul' },
          { externalId: 'x'.repeat(256), departmentName: 'Long' },
          { externalId: 'hi-dept-bidi', departmentName: 'evil\u202etxt' },
          { externalId: 'hi-dept-2', departmentName: 'Two', parentExternalId: 'hi-dept-1' },
        ])
        .expect(200);
      expect(departments.body.operationsQueued).toBe(2);
      expect(departments.body.operations.map((op: { status: boolean }) => op.status)).toEqual([
        true,
        false,
        false,
        false,
        true,
      ]);
      const [, nul, long, bidi] = departments.body.operations as { message: string }[];
      expect(nul.message).toMatch(/externalId.*NUL/);
      expect(long.message).toMatch(/externalId.*255 characters/);
      expect(bidi.message).toMatch(/departmentName.*bidirectional/);

      const users = await t.http
        .post(`${base}/user/sync/${tx}`)
        .set(provisioning)
        .send([
          { externalId: 'hi-user-1', email: 'hi-user-1@example.com', firstName: 'Ok' },
          { externalId: 'hi-user-2', email: 'hi-user-2@example.com', firstName: 'bad\ud800' },
          { externalId: 'hi-user-3', email: 'hi-user-3@example.com', lastName: 'y'.repeat(300) },
          { externalId: 'hi-user-4', email: 'ctl\u0007@example.com' },
        ])
        .expect(200);
      expect(users.body.operations.map((op: { status: boolean }) => op.status)).toEqual([true, false, false, false]);
      expect(users.body.operations[1].message).toMatch(/firstName/);
      expect(users.body.operations[2].message).toMatch(/lastName.*255 characters/);
      expect(users.body.operations[3].message).toMatch(/email/);

      const commit = await t.http.post(`${base}/${tx}/commit?wait=true`).set(provisioning).expect(200);
      expect(commit.body).toMatchObject({ totalOperations: 9, successfulOperations: 3, failedOperations: 6 });
      const status = await t.http.get(`${base}/transaction/${tx}/status`).set(provisioning).expect(200);
      expect(status.body.failures).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ errorType: 'DATA_FORMAT' }),
          expect.objectContaining({ errorType: 'VALIDATION' }),
        ]),
      );
      const stored = await db.query(
        `SELECT external_id FROM departments WHERE external_id LIKE 'hi-%' UNION ALL
         SELECT external_id FROM users WHERE external_id LIKE 'hi-%' ORDER BY 1`,
      );
      expect(stored.map((row: { external_id: string }) => row.external_id)).toEqual([
        'hi-dept-1',
        'hi-dept-2',
        'hi-user-1',
      ]);
    });

    it('does the same in direct mode', async () => {
      const res = await t.http
        .post(`${base}/user`)
        .set(provisioning)
        .send([
          { externalId: 'hi-direct-1', email: 'hi-direct-1@example.com' },
          { externalId: 'hi-direct-2\u0000', email: 'hi-direct-2@example.com' },
        ]);
      expect(res.status).toBeLessThan(500);
      const [{ count }] = await db.query(
        `SELECT count(*)::int AS count FROM users WHERE external_id LIKE 'hi-direct-%'`,
      );
      expect(count).toBe(1);
      expect(JSON.stringify(res.body)).toContain('NUL');
    });
  });

  describe('identifiers', () => {
    it('SCIM refuses overlong values and invisible characters, naming the field', async () => {
      const long = await t.http
        .post('/scim/v2/Users')
        .set(scim())
        .send(scimUser('u'.repeat(321)))
        .expect(400);
      expectScimError(long.body, 400, 'invalidValue');
      expect(long.body.detail).toContain('userName must be at most 320 characters');
      const externalId = await t.http
        .post('/scim/v2/Users')
        .set(scim())
        .send(scimUser('long-external', { externalId: 'e'.repeat(256) }))
        .expect(400);
      expect(externalId.body.detail).toContain('externalId');
      for (const userName of ['rlo\u202eexe.txt', 'tab\there', 'c1\u0085', 'del\u007f', 'lri\u2066x']) {
        const res = await t.http.post('/scim/v2/Users').set(scim()).send(scimUser(userName));
        expect(res.status).toBe(400);
        expectScimError(res.body, 400, 'invalidValue');
        expect(res.body.detail).toContain('userName');
      }
      const group = await t.http
        .post('/scim/v2/Groups')
        .set(scim())
        .send(JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Sales\u200f' }))
        .expect(400);
      expect(group.body.detail).toContain('displayName');
    });

    it('userName is one user in NFC and NFD (409 uniqueness), stored in NFC and found by either', async () => {
      const created = await t.http.post('/scim/v2/Users').set(scim()).send(scimUser('Ame\u0301lie')).expect(201);
      expect(created.body.userName).toBe('Amélie');
      const twin = await t.http.post('/scim/v2/Users').set(scim()).send(scimUser('amélie')).expect(409);
      expectScimError(twin.body, 409, 'uniqueness');
      const found = await t.http
        .get(`/scim/v2/Users?filter=${encodeURIComponent('userName eq "AME\u0301LIE"')}`)
        .set(scim())
        .expect(200);
      expect(found.body.Resources.map((user: { id: string }) => user.id)).toEqual([created.body.id]);
    });

    it('the upgrade normalises stored NFD userNames, except where the NFC form is taken', async () => {
      const insert = (userName: string) =>
        db.query(
          `INSERT INTO users (tenant_id, user_name, created_by, changed_by) VALUES ('default', $1, 'scim', 'scim')`,
          [userName],
        );
      await insert('Zoe\u0308');
      await insert('Jose\u0301');
      await insert('josé');
      const runner = db.createQueryRunner();
      try {
        await new UserNameNfc1795514000000().up(runner);
      } finally {
        await runner.release();
      }
      const rows: { user_name: string }[] = await db.query(
        `SELECT user_name FROM users WHERE lower(user_name) LIKE 'zo%' OR lower(user_name) LIKE 'jos%'`,
      );
      expect(rows.map((row) => row.user_name).sort()).toEqual(['Jose\u0301', 'Zoë', 'josé']);
    });

    it('partner sync and the admin API refuse them too', async () => {
      const sync = await t.http
        .post('/api/admin/users/sync')
        .set(partner())
        .send({
          mode: 'upsert',
          users: [{ externalId: 'p-\u202e', email: 'p-bidi@example.com', orgCode: 'test-org' }],
        });
      expect(sync.status).toBeLessThan(500);
      expect(JSON.stringify(sync.body)).toContain('externalId');
      const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM users WHERE email = 'p-bidi@example.com'`);
      expect(count).toBe(0);

      const tenant = await t.http
        .post('/api/admin/tenants')
        .set(admin())
        .send({ id: 'bidi', name: 'Acme\u202e' })
        .expect(400);
      expectEnvelope(tenant.body);
      expect(tenant.body.errors[0].field).toEqual(['name']);
      const orgCode = await t.http
        .post('/api/admin/tenants')
        .set(admin())
        .send({ id: 'ctl', name: 'Ctl', orgCode: 'org\u0001' })
        .expect(400);
      expect(orgCode.body.errors[0].field).toEqual(['orgCode']);
      const userType = await t.http
        .post('/api/admin/tenants/default/user-types')
        .set(admin())
        .send({ id: 'ut', name: 'Manager\u200e' })
        .expect(400);
      expectEnvelope(userType.body);
    });
  });

  async function checkpoint(): Promise<string> {
    const res = await t.http.post(`${base}/checkpoint`).set(provisioning).expect(200);
    return res.body.transactionId as string;
  }
});
