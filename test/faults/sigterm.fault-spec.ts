import * as http from 'node:http';
import { Fleet, Outcome, pause, scimUser, send, startFleet } from './support/fleet';

const CLIENTS = 16;

/**
 * SIGTERM under load, on keep-alive connections: requests in flight and requests still arriving on
 * open connections are answered; no request meets a reset or closed connection (a new connection
 * is refused once the listener has closed: nothing was sent on it). The process exits 0 with
 * every request it answered in the request log.
 */
describe('SIGTERM under load', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet();
  });
  afterAll(() => fleet?.destroy());

  it('finishes in-flight requests, resets no connection and flushes the request log', async () => {
    // With a readiness grace, as in production: it serves on for a second after the signal, then drains.
    const service = await fleet.start('all', { SHUTDOWN_DELAY_MS: '1000' });
    const headers = { Authorization: `Bearer ${fleet.secrets.scimSecret}` };
    const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
    const outcomes: Outcome[] = [];
    let stopped = false;

    // Each client sends until its connection is refused: the instance has stopped listening.
    const client = async (id: number): Promise<void> => {
      for (let i = 0; ; i++) {
        const userName = `term-${id}-${i}@example.com`;
        const outcome =
          i % 2 === 0
            ? await send(service.base, {
                method: 'POST',
                path: '/scim/v2/Users',
                headers,
                agent,
                body: scimUser(userName),
              })
            : await send(service.base, {
                path: `/scim/v2/Users?filter=userName eq "term-${id}-${i - 1}@example.com"`,
                headers,
                agent,
              });
        outcomes.push(outcome);
        if (outcome.error === 'ECONNREFUSED') return;
        if (outcome.error && stopped) return;
      }
    };
    const traffic = Promise.all(Array.from({ length: CLIENTS }, (_, id) => client(id)));
    await pause(3_000);
    const inFlightAtSignal = outcomes.length;
    service.child.kill('SIGTERM');
    stopped = true;
    const code = await service.exited;
    await traffic;
    agent.destroy();

    const answered = outcomes.filter((o) => o.status !== undefined);
    const refused = outcomes.filter((o) => o.error === 'ECONNREFUSED');
    const failed = outcomes.filter((o) => o.error !== undefined && o.error !== 'ECONNREFUSED');
    console.log(
      `SIGTERM: ${answered.length} answered (${answered.length - inFlightAtSignal} after the signal), ${refused.length} refused, ${failed.length} failed`,
    );
    expect(code).toBe(0);
    expect(failed.map((o) => o.error)).toEqual([]);
    expect(answered.filter((o) => o.status! >= 300)).toEqual([]);
    expect(answered.length).toBeGreaterThan(inFlightAtSignal); // requests after the signal were served too
    expect(refused.length).toBe(CLIENTS);

    // Every answered request is in the request log: the buffer was written before the exit.
    const [logged] = await fleet.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM request_logs WHERE path LIKE '/scim/v2/Users%'`,
    );
    expect(logged.n).toBe(answered.length);
    const [created] = await fleet.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM users WHERE user_name LIKE 'term-%'`,
    );
    expect(created.n).toBe(answered.filter((o) => o.status === 201).length);
  }, 120_000);
});
