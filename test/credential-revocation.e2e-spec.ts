import { AppStore, createAppStore, randomSecret, startAppOn, TestApp } from './support/test-app';

/**
 * Two instances of the service on one database and one Redis, as a fleet runs: credentials are
 * cached by each instance, and a revoke on one still stops the credential on the other at once.
 * Needs the servers (one embedded database cannot be shared by two processes' instances).
 */
const withServers = process.env.DATABASE_URL && process.env.REDIS_URL ? describe : describe.skip;

withServers('credential revocation across instances', () => {
  let store: AppStore;
  let a: TestApp;
  let b: TestApp;
  const env = {
    PROVISIONING_API_TOKEN: randomSecret('api'),
    SCIM_SHARED_SECRET: randomSecret('scim'),
    ADMIN_TOKEN: randomSecret('admin'),
    JWT_SECRET: randomSecret('jwt-secret-of-enough-length'),
  };
  const admin = { Authorization: `Bearer ${env.ADMIN_TOKEN}` };

  beforeAll(async () => {
    store = await createAppStore();
    a = await startAppOn(store, env);
    b = await startAppOn(store, env);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await store?.drop();
  });

  /** Until its revocation subscription is up an instance caches nothing; wait for it, as a fleet would. */
  async function usedOnBoth(headers: Record<string, string>, path: string): Promise<void> {
    for (const t of [a, b]) for (let i = 0; i < 3; i += 1) await t.http.get(path).set(headers).expect(200);
  }

  it('stops a SCIM secret on every instance when one of them revokes it', async () => {
    const res = await a.http
      .post('/api/admin/tenants/default/credentials')
      .set(admin)
      .send({ kind: 'SCIM_SECRET', name: 'entra' })
      .expect(201);
    const bearer = { Authorization: `Bearer ${res.body.secret}` };
    await usedOnBoth(bearer, '/scim/v2/Users?count=1');
    await a.http.delete(`/api/admin/tenants/default/credentials/${res.body.id}`).set(admin).expect(204);
    // The revoke is published when the DELETE answers; give the message its loopback hop.
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const t of [a, b]) await t.http.get('/scim/v2/Users?count=1').set(bearer).expect(401);
  });

  it("stops an OAuth client's JWTs on every instance when one of them revokes the client", async () => {
    const res = await b.http
      .post('/api/admin/tenants/default/credentials')
      .set(admin)
      .send({ kind: 'OAUTH_CLIENT', name: 'okta' })
      .expect(201);
    const token = await a.http
      .post('/oauth/token')
      .type('form')
      .send({ grant_type: 'client_credentials', client_id: res.body.clientId, client_secret: res.body.secret })
      .expect(200);
    const bearer = { Authorization: `Bearer ${token.body.access_token}` };
    await usedOnBoth(bearer, '/scim/v2/Groups?count=1');
    await b.http.delete(`/api/admin/tenants/default/credentials/${res.body.id}`).set(admin).expect(204);
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const t of [a, b]) await t.http.get('/scim/v2/Groups?count=1').set(bearer).expect(401);
  });

  it('stops a rotated environment secret on the other instances as soon as the rotating one starts', async () => {
    const oldScim = { Authorization: `Bearer ${env.SCIM_SHARED_SECRET}` };
    await usedOnBoth(oldScim, '/scim/v2/Users?count=1');
    const rotated = await startAppOn(store, { ...env, SCIM_SHARED_SECRET: randomSecret('scim-rotated') });
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const t of [a, b]) await t.http.get('/scim/v2/Users?count=1').set(oldScim).expect(401);
    } finally {
      await rotated.close();
    }
  });
});
