import { randomBytes, randomInt } from 'node:crypto';
import type { Response } from 'supertest';
import { startTestApp, TestApp } from './support/test-app';

const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const bearer = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });

interface Issued {
  id: string;
  secret: string;
  clientId?: string;
}

async function issue(t: TestApp, tenantId: string, kind: string): Promise<Issued> {
  const res = await t.http
    .post(`/api/admin/tenants/${tenantId}/credentials`)
    .set(bearer(t.secrets.adminToken))
    .send({ kind, name: `${kind} ${randomBytes(3).toString('hex')}` })
    .expect(201);
  return res.body as Issued;
}

async function createTenant(t: TestApp): Promise<string> {
  const id = `fair-${randomBytes(4).toString('hex')}`;
  await t.http.post('/api/admin/tenants').set(bearer(t.secrets.adminToken)).send({ id, name: id }).expect(201);
  return id;
}

function expectRetryAfter(res: Response, atMost: number): void {
  const seconds = Number(res.headers['retry-after']);
  expect(Number.isInteger(seconds)).toBe(true);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(atMost);
}

/** 31 to 59 seconds, other than the 30 s of the other budgets here: a window of this run's own. */
const ADDRESS_WINDOW_SECONDS = 31 + randomInt(29);

describe('rate limits on SCIM, /oauth/token and the admin API', () => {
  let t: TestApp;
  let otherScim: Issued;
  let client: Issued;

  beforeAll(async () => {
    t = await startTestApp({
      RATE_LIMIT_SCIM: '3/30s',
      RATE_LIMIT_ADMIN: '6/30s',
      RATE_LIMIT_OAUTH_CLIENT_FAILURES: '3/30s',
      // A window no other suite uses: the address budget of 127.0.0.1 is keyed by its window, and
      // suites sharing REDIS_URL must not spend each other's, nor a run of this suite the next
      // run's (jest runs a failed suite first next time, within seconds).
      RATE_LIMIT_OAUTH_ADDRESS_FAILURES: `6/${ADDRESS_WINDOW_SECONDS}s`,
    });
    const other = await createTenant(t);
    otherScim = await issue(t, other, 'SCIM_SECRET');
    client = await issue(t, 'default', 'OAUTH_CLIENT');
  }, 120_000);
  afterAll(() => t?.close());

  it('answers SCIM past the limit with 429, Retry-After and a SCIM Error; another credential still gets 200', async () => {
    for (let i = 0; i < 3; i++) {
      await t.http.get('/scim/v2/Users').set(bearer(t.secrets.scimSecret)).expect(200);
    }
    const refused = await t.http.get('/scim/v2/Users?filter=userName eq "x"').set(bearer(t.secrets.scimSecret));
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/scim\+json/);
    expectRetryAfter(refused, 30);
    const body = JSON.parse(refused.text) as Record<string, unknown>;
    expect(body).toMatchObject({ schemas: [SCIM_ERROR], status: '429' });
    expect(body.detail).toMatch(/Rate limit of 3 requests per 30 seconds exceeded/);
    // Writes are limited too, and refused before anything is written.
    await t.http
      .post('/scim/v2/Users')
      .set(bearer(t.secrets.scimSecret))
      .send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'limited@example.com' })
      .expect(429);

    const other = await t.http.get('/scim/v2/Users').set(bearer(otherScim.secret));
    expect(other.status).toBe(200);
    expect(other.headers['x-ratelimit-limit']).toBe('3');
    expect(other.headers['x-ratelimit-remaining']).toBe('2');
  });

  it('never slows a client that authenticates', async () => {
    for (let i = 0; i < 8; i++) {
      await t.http
        .post('/oauth/token')
        .type('form')
        .send({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.secret })
        .expect(200);
    }
  });

  it('stops secret guessing per client id, even for the right secret, then per address', async () => {
    const guess = (clientId: string, secret: string): Promise<Response> =>
      t.http
        .post('/oauth/token')
        .type('form')
        .send({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret });

    for (let i = 0; i < 3; i++) expect((await guess(client.clientId!, `wrong-${i}`)).status).toBe(401);
    // Over the budget the answer no longer depends on the secret: a guesser learns nothing.
    const refused = await guess(client.clientId!, client.secret);
    expect(refused.status).toBe(429);
    expectRetryAfter(refused, 30);
    expect(refused.body).toEqual({
      error: 'slow_down',
      error_description: expect.stringMatching(/Too many failed attempts for this client id; retry after \d+ second/),
    });

    // Other client ids from the same address: 3 more failures spend the address's 6.
    for (let i = 0; i < 3; i++) expect((await guess(`unknown-${i}`, 'nope-nope-nope')).status).toBe(401);
    const byAddress = await guess('yet-another-client', 'nope-nope-nope');
    expect(byAddress.status).toBe(429);
    expectRetryAfter(byAddress, ADDRESS_WINDOW_SECONDS);
    expect(byAddress.body.error_description).toMatch(/client address/);
  });

  it('answers the admin API past its limit with 429 in the provisioning envelope', async () => {
    let refused: Response | undefined;
    for (let i = 0; i < 7 && !refused; i++) {
      const res = await t.http.get('/api/admin/tenants').set(bearer(t.secrets.adminToken));
      if (res.status === 429) refused = res;
      else expect(res.status).toBe(200);
    }
    expect(refused).toBeDefined();
    expectRetryAfter(refused!, 30);
    expect(refused!.headers['x-ratelimit-limit']).toBe('6');
    expect(refused!.body).toMatchObject({
      status: false,
      message: 'Too many requests',
      errors: [{ code: 'RATE_LIMITED' }],
    });
  });
});

