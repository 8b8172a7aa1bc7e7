import * as http from 'node:http';
import { Fleet, Outcome, pause, scimUser, send, startFleet } from './support/fleet';

const CLIENTS = 4;
const OUTAGE_MS = 4_000;

/**
 * PostgreSQL restarted while SCIM traffic runs: requests during the outage get 503 with a SCIM
 * error saying so, /health goes 503 and back to 200, and the service recovers by itself. A POST
 * answered 201 is stored; one answered 503 is not (nothing half-written).
 */
describe('PostgreSQL restarted under SCIM traffic', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet();
  });
  afterAll(() => fleet?.destroy());

  it('answers 503 during the outage and recovers by itself', async () => {
    const service = await fleet.start('all');
    const headers = { Authorization: `Bearer ${fleet.secrets.scimSecret}` };
    const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS + 1 });
    const posts: { userName: string; outcome: Outcome }[] = [];
    const outcomes: Outcome[] = [];
    const health: { at: number; status: string }[] = [];
    let running = true;

    const client = async (id: number): Promise<void> => {
      for (let i = 0; running; i++) {
        const userName = `pg-${id}-${i}@example.com`;
        const post = await send(service.base, {
          method: 'POST',
          path: '/scim/v2/Users',
          headers,
          agent,
          body: scimUser(userName, { active: true }),
        });
        posts.push({ userName, outcome: post });
        outcomes.push(post);
        outcomes.push(
          await send(service.base, { path: `/scim/v2/Users?filter=userName eq "${userName}"`, headers, agent }),
        );
        await pause(20);
      }
    };
    const watchHealth = async (): Promise<void> => {
      while (running) {
        const outcome = await send(service.base, { path: '/health', agent });
        const status = outcome.status === 200 ? 'ok' : `${outcome.status ?? outcome.error}`;
        if (health.at(-1)?.status !== status) health.push({ at: Date.now(), status });
        await pause(100);
      }
    };
    const traffic = Promise.all([...Array.from({ length: CLIENTS }, (_, id) => client(id)), watchHealth()]);

    await pause(2_000);
    const stoppedAt = Date.now();
    fleet.postgres.stop('fast');
    await pause(OUTAGE_MS);
    await fleet.postgres.start();
    const restartedAt = Date.now();
    // Traffic goes on until everything has been served again for a while.
    let recoveredAt = 0;
    for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
      await pause(200);
      const recent = outcomes.filter((o) => o.startedAt > restartedAt);
      const firstOk = recent.find((o) => o.status === 200 || o.status === 201);
      if (firstOk && !recoveredAt) recoveredAt = firstOk.startedAt + firstOk.ms;
      if (recoveredAt && Date.now() - recoveredAt > 3_000) break;
    }
    running = false;
    await traffic;
    agent.destroy();

    const summary = `health ${JSON.stringify(health.map((h) => h.status))}; recovered ${recoveredAt - restartedAt} ms after the restart`;
    console.log(`PostgreSQL restart: ${outcomes.length} requests; ${summary}`);

    // Every request was answered (none hung, none reset), with 2xx or a 503 saying why.
    for (const outcome of outcomes) {
      expect(outcome.error).toBeUndefined();
      expect([200, 201, 503]).toContain(outcome.status);
      expect(outcome.ms).toBeLessThan(10_000);
    }
    const unavailable = outcomes.filter((o) => o.status === 503);
    expect(unavailable.length).toBeGreaterThan(0);
    for (const outcome of unavailable) {
      expect(outcome.startedAt + outcome.ms).toBeGreaterThanOrEqual(stoppedAt);
      expect(JSON.parse(outcome.body!)).toEqual({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: '503',
        detail: 'The database is not reachable at the moment; retry shortly',
      });
    }
    // Recovered by itself, and the last requests all succeeded.
    expect(recoveredAt).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.startedAt > recoveredAt).every((o) => o.status !== 503)).toBe(true);
    // /health: ok, then 503 while down, then ok again.
    expect(health.map((h) => h.status)).toEqual(['ok', '503', 'ok']);

    // Exactly the POSTs answered 201 are stored.
    const created = posts.filter((p) => p.outcome.status === 201).map((p) => p.userName);
    const stored = await fleet.sql<{ user_name: string }>(`SELECT user_name FROM users WHERE user_name LIKE 'pg-%'`);
    expect(stored.map((row) => row.user_name).sort()).toEqual(created.sort());
  }, 180_000);
});
