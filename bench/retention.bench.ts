// Benchmark: one retention pass over a large backlog, and what writers see meanwhile. Seeds TX ended
// transactions of OPS operations each and JOBS finished jobs, all past their retention, plus recent
// ones that stay; then runs one transaction pass and one job pass while a writer opens transactions
// and queues operations in a loop. Reports each pass's time and rate, its longest batch, and the
// writer's slowest write. Run it as:
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx ts-node -T bench/retention.bench.ts
// (TX=200 OPS=1000 JOBS=50000 by default; a scratch database idp_test_retention_<random> is created and dropped after.)
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DataSource, EntityManager } from 'typeorm';
import { loadConfig } from '../src/config/app-config';
import { dataSourceOptions } from '../src/database/data-source-options';
import { runMigrations } from '../src/database/migrations';
import { PeriodicTasks } from '../src/database/periodic-tasks';
import { Deleted } from '../src/database/retention-task';
import { TransactionRunner } from '../src/database/transaction-runner';
import { JobRetention } from '../src/jobs/job-retention';
import { JobsRepository } from '../src/jobs/jobs.repository';
import { OperationsRepository } from '../src/provisioning/operations.repository';
import { TransactionRetention } from '../src/provisioning/transaction-retention';
import { TransactionsRepository } from '../src/provisioning/transactions.repository';
import { withScratchDatabase } from './support/database';

const TX = Number(process.env.TX ?? 200);
const OPS = Number(process.env.OPS ?? 1000);
const JOBS = Number(process.env.JOBS ?? 50_000);

/** Times every database transaction the passes run: one per batch. */
class TimedRunner extends TransactionRunner {
  longestMs = 0;
  batches = 0;
  override async run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await super.run(work);
    } finally {
      this.longestMs = Math.max(this.longestMs, performance.now() - started);
      this.batches++;
    }
  }
}

async function seed(db: DataSource): Promise<void> {
  await db.query(`INSERT INTO tenants (id, name) VALUES ('default', 'Default')`);
  for (const [count, age] of [
    [TX, '100 days'],
    [10, '1 day'],
  ] as const) {
    await db.query(
      `WITH t AS (
         INSERT INTO provisioning_transactions (tenant_id, status, created_by, updated_by, operation_count, last_order_id, completed_on)
         SELECT 'default', (ARRAY['COMPLETED', 'FAILED', 'ROLLED_BACK'])[1 + g % 3], 'bench', 'bench', $2, $2, now() - $3::interval
           FROM generate_series(1, $1) g
         RETURNING id)
       INSERT INTO provisioning_operations (transaction_id, order_id, entity_type, requested_action, status, payload)
       SELECT t.id, o, 'USER', 'UPSERT', 'SUCCEEDED', jsonb_build_object('externalId', 'user-' || o, 'email', 'user' || o || '@example.com')
         FROM t, generate_series(1, $2) o`,
      [count, OPS, age],
    );
  }
  await db.query(
    `INSERT INTO backend_jobs (tenant_id, type, status, created_by, payload, finished_on, results)
     SELECT 'default', 'EXECUTE_IAM_COMMIT_TRANSACTION_JOB', (ARRAY['DONE', 'FAILED', 'CANCELLED'])[1 + g % 3], 'bench',
            '{}', now() - interval '100 days', '{"processed": 1000}'
       FROM generate_series(1, $1) g`,
    [JOBS],
  );
  await db.query('VACUUM ANALYZE');
}

/** Opens a transaction and queues 10 operations, over and over, until `stop`; answers its slowest round. */
async function writer(db: DataSource, stop: { done: boolean }): Promise<{ rounds: number; slowestMs: number }> {
  let rounds = 0;
  let slowestMs = 0;
  while (!stop.done) {
    const started = performance.now();
    await db.transaction(async (em) => {
      const [{ id }] = await em.query<{ id: string }[]>(
        `INSERT INTO provisioning_transactions (tenant_id, created_by, updated_by) VALUES ('default', 'w', 'w') RETURNING id`,
      );
      await em.query(
        `INSERT INTO provisioning_operations (transaction_id, order_id, entity_type, requested_action, status)
         SELECT $1, o, 'USER', 'UPSERT', 'QUEUED' FROM generate_series(1, 10) o`,
        [id],
      );
    });
    slowestMs = Math.max(slowestMs, performance.now() - started);
    rounds++;
  }
  return { rounds, slowestMs };
}

async function pass(
  name: string,
  db: DataSource,
  runner: TimedRunner,
  retention: { enforce(): Promise<Deleted> },
): Promise<void> {
  const stop = { done: false };
  const writing = writer(db, stop);
  const started = performance.now();
  const deleted = await retention.enforce();
  const ms = performance.now() - started;
  stop.done = true;
  const { rounds, slowestMs } = await writing;
  const rows = Object.values(deleted).reduce((sum, n) => sum + n, 0);
  console.log(
    `${name}: deleted ${JSON.stringify(deleted)} in ${(ms / 1000).toFixed(2)} s (${Math.round(rows / (ms / 1000))} rows/s), ` +
      `${runner.batches} batches, longest ${runner.longestMs.toFixed(0)} ms; writer: ${rounds} transactions, slowest ${slowestMs.toFixed(0)} ms`,
  );
}

async function main(): Promise<void> {
  const server = process.env.DATABASE_URL;
  if (!server) throw new Error('DATABASE_URL must name a PostgreSQL server');
  await withScratchDatabase(server, `idp_test_retention_${randomBytes(4).toString('hex')}`, async (url) => {
    const db = await new DataSource(dataSourceOptions(url)).initialize();
    try {
      await runMigrations(db);
      const seeding = performance.now();
      await seed(db);
      console.log(
        `seeded ${TX} old transactions x ${OPS} operations and ${JOBS} old jobs in ${((performance.now() - seeding) / 1000).toFixed(1)} s`,
      );
      const stop = { done: false };
      const alone = writer(db, stop);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      stop.done = true;
      const baseline = await alone;
      console.log(`writer alone for 3 s: ${baseline.rounds} transactions, slowest ${baseline.slowestMs.toFixed(0)} ms`);
      const config = loadConfig({ TRANSACTION_RETENTION_DAYS: '90', JOB_RETENTION_DAYS: '30' });
      const periodic = new PeriodicTasks(db);
      const txRunner = new TimedRunner(db);
      await pass(
        'transactions',
        db,
        txRunner,
        new TransactionRetention(config, periodic, txRunner, new TransactionsRepository(), new OperationsRepository()),
      );
      const jobRunner = new TimedRunner(db);
      await pass('jobs', db, jobRunner, new JobRetention(config, periodic, jobRunner, new JobsRepository()));
      const [left] = await db.query<{ tx: number; ops: number }[]>(
        `SELECT (SELECT count(*)::int FROM provisioning_transactions WHERE created_by <> 'w') AS tx,
                (SELECT count(*)::int FROM provisioning_operations o JOIN provisioning_transactions t ON t.id = o.transaction_id
                  WHERE t.created_by <> 'w') AS ops`,
      );
      console.log(`kept: ${left.tx} recent transactions, ${left.ops} of their operations`);
    } finally {
      await db.destroy();
    }
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