describe('fair share: one tenant cannot take every slot', () => {
  let t: TestApp;
  let otherScim: Issued;

  beforeAll(async () => {
    // One request per tenant at a time, even alone, and no queue: a burst of one tenant is refused at once.
    t = await startTestApp({ RATE_LIMITS: 'off', TENANT_CONCURRENCY: '1', TENANT_BURST: '1', TENANT_QUEUE: '0' });
    otherScim = await issue(t, await createTenant(t), 'SCIM_SECRET');
  }, 120_000);
  afterAll(() => t?.close());

  it("refuses a tenant's burst past its lane with 429 + Retry-After, while the other tenant gets 200", async () => {
    const burst = Array.from({ length: 24 }, () =>
      t.http
        .get('/scim/v2/Users?count=50')
        .set(bearer(t.secrets.scimSecret))
        .then((res) => res),
    );
    const others: number[] = [];
    for (let i = 0; i < 4; i++) {
      others.push((await t.http.get('/scim/v2/Users').set(bearer(otherScim.secret))).status);
    }
    const answers = await Promise.all(burst);

    expect(others).toEqual([200, 200, 200, 200]);
    const refused = answers.filter((res) => res.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(answers.filter((res) => res.status !== 429).every((res) => res.status === 200)).toBe(true);
    expect(refused[0].headers['retry-after']).toBe('1');
    expect(JSON.parse(refused[0].text)).toMatchObject({
      schemas: [SCIM_ERROR],
      status: '429',
      detail: expect.stringMatching(/Too many concurrent requests for this tenant/),
    });
    // The lane empties once the burst is answered.
    await t.http.get('/scim/v2/Users').set(bearer(t.secrets.scimSecret)).expect(200);
  });

  it('applies to the provisioning API in its own envelope', async () => {
    const headers = { 'auth-tenant-id': 'default', 'auth-token': t.secrets.apiToken };
    const answers = await Promise.all(
      Array.from({ length: 16 }, () => t.http.get('/api/provisioning/iam/user').set(headers)),
    );
    const refused = answers.find((res) => res.status === 429);
    expect(refused).toBeDefined();
    expect(refused!.headers['retry-after']).toBe('1');
    expect(refused!.body).toMatchObject({ status: false, errors: [{ code: 'RATE_LIMITED' }] });
    expect(answers.every((res) => res.status === 200 || res.status === 429)).toBe(true);
  });
});
