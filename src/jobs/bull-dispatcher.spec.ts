import { Logger } from '@nestjs/common';
import Bull from 'bull';
import { openTestDataSource } from '../../test/support/test-database';
import { type AppConfig, loadConfig } from '../config/app-config';
import { PeriodicTasks } from '../database/periodic-tasks';
import { TransactionRunner } from '../database/transaction-runner';
import { BullDispatcher, QueueMessage } from './bull-dispatcher';
import type { JobContext, JobHandler } from './job-handler';
import { JobRegistry } from './job-registry';
import { JobRunner } from './job-runner';
import { JobSweeper } from './job-sweeper';
import { JobsRepository } from './jobs.repository';
import { JobsService } from './jobs.service';
import { Metrics } from '../metrics/metrics';

/** Counts its runs per job and writes through a step, like any handler. */
class CountingHandler implements JobHandler {
  readonly type = 'COUNTING';
  readonly runs = new Map<string, number>();

  async run(context: JobContext) {
    this.runs.set(context.jobId, (this.runs.get(context.jobId) ?? 0) + 1);
    await context.step((em) => context.progress(em, 'Counted', 100));
    return { status: 'DONE' as const };
  }
}

const config = (appRole: AppConfig['appRole']): AppConfig =>
  ({ appRole, jobConcurrency: 2, eventDelivery: { concurrency: 2 } }) as AppConfig;

// Redis down is a closed port: Bull's add() then waits for a connection forever.
describe('BullDispatcher while Redis is unreachable (real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof openTestDataSource>>;
  let queue: Bull.Queue<QueueMessage>;
  let runner: JobRunner;
  let jobs: JobsService;
  const handler = new CountingHandler();
  const registry = new JobRegistry();

  const dispatcherFor = (appRole: AppConfig['appRole']): BullDispatcher =>
    new BullDispatcher(queue, queue, config(appRole), runner, registry);
  /** A sweep now, whatever round the fleet is in: the last round is forgotten first. */
  async function sweepNow(appRole: AppConfig['appRole']): Promise<void> {
    await db.dataSource.query('DELETE FROM periodic_tasks');
    const transactions = new TransactionRunner(db.dataSource);
    const dispatcher = dispatcherFor(appRole);
    await new JobSweeper(
      config('all'),
      transactions,
      new JobsRepository(),
      dispatcher,
      new PeriodicTasks(db.dataSource),
    ).sweep();
  }

  async function createOverdueJob(): Promise<string> {
    const job = await db.dataSource.transaction((em) =>
      jobs.create(em, { type: 'COUNTING', tenantId: 't1', createdBy: 'c1', payload: {} }),
    );
    // Older than the sweeper's grace for unclaimed jobs, so the next sweep hands it out.
    await db.dataSource.query(`UPDATE backend_jobs SET start_on = now() - interval '1 minute' WHERE id = $1`, [job.id]);
    return job.id;
  }

  beforeAll(async () => {
    // The dispatcher warns about Redis on every attempt, which is the point here.
    Logger.overrideLogger(['error']);
    db = await openTestDataSource();
    await db.dataSource.query(`INSERT INTO tenants (id, name) VALUES ('t1', 'One')`);
    queue = new Bull<QueueMessage>('provisioning', 'redis://127.0.0.1:1', {
      prefix: 'idp-test-unreachable',
      // ioredis arms a 2 s timer per client on disconnect that a never-opened socket never clears;
      // short, so the test process exits promptly.
      redis: { disconnectTimeout: 10 },
    });
    queue.on('error', () => undefined);
    registry.register(handler);
    const transactions = new TransactionRunner(db.dataSource);
    runner = new JobRunner(transactions, new JobsRepository(), registry, new Metrics(loadConfig({})));
    jobs = new JobsService(transactions, new JobsRepository(), registry, dispatcherFor('all'));
  });

  afterAll(async () => {
    await runner?.onModuleDestroy();
    await queue?.close();
    await db?.close();
  });

  it('returns from dispatch at once and gives up on Redis within the enqueue timeout', async () => {
    const id = await createOverdueJob();
    const dispatcher = dispatcherFor('all');

    const dispatching = Date.now();
    jobs.dispatch(id);
    dispatcher.dispatch(id);
    expect(Date.now() - dispatching).toBeLessThan(50);

    const enqueueing = Date.now();
    await expect(dispatcher.enqueue(id, 0)).resolves.toBe(false);
    expect(Date.now() - enqueueing).toBeLessThan(1_500);
  });

  it('lets a worker sweeper run the job itself', async () => {
    const id = await createOverdueJob();
    await sweepNow('all');
    const ended = await jobs.waitForEnd(id, 10_000);
    expect(ended).toMatchObject({ status: 'DONE', attempts: 1, donePercentage: 100 });
    expect(handler.runs.get(id)).toBe(1);
  });

  it('leaves the job queued on an API-only node, for a worker to take', async () => {
    // Earlier tests' jobs may still be due; finish them first so only this one is in play.
    await sweepNow('all');
    const id = await createOverdueJob();
    await sweepNow('api');
    expect((await jobs.find(id, null))?.status).toBe('NOT_STARTED');
  });
});
