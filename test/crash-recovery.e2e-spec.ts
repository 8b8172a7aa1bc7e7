import { Client } from 'pg';
import { launchService, ServiceProcess, waitForListening } from './support/service-process';
import { AppStore, createAppStore, randomSecret } from './support/test-app';

const USERS = 5_000;

/**
 * kill -9 of the service while a 5,000-operation commit runs, then a restart on the same data:
 * the job is picked up again (its lease expires), finishes, and applies every operation once.
 */
describe('a commit job survives kill -9 of its process', () => {
  let store: AppStore;
  const running: ServiceProcess[] = [];
  const token = randomSecret('api');
  const headers = { 'auth-tenant-id': 'default', 'auth-token': token, 'Content-Type': 'application/json' };

  beforeAll(async () => {
    store = await createAppStore();
  });
  const stops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const stop of stops) await stop();
    for (const service of running) if (service.child.exitCode === null) service.child.kill('SIGKILL');
    await Promise.all(running.map((service) => service.exited));
    await store.drop();
  });

  function env(): Record<string, string> {
    return {
      DATA_DIR: store.dataDir,
      ...(store.databaseUrl ? { DATABASE_URL: store.databaseUrl } : {}),
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
      PROVISIONING_API_TOKEN: token,
      SCIM_SHARED_SECRET: randomSecret('scim'),
      ADMIN_TOKEN: randomSecret('admin'),
      JWT_SECRET: 'crash-recovery-jwt-secret-of-32-chars!',
      RATE_LIMITS: 'off',
    };
  }

  async function start(): Promise<ServiceProcess> {
    const service = await launchService(env());
    running.push(service);
    await waitForListening(service);
    return service;
  }

  async function call(service: ServiceProcess, method: string, route: string, body?: unknown): Promise<any> {
    const res = await fetch(`${service.base}/api/provisioning/iam${route}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.status).toBeLessThan(300);
    return res.json();
  }

  it('finishes after a restart with every operation applied exactly once', async () => {
    const first = await start();
    const tx = (await call(first, 'POST', '/checkpoint')).transactionId as string;
    for (let start = 0; start < USERS; start += 1000) {
      const items = Array.from({ length: 1000 }, (_, k) => ({
        externalId: `crash-${start + k}`,
        email: `crash.${start + k}@example.com`,
        firstName: 'Crash',
      }));
      await call(first, 'POST', `/${tx}/user`, items);
    }
    await call(first, 'POST', `/${tx}/commit`);
    // Kill as soon as processing has begun, mid-job.
    for (let i = 0; i < 2000; i++) {
      const status = await call(first, 'GET', `/transaction/${tx}/status`);
      if (status.transactionStatus !== 'COMMITTED') break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await start();
    let status: any;
    for (let i = 0; i < 600; i++) {
      status = await call(second, 'GET', `/transaction/${tx}/status`);
      if (['COMPLETED', 'FAILED'].includes(status.transactionStatus)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toMatchObject({
      transactionStatus: 'COMPLETED',
      totalOperations: USERS,
      completedOperations: USERS,
      failedOperations: 0,
    });

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    // Read the rows directly: each user exists once and was written once (version 1).
    const url = store.databaseUrl ?? (await embeddedUrlAfterRestart());
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT count(*)::int AS users, count(DISTINCT external_id)::int AS distinct_ids, max(version)::int AS max_version
           FROM users WHERE external_id LIKE 'crash-%'`,
      );
      expect(rows[0]).toEqual({ users: USERS, distinct_ids: USERS, max_version: 1 });
      const ops = await client.query(
        `SELECT status, count(*)::int AS n FROM provisioning_operations WHERE transaction_id = $1 GROUP BY status`,
        [tx],
      );
      expect(ops.rows).toEqual([{ status: 'SUCCEEDED', n: USERS }]);
    } finally {
      await client.end();
    }
  }, 180_000);

  /** Embedded: the data folder belongs to one process, so open it with a short-lived one of our own. */
  async function embeddedUrlAfterRestart(): Promise<string> {
    const { startEmbeddedPostgres } = await import('../src/database/embedded-postgres');
    const embedded = await startEmbeddedPostgres({ dataDir: store.dataDir, maxConnections: 4 });
    stops.push(() => embedded.stop());
    return embedded.url;
  }
});
