import type { JsonWebKey } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ServerKey } from '../src/auth/server-key';
import { SERVER_KEY } from '../src/auth/server-key.provider';
import { ChangeEventsRepository } from '../src/events/change-events.repository';
import { EventSequencer } from '../src/events/feed/event-sequencer';
import { generateStreamKey } from '../src/events/sets/stream-keys';
import { startSetReceiver } from './support/set-receiver';
import { startTestApp, TestApp } from './support/test-app';

const d = process.env.DATABASE_URL ? describe : describe.skip;

const until = async <T>(what: string, read: () => T | Promise<T>, done: (v: T) => boolean, ms = 15_000) => {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${ms} ms (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

d('event push delivery (RFC 8935, server mode)', () => {
  let t: TestApp;
  let db: DataSource;
  let receiver: Awaited<ReturnType<typeof startSetReceiver>>;
  const scim = () => ({ Authorization: `Bearer ${t.secrets.scimSecret}` });
  const admin = () => ({ Authorization: `Bearer ${t.secrets.adminToken}` });
  const ops = (stream: string, op: string) => `/api/admin/tenants/default/event-streams/${stream}/${op}`;

  /** The default tenant's last seq. */
  const lastSeq = (): Promise<string> => t.app.get(ChangeEventsRepository).lastSeq(db.manager, 'default');

  /** A push stream of the default tenant, inserted as the create route would. */
  async function createStream(endpointUrl: string, extra: Record<string, unknown> = {}): Promise<string> {
    const key = generateStreamKey();
    const sealed = t.app.get<ServerKey>(SERVER_KEY).encrypt(key.privateJwk);
    // A new stream starts after everything already written.
    await t.app.get(EventSequencer).catchUp();
    const cursor = await lastSeq();
    const [row] = await db.query<{ id: string }[]>(
      `INSERT INTO event_streams (tenant_id, name, delivery, endpoint_url, event_types, resource_types, form, status,
         cursor, signing_kid, signing_key_sealed, public_jwk)
       VALUES ('default', $1, 'push', $2, $3, $4, $5, 'active', $6, $7, $8, $9) RETURNING id`,
      [
        `stream-${Math.random()}`,
        endpointUrl,
        extra.eventTypes ?? ['create', 'patch', 'delete', 'activate', 'deactivate'],
        extra.resourceTypes ?? ['user', 'department', 'assignment'],
        extra.form ?? 'notice',
        cursor,
        key.kid,
        sealed,
        JSON.stringify(key.publicJwk),
      ],
    );
    return row.id;
  }

  /** The tenant's published keys, fetched over HTTP as a receiver fetches them. */
  const keys = async (): Promise<JsonWebKey[]> =>
    ((await t.http.get('/api/events/default/jwks.json').expect(200)).body as { keys: JsonWebKey[] }).keys;

  async function createUser(userName: string): Promise<string> {
    const res = await t.http
      .post('/scim/v2/Users')
      .set(scim())
      .send({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName,
        emails: [{ value: `${userName}@example.com`, primary: true }],
      })
      .expect(201);
    return res.body.id as string;
  }

  const patchUser = (id: string, givenName: string) =>
    t.http
      .patch(`/scim/v2/Users/${id}`)
      .set(scim())
      .send({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'name.givenName', value: givenName }],
      })
      .expect((res) => expect([200, 204]).toContain(res.status));

  beforeAll(async () => {
    t = await startTestApp({
      EVENT_RETRY_BASE: '0.1',
      EVENT_RETRY_MAX_BACKOFF: '0.5',
      EVENT_RETRY_MAX_SECONDS: '1',
      EVENT_RECEIVER_ALLOWLIST: '127.0.0.1',
    });
    db = t.app.get(DataSource);
    receiver = await startSetReceiver(keys);
  });

  afterAll(async () => {
    await receiver?.close();
    await t?.close();
  });

  it('pushes every event as a signed SET, in order per resource, and moves the cursor', async () => {
    const stream = await createStream(receiver.url('/a'));
    const ids = [await createUser('d.one'), await createUser('d.two')];
    for (let i = 0; i < 5; i++) await Promise.all(ids.map((id) => patchUser(id, `Name${i}`)));

    const mine = () => receiver.received.filter((r) => r.path === '/a');
    await until('12 SETs', mine, (sets) => sets.length >= 12);
    expect(receiver.rejected).toEqual([]);
    for (const id of ids) {
      const sets = mine().filter((r) => r.uri === `/Users/${id}`);
      expect(sets.map((s) => Object.keys(s.events)[0])).toEqual([
        'urn:ietf:params:scim:event:prov:create:notice',
        ...Array(5).fill('urn:ietf:params:scim:event:prov:patch:notice'),
      ]);
      // Versions grow: the patches arrived in the order they were made.
      const versions = sets.slice(1).map((s) => s.events['urn:ietf:params:scim:event:prov:patch:notice'].version);
      expect(versions).toEqual(['W/"2"', 'W/"3"', 'W/"4"', 'W/"5"', 'W/"6"']);
    }
    expect(new Set(mine().map((s) => s.jti)).size).toBe(12);
    expect(mine()[0].claims).toMatchObject({ aud: receiver.url('/a'), iss: 'urn:idp/scim/endpoints/default' });
    const [[row]] = await until(
      'the cursor at the last event',
      () =>
        Promise.all([
          db.query<{ cursor: string }[]>(
            `SELECT cursor::text AS cursor, last_delivered_on IS NOT NULL AS delivered, attempts
               FROM event_streams WHERE id = $1`,
            [stream],
          ),
          lastSeq(),
        ]),
      ([rows, last]) => rows[0].cursor === last,
    );
    expect(row).toMatchObject({ delivered: true, attempts: 0 });
    await t.http.post(ops(stream, 'pause')).set(admin()).expect(200);
  });

  it('counts events a stream does not subscribe to as delivered', async () => {
    const stream = await createStream(receiver.url('/deletes'), { eventTypes: ['delete'] });
    const id = await createUser('d.three');
    await patchUser(id, 'Skipped');
    await t.http.delete(`/scim/v2/Users/${id}`).set(scim()).expect(204);
    const sets = await until(
      'the delete',
      () => receiver.received.filter((r) => r.path === '/deletes'),
      (s) => s.length >= 1,
    );
    expect(sets.map((s) => Object.keys(s.events))).toEqual([['urn:ietf:params:scim:event:prov:delete']]);
    await t.http.post(ops(stream, 'pause')).set(admin()).expect(200);
  });

  it('pauses (nothing delivered), resumes from the cursor, and replays with the same jti', async () => {
    const stream = await createStream(receiver.url('/ops'));
    const mine = () => receiver.received.filter((r) => r.path === '/ops');
    const paused = await t.http.post(ops(stream, 'pause')).set(admin()).expect(200);
    expect(paused.body).toMatchObject({ id: stream, status: 'paused', delivery: 'push', attempts: 0 });
    const start = String(paused.body.cursor);
    const id = await createUser('d.paused');
    await patchUser(id, 'WhilePaused');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(mine()).toEqual([]);

    const resumed = await t.http.post(ops(stream, 'resume')).set(admin()).expect(200);
    expect(resumed.body).toMatchObject({ status: 'active', cursor: start });
    const first = await until('both events after resume', mine, (sets) => sets.length >= 2);
    expect(first.map((s) => Object.keys(s.events)[0].split(':').slice(-2).join(':'))).toEqual([
      'create:notice',
      'patch:notice',
    ]);

    await until(
      'the cursor moved',
      () => db.query(`SELECT cursor::text AS c FROM event_streams WHERE id = $1`, [stream]),
      (rows: { c: string }[]) => rows[0].c !== start,
    );
    const replayed = await t.http.post(ops(stream, 'replay')).set(admin()).send({ after: start }).expect(200);
    expect(replayed.body).toMatchObject({ cursor: start, status: 'active' });
    const again = await until('the replay', mine, (sets) => sets.length >= 4);
    expect(again.slice(2).map((s) => s.jti)).toEqual(first.map((s) => s.jti));

    const last = await lastSeq();
    await t.http
      .post(ops(stream, 'replay'))
      .set(admin())
      .send({ after: String(BigInt(last) + 1n) })
      .expect(400);
    await t.http.post(ops(stream, 'replay')).set(admin()).send({ after: '-1' }).expect(400);
    await t.http.post(ops(stream, 'replay')).set(admin()).send({}).expect(400);
    await t.http.post(ops('6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f', 'pause')).set(admin()).expect(404);
    await t.http.post(ops('not-a-uuid', 'resume')).set(admin()).expect(404);
    await t.http.post(`/api/admin/tenants/nobody/event-streams/${stream}/pause`).set(admin()).expect(404);
    await t.http.post(ops(stream, 'pause')).expect(401);
    await t.http.post(ops(stream, 'pause')).set(admin()).expect(200);
  });

  it('retries a failing receiver with a clear lastError, then dead-letters what fails longer than allowed', async () => {
    receiver.answer((path) => (path === '/down' ? 503 : 202));
    const stream = await createStream(receiver.url('/down'));
    const id = await createUser('d.four');
    const [failing] = await until(
      'a recorded failure',
      () =>
        db.query(
          `SELECT attempts, last_error, next_attempt_on IS NOT NULL AS scheduled FROM event_streams WHERE id = $1`,
          [stream],
        ),
      (rows: { attempts: number }[]) => rows[0].attempts >= 1,
    );
    expect(failing).toMatchObject({ last_error: 'receiver answered 503', scheduled: true });
    const letters = await until(
      'a dead letter',
      () =>
        db.query<{ seq: string; set_token: string; error: string; attempts: number }[]>(
          `SELECT seq::text, event_id, set_token, error, attempts FROM event_dead_letters WHERE stream_id = $1`,
          [stream],
        ),
      (rows) => rows.length >= 1,
    );
    expect(letters[0]).toMatchObject({ error: 'receiver answered 503' });
    const page = await t.http.get(ops(stream, 'dead-letters')).query({ pageSize: 1 }).set(admin()).expect(200);
    expect(page.body).toMatchObject({ page: 1, pageSize: 1, total: expect.any(Number) });
    expect(page.body.items[0]).toMatchObject({ error: 'receiver answered 503', set: expect.stringMatching(/^ey/) });
    await t.http.get(ops(stream, 'dead-letters')).query({ page: 0 }).set(admin()).expect(400);
    expect(letters[0].attempts).toBeGreaterThan(1);
    const claims = JSON.parse(Buffer.from(String(letters[0].set_token).split('.')[1], 'base64url').toString());
    expect(claims.sub_id.uri).toBe(`/Users/${id}`);
    // The receiver is back: the cursor has moved past the dead letter and later events arrive.
    receiver.answer(() => 202);
    await patchUser(id, 'Back');
    await until(
      'the later patch',
      () => receiver.received.filter((r) => r.path === '/down'),
      (s) => s.length >= 1,
    );
    // The cursor moves in the step after the receiver answered: wait for that commit.
    const [after] = await until(
      'the cursor past the dead letter',
      () => db.query<{ cursor: string }[]>(`SELECT cursor::text AS cursor FROM event_streams WHERE id = $1`, [stream]),
      (rows) => BigInt(rows[0].cursor) > BigInt(letters[0].seq),
    );
    expect(BigInt(after.cursor)).toBeGreaterThan(BigInt(letters[0].seq));
  });
});
