import type { JsonWebKey } from 'node:crypto';
import { ServerKey } from '../../src/auth/server-key';
import { setJti } from '../../src/events/sets/set-token';
import { generateStreamKey } from '../../src/events/sets/stream-keys';
import { startSetReceiver } from '../support/set-receiver';
import type { ServiceProcess } from '../support/service-process';
import { Fleet, pause, scimUser, send, startFleet, until } from './support/fleet';

type Receiver = Awaited<ReturnType<typeof startSetReceiver>>;

/**
 * Push delivery when things break: the receiver goes away, the worker delivering is killed, a
 * receiver is slow. Real service processes (api + workers) on their own PostgreSQL and Redis.
 */
describe('event push delivery under faults', () => {
  let fleet: Fleet;
  let api: ServiceProcess;
  const receivers: Receiver[] = [];
  const env = { EVENT_RECEIVER_ALLOWLIST: '127.0.0.1', EVENT_RETRY_BASE: '0.2', EVENT_RETRY_MAX_BACKOFF: '1' };
  const keys = async (): Promise<JsonWebKey[]> =>
    (await fleet.sql<{ public_jwk: JsonWebKey }>('SELECT public_jwk FROM event_streams')).map((r) => r.public_jwk);
  const scim = () => ({ Authorization: `Bearer ${fleet.secrets.scimSecret}` });

  async function receiver(port = 0): Promise<Receiver> {
    const started = await startSetReceiver(keys, port);
    receivers.push(started);
    return started;
  }

  /** A push stream of the default tenant after every event so far (H3's create route once merged). */
  async function createStream(endpointUrl: string): Promise<string> {
    const key = generateStreamKey();
    const sealed = new ServerKey(fleet.secrets.jwtSecret).encrypt(key.privateJwk);
    // Everything written so far is sequenced once the sequencer has had a pass.
    await pause(300);
    const [row] = await fleet.sql<{ id: string }>(
      `INSERT INTO event_streams (tenant_id, name, delivery, endpoint_url, event_types, resource_types, form, status,
         cursor, signing_kid, signing_key_sealed, public_jwk)
       VALUES ('default', $1, 'push', $2, '{create,patch,delete,activate,deactivate}', '{user,department,assignment}',
         'notice', 'active', (SELECT COALESCE(max(last_seq), 0) FROM change_runs WHERE tenant_id = 'default'), $3, $4, $5)
       RETURNING id`,
      [`fault-${Math.random()}`, endpointUrl, key.kid, sealed, JSON.stringify(key.publicJwk)],
    );
    return row.id;
  }

  async function createUser(userName: string): Promise<{ id: string; ms: number }> {
    const outcome = await send(api.base, {
      method: 'POST',
      path: '/scim/v2/Users',
      headers: scim(),
      body: scimUser(userName),
    });
    if (outcome.status !== 201) throw new Error(`POST /Users: ${outcome.status} ${outcome.body}`);
    return { id: (JSON.parse(outcome.body!) as { id: string }).id, ms: outcome.ms };
  }

  async function patchUser(id: string, givenName: string): Promise<void> {
    const outcome = await send(api.base, {
      method: 'PATCH',
      path: `/scim/v2/Users/${id}`,
      headers: scim(),
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'name.givenName', value: givenName }],
      },
    });
    if (outcome.status !== 200 && outcome.status !== 204) throw new Error(`PATCH: ${outcome.status} ${outcome.body}`);
  }

  /** `users` users with `patches` patches each: (1 + patches) events per user. */
  async function writeEvents(prefix: string, users: number, patches: number): Promise<string[]> {
    const ids: string[] = [];
    for (let u = 0; u < users; u++) ids.push((await createUser(`${prefix}.${u}`)).id);
    for (let p = 0; p < patches; p++) await Promise.all(ids.map((id) => patchUser(id, `${prefix}${p}`)));
    return ids;
  }

  /** The jti of every event of `users`, as the stream must deliver them. */
  async function expectedJtis(stream: string, users: string[]): Promise<Set<string>> {
    const rows = await fleet.sql<{ event_id: string }>(
      `SELECT event_id FROM change_feed WHERE resource_id = ANY ($1::uuid[])`,
      [users],
    );
    return new Set(rows.map((row) => setJti(row.event_id, stream)));
  }

  /** Per resource, the received patch versions are in the order they were made (duplicates aside). */
  function expectOrderedPerResource(sets: Receiver['received'], users: string[]): void {
    for (const id of users) {
      const versions = sets
        .filter((s) => s.uri === `/Users/${id}`)
        .map((s) => Object.values(s.events)[0].version as string | undefined)
        .filter((v): v is string => v !== undefined)
        .map((v) => Number(/\d+/.exec(v)![0]));
      const firsts = versions.filter((v, i) => i === 0 || v > versions[i - 1] || !versions.slice(0, i).includes(v));
      expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
    }
  }

  beforeAll(async () => {
    fleet = await startFleet();
    api = await fleet.start('api', env);
  }, 120_000);
  afterAll(async () => {
    for (const r of receivers) await r.close();
    await fleet?.destroy();
  });

  it('delivers every event, in order per resource, once a receiver that was down is back', async () => {
    const worker = await fleet.start('worker', env);
    const first = await receiver();
    const port = first.port;
    const stream = await createStream(first.url('/down'));
    await first.close(); // connection refused from now on
    const users = await writeEvents('down', 3, 4);
    await until(
      'failures recorded',
      () =>
        fleet.sql<{ attempts: number; last_error: string | null }>(
          'SELECT attempts, last_error FROM event_streams WHERE id = $1',
          [stream],
        ),
      ([row]) => row.attempts >= 2,
      30_000,
    );
    const [failing] = await fleet.sql<{ last_error: string }>('SELECT last_error FROM event_streams WHERE id = $1', [
      stream,
    ]);
    expect(failing.last_error).toMatch(/ECONNREFUSED/);

    const back = await receiver(port);
    const expected = await expectedJtis(stream, users);
    expect(expected.size).toBe(15);
    await until(
      'every event delivered',
      () => Promise.resolve(new Set(back.received.map((s) => s.jti))),
      (got) => got.size >= expected.size,
      30_000,
    );
    expect(new Set(back.received.map((s) => s.jti))).toEqual(expected);
    expect(back.rejected).toEqual([]);
    expectOrderedPerResource(back.received, users);
    worker.child.kill('SIGKILL');
    await worker.exited;
  }, 120_000);

  it('after kill -9 of the delivering worker, a new worker delivers every event; duplicates keep their jti', async () => {
    const slow = await receiver();
    slow.answer(() => pause(250).then(() => 202));
    const worker = await fleet.start('worker', env);
    const stream = await createStream(slow.url('/slow'));
    const users = await writeEvents('kill', 4, 9); // 40 events, about 10 rounds of 250 ms per lane
    await until(
      'delivery in flight',
      () => Promise.resolve(slow.received.length),
      (n) => n >= 4,
      30_000,
    );
    const [job] = await fleet.sql<{ lease_owner: string | null }>(
      `SELECT j.lease_owner FROM event_streams s JOIN backend_jobs j ON j.id = s.delivery_job_id WHERE s.id = $1`,
      [stream],
    );
    expect(job.lease_owner?.split(':')[1]).toBe(String(worker.child.pid));
    worker.child.kill('SIGKILL');
    await worker.exited;
    const atKill = new Set(slow.received.map((s) => s.jti)).size;
    const expected = await expectedJtis(stream, users);
    expect(atKill).toBeLessThan(expected.size);

    await fleet.start('worker', env);
    // The job's lease (15 s) must run out before the sweeper hands it over.
    await until(
      'every event delivered',
      () => Promise.resolve(new Set(slow.received.map((s) => s.jti))),
      (got) => got.size >= expected.size,
      90_000,
    );
    expect(new Set(slow.received.map((s) => s.jti))).toEqual(expected);
    // A duplicate is the same SET event: same jti, same subject, same event.
    const byJti = new Map<string, string>();
    for (const s of slow.received) {
      const what = JSON.stringify([s.uri, s.events]);
      expect(byJti.get(s.jti) ?? what).toBe(what);
      byJti.set(s.jti, what);
    }
    expectOrderedPerResource(slow.received, users);
  }, 180_000);

  it('a slow receiver on one stream delays neither another stream nor the write path', async () => {
    const slowReceiver = await receiver();
    slowReceiver.answer(() => pause(5000).then(() => 202));
    const fast = await receiver();
    // Three slow streams: more than JOB_CONCURRENCY (2) slots, so B is on time only in a pool of its own.
    for (const path of ['/a1', '/a2', '/a3']) await createStream(slowReceiver.url(path));
    const b = await createStream(fast.url('/b'));
    // Warm the write path, then measure it while A's deliveries hang.
    await createUser('warm.0');
    await pause(500);
    const latencies: number[] = [];
    const written: { id: string; at: number }[] = [];
    for (let i = 0; i < 10; i++) {
      const at = Date.now();
      const { id, ms } = await createUser(`slowab.${i}`);
      latencies.push(ms);
      written.push({ id, at });
      await pause(100);
    }
    await until(
      "B's events",
      () => Promise.resolve(fast.received.filter((s) => s.path === '/b').length),
      (n) => n >= 11,
      10_000,
    );
    for (const { id, at } of written) {
      const arrived = fast.receivedAt.get(fast.received.find((s) => s.uri === `/Users/${id}`)!.jti)!;
      expect(arrived - at).toBeLessThan(1500);
    }
    latencies.sort((x, y) => x - y);
    expect(latencies[Math.floor(latencies.length / 2)]).toBeLessThan(300);
    const [streamB] = await fleet.sql<{ attempts: number }>('SELECT attempts FROM event_streams WHERE id = $1', [b]);
    expect(streamB.attempts).toBe(0);
  }, 120_000);
});
