import { appliedOnce, commitUsers, Fleet, Outcome, pause, scimUser, send, startFleet, until } from './support/fleet';

const OPERATIONS = 3_000;
/** Longest any request may take while Redis is down: it gets an answer, it never hangs. */
const ANSWER_WITHIN_MS = 5_000;

/**
 * Redis stopped (SIGKILL: it keeps nothing on disk, so it comes back empty) while a commit runs,
 * and started again. PostgreSQL holds every job, so none is lost; the lease keeps any from running
 * twice. Meanwhile requests are served or get a clear error within seconds.
 */
describe('Redis stopped and restarted during a commit', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet();
  });
  afterAll(() => fleet?.destroy());

  it('loses no job, runs none twice, and keeps answering requests', async () => {
    // Rate limits on: their store is Redis too, and must not hang requests while it is down.
    const env = { RATE_LIMITS: 'on' };
    const api = await fleet.start('api', env);
    await fleet.start('worker', env);
    const scim = { Authorization: `Bearer ${fleet.secrets.scimSecret}` };

    const first = await commitUsers(api.base, fleet.secrets.apiToken, 'redis-a', OPERATIONS);
    await until(
      'the first commit running',
      () =>
        fleet.sql<{ n: number }>('SELECT completed_count AS n FROM provisioning_transactions WHERE id = $1', [first]),
      ([row]) => row.n > 0,
      60_000,
    );
    await fleet.redis.stop();

    // While Redis is down: a second commit is taken (its job waits in PostgreSQL), reads and
    // writes are served, /health says the queue is down.
    const during: Outcome[] = [];
    const second = await commitUsers(api.base, fleet.secrets.apiToken, 'redis-b', 500);
    for (let i = 0; i < 5; i++) {
      during.push(
        await send(api.base, {
          method: 'POST',
          path: '/scim/v2/Users',
          headers: scim,
          body: scimUser(`redis-down-${i}@example.com`),
        }),
        await send(api.base, {
          path: `/scim/v2/Users?filter=userName eq "redis-down-${i}@example.com"`,
          headers: scim,
        }),
      );
    }
    const health = await send(api.base, { path: '/health' });
    expect(health.status).toBe(503);
    expect(JSON.parse(health.body!)).toMatchObject({ database: { status: 'up' }, queue: { status: 'down' } });
    for (const outcome of during) {
      expect(outcome.error).toBeUndefined();
      expect(outcome.ms).toBeLessThan(ANSWER_WITHIN_MS);
      expect([200, 201]).toContain(outcome.status);
    }
    await pause(2_000);
    await fleet.redis.start();

    await until(
      '/health ok again',
      () => send(api.base, { path: '/health' }),
      (o) => o.status === 200,
      30_000,
    );
    for (const tx of [first, second]) {
      await until(
        `transaction ${tx} ended`,
        async () => (await appliedOnce(fleet, tx, 'x')).transaction,
        (status) => status === 'COMPLETED' || status === 'FAILED',
        120_000,
      );
    }
    expect(await appliedOnce(fleet, first, 'redis-a')).toMatchObject({
      transaction: 'COMPLETED',
      users: { users: OPERATIONS, distinct_ids: OPERATIONS, max_version: 1 },
      operations: [{ status: 'SUCCEEDED', n: OPERATIONS }],
      job: { status: 'DONE', attempts: 1 },
    });
    expect(await appliedOnce(fleet, second, 'redis-b')).toMatchObject({
      transaction: 'COMPLETED',
      users: { users: 500, distinct_ids: 500, max_version: 1 },
      operations: [{ status: 'SUCCEEDED', n: 500 }],
      job: { status: 'DONE', attempts: 1 },
    });
    // And after the restart the queue delivers again: a new commit runs promptly.
    const third = await commitUsers(api.base, fleet.secrets.apiToken, 'redis-c', 10);
    await until(
      'a commit after the restart completed',
      async () => (await appliedOnce(fleet, third, 'redis-c')).transaction,
      (status) => status === 'COMPLETED',
      30_000,
    );
  }, 300_000);
});
