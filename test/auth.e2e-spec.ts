import * as jwt from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { ServerKey } from '../src/auth/server-key';
import { ProbeModule } from './support/probe.module';
import { oauthToken, randomSecret, startTestApp, TestApp } from './support/test-app';

const PROVISIONING_401 = { status: false, message: 'Authentication failed', error: 'Invalid or missing auth-token' };
const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

describe('credentials and guards', () => {
  let t: TestApp;
  const oauth = { id: 'entra-connector', secret: randomSecret('oauth') };
  const admin = (): Record<string, string> => ({ Authorization: `Bearer ${t.secrets.adminToken}` });
  const api = (token: string, tenant = 'default'): Record<string, string> => ({
    'auth-tenant-id': tenant,
    'auth-token': token,
  });
  const bearer = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });

  async function issue(
    tenantId: string,
    body: Record<string, unknown>,
  ): Promise<{ id: string; secret: string; clientId: string | null }> {
    const res = await t.http.post(`/api/admin/tenants/${tenantId}/credentials`).set(admin()).send(body).expect(201);
    return res.body;
  }

  /** Signs like the service does, so only the property under test differs. */
  function forge(claims: Record<string, unknown>, options: jwt.SignOptions = {}, key?: Buffer | string): string {
    const signingKey = key ?? new ServerKey(t.secrets.jwtSecret).jwtSigningKey;
    const expiry = 'exp' in claims ? {} : { expiresIn: 3600 };
    return jwt.sign(claims, signingKey, {
      algorithm: 'HS256',
      issuer: 'identity-provisioning-hub',
      ...expiry,
      ...options,
    });
  }

  beforeAll(async () => {
    t = await startTestApp({ OAUTH_CLIENT_ID: oauth.id, OAUTH_CLIENT_SECRET: oauth.secret }, [ProbeModule]);
    await t.http.post('/api/admin/tenants').set(admin()).send({ id: 'other', name: 'Other Ltd' }).expect(201);
  });
  afterAll(() => t.close());

  describe('provisioning API token (auth-tenant-id + auth-token)', () => {
    it('lets an UPDATE token write and read (UPDATE implies SEARCH)', async () => {
      await t.http
        .post('/api/provisioning/iam/_probe')
        .set(api(t.secrets.apiToken))
        .expect(201, { tenantId: 'default', kind: 'API_TOKEN', via: 'secret' });
      await t.http.get('/api/provisioning/iam/_probe').set(api(t.secrets.apiToken)).expect(200);
    });

    it('answers 401 with the contract body for missing headers and a wrong secret', async () => {
      for (const headers of [
        {},
        { 'auth-tenant-id': 'default' },
        { 'auth-token': t.secrets.apiToken },
        api('not-the-token'),
      ]) {
        const res = await t.http.get('/api/provisioning/iam/_probe').set(headers).expect(401);
        expect(res.body).toMatchObject(PROVISIONING_401);
      }
    });

    it('answers 403 naming the role a SEARCH-only token lacks', async () => {
      const reader = await issue('default', { kind: 'API_TOKEN', name: 'reader', roles: ['PROVISIONING_SEARCH'] });
      await t.http.get('/api/provisioning/iam/_probe').set(api(reader.secret)).expect(200);
      const res = await t.http.post('/api/provisioning/iam/_probe').set(api(reader.secret)).expect(403);
      expect(res.body).toMatchObject({
        status: false,
        message: 'Access denied',
        error: 'Missing required role: PROVISIONING_UPDATE',
      });
    });

    it('answers 403 when the token belongs to another tenant than auth-tenant-id', async () => {
      const foreign = await issue('other', { kind: 'API_TOKEN', name: 'other tenant' });
      await t.http
        .get('/api/provisioning/iam/_probe')
        .set(api(foreign.secret, 'other'))
        .expect(200, { tenantId: 'other', kind: 'API_TOKEN', via: 'secret' });
      const res = await t.http.get('/api/provisioning/iam/_probe').set(api(foreign.secret, 'default')).expect(403);
      expect(res.body).toMatchObject({ status: false, message: 'Access denied' });
    });

    it('answers 403 to a SCIM secret used as an auth-token (no provisioning role)', async () => {
      await t.http.get('/api/provisioning/iam/_probe').set(api(t.secrets.scimSecret)).expect(403);
    });

    it('stops a revoked token at once', async () => {
      const doomed = await issue('default', { kind: 'API_TOKEN', name: 'doomed' });
      await t.http.get('/api/provisioning/iam/_probe').set(api(doomed.secret)).expect(200);
      await t.http.delete(`/api/admin/tenants/default/credentials/${doomed.id}`).set(admin()).expect(204);
      const res = await t.http.get('/api/provisioning/iam/_probe').set(api(doomed.secret)).expect(401);
      expect(res.body).toMatchObject(PROVISIONING_401);
    });
  });

  describe('SCIM bearer (shared secret or OAuth JWT)', () => {
    it('accepts the shared secret', async () => {
      await t.http
        .get('/scim/v2/_probe')
        .set(bearer(t.secrets.scimSecret))
        .expect(200, { tenantId: 'default', kind: 'SCIM_SECRET', via: 'secret' });
    });

    it('answers a SCIM Error 401 with WWW-Authenticate for no header, another scheme, or a wrong secret', async () => {
      const cases: Record<string, string>[] = [
        {},
        { Authorization: t.secrets.scimSecret },
        { Authorization: `Basic ${t.secrets.scimSecret}` },
        bearer('wrong-secret'),
      ];
      for (const headers of cases) {
        const res = await t.http.get('/scim/v2/_probe').set(headers).expect(401);
        expect(res.headers['www-authenticate']).toBe('Bearer realm="SCIM"');
        expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
        expect(JSON.parse(res.text)).toMatchObject({
          schemas: [SCIM_ERROR],
          status: '401',
          detail: expect.any(String),
        });
      }
      const scheme = await t.http.get('/scim/v2/_probe').set({ Authorization: t.secrets.scimSecret });
      expect(JSON.parse(scheme.text).detail).toMatch(/Bearer/);
    });

    it('issues a JWT for client credentials sent as a form, as JSON, or with HTTP Basic', async () => {
      const form = await oauthToken(t, oauth.id, oauth.secret);
      const json = await t.http
        .post('/oauth/token')
        .send({ grant_type: 'client_credentials', client_id: oauth.id, client_secret: oauth.secret })
        .expect(200);
      const basic = await t.http
        .post('/oauth/token')
        .auth(oauth.id, oauth.secret)
        .type('form')
        .send({ grant_type: 'client_credentials' })
        .expect(200);
      expect(json.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
      expect(json.headers['cache-control']).toBe('no-store');
      for (const token of [form, json.body.access_token, basic.body.access_token]) {
        expect(jwt.decode(token, { complete: true })?.header.alg).toBe('HS256');
        await t.http
          .get('/scim/v2/_probe')
          .set(bearer(token))
          .expect(200, { tenantId: 'default', kind: 'OAUTH_CLIENT', via: 'jwt' });
      }
    });

    it('refuses bad client credentials and other grants the OAuth way', async () => {
      const wrong = await t.http
        .post('/oauth/token')
        .type('form')
        .send({ grant_type: 'client_credentials', client_id: oauth.id, client_secret: 'nope' })
        .expect(401);
      expect(wrong.body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
      const unknown = await t.http
        .post('/oauth/token')
        .type('form')
        .send({ grant_type: 'client_credentials', client_id: 'who', client_secret: 'nope' })
        .expect(401);
      expect(unknown.body.error).toBe('invalid_client');
      const grant = await t.http
        .post('/oauth/token')
        .type('form')
        .send({ grant_type: 'password', username: 'a', password: 'b' })
        .expect(400);
      expect(grant.body.error).toBe('unsupported_grant_type');
      const none = await t.http.post('/oauth/token').type('form').send({}).expect(400);
      expect(none.body.error).toBe('invalid_request');
      // A client secret is only good at the token endpoint, never as a bearer itself.
      await t.http.get('/scim/v2/_probe').set(bearer(oauth.secret)).expect(401);
    });

    it('refuses expired, unsigned, other-algorithm and foreign-key JWTs', async () => {
      const valid = jwt.decode(await oauthToken(t, oauth.id, oauth.secret)) as jwt.JwtPayload;
      const claims = { cid: valid.cid, tid: valid.tid, roles: valid.roles };
      expect(jwt.decode(forge(claims))).toMatchObject(claims);
      await t.http
        .get('/scim/v2/_probe')
        .set(bearer(forge(claims)))
        .expect(200);
      const expired = forge({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 });
      const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(
        JSON.stringify({ ...claims, iss: 'identity-provisioning-hub', exp: Math.floor(Date.now() / 1000) + 600 }),
      ).toString('base64url')}.`;
      const otherAlgorithm = forge(claims, { algorithm: 'HS512' });
      const otherKey = forge(claims, {}, 'some-other-key-entirely-of-enough-length');
      for (const token of [expired, unsigned, otherAlgorithm, otherKey]) {
        const res = await t.http.get('/scim/v2/_probe').set(bearer(token)).expect(401);
        expect(JSON.parse(res.text)).toMatchObject({ schemas: [SCIM_ERROR], status: '401' });
      }
    });

    it("stops a revoked OAuth client's JWTs at once", async () => {
      const client = await issue('default', { kind: 'OAUTH_CLIENT', name: 'okta' });
      expect(client.clientId).toEqual(expect.any(String));
      const token = await oauthToken(t, client.clientId!, client.secret);
      await t.http.get('/scim/v2/_probe').set(bearer(token)).expect(200);
      await t.http.delete(`/api/admin/tenants/default/credentials/${client.id}`).set(admin()).expect(204);
      await t.http.get('/scim/v2/_probe').set(bearer(token)).expect(401);
      await t.http
        .post('/oauth/token')
        .type('form')
        .send({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.secret })
        .expect(401);
    });

    it('keeps /scim/endpoints/{tenantId} to credentials of that tenant', async () => {
      await t.http.get('/scim/endpoints/default/_probe').set(bearer(t.secrets.scimSecret)).expect(200);
      await t.http.get('/scim/endpoints/other/_probe').set(bearer(t.secrets.scimSecret)).expect(403);
      const foreign = await issue('other', { kind: 'SCIM_SECRET', name: 'other scim' });
      await t.http
        .get('/scim/endpoints/other/_probe')
        .set(bearer(foreign.secret))
        .expect(200, { tenantId: 'other', kind: 'SCIM_SECRET', via: 'secret' });
      await t.http.get('/scim/endpoints/default/_probe').set(bearer(foreign.secret)).expect(403);
    });

    it('answers 403 to a credential without the SCIM role', async () => {
      const res = await t.http.get('/scim/v2/_probe').set(bearer(t.secrets.apiToken)).expect(403);
      expect(JSON.parse(res.text)).toMatchObject({ schemas: [SCIM_ERROR], status: '403' });
    });
  });

  describe('admin (admin token or an ADMIN OAuth client)', () => {
    it('accepts the admin token and refuses everything else', async () => {
      await t.http.get('/api/admin/tenants').set(admin()).expect(200);
      await t.http.get('/api/admin/tenants').expect(401);
      await t.http.get('/api/admin/tenants').set(bearer('wrong')).expect(401);
      const scim = await t.http.get('/api/admin/tenants').set(bearer(t.secrets.scimSecret)).expect(403);
      expect(scim.body).toMatchObject({
        status: false,
        message: 'Access denied',
        error: 'Missing required role: ADMIN',
      });
      await t.http
        .get('/api/admin/tenants')
        .set(bearer(await oauthToken(t, oauth.id, oauth.secret)))
        .expect(403);
    });

    it('accepts the JWT of an OAuth client holding ADMIN', async () => {
      // Operator clients are issued outside any tenant.
      const issued = await t.http
        .post('/api/admin/credentials')
        .set(admin())
        .send({ kind: 'OAUTH_CLIENT', name: 'ops' })
        .expect(201);
      const client = issued.body as { clientId: string; secret: string };
      await t.http
        .get('/api/admin/tenants')
        .set(bearer(await oauthToken(t, client.clientId, client.secret)))
        .expect(200);
    });

    it('refuses roles a kind cannot carry', async () => {
      const res = await t.http
        .post('/api/admin/tenants/default/credentials')
        .set(admin())
        .send({ kind: 'API_TOKEN', name: 'x', roles: ['ADMIN'] })
        .expect(400);
      expect(res.body.errors[0]).toMatchObject({ code: 'VALIDATION', paths: ['roles'] });
      await t.http
        .post('/api/admin/tenants/default/credentials')
        .set(admin())
        .send({ kind: 'MAGIC', name: 'x' })
        .expect(400);
      await t.http
        .post('/api/admin/tenants/nobody/credentials')
        .set(admin())
        .send({ kind: 'API_TOKEN', name: 'x' })
        .expect(404);
    });
  });

  describe('storage of secrets', () => {
    it('shows a secret once, lists credentials without it, and stores no secret in clear', async () => {
      const partner = await issue('default', {
        kind: 'PARTNER_SECRET',
        name: 'crm',
        secret: randomSecret('partner-signing'),
      });
      const token = await issue('default', { kind: 'API_TOKEN', name: 'listed' });
      const list = await t.http.get('/api/admin/tenants/default/credentials').set(admin()).expect(200);
      const listed = list.body.items.find((c: { id: string }) => c.id === token.id);
      expect(listed).toEqual(
        expect.objectContaining({ kind: 'API_TOKEN', name: 'listed', roles: ['PROVISIONING_UPDATE'], revokedOn: null }),
      );
      expect(JSON.stringify(list.body)).not.toContain(token.secret);
      expect(Object.keys(listed)).not.toEqual(expect.arrayContaining(['secret', 'secretHash', 'secretEncrypted']));

      const rows: Record<string, unknown>[] = await t.app.get(DataSource).query('SELECT * FROM credentials');
      const stored = JSON.stringify(rows);
      for (const secret of [
        token.secret,
        partner.secret,
        t.secrets.apiToken,
        t.secrets.scimSecret,
        t.secrets.adminToken,
        oauth.secret,
      ]) {
        expect(stored).not.toContain(secret);
      }
      // Sealed to verify signatures, and hashed so that a second credential cannot choose the same secret.
      expect(rows.find((row) => row.id === partner.id)).toMatchObject({
        secret_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        secret_encrypted: expect.stringMatching(/^v1\./),
      });
    });

    it("never reaches another tenant's credentials", async () => {
      const foreign = await issue('other', { kind: 'API_TOKEN', name: 'theirs' });
      await t.http.delete(`/api/admin/tenants/default/credentials/${foreign.id}`).set(admin()).expect(404);
      await t.http.delete(`/api/admin/tenants/default/credentials/not-a-uuid`).set(admin()).expect(404);
      await t.http.get('/api/provisioning/iam/_probe').set(api(foreign.secret, 'other')).expect(200);
    });
  });

  describe('chosen secrets', () => {
    const choose = (tenantId: string, body: Record<string, unknown>) =>
      t.http.post(`/api/admin/tenants/${tenantId}/credentials`).set(admin()).send(body);

    it('lets only a PARTNER_SECRET carry a chosen secret', async () => {
      for (const kind of ['API_TOKEN', 'SCIM_SECRET', 'OAUTH_CLIENT', 'ADMIN_TOKEN']) {
        const res = await choose('default', { kind, name: 'chosen', secret: randomSecret('chosen') }).expect(400);
        expect(res.body).toMatchObject({ status: false });
        expect(JSON.stringify(res.body)).toContain('Only PARTNER_SECRET credentials take a chosen secret');
      }
    });

    it.each([
      ['a'.repeat(40), 'repeats a pattern of 1 characters'],
      ['aaaaaaaaaaaaaaaa', 'at least'],
      ['Summer2026!'.repeat(3), 'repeats a pattern of 11 characters'],
      ['abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN', 'bits of entropy'],
    ])('refuses a weak partner secret %s with 400 naming why', async (secret, why) => {
      const res = await choose('default', { kind: 'PARTNER_SECRET', name: 'weak', secret }).expect(400);
      expect(JSON.stringify(res.body)).toContain(why);
      expect(JSON.stringify(res.body)).not.toContain(secret);
    });

    it('answers 409, not 500, for a chosen secret another credential already has', async () => {
      const secret = randomSecret('shared-partner');
      await choose('default', { kind: 'PARTNER_SECRET', name: 'first', secret }).expect(201);
      const again = await choose('other', { kind: 'PARTNER_SECRET', name: 'second', secret }).expect(409);
      expect(again.body).toMatchObject({ status: false });
      // Nor may a partner secret be a bearer secret that exists (it would also collide in the hash index).
      await choose('other', { kind: 'PARTNER_SECRET', name: 'third', secret: t.secrets.adminToken }).expect(409);
      const rows: { n: string }[] = await t.app
        .get(DataSource)
        .query(`SELECT count(*) AS n FROM credentials WHERE tenant_id = 'other' AND kind = 'PARTNER_SECRET'`);
      expect(Number(rows[0].n)).toBe(0);
    });
  });

  describe('forwarded headers (TRUST_PROXY unset: trusted from nobody)', () => {
    it("keeps Location and meta.location on the request's own host whatever X-Forwarded-* say", async () => {
      const res = await t.http
        .post('/scim/v2/Users')
        .set(bearer(t.secrets.scimSecret))
        .set('X-Forwarded-Host', 'evil.example')
        .set('X-Forwarded-Proto', 'https')
        .send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'forwarded@example.com' })
        .expect(201);
      expect(res.headers.location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/scim\/v2\/Users\//);
      expect(res.body.meta.location).toBe(res.headers.location);
    });

    it('refuses a Host that is not host[:port] with a SCIM 400', async () => {
      for (const host of ['evil.example/path', 'a b', 'x:99999', 'user@evil.example']) {
        const res = await t.http.get('/scim/v2/Users').set(bearer(t.secrets.scimSecret)).set('Host', host).expect(400);
        expect(res.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '400' });
      }
    });
  });
});
