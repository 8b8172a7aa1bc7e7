import { DataSource } from 'typeorm';
import { PeriodicTasks } from '../src/database/periodic-tasks';
import { Deleted } from '../src/database/retention-task';
import { TransactionRunner } from '../src/database/transaction-runner';
import { JobRetention } from '../src/jobs/job-retention';
import { JobsRepository } from '../src/jobs/jobs.repository';
import { TransactionRetention } from '../src/provisioning/transaction-retention';
import { JsonLogger } from '../src/common/json-logger';
import { createAppStore, startAppOn, startTestApp, TestApp } from './support/test-app';

const base = '/api/provisioning/iam';

describe(`data retention (${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded'})`, () => {
  let t: TestApp;
  let db: DataSource;
  let headers: Record<string, string>;
  let admin: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp({ TRANSACTION_RETENTION_DAYS: '10', JOB_RETENTION_DAYS: '5' });
    db = t.app.get(DataSource);
    headers = { 'auth-tenant-id': 'default', 'auth-token': t.secrets.apiToken };
    admin = { Authorization: `Bearer ${t.secrets.adminToken}` };
    // The start-up passes, if they are still running.
    await t.app.get(TransactionRetention).run();
    await t.app.get(JobRetention).run();
  });
  afterAll(() => t.close());

  const checkpoint = async (): Promise<string> =>
    (await t.http.post(`${base}/checkpoint`).set(headers).expect(200)).body.transactionId as string;
  const queueUser = (tx: string, externalId: string) =>
    t.http
      .post(`${base}/${tx}/user`)
      .set(headers)
      .send([{ externalId, email: `${externalId}@example.com`, firstName: 'Kept' }])
      .expect(200);
  /** A committed transaction, run to its end; answers its id and its job's. */
  const committed = async (externalId: string): Promise<{ tx: string; job: string }> => {
    const tx = await checkpoint();
    await queueUser(tx, externalId);
    const res = await t.http.post(`${base}/${tx}/commit?wait=true`).set(headers).expect(200);
    expect(res.body.transactionStatus).toBe('COMPLETED');
    return { tx, job: res.body.jobId as string };
  };

  /** A transaction in `status` that ended `endedDaysAgo` days ago (null: not ended), with one operation. */
  const transactionRow = async (status: string, endedDaysAgo: number | null, jobId: string | null = null) => {
    const [{ id }] = await db.query<{ id: string }[]>(
      `INSERT INTO provisioning_transactions (tenant_id, status, created_by, updated_by, operation_count, last_order_id, completed_on, job_id)
       VALUES ('default', $1, 'test', 'test', 1, 1, now() - $2 * interval '1 day', $3) RETURNING id`,
      [status, endedDaysAgo, jobId],
    );
    await db.query(
      `INSERT INTO provisioning_operations (transaction_id, order_id, entity_type, requested_action, status)
       VALUES ($1, 1, 'USER', 'UPSERT', $2)`,
      [id, status === 'OPEN' || status === 'COMMITTED' ? 'QUEUED' : 'SUCCEEDED'],
    );
    return id;
  };
  /**
   * A job in `status` whose finished_on is `endedDaysAgo` days ago (set even on an unfinished one, to
   * show the status alone protects it). Unfinished ones are out of every worker's reach: scheduled
   * far ahead, or leased by another worker.
   */
  const jobRow = async (status: string, endedDaysAgo: number): Promise<string> => {
    const [{ id }] = await db.query<{ id: string }[]>(
      `INSERT INTO backend_jobs (tenant_id, type, status, created_by, payload, start_on, finished_on, lease_owner, lease_expires_at)
       VALUES ('default', 'RETENTION_PROBE', $1, 'test', '{}', now() + interval '1 day', now() - $2 * interval '1 day',
               'another-worker', now() + interval '1 day')
       RETURNING id`,
      [status, endedDaysAgo],
    );
    return id;
  };
  const existing = async (table: string, ids: string[]): Promise<string[]> =>
    (await db.query<{ id: string }[]>(`SELECT id FROM ${table} WHERE id = ANY ($1::uuid[])`, [ids])).map((r) => r.id);
  const operationsOf = async (ids: string[]): Promise<number> =>
    (
      await db.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM provisioning_operations WHERE transaction_id = ANY ($1::uuid[])`,
        [ids],
      )
    )[0].n;
  const age = (table: string, column: string, ids: string[], days: number) =>
    db.query(`UPDATE ${table} SET ${column} = now() - $2 * interval '1 day' WHERE id = ANY ($1::uuid[])`, [ids, days]);

  it('deletes ended transactions, their operations and finished jobs past their days, and nothing else', async () => {
    // Through the API: a completed commit, a rollback, an open transaction.
    const done = await committed('retention-done');
    const rolledBack = await checkpoint();
    await queueUser(rolledBack, 'retention-rolled-back');
    await t.http.post(`${base}/transaction/${rolledBack}/rollback`).set(headers).expect(200);
    const open = await checkpoint();
    await queueUser(open, 'retention-open');
    await age('provisioning_transactions', 'completed_on', [done.tx, rolledBack], 11);
    await age('backend_jobs', 'finished_on', [done.job], 6);

    // Every end state, old, goes; every other state stays even with an old end time, and so does a
    // transaction ended long ago whose job is still running, and one ended recently.
    const gone = {
      transactions: [
        done.tx,
        rolledBack,
        await transactionRow('COMPLETED', 11),
        await transactionRow('FAILED', 11),
        await transactionRow('ROLLED_BACK', 11),
      ],
      jobs: [done.job, await jobRow('DONE', 6), await jobRow('FAILED', 6), await jobRow('CANCELLED', 6)],
    };
    const runningJob = await jobRow('STARTED', 6);
    const kept = {
      transactions: [
        open,
        await transactionRow('OPEN', 11),
        await transactionRow('COMMITTED', 11),
        await transactionRow('PROCESSING', 11),
        await transactionRow('FAILED', 11, runningJob),
        await transactionRow('COMPLETED', 9),
      ],
      jobs: [runningJob, await jobRow('NOT_STARTED', 6), await jobRow('DONE', 4)],
    };

    expect(await t.app.get(TransactionRetention).enforce()).toEqual({ transactions: 5, operations: 5 });
    expect(await t.app.get(JobRetention).enforce()).toEqual({ jobs: 4 });

    expect(await existing('provisioning_transactions', gone.transactions)).toEqual([]);
    expect(await operationsOf(gone.transactions)).toBe(0);
    expect(await existing('backend_jobs', gone.jobs)).toEqual([]);
    expect((await existing('provisioning_transactions', kept.transactions)).sort()).toEqual(
      [...kept.transactions].sort(),
    );
    expect(await operationsOf(kept.transactions)).toBe(kept.transactions.length);
    expect((await existing('backend_jobs', kept.jobs)).sort()).toEqual([...kept.jobs].sort());

    // A removed id answers as an unknown one does.
    const status = await t.http.get(`${base}/transaction/${done.tx}/status`).set(headers).expect(404);
    expect(status.body).toMatchObject({ status: false });
    await t.http.get(`/api/admin/transactions/${done.tx}`).set(admin).expect(404);
    await t.http.get(`/api/user/job/${done.job}`).set(headers).expect(404);
    await t.http.post(`${base}/${done.tx}/commit`).set(headers).expect(404);
    // What stays still answers.
    const openStatus = await t.http.get(`${base}/transaction/${open}/status`).set(headers).expect(200);
    expect(openStatus.body.transactionStatus).toBe('OPEN');
  });

  it('keeps a transaction whose job is gone answering, a repeated commit included', async () => {
    const { tx, job } = await committed('retention-job-gone');
    await age('backend_jobs', 'finished_on', [job], 6);
    await age('provisioning_transactions', 'completed_on', [tx], 6);
    expect(await t.app.get(JobRetention).enforce()).toEqual({ jobs: 1 });
    expect(await t.app.get(TransactionRetention).enforce()).toEqual({ transactions: 0, operations: 0 });

    await t.http.get(`/api/user/job/${job}`).set(headers).expect(404);
    const status = await t.http.get(`${base}/transaction/${tx}/status`).set(headers).expect(200);
    expect(status.body).toMatchObject({ transactionStatus: 'COMPLETED', jobId: job });
    const again = await t.http.post(`${base}/${tx}/commit?wait=true`).set(headers).expect(200);
    expect(again.body).toMatchObject({ transactionStatus: 'COMPLETED', jobId: job, successfulOperations: 1 });
  });

  it('does one pass per round across instances asking together', async () => {
    const old = [await jobRow('DONE', 6), await jobRow('FAILED', 6), await jobRow('CANCELLED', 6)];
    await db.query(`DELETE FROM periodic_tasks WHERE name = 'job-retention'`); // a new round is due
    const instance = () =>
      new JobRetention(
        t.config,
        new PeriodicTasks(db),
        t.app.get(TransactionRunner),
        t.app.get(JobsRepository, { strict: false }),
      );
    const fleet = [instance(), instance(), instance()];
    const passes: Deleted[] = await Promise.all(fleet.map((retention) => retention.run()));
    expect(passes.filter((deleted) => Object.keys(deleted).length > 0)).toEqual([{ jobs: 3 }]);
    expect(await existing('backend_jobs', old)).toEqual([]);

    // Later in the same round nobody deletes, though there is something to delete.
    const later = await jobRow('DONE', 6);
    expect(await Promise.all(fleet.map((retention) => retention.run()))).toEqual([{}, {}, {}]);
    expect(await existing('backend_jobs', [later])).toEqual([later]);
  });
});

/** Keeps what the app logs at info, by context. */
class RecordingLogger extends JsonLogger {
  readonly lines: string[] = [];
  constructor() {
    super(['error', 'fatal']);
  }
  override log(message: unknown, ...rest: unknown[]): void {
    this.lines.push(`${String(rest[rest.length - 1])}: ${String(message)}`);
  }
}

describe('data retention on its own', () => {
  it('runs at start-up on workers, never on api instances, and logs what it deleted', async () => {
    const store = await createAppStore();
    let t: TestApp | null = null;
    try {
      t = await startAppOn(store, { APP_ROLE: 'api' });
      const db = () => t!.app.get(DataSource);
      await db().query(
        `INSERT INTO backend_jobs (tenant_id, type, status, created_by, payload, finished_on)
         VALUES ('default', 'RETENTION_PROBE', 'DONE', 'test', '{}', now() - interval '31 days')`,
      );
      const [{ id: tx }] = await db().query<{ id: string }[]>(
        `INSERT INTO provisioning_transactions (tenant_id, status, created_by, updated_by, completed_on)
         VALUES ('default', 'COMPLETED', 'test', 'test', now() - interval '91 days') RETURNING id`,
      );
      await db().query(
        `INSERT INTO provisioning_operations (transaction_id, order_id, entity_type, requested_action, status)
         VALUES ($1, 1, 'USER', 'UPSERT', 'SUCCEEDED')`,
        [tx],
      );
      const left = async () =>
        (
          await db().query<{ n: number }[]>(
            `SELECT (SELECT count(*) FROM backend_jobs WHERE type = 'RETENTION_PROBE')
                  + (SELECT count(*) FROM provisioning_transactions WHERE id = $1)
                  + (SELECT count(*) FROM provisioning_operations WHERE transaction_id = $1) AS n`,
            [tx],
          )
        )[0].n;
      await t.close();

      // A worker's start-up pass deletes them within a second or so (below); an api instance's never.
      t = await startAppOn(store, { APP_ROLE: 'api' });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(Number(await left())).toBe(3);
      const rounds = await db().query(`SELECT name FROM periodic_tasks WHERE name LIKE '%-retention'`);
      expect(rounds).toEqual([]); // nor has it claimed a round
      await t.close();

      const logger = new RecordingLogger();
      t = await startAppOn(store, { APP_ROLE: 'worker' }, [], logger);
      for (let i = 0; i < 200 && Number(await left()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(Number(await left())).toBe(0);
      await t.close(); // joins the passes, so their log lines are written
      t = null;
      expect(logger.lines).toEqual(
        expect.arrayContaining([
          'Provisioning: Retention deleted 1 transactions, 1 operations',
          'Jobs: Retention deleted 1 jobs',
        ]),
      );
      expect(logger.lines.filter((line) => line.includes('Retention deleted'))).toHaveLength(2);
    } finally {
      await t?.close();
      await store.drop();
    }
  }, 120_000);
});

describe('data retention set to off', () => {
  it('deletes nothing, however old', async () => {
    const t = await startTestApp({ TRANSACTION_RETENTION_DAYS: 'off', JOB_RETENTION_DAYS: '0' });
    try {
      const db = t.app.get(DataSource);
      await db.query(
        `INSERT INTO backend_jobs (tenant_id, type, status, created_by, payload, finished_on)
         VALUES ('default', 'RETENTION_PROBE', 'DONE', 'test', '{}', now() - interval '100 years')`,
      );
      await db.query(
        `INSERT INTO provisioning_transactions (tenant_id, status, created_by, updated_by, completed_on)
         VALUES ('default', 'COMPLETED', 'test', 'test', now() - interval '100 years')`,
      );
      expect(await t.app.get(TransactionRetention).enforce()).toEqual({});
      expect(await t.app.get(JobRetention).enforce()).toEqual({});
      const count = async (table: string) =>
        (await db.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;
      expect(await count('backend_jobs')).toBe(1);
      expect(await count('provisioning_transactions')).toBe(1);
    } finally {
      await t.close();
    }
  });
});
