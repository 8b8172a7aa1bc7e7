import { Lifecycle } from '../src/lifecycle/lifecycle';
import { AppStore, createAppStore, startAppOn, TestApp } from './support/test-app';

/** Nothing listens on port 1: a Redis that never answers. */
const REDIS_DOWN = 'redis://127.0.0.1:1';
const queueMode = process.env.REDIS_URL ? 'redis' : 'in-process';
const up = { database: { status: 'up' }, queue: { status: 'up', mode: queueMode } };

describe('/health/live and /health/ready', () => {
  let store: AppStore;
  let t: TestApp | null = null;

  beforeAll(async () => {
    store = await createAppStore();
  });
  afterEach(async () => {
    await t?.close();
    t = null;
  });
  afterAll(() => store.drop());

  async function start(env: Record<string, string> = {}): Promise<TestApp> {
    t = await startAppOn(store, env);
    return t;
  }

  it('answer 200 while everything is up; after SIGTERM began the drain, ready turns 503 and live stays 200', async () => {
    const app = await start();
    expect((await app.http.get('/health/live').expect(200)).body).toEqual({ status: 'ok' });
    expect((await app.http.get('/health/ready').expect(200)).body).toEqual({ status: 'ok', ...up });

    app.app.get(Lifecycle).beginStopping();
    expect((await app.http.get('/health/ready').expect(503)).body).toEqual({ status: 'stopping', ...up });
    await app.http.get('/health').expect(503);
    expect((await app.http.get('/health/live').expect(200)).body).toEqual({ status: 'ok' });
  });

  it('are served by a worker, which answers every other path 404', async () => {
    const worker = await start({ APP_ROLE: 'worker' });
    await worker.http.get('/health/live').expect(200);
    expect((await worker.http.get('/health/ready').expect(200)).body).toEqual({ status: 'ok', ...up });
    await worker.http.get('/health/nope').expect(404);
  });

  describe('while Redis does not answer', () => {
    const queueDown = { status: 'down', mode: 'redis', error: expect.any(String) };

    it.each(['api', 'all'])(
      'an %s instance stays ready, degraded; /health says 503',
      async (role) => {
        const api = await start({ APP_ROLE: role, REDIS_URL: REDIS_DOWN });
        const ready = await api.http.get('/health/ready').expect(200);
        expect(ready.body).toEqual({ status: 'degraded', database: { status: 'up' }, queue: queueDown });
        await api.http.get('/health/live').expect(200);
        await api.http.get('/health').expect(503);
        // What it stays ready for: reads, and commits (their jobs wait in PostgreSQL for Redis).
        const headers = { 'auth-tenant-id': 'default', 'auth-token': api.secrets.apiToken };
        const tx = (await api.http.post('/api/provisioning/iam/checkpoint').set(headers).expect(200)).body
          .transactionId as string;
        await api.http.post(`/api/provisioning/iam/${tx}/commit`).set(headers).expect(202);
        await api.http.get('/scim/v2/Users').set('Authorization', `Bearer ${api.secrets.scimSecret}`).expect(200);
      },
      60_000,
    );

    it('a worker is not ready, and still alive', async () => {
      const worker = await start({ APP_ROLE: 'worker', REDIS_URL: REDIS_DOWN });
      const ready = await worker.http.get('/health/ready').expect(503);
      expect(ready.body).toEqual({ status: 'unavailable', database: { status: 'up' }, queue: queueDown });
      await worker.http.get('/health/live').expect(200);
    }, 60_000);
  });
});
