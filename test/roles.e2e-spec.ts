import { DataSource } from 'typeorm';
import { PeriodicTasks } from '../src/database/periodic-tasks';
import { RequestLogWriter } from '../src/request-log/request-log.writer';
import { openTestDataSource } from './support/test-database';
import { AppStore, createAppStore, startAppOn, TestApp } from './support/test-app';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await pause(100);
  }
}

describe('APP_ROLE', () => {
  let store: AppStore;
  let t: TestApp | null = null;

  beforeEach(async () => {
    store = await createAppStore();
  });
  afterEach(async () => {
    await t?.close();
    t = null;
    await store.drop();
  });

  async function start(role: 'api' | 'worker' | 'all'): Promise<TestApp> {
    await t?.close();
    t = await startAppOn(store, { APP_ROLE: role });
    return t;
  }

  it('worker: serves /health and answers every other path 404, in its API envelope', async () => {
    const worker = await start('worker');
    await worker.http.get('/health').expect(200);

    const admin = await worker.http
      .get('/api/admin/tenants')
      .set('Authorization', `Bearer ${worker.secrets.adminToken}`)
      .expect(404);
    expect(admin.body).toMatchObject({ status: false, error: expect.stringContaining('APP_ROLE=worker') });

    const scim = await worker.http
      .get('/scim/v2/Users')
      .set('Authorization', `Bearer ${worker.secrets.scimSecret}`)
      .expect(404);
    expect(JSON.parse(scim.text)).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '404',
      detail: expect.stringContaining('APP_ROLE=worker'),
    });
    await worker.http.get('/api/docs/openapi.json').expect(404);
    await worker.http.post('/api/provisioning/iam/checkpoint').set('auth-token', worker.secrets.apiToken).expect(404);
  });

  it('api: takes a commit but runs no job; a worker on the same database runs it', async () => {
    const api = await start('api');
    await api.http.get('/api/docs/openapi.json').expect(200);
    const headers = { 'auth-tenant-id': 'default', 'auth-token': api.secrets.apiToken };
    const tx = (await api.http.post('/api/provisioning/iam/checkpoint').set(headers).expect(200)).body.transactionId;
    await api.http
      .post(`/api/provisioning/iam/${tx}/user`)
      .set(headers)
      .send([{ externalId: 'role-1', email: 'role.1@example.com', firstName: 'Role' }])
      .expect(200);
    await api.http.post(`/api/provisioning/iam/${tx}/commit`).set(headers).expect(202);
    // Longer than a sweep round and the grace for an unclaimed job: a worker would have run it.
    await pause(4_500);
    const status = await api.http.get(`/api/provisioning/iam/transaction/${tx}/status`).set(headers).expect(200);
    expect(status.body.transactionStatus).toBe('COMMITTED');

    const worker = await start('worker');
    const db = worker.app.get(DataSource);
    const read = async () =>
      (await db.query('SELECT status FROM provisioning_transactions WHERE id = $1', [tx]))[0]?.status as string;
    expect(await eventually(read, (s) => s === 'COMPLETED')).toBe('COMPLETED');
    expect(await db.query(`SELECT count(*)::int AS n FROM users WHERE external_id = 'role-1'`)).toEqual([{ n: 1 }]);
  }, 60_000);

  it('request-log retention runs on workers, never on api instances', async () => {
    let api = await start('api');
    await api.http.get('/api/retention-probe').expect(404);
    await api.app.get(RequestLogWriter).flush();
    const age = `UPDATE request_logs SET time = now() - interval '400 days' WHERE path = '/api/retention-probe'`;
    await api.app.get(DataSource).query(age);
    const probes = (app: TestApp) =>
      app.app.get(DataSource).query(`SELECT count(*)::int AS n FROM request_logs WHERE path = '/api/retention-probe'`);

    api = await start('api'); // a start-up pass would delete it now
    await pause(1_000);
    expect(await probes(api)).toEqual([{ n: 1 }]);

    const worker = await start('worker');
    expect(
      await eventually(
        () => probes(worker),
        (rows) => rows[0].n === 0,
      ),
    ).toEqual([{ n: 0 }]);
  }, 60_000);
});

describe('fleet-wide periodic tasks', () => {
  let db: Awaited<ReturnType<typeof openTestDataSource>>;
  beforeAll(async () => {
    db = await openTestDataSource();
  });
  afterAll(() => db.close());

  it('give each round to exactly one of several instances asking together', async () => {
    const fleet = [1, 2, 3, 4].map(() => new PeriodicTasks(db.dataSource));
    // Rounds of 3 s: long enough that the second ask falls inside the first round on a loaded
    // machine (300 ms rounds were missed under CI load on the embedded server).
    const ask = () => Promise.all(fleet.flatMap((instance) => [1, 2].map(() => instance.claimRound('probe', 3_000))));
    const count = (answers: boolean[]) => answers.filter(Boolean).length;

    expect(count(await ask())).toBe(1);
    expect(count(await ask())).toBe(0); // the round is taken
    await pause(3_100);
    expect(count(await ask())).toBe(1); // the next round
    const [row] = await db.dataSource.query(`SELECT last_started_by FROM periodic_tasks WHERE name = 'probe'`);
    expect(fleet.map((instance) => instance.instanceId)).toContain(row.last_started_by);
  });
});
