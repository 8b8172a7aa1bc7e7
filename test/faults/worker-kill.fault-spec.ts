import { appliedOnce, commitUsers, Fleet, pause, startFleet, until } from './support/fleet';
import type { ServiceProcess } from '../support/service-process';

const OPERATIONS = 10_000;

/**
 * kill -9 of the worker running a 10,000-operation commit, with a second worker running: the
 * second takes the job over once the lease expires and finishes it, every operation applied once.
 */
describe('kill -9 of a worker mid-commit', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet();
  });
  afterAll(() => fleet?.destroy());

  it('finishes the job on the other worker with every operation applied exactly once', async () => {
    const api = await fleet.start('api');
    const workers = await Promise.all([fleet.start('worker'), fleet.start('worker')]);
    const tx = await commitUsers(api.base, fleet.secrets.apiToken, 'kill', OPERATIONS);

    // The job's lease owner names its process: host:pid:random.
    const running = await until(
      'the commit job running with some operations done',
      () =>
        fleet.sql<{ lease_owner: string | null; done: number }>(
          `SELECT j.lease_owner, t.completed_count AS done FROM provisioning_transactions t
             JOIN backend_jobs j ON j.id = t.job_id WHERE t.id = $1`,
          [tx],
        ),
      ([row]) => row?.lease_owner !== null && row.done > 0,
      60_000,
    );
    const owner = workers.find((w) => running[0].lease_owner!.split(':')[1] === String(w.child.pid));
    expect(owner).toBeDefined();
    const survivor = workers.find((w) => w !== owner) as ServiceProcess;
    owner!.child.kill('SIGKILL');
    await owner!.exited;
    const [atKill] = await fleet.sql<{ done: number }>(
      'SELECT completed_count AS done FROM provisioning_transactions WHERE id = $1',
      [tx],
    );
    expect(atKill.done).toBeLessThan(OPERATIONS); // killed mid-job, not after it

    await until(
      'the transaction completed',
      async () => (await appliedOnce(fleet, tx, 'kill')).transaction,
      (status) => status === 'COMPLETED' || status === 'FAILED',
      120_000,
    );
    expect(await appliedOnce(fleet, tx, 'kill')).toEqual({
      transaction: 'COMPLETED',
      users: { users: OPERATIONS, distinct_ids: OPERATIONS, max_version: 1 },
      operations: [{ status: 'SUCCEEDED', n: OPERATIONS }],
      job: { status: 'DONE', attempts: 2 },
    });
    const [status] = await fleet.sql(
      'SELECT operation_count AS total, completed_count AS completed, failed_count AS failed FROM provisioning_transactions WHERE id = $1',
      [tx],
    );
    expect(status).toEqual({ total: OPERATIONS, completed: OPERATIONS, failed: 0 });
    expect(survivor.child.exitCode).toBeNull();
    await pause(0);
  }, 240_000);
});
