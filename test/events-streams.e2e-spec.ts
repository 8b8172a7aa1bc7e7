import { createPublicKey, JsonWebKey, verify } from 'node:crypto';
import { startTestApp, TestApp } from './support/test-app';

const A = 'es-alpha';
const B = 'es-beta';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const PROV = 'urn:ietf:params:scim:event:prov:';

type Headers = Record<string, string>;
const bearer = (secret: string): Headers => ({ Authorization: `Bearer ${secret}` });
const decode = (part: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

interface Claims {
  jti: string;
  iss: string;
  aud: string;
  iat: number;
  txn?: string;
  sub_id: { format: string; uri: string; externalId?: string };
  events: Record<string, Record<string, unknown>>;
}

describe('event streams: admin CRUD, JWKS and RFC 8936 poll', () => {
  let t: TestApp;
  let admin: Headers;
  let tenantAdminB: Headers;
  const scim: Record<string, Headers> = {};
  const api: Record<string, Headers> = {};
  let seq = 0;
  const unique = (label: string): string => `${label}-${Date.now().toString(36)}-${++seq}`;
  const streams = (tenant: string) => `/api/admin/tenants/${tenant}/event-streams`;

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
        .send({ kind: 'SCIM_SECRET', name: `IdP ${tenant}` })
        .expect(201);
      scim[tenant] = bearer(secret.body.secret);
      const token = await t.http
        .post(`/api/admin/tenants/${tenant}/credentials`)
        .set(admin)
        .send({ kind: 'API_TOKEN', name: `Receiver ${tenant}` })
        .expect(201);
      api[tenant] = { 'auth-tenant-id': tenant, 'auth-token': token.body.secret };
    }
    const issued = await t.http
      .post(`/api/admin/tenants/${B}/credentials`)
      .set(admin)
      .send({ kind: 'ADMIN_TOKEN', name: 'Beta IT' })
      .expect(201);
    tenantAdminB = bearer(issued.body.secret);
  });
  afterAll(() => t.close());

  const createUser = async (tenant: string, extra: Record<string, unknown> = {}): Promise<string> => {
    const res = await t.http
      .post('/scim/v2/Users')
      .set(scim[tenant])
      .send({ schemas: [USER], userName: `${unique('u')}@example.com`, ...extra })
      .expect(201);
    return res.body.id as string;
  };
  const patchUser = (tenant: string, id: string, operations: unknown[]) =>
    t.http
      .patch(`/scim/v2/Users/${id}`)
      .set(scim[tenant])
      .send({ schemas: [PATCH_OP], Operations: operations })
      .expect((res) => expect([200, 204]).toContain(res.status));
  const createStream = async (body: Record<string, unknown>, tenant = A) =>
    (
      await t.http
        .post(streams(tenant))
        .set(admin)
        .send({ delivery: 'poll', ...body })
        .expect(201)
    ).body as Record<string, any>;

  /** A receiver as an RFC 8936 client would be written: verifies every SET against the JWKS fetched over HTTP. */
  class Consumer {
    private keys = new Map<string, JsonWebKey>();
    readonly received: Claims[] = [];
    readonly seen = new Set<string>();
    pendingAcks: string[] = [];

    constructor(
      readonly streamId: string,
      readonly tenant = A,
    ) {}

    private async key(kid: string): Promise<JsonWebKey> {
      if (!this.keys.has(kid)) {
        const jwks = await t.http.get(`/api/events/${this.tenant}/jwks.json`).expect(200);
        for (const jwk of jwks.body.keys as Array<JsonWebKey & { kid: string }>) this.keys.set(jwk.kid, jwk);
      }
      const jwk = this.keys.get(kid);
      if (!jwk) throw new Error(`kid ${kid} is not in the JWKS`);
      return jwk;
    }

    async verified(jti: string, token: string): Promise<{ claims: Claims; kid: string }> {
      const [h, p, s] = token.split('.');
      const header = decode(h);
      expect(header).toEqual({ alg: 'ES256', typ: 'secevent+jwt', kid: expect.any(String) });
      const key = createPublicKey({ key: await this.key(header.kid as string), format: 'jwk' });
      const good = verify(
        'sha256',
        Buffer.from(`${h}.${p}`),
        { key, dsaEncoding: 'ieee-p1363' },
        Buffer.from(s, 'base64url'),
      );
      expect(good).toBe(true);
      const claims = decode(p) as unknown as Claims;
      expect(claims.jti).toBe(jti);
      expect(claims.iss).toBe(`urn:idp/scim/endpoints/${this.tenant}`);
      expect(claims.aud).toBe(`urn:idp:stream:${this.streamId}`);
      expect(typeof claims.iat).toBe('number');
      expect(claims.sub_id.format).toBe('scim');
      expect(Object.keys(claims.events)).toHaveLength(1);
      return { claims, kid: header.kid as string };
    }

    /** One poll: acknowledges what it holds, stores what comes (once per jti). */
    async poll(
      body: Record<string, unknown> = {},
    ): Promise<{ fresh: Claims[]; moreAvailable: boolean; jtis: string[] }> {
      const res = await t.http
        .post(`/api/events/streams/${this.streamId}/poll`)
        .set(api[this.tenant])
        .send({ returnImmediately: true, ack: this.pendingAcks, ...body })
        .expect(200);
      this.pendingAcks = [];
      const fresh: Claims[] = [];
      for (const [jti, token] of Object.entries(res.body.sets as Record<string, string>)) {
        const { claims } = await this.verified(jti, token);
        if (!this.seen.has(jti)) {
          this.seen.add(jti);
          this.received.push(claims);
          fresh.push(claims);
        }
        this.pendingAcks.push(jti);
      }
      return { fresh, moreAvailable: res.body.moreAvailable as boolean, jtis: Object.keys(res.body.sets) };
    }

    /** Polls (acknowledging) until nothing is left. */
    async drain(maxEvents = 3): Promise<Claims[]> {
      const all: Claims[] = [];
      for (let i = 0; i < 100; i++) {
        const { fresh, jtis } = await this.poll({ maxEvents });
        all.push(...fresh);
        if (jtis.length === 0) return all;
      }
      throw new Error('the stream never drained');
    }
  }

  describe('admin CRUD', () => {
    it('creates a poll stream with defaults, reads, lists, patches and deletes it', async () => {
      const created = await createStream({ name: 'Replica' });
      expect(created).toMatchObject({
        tenantId: A,
        name: 'Replica',
        delivery: 'poll',
        endpointUrl: null,
        pollUrl: expect.stringMatching(new RegExp(`/api/events/streams/${created.id}/poll$`)),
        eventTypes: ['create', 'patch', 'delete', 'activate', 'deactivate'],
        resourceTypes: ['user', 'department', 'assignment'],
        form: 'notice',
        status: 'active',
        lag: 0,
        attempts: 0,
        lastError: null,
        deadLetters: 0,
        signingKey: {
          kid: expect.any(String),
          alg: 'ES256',
          jwksUri: expect.stringMatching(new RegExp(`/api/events/${A}/jwks\\.json$`)),
          previousKid: null,
        },
      });
      expect(created).not.toHaveProperty('signingKeySealed');
      expect(JSON.stringify(created)).not.toMatch(/"d"|sealed/i);

      const one = await t.http
        .get(`${streams(A)}/${created.id}`)
        .set(admin)
        .expect(200);
      // supertest listens on a new port for each request: the URLs differ in their port only.
      const portless = (view: Record<string, any>) =>
        JSON.parse(JSON.stringify(view).replace(/127\.0\.0\.1:\d+/g, 'host')) as Record<string, unknown>;
      expect(portless(one.body)).toEqual(portless(created));
      const list = await t.http.get(streams(A)).set(admin).expect(200);
      expect(list.body.items.map((item: { id: string }) => item.id)).toContain(created.id);
      expect(list.body.total).toBe(list.body.items.length);

      const patched = await t.http
        .patch(`${streams(A)}/${created.id}`)
        .set(admin)
        .send({ name: 'Replica 2', form: 'full', eventTypes: ['create', 'delete'], resourceTypes: ['user'] })
        .expect(200);
      expect(patched.body).toMatchObject({
        name: 'Replica 2',
        form: 'full',
        eventTypes: ['create', 'delete'],
        resourceTypes: ['user'],
        delivery: 'poll',
      });
      await t.http
        .patch(`${streams(A)}/${created.id}`)
        .set(admin)
        .send({ endpointUrl: 'https://93.184.216.34/events' })
        .expect(400);

      await t.http
        .delete(`${streams(A)}/${created.id}`)
        .set(admin)
        .expect(204);
      await t.http
        .get(`${streams(A)}/${created.id}`)
        .set(admin)
        .expect(404);
      await t.http
        .delete(`${streams(A)}/${created.id}`)
        .set(admin)
        .expect(404);
      await t.http
        .post(`${streams(A)}/${created.id}/signing-key`)
        .set(admin)
        .expect(404);
      await t.http
        .patch(`${streams(A)}/${created.id}`)
        .set(admin)
        .send({ name: 'gone' })
        .expect(404);
    });

    it('creates a push stream to a public https endpoint, and starts after the last seq unless told', async () => {
      await createUser(A);
      const push = await createStream({
        name: 'Audit',
        delivery: 'push',
        endpointUrl: 'https://93.184.216.34/scim-events',
        eventTypes: ['delete'],
      });
      expect(push).toMatchObject({ delivery: 'push', endpointUrl: 'https://93.184.216.34/scim-events', pollUrl: null });
      expect(Number(push.cursor)).toBeGreaterThan(0);
      expect(push.lag).toBe(0);
      await t.http
        .delete(`${streams(A)}/${push.id}`)
        .set(admin)
        .expect(204);

      const fromStart = await createStream({ name: 'Everything', delivery: 'poll', startAfter: 0 });
      expect(fromStart.cursor).toBe('0');
      expect(fromStart.lag).toBeGreaterThan(0);
      await t.http
        .delete(`${streams(A)}/${fromStart.id}`)
        .set(admin)
        .expect(204);
    });

    it.each([
      ['no name', { delivery: 'poll' }, /name/],
      ['a name too long', { name: 'x'.repeat(256), delivery: 'poll' }, /name/],
      ['an unknown delivery', { name: 'n', delivery: 'email' }, /delivery must be one of: push, poll/],
      ['an unknown event type', { name: 'n', delivery: 'poll', eventTypes: ['create', 'rename'] }, /eventTypes/],
      ['no event types', { name: 'n', delivery: 'poll', eventTypes: [] }, /eventTypes/],
      ['an unknown resource type', { name: 'n', delivery: 'poll', resourceTypes: ['group'] }, /resourceTypes/],
      ['an unknown form', { name: 'n', delivery: 'poll', form: 'summary' }, /form must be one of: notice, full/],
      [
        'an endpoint on a poll stream',
        { name: 'n', delivery: 'poll', endpointUrl: 'https://93.184.216.34/' },
        /poll stream has no endpointUrl/,
      ],
      ['a push stream without endpoint', { name: 'n', delivery: 'push' }, /endpointUrl is required/],
      ['plain http', { name: 'n', delivery: 'push', endpointUrl: 'http://93.184.216.34/' }, /must use https/],
      ['user info', { name: 'n', delivery: 'push', endpointUrl: 'https://u:p@93.184.216.34/' }, /user info/],
      [
        'a loopback receiver',
        { name: 'n', delivery: 'push', endpointUrl: 'https://127.0.0.1/' },
        /not a public address/,
      ],
      [
        'a decimal loopback',
        { name: 'n', delivery: 'push', endpointUrl: 'https://2130706433/' },
        /not a public address/,
      ],
      [
        'the metadata address',
        { name: 'n', delivery: 'push', endpointUrl: 'https://169.254.169.254/' },
        /not a public/,
      ],
      [
        'a mapped private IPv6',
        { name: 'n', delivery: 'push', endpointUrl: 'https://[::ffff:10.0.0.1]/' },
        /not a public/,
      ],
      ['a negative startAfter', { name: 'n', delivery: 'poll', startAfter: -1 }, /startAfter/],
      ['a startAfter beyond the last seq', { name: 'n', delivery: 'poll', startAfter: 10_000_000 }, /startAfter/],
      ['an unknown field', { name: 'n', delivery: 'poll', secret: 'x' }, /Unrecognized field 'secret'/],
    ])('refuses %s with 400', async (_, body, message) => {
      const res = await t.http.post(streams(A)).set(admin).send(body).expect(400);
      expect(JSON.stringify(res.body)).toMatch(message);
    });

    it('refuses http://127.0.0.1 without the allow-list', async () => {
      const res = await t.http
        .post(streams(A))
        .set(admin)
        .send({ name: 'local', delivery: 'push', endpointUrl: 'http://127.0.0.1:9/events' })
        .expect(400);
      expect(JSON.stringify(res.body)).toMatch(/EVENT_RECEIVER_ALLOWLIST/);
    });

    it("scopes a TENANT_ADMIN to its tenant: another tenant's streams answer 404, as missing ones", async () => {
      const stream = await createStream({ name: 'Alpha only' });
      await t.http.get(streams(A)).set(tenantAdminB).expect(404);
      await t.http
        .get(`${streams(A)}/${stream.id}`)
        .set(tenantAdminB)
        .expect(404);
      await t.http.post(streams(A)).set(tenantAdminB).send({ name: 'x', delivery: 'poll' }).expect(404);
      await t.http
        .delete(`${streams(A)}/${stream.id}`)
        .set(tenantAdminB)
        .expect(404);
      await t.http
        .post(`${streams(A)}/${stream.id}/signing-key`)
        .set(tenantAdminB)
        .expect(404);
      // Its own tenant, but the id of another tenant's stream.
      await t.http
        .get(`${streams(B)}/${stream.id}`)
        .set(tenantAdminB)
        .expect(404);
      await t.http
        .patch(`${streams(B)}/${stream.id}`)
        .set(tenantAdminB)
        .send({ name: 'y' })
        .expect(404);
      const own = await t.http.post(streams(B)).set(tenantAdminB).send({ name: 'Beta', delivery: 'poll' }).expect(201);
      expect(own.body.tenantId).toBe(B);
      await t.http.get('/api/admin/tenants/no-such-tenant/event-streams').set(admin).expect(404);
      await t.http
        .get(`${streams(A)}/not-a-uuid`)
        .set(admin)
        .expect(404);
      await t.http.get(streams(A)).expect(401);
      await t.http.get(streams(A)).set(scim[A]).expect(403);
    });
  });

  describe('JWKS and poll', () => {
    it('serves every stream key of the tenant, keeps the previous key after a rotation, and nothing for others', async () => {
      const stream = await createStream({ name: 'Keys' });
      const before = await t.http.get(`/api/events/${A}/jwks.json`).expect(200);
      expect(before.body.keys).toContainEqual({
        kty: 'EC',
        crv: 'P-256',
        x: expect.any(String),
        y: expect.any(String),
        kid: stream.signingKey.kid,
        alg: 'ES256',
        use: 'sig',
      });
      for (const key of before.body.keys) expect(key).not.toHaveProperty('d');
      const rotated = await t.http
        .post(`${streams(A)}/${stream.id}/signing-key`)
        .set(admin)
        .expect(201);
      expect(rotated.body.signingKey.previousKid).toBe(stream.signingKey.kid);
      expect(rotated.body.signingKey.kid).not.toBe(stream.signingKey.kid);
      const after = await t.http.get(`/api/events/${A}/jwks.json`).expect(200);
      const kids = after.body.keys.map((key: { kid: string }) => key.kid);
      expect(kids).toEqual(expect.arrayContaining([stream.signingKey.kid, rotated.body.signingKey.kid]));
      const other = await t.http.get(`/api/events/${B}/jwks.json`).expect(200);
      expect(other.body.keys.map((key: { kid: string }) => key.kid)).not.toContain(stream.signingKey.kid);
      expect((await t.http.get('/api/events/nobody/jwks.json').expect(200)).body).toEqual({ keys: [] });
    });

    it('delivers every change once, in order, verified, across acks, redeliveries and a key rotation', async () => {
      const stream = await createStream({ name: 'Consumer' });
      const consumer = new Consumer(stream.id);
      const ext = unique('ext');
      const userId = await createUser(A, { externalId: ext, name: { givenName: 'Ann', familyName: 'Lee' } });
      await patchUser(A, userId, [{ op: 'replace', path: 'name.givenName', value: 'Anna' }]);
      await patchUser(A, userId, [{ op: 'replace', path: 'active', value: false }]);
      const group = await t.http
        .post('/scim/v2/Groups')
        .set(scim[A])
        .send({ schemas: [GROUP], displayName: unique('Team'), members: [{ value: userId }] })
        .expect(201);
      const groupId = group.body.id as string;

      // Not acknowledged: the same SETs come again.
      const first = await consumer.poll({ maxEvents: 2, ack: [] });
      expect(first.jtis).toHaveLength(2);
      expect(first.moreAvailable).toBe(true);
      consumer.pendingAcks = [];
      const again = await consumer.poll({ maxEvents: 2 });
      expect(again.jtis).toEqual(first.jtis);
      expect(again.fresh).toEqual([]);

      await consumer.drain(2);
      const summary = consumer.received.map((claims) => [claims.sub_id.uri, Object.keys(claims.events)[0]]);
      expect(summary).toEqual([
        [`/Users/${userId}`, `${PROV}create:notice`],
        [`/Users/${userId}`, `${PROV}patch:notice`],
        [`/Users/${userId}`, `${PROV}deactivate`],
        [`/Groups/${groupId}`, `${PROV}create:notice`],
        [`/Groups/${groupId}`, `${PROV}patch:notice`],
      ]);
      const [created, patched, deactivated, , membership] = consumer.received;
      expect(created.sub_id.externalId).toBe(ext);
      expect(created.events[`${PROV}create:notice`].attributes).toEqual(
        expect.arrayContaining(['userName', 'name.givenName']),
      );
      expect(created.events[`${PROV}create:notice`]).not.toHaveProperty('data');
      expect(patched.events[`${PROV}patch:notice`]).toMatchObject({
        attributes: ['name.givenName'],
        version: expect.any(String),
      });
      expect(deactivated.events[`${PROV}deactivate`]).toEqual({});
      expect(membership.events[`${PROV}patch:notice`]).toEqual({ attributes: ['members'] });
      expect(new Set(consumer.received.map((claims) => claims.jti)).size).toBe(consumer.received.length);

      // Everything acknowledged: the cursor is at the tenant's last seq.
      await consumer.poll({ maxEvents: 0 });
      const state = await t.http
        .get(`${streams(A)}/${stream.id}`)
        .set(admin)
        .expect(200);
      expect(state.body.lag).toBe(0);
      expect(state.body.lastDeliveredOn).not.toBeNull();

      // After a rotation the consumer refetches the JWKS for the new kid; nothing is lost or repeated.
      const rotated = await t.http
        .post(`${streams(A)}/${stream.id}/signing-key`)
        .set(admin)
        .expect(201);
      await t.http.delete(`/scim/v2/Users/${userId}`).set(scim[A]).expect(204);
      const res = await t.http
        .post(`/api/events/streams/${stream.id}/poll`)
        .set(api[A])
        .send({ returnImmediately: true })
        .expect(200);
      const tokens = Object.entries(res.body.sets as Record<string, string>);
      expect(tokens.length).toBeGreaterThan(0);
      for (const [jti, token] of tokens) {
        expect((await consumer.verified(jti, token)).kid).toBe(rotated.body.signingKey.kid);
      }
      const tail = await consumer.drain();
      const uris = tail.map((claims) => [claims.sub_id.uri, Object.keys(claims.events)[0]]);
      expect(uris).toContainEqual([`/Users/${userId}`, `${PROV}delete`]);
      expect(uris).toContainEqual([`/Groups/${groupId}`, `${PROV}patch:notice`]);
      expect(new Set(consumer.received.map((claims) => claims.jti)).size).toBe(consumer.received.length);
    });

    it('moves the cursor only over the contiguous acknowledged prefix (out-of-order acks are kept)', async () => {
      const stream = await createStream({ name: 'Out of order' });
      await createUser(A);
      await createUser(A);
      const poll = (body: Record<string, unknown>) =>
        t.http
          .post(`/api/events/streams/${stream.id}/poll`)
          .set(api[A])
          .send({ returnImmediately: true, ...body })
          .expect(200);
      const [first, second] = Object.keys((await poll({ maxEvents: 10 })).body.sets);
      const lag = async () =>
        (
          await t.http
            .get(`${streams(A)}/${stream.id}`)
            .set(admin)
            .expect(200)
        ).body.lag;
      expect(await lag()).toBe(2);
      const afterSecond = await poll({ ack: [second], maxEvents: 10 });
      expect(Object.keys(afterSecond.body.sets)).toEqual([first]);
      expect(await lag()).toBe(2);
      const afterFirst = await poll({ ack: [first], maxEvents: 10 });
      expect(afterFirst.body).toEqual({ sets: {}, moreAvailable: false });
      expect(await lag()).toBe(0);
    });

    it('a tampered SET does not verify', async () => {
      const stream = await createStream({ name: 'Tamper' });
      await createUser(A);
      const res = await t.http
        .post(`/api/events/streams/${stream.id}/poll`)
        .set(api[A])
        .send({ returnImmediately: true })
        .expect(200);
      const [token] = Object.values(res.body.sets as Record<string, string>);
      const [h, p, s] = token.split('.');
      const claims = decode(p);
      const forged = Buffer.from(JSON.stringify({ ...claims, aud: 'urn:someone-else' })).toString('base64url');
      const jwks = await t.http.get(`/api/events/${A}/jwks.json`).expect(200);
      const jwk = jwks.body.keys.find((key: { kid: string }) => key.kid === stream.signingKey.kid);
      const key = createPublicKey({ key: jwk, format: 'jwk' });
      const check = (payload: string) =>
        verify(
          'sha256',
          Buffer.from(`${h}.${payload}`),
          { key, dsaEncoding: 'ieee-p1363' },
          Buffer.from(s, 'base64url'),
        );
      expect(check(p)).toBe(true);
      expect(check(forged)).toBe(false);
    });

    it('full form carries the data; filtered-out events count as delivered', async () => {
      const full = await createStream({ name: 'Full', form: 'full', resourceTypes: ['user'] });
      const deletes = await createStream({ name: 'Deletes only', eventTypes: ['delete'] });
      const userName = `${unique('full')}@example.com`;
      const userId = await createUser(A, { userName, name: { givenName: 'Bo', familyName: 'Ek' } });
      await patchUser(A, userId, [{ op: 'replace', path: 'name.familyName', value: 'Eklund' }]);
      await t.http
        .post('/scim/v2/Groups')
        .set(scim[A])
        .send({ schemas: [GROUP], displayName: unique('Ignored') })
        .expect(201);

      const consumer = new Consumer(full.id);
      const sets = await consumer.drain();
      expect(sets.map((claims) => Object.keys(claims.events)[0])).toEqual([`${PROV}create:full`, `${PROV}patch:full`]);
      expect(sets[0].events[`${PROV}create:full`].data).toMatchObject({
        schemas: [USER],
        id: userId,
        userName,
        name: { givenName: 'Bo', familyName: 'Ek' },
      });
      expect(sets[1].events[`${PROV}patch:full`]).toMatchObject({
        data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'name.familyName', value: 'Eklund' }] },
        version: expect.any(String),
      });
      // The group was never this stream's: once the user's SETs are acked, nothing is behind.
      expect(
        (
          await t.http
            .get(`${streams(A)}/${full.id}`)
            .set(admin)
            .expect(200)
        ).body.lag,
      ).toBe(0);

      const quiet = await t.http
        .post(`/api/events/streams/${deletes.id}/poll`)
        .set(api[A])
        .send({ returnImmediately: true })
        .expect(200);
      expect(quiet.body).toEqual({ sets: {}, moreAvailable: false });
      expect(
        (
          await t.http
            .get(`${streams(A)}/${deletes.id}`)
            .set(admin)
            .expect(200)
        ).body.lag,
      ).toBe(0);
    });

    it('long-polls until an event arrives, without holding the answer to the deadline', async () => {
      const stream = await createStream({ name: 'Long poll' });
      const started = Date.now();
      const waiting = t.http.post(`/api/events/streams/${stream.id}/poll`).set(api[A]).send({ maxEvents: 10 });
      await new Promise((resolve) => setTimeout(resolve, 400));
      const userId = await createUser(A);
      const res = await waiting.expect(200);
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(400);
      expect(elapsed).toBeLessThan(10_000);
      const claims = Object.values(res.body.sets as Record<string, string>).map(
        (token) => decode(token.split('.')[1]) as unknown as Claims,
      );
      expect(claims.map((claim) => claim.sub_id.uri)).toContain(`/Users/${userId}`);
    });

    it('records setErrs as the last error, ignores unknown jtis, and refuses what it must', async () => {
      const stream = await createStream({ name: 'Errors' });
      await createUser(A);
      const polled = await t.http
        .post(`/api/events/streams/${stream.id}/poll`)
        .set(api[A])
        .send({ returnImmediately: true })
        .expect(200);
      const [jti] = Object.keys(polled.body.sets);
      await t.http
        .post(`/api/events/streams/${stream.id}/poll`)
        .set(api[A])
        .send({
          returnImmediately: true,
          maxEvents: 0,
          ack: ['not-a-jti', '00000000000000000000000000000000.000000000000'],
          setErrs: { [jti]: { err: 'invalid_key', description: 'Key ID 12345 has been revoked.' } },
        })
        .expect(200);
      const view = await t.http
        .get(`${streams(A)}/${stream.id}`)
        .set(admin)
        .expect(200);
      expect(view.body.lastError).toMatch(/invalid_key: Key ID 12345 has been revoked\./);
      expect(view.body.lastErrorOn).not.toBeNull();
      expect(view.body.lag).toBeGreaterThan(0);

      const poll = (streamId: string, headers: Headers, body: unknown) =>
        t.http
          .post(`/api/events/streams/${streamId}/poll`)
          .set(headers)
          .send(body as object);
      await poll(stream.id, api[A], { maxEvents: 1001, returnImmediately: true }).expect(400);
      await poll(stream.id, api[A], { maxEvents: -1, returnImmediately: true }).expect(400);
      await poll(stream.id, api[A], { returnImmediately: 'yes' }).expect(400);
      await poll(stream.id, api[A], { setErrs: { [jti]: 'bad' }, returnImmediately: true }).expect(400);
      await poll(stream.id, api[A], { ack: 'x', returnImmediately: true }).expect(400);
      // Another tenant's credential sees no such stream.
      const foreign = await poll(stream.id, api[B], { returnImmediately: true }).expect(404);
      const missing = await poll('6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f', api[B], { returnImmediately: true }).expect(
        404,
      );
      expect(foreign.body.error.replace(stream.id, '<id>')).toBe(
        missing.body.error.replace('6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f', '<id>'),
      );
      await poll(stream.id, {}, { returnImmediately: true }).expect(401);
      const push = await createStream({ name: 'Pushed', delivery: 'push', endpointUrl: 'https://93.184.216.34/e' });
      const conflict = await poll(push.id, api[A], { returnImmediately: true }).expect(409);
      expect(JSON.stringify(conflict.body)).toMatch(/push stream/);
      await t.http
        .delete(`${streams(A)}/${push.id}`)
        .set(admin)
        .expect(204);
    });
  });
});

describe('event streams: EVENT_RECEIVER_ALLOWLIST', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMITS: 'off', EVENT_RECEIVER_ALLOWLIST: '127.0.0.1' });
  });
  afterAll(() => t.close());

  it('accepts an allow-listed receiver, over http too; others stay refused', async () => {
    const admin = bearer(t.secrets.adminToken);
    const path = `/api/admin/tenants/${t.config.defaultTenantId}/event-streams`;
    const created = await t.http
      .post(path)
      .set(admin)
      .send({ name: 'local', delivery: 'push', endpointUrl: 'http://127.0.0.1:9/events' })
      .expect(201);
    expect(created.body.endpointUrl).toBe('http://127.0.0.1:9/events');
    await t.http.delete(`${path}/${created.body.id}`).set(admin).expect(204);
    await t.http
      .post(path)
      .set(admin)
      .send({ name: 'other', delivery: 'push', endpointUrl: 'http://127.0.0.2:9/events' })
      .expect(400);
  });
});
