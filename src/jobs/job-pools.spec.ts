import { openTestDataSource } from '../../test/support/test-database';
import { type AppConfig, loadConfig } from '../config/app-config';
import { TransactionRunner } from '../database/transaction-runner';
import { Metrics } from '../metrics/metrics';
import { InProcessDispatcher } from './in-process-dispatcher';
import type { JobContext, JobHandler, JobPool } from './job-handler';
import { JobRegistry } from './job-registry';
import { JobRunner } from './job-runner';
import { JobsRepository } from './jobs.repository';
import { JobsService } from './jobs.service';

/** Runs until released, counting how many of its type run at once. */
class GateHandler implements JobHandler {
  running = 0;
  peak = 0;
  started = 0;
  /** Once open, runs finish at once. */
  open = false;
  private gates: (() => void)[] = [];

  constructor(
    readonly type: string,
    readonly pool?: JobPool,
  ) {}

  async run(context: JobContext) {
    this.started++;
    this.running++;
    this.peak = Math.max(this.peak, this.running);
    if (!this.open) await new Promise<void>((resolve) => this.gates.push(resolve));
    await context.step((em) => context.progress(em, 'done', 100));
    this.running--;
    return { status: 'DONE' as const };
  }

  releaseAll(): void {
    for (const release of this.gates.splice(0)) release();
  }
}

async function until(what: string, done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('job pools (in-process dispatcher, real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof openTestDataSource>>;
  let runner: JobRunner;
  let dispatcher: InProcessDispatcher;
  let jobs: JobsService;
  const commits = new GateHandler('COMMIT_LIKE');
  const deliveries = new GateHandler('DELIVERY_LIKE', 'events');
  const config: AppConfig = { ...loadConfig({}), jobConcurrency: 1 };
  config.eventDelivery = { ...config.eventDelivery, concurrency: 2 };

  beforeAll(async () => {
    db = await openTestDataSource();
    await db.dataSource.query(`INSERT INTO tenants (id, name) VALUES ('t1', 'One')`);
    const registry = new JobRegistry();
    registry.register(commits);
    registry.register(deliveries);
    const transactions = new TransactionRunner(db.dataSource);
    runner = new JobRunner(transactions, new JobsRepository(), registry, new Metrics(loadConfig({})));
    dispatcher = new InProcessDispatcher(config, runner);
    jobs = new JobsService(transactions, new JobsRepository(), registry, dispatcher);
  });

  afterAll(async () => {
    commits.releaseAll();
    deliveries.releaseAll();
    dispatcher?.onModuleDestroy();
    await runner?.onModuleDestroy();
    await db?.close();
  });

  async function create(type: string, n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const job = await db.dataSource.transaction((em) =>
        jobs.create(em, { type, tenantId: 't1', createdBy: 'c1', payload: {} }),
      );
      ids.push(job.id);
      jobs.dispatch(job.id, type);
    }
    return ids;
  }

  it('runs each pool in its own slots: busy deliveries never hold back a commit, nor the reverse', async () => {
    // Five deliveries first: they fill their two slots and queue, and the commit still starts.
    const deliveryIds = await create('DELIVERY_LIKE', 5);
    await until('two deliveries running', () => deliveries.running === 2);
    const [commitId] = await create('COMMIT_LIKE', 1);
    await until('the commit running beside the deliveries', () => commits.running === 1);
    // A second commit waits for the only commit slot, not for a delivery slot.
    const [secondCommit] = await create('COMMIT_LIKE', 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect({ commits: commits.running, deliveries: deliveries.running }).toEqual({ commits: 1, deliveries: 2 });
    expect((await jobs.find(secondCommit, null))?.status).toBe('NOT_STARTED');

    // Freeing the deliveries runs the queued deliveries, never the queued commit.
    deliveries.releaseAll();
    await until('the next deliveries running', () => deliveries.started >= 4);
    expect((await jobs.find(secondCommit, null))?.status).toBe('NOT_STARTED');

    commits.releaseAll();
    await until('the second commit running', () => commits.started === 2);
    for (const handler of [commits, deliveries]) {
      handler.open = true;
      handler.releaseAll();
    }
    for (const id of [...deliveryIds, commitId, secondCommit]) {
      expect((await jobs.waitForEnd(id, 10_000)).status).toBe('DONE');
    }
    expect({ commitPeak: commits.peak, deliveryPeak: deliveries.peak }).toEqual({ commitPeak: 1, deliveryPeak: 2 });
  });
});
