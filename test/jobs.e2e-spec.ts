import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { BackendJobEntity } from '../src/jobs/backend-job.entity';
import type { AbandonedJob, JobContext, JobHandler, JobOutcome } from '../src/jobs/job-handler';
import { JobRegistry } from '../src/jobs/job-registry';
import { JobRunner } from '../src/jobs/job-runner';
import { JobsService } from '../src/jobs/jobs.service';
import { createAppStore, startAppOn, startTestApp, TestApp } from './support/test-app';

const TEST_JOB = 'TEST_JOB';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const JOB_END_MS = 20_000;

interface TestPayload {
  /** Units of work; each is one step that records one row in test_job_work. */
  steps: number;
  /** Waits after this many steps while the hold named `hold` is armed. */
  holdAfter?: number;
  hold?: string;
  /** Throws after this many steps. */
  failAfter?: number;
}

interface Hold {
  reached: Promise<void>;
  signalReached(): void;
  released: boolean;
}

/**
 * A job type that behaves like a real handler: it loads what is left from PostgreSQL, does one
 * unit per step, checks for cancellation between steps, and can be held between two steps.
 */
@Injectable()
class TestJobHandler implements JobHandler, OnModuleInit {
  readonly type = TEST_JOB;
  /** Runs started per job id, in this process. */
  readonly executions = new Map<string, number>();
  private readonly holds = new Map<string, Hold>();

  constructor(private readonly registry: JobRegistry) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  arm(name: string): Hold {
    let signalReached!: () => void;
    const reached = new Promise<void>((resolve) => (signalReached = resolve));
    const hold = { reached, signalReached, released: false };
    this.holds.set(name, hold);
    return hold;
  }

  release(name: string): void {
    const hold = this.holds.get(name);
    if (hold) hold.released = true;
  }

  async run(context: JobContext): Promise<JobOutcome> {
    this.executions.set(context.jobId, (this.executions.get(context.jobId) ?? 0) + 1);
    const payload = context.payload as unknown as TestPayload;
    for (;;) {
      const completed = await context.step(async (em) => {
        const done = await workDone(em, context.jobId);
        if (done >= payload.steps) return done;
        await em.query('INSERT INTO test_job_work (job_id, step) VALUES ($1, $2)', [context.jobId, done]);
        await context.progress(
          em,
          `Processing steps: ${done + 1}/${payload.steps} completed`,
          ((done + 1) * 100) / payload.steps,
        );
        return done + 1;
      });
      if (completed >= payload.steps) break;
      if (payload.failAfter === completed) throw new Error('Directory backend unreachable');
      const hold = payload.hold ? this.holds.get(payload.hold) : undefined;
      if (hold && payload.holdAfter === completed && !hold.released) {
        hold.signalReached();
        while (!hold.released) {
          if (await context.cancelRequested()) return { status: 'CANCELLED' };
          await sleep(20);
        }
      }
      if (await context.cancelRequested()) return { status: 'CANCELLED' };
    }
    return { status: 'DONE', results: { steps: payload.steps } };
  }

  async onAbandoned(em: EntityManager, job: AbandonedJob, outcome: string, errorMessage: string): Promise<void> {
    await em.query('INSERT INTO test_job_abandoned (job_id, outcome, message) VALUES ($1, $2, $3)', [
      job.id,
      outcome,
      errorMessage,
    ]);
  }
}

@Module({ providers: [TestJobHandler] })
class TestJobsModule {}

async function workDone(em: EntityManager | DataSource, jobId: string): Promise<number> {
  const rows: { count: number }[] = await em.query(
    'SELECT count(*)::int AS count FROM test_job_work WHERE job_id = $1',
    [jobId],
  );
  return rows[0].count;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function createTables(dataSource: DataSource): Promise<void> {
  // The primary key makes a unit of work applied twice fail loudly instead of counting double.
  await dataSource.query(
    'CREATE TABLE IF NOT EXISTS test_job_work (job_id uuid NOT NULL, step int NOT NULL, PRIMARY KEY (job_id, step))',
  );
  await dataSource.query(
    'CREATE TABLE IF NOT EXISTS test_job_abandoned (job_id uuid NOT NULL, outcome text NOT NULL, message text NOT NULL)',
  );
}

/** A running app's job engine, seen through its public services. */
function engine(t: TestApp) {
  const dataSource = t.app.get(DataSource);
  const jobs = t.app.get(JobsService);
  // While jobs run, the test's own statements go in transactions: on the embedded database a bare
  // statement can be answered with another connection's result while a transaction is open there.
  const read = <T>(sql: string, parameters: unknown[]): Promise<T[]> =>
    dataSource.transaction((em) => em.query<T[]>(sql, parameters));
  return {
    dataSource,
    jobs,
    handler: t.app.get(TestJobHandler),
    runner: t.app.get(JobRunner),
    /** Creates the job in a transaction (plus `setup` in the same one), then dispatches it. */
    async create(
      payload: TestPayload | Record<string, unknown>,
      options: {
        type?: string;
        tenantId?: string;
        dispatch?: boolean;
        setup?: (em: EntityManager, job: BackendJobEntity) => Promise<void>;
      } = {},
    ): Promise<string> {
      const job = await dataSource.transaction(async (em) => {
        const created = await jobs.create(em, {
          type: options.type ?? TEST_JOB,
          tenantId: options.tenantId ?? 'default',
          createdBy: 'credential-1',
          payload: { ...payload },
        });
        await options.setup?.(em, created);
        return created;
      });
      if (options.dispatch !== false) jobs.dispatch(job.id);
      return job.id;
    },
    work: async (jobId: string): Promise<number[]> =>
      (await read<{ step: number }>('SELECT step FROM test_job_work WHERE job_id = $1 ORDER BY step', [jobId])).map(
        (row) => row.step,
      ),
    abandoned: (jobId: string) =>
      read<{ outcome: string; message: string }>('SELECT outcome, message FROM test_job_abandoned WHERE job_id = $1', [
        jobId,
      ]),
    /** Any statement, in a transaction of its own (see `read`). */
    write: (sql: string, parameters: unknown[]) => dataSource.transaction((em) => em.query(sql, parameters)),
    /** Simulates a worker that holds the job (or held it and died: `expired`). */
    holdBy: (owner: string, expired: boolean) => async (em: EntityManager, job: BackendJobEntity) => {
      await em.query(
        `UPDATE backend_jobs SET status = 'STARTED', started_on = now(), attempts = 1, lease_owner = $2,
           lease_expires_at = now() + CASE WHEN $3 THEN interval '-1 minute' ELSE interval '1 hour' END
         WHERE id = $1`,
        [job.id, owner, expired],
      );
    },
    /** Keeps the job queued and unclaimable (scheduled an hour ahead). */
    later: async (em: EntityManager, job: BackendJobEntity) => {
      await em.query(`UPDATE backend_jobs SET start_on = now() + interval '1 hour' WHERE id = $1`, [job.id]);
    },
  };
}

describe(`the job engine (${process.env.REDIS_URL ? 'Bull on Redis' : 'in-process'})`, () => {
  let t: TestApp;
  let e: ReturnType<typeof engine>;
  let otherToken: string;
  const admin = (): Record<string, string> => ({ Authorization: `Bearer ${t.secrets.adminToken}` });
  const tenant = (token = t.secrets.apiToken, tenantId = 'default'): Record<string, string> => ({
    'auth-tenant-id': tenantId,
    'auth-token': token,
  });

  beforeAll(async () => {
    t = await startTestApp({ JOB_CONCURRENCY: '2' }, [TestJobsModule]);
    e = engine(t);
    await createTables(e.dataSource);
    await t.http.post('/api/admin/tenants').set(admin()).send({ id: 'other', name: 'Other Ltd' }).expect(201);
    const credential = await t.http
      .post('/api/admin/tenants/other/credentials')
      .set(admin())
      .send({ kind: 'API_TOKEN', name: 'other integration' })
      .expect(201);
    otherToken = credential.body.secret;
  });
  afterAll(() => t?.close());

  describe('running', () => {
    it('runs a job to DONE with progress, and answers the owner with exactly the BackendJob document', async () => {
      const id = await e.create({ steps: 2, transactionId: 'tx-1' });
      const ended = await e.jobs.waitForEnd(id, JOB_END_MS);
      expect(ended.status).toBe('DONE');

      const res = await t.http.get(`/api/user/job/${id}`).set(tenant()).expect(200);
      expect(res.body).toEqual({
        status: true,
        value: {
          id,
          version: 'V1',
          tenantId: 'default',
          status: 'DONE',
          createdBy: 'credential-1',
          createdOn: expect.stringMatching(ISO),
          startedOn: expect.stringMatching(ISO),
          startOn: expect.stringMatching(ISO),
          finishedOn: expect.stringMatching(ISO),
          priority: 5,
          job: { type: TEST_JOB, userId: 'credential-1', tenantId: 'default', steps: 2, transactionId: 'tx-1' },
          errorMessage: null,
          stackTrace: null,
          donePercentage: 100,
          updates: [
            { timestamp: expect.stringMatching(ISO), message: 'Processing steps: 1/2 completed' },
            { timestamp: expect.stringMatching(ISO), message: 'Processing steps: 2/2 completed' },
          ],
          results: { steps: 2 },
        },
      });
      // Seed 001's field order, for clients that diff documents.
      expect(Object.keys(res.body.value)).toEqual([
        'id',
        'version',
        'tenantId',
        'status',
        'createdBy',
        'createdOn',
        'startedOn',
        'startOn',
        'finishedOn',
        'priority',
        'job',
        'errorMessage',
        'stackTrace',
        'donePercentage',
        'updates',
        'results',
      ]);
      const { createdOn, startedOn, finishedOn } = res.body.value;
      expect(createdOn <= startedOn && startedOn <= finishedOn).toBe(true);
      expect(await e.work(id)).toEqual([0, 1]);
      expect(e.handler.executions.get(id)).toBe(1);
      expect(ended).toMatchObject({ attempts: 1, leaseOwner: null, leaseExpiresAt: null });
    });

    it('records a job that needed no run (an empty commit) as DONE at once', async () => {
      const job = await e.dataSource.transaction((em) =>
        e.jobs.create(em, { type: TEST_JOB, tenantId: 'default', createdBy: 'c', payload: {}, status: 'DONE' }),
      );
      expect(job).toMatchObject({ status: 'DONE', donePercentage: 100, attempts: 0 });
      expect(job.finishedOn).toBeInstanceOf(Date);
      expect(job.startedOn).toBeInstanceOf(Date);
    });

    it('never commits a job whose creating transaction rolled back (the outbox)', async () => {
      let id = '';
      await expect(
        e.dataSource.transaction(async (em) => {
          id = (await e.jobs.create(em, { type: TEST_JOB, tenantId: 'default', createdBy: 'c', payload: {} })).id;
          throw new Error('the commit failed');
        }),
      ).rejects.toThrow('the commit failed');
      expect(await e.jobs.find(id, null)).toBeNull();
    });

    it('runs many jobs side by side, each exactly once', async () => {
      const ids = await Promise.all(Array.from({ length: 6 }, (_, i) => e.create({ steps: 1, n: i })));
      const ended = await Promise.all(ids.map((id) => e.jobs.waitForEnd(id, JOB_END_MS)));
      expect(ended.map((job) => job.status)).toEqual(Array(6).fill('DONE'));
      for (const id of ids) expect(e.handler.executions.get(id)).toBe(1);
    });

    it('fails a job of a type nobody handles', async () => {
      const id = await e.create({}, { type: 'NO_SUCH_JOB' });
      const ended = await e.jobs.waitForEnd(id, JOB_END_MS);
      expect(ended).toMatchObject({ status: 'FAILED', errorMessage: 'No handler for job type NO_SUCH_JOB' });
    });
  });

  describe('GET /api/user/job/:jobId', () => {
    let id: string;
    beforeAll(async () => {
      id = await e.create({ steps: 1 });
      await e.jobs.waitForEnd(id, JOB_END_MS);
    });

    it("answers 404 'Job not found' for another tenant's job, an unknown id and a malformed one", async () => {
      for (const [jobId, headers] of [
        [id, tenant(otherToken, 'other')],
        ['00000000-0000-4000-8000-000000000000', tenant()],
        ['not-a-uuid', tenant()],
      ] as const) {
        const res = await t.http.get(`/api/user/job/${jobId}`).set(headers).expect(404);
        expect(res.body).toMatchObject({ status: false, message: 'Not found', error: 'Job not found' });
        expect(res.body.errors[0]).toMatchObject({ code: 'NOT_FOUND', type: 'NOT_FOUND' });
      }
    });

    it('lets the other tenant read its own jobs', async () => {
      const own = await e.create({ steps: 1 }, { tenantId: 'other' });
      await e.jobs.waitForEnd(own, JOB_END_MS);
      const res = await t.http.get(`/api/user/job/${own}`).set(tenant(otherToken, 'other')).expect(200);
      expect(res.body.value).toMatchObject({ id: own, tenantId: 'other', job: { tenantId: 'other' } });
    });

    it('shows operators every tenant, with the stackTrace field', async () => {
      const res = await t.http.get(`/api/user/job/${id}`).set(admin()).expect(200);
      expect(res.body.value).toMatchObject({ id, tenantId: 'default', stackTrace: null });
      expect(Object.keys(res.body.value)).toContain('stackTrace');
    });

    it('answers 401 without credentials and 403 to a SCIM secret on either door', async () => {
      const unauthenticated = await t.http.get(`/api/user/job/${id}`).expect(401);
      expect(unauthenticated.body).toMatchObject({ status: false, error: 'Invalid or missing auth-token' });
      await t.http.get(`/api/user/job/${id}`).set(tenant(t.secrets.scimSecret)).expect(403);
      await t.http
        .get(`/api/user/job/${id}`)
        .set({ Authorization: `Bearer ${t.secrets.scimSecret}` })
        .expect(403);
      await t.http.get(`/api/user/job/${id}`).set({ Authorization: 'Bearer wrong' }).expect(401);
    });
  });

  describe('failures', () => {
    it('marks a throwing job FAILED, calls onAbandoned in that commit, and shows the stack only to operators', async () => {
      const id = await e.create({ steps: 3, failAfter: 1 });
      const ended = await e.jobs.waitForEnd(id, JOB_END_MS);
      expect(ended).toMatchObject({ status: 'FAILED', errorMessage: 'Directory backend unreachable' });
      expect(await e.abandoned(id)).toEqual([{ outcome: 'FAILED', message: 'Directory backend unreachable' }]);
      expect(await e.work(id)).toEqual([0]);

      const owner = await t.http.get(`/api/user/job/${id}`).set(tenant()).expect(200);
      expect(owner.body.value).toMatchObject({
        status: 'FAILED',
        errorMessage: 'Directory backend unreachable',
        stackTrace: null,
        donePercentage: 33,
        results: null,
      });
      const operator = await t.http.get(`/api/user/job/${id}`).set(admin()).expect(200);
      expect(operator.body.value.stackTrace).toMatch(/^Error: Directory backend unreachable\n\s+at /);
    });
  });

  describe('cancelling', () => {
    it('cancels a job that has not started at once, calling onAbandoned in the same commit', async () => {
      const id = await e.create({ steps: 1 }, { setup: e.later });
      const res = await t.http.post(`/api/user/job/${id}/cancel`).set(admin()).expect(200);
      expect(res.body).toMatchObject({
        status: true,
        value: { id, status: 'CANCELLED', errorMessage: 'Cancelled by an operator', finishedOn: expect.any(String) },
      });
      expect(await e.abandoned(id)).toEqual([{ outcome: 'CANCELLED', message: 'Cancelled by an operator' }]);
      // A late delivery of the job finds nothing to run.
      await e.runner.run(id);
      expect(e.handler.executions.get(id)).toBeUndefined();
    });

    it('stops a running job at its next step boundary', async () => {
      const hold = e.handler.arm('cancel-running');
      const id = await e.create({ steps: 3, holdAfter: 1, hold: 'cancel-running' });
      await hold.reached;
      // Through the service: the route itself is covered above, and a request racing the running
      // job's transactions on the embedded database is exactly what the tests must not depend on.
      const asked = await e.jobs.requestCancel(id);
      expect(asked).toMatchObject({ status: 'STARTED', cancelRequested: true });

      const ended = await e.jobs.waitForEnd(id, JOB_END_MS);
      expect(ended).toMatchObject({ status: 'CANCELLED', errorMessage: 'Cancelled by an operator' });
      expect(await e.work(id)).toEqual([0]);
      // The handler stopped by itself: that is not an abandoned job.
      expect(await e.abandoned(id)).toEqual([]);
    });

    it('answers 409 for a job that has ended and 404 for an unknown one', async () => {
      const id = await e.create({ steps: 1 });
      await e.jobs.waitForEnd(id, JOB_END_MS);
      const res = await t.http.post(`/api/user/job/${id}/cancel`).set(admin()).expect(409);
      expect(res.body).toMatchObject({ status: false, errors: [{ code: 'CONFLICT' }] });
      await t.http.post('/api/user/job/00000000-0000-4000-8000-000000000000/cancel').set(admin()).expect(404);
    });

    it('refuses cancelling to anyone but an operator', async () => {
      const id = await e.create({ steps: 1 }, { setup: e.later });
      await t.http.post(`/api/user/job/${id}/cancel`).set(tenant()).expect(401);
      await t.http
        .post(`/api/user/job/${id}/cancel`)
        .set({ Authorization: `Bearer ${t.secrets.scimSecret}` })
        .expect(403);
      expect((await e.jobs.find(id, null))?.status).toBe('NOT_STARTED');
    });
  });

  describe('leases', () => {
    it('does nothing when another worker holds the job', async () => {
      const id = await e.create({ steps: 1 }, { dispatch: false, setup: e.holdBy('worker-elsewhere', false) });
      await e.runner.run(id);
      const job = await e.jobs.find(id, null);
      expect(job).toMatchObject({ status: 'STARTED', leaseOwner: 'worker-elsewhere', attempts: 1 });
      expect(e.handler.executions.get(id)).toBeUndefined();
    });

    it('resumes a job whose worker died (expired lease), applying each step once', async () => {
      const id = await e.create(
        { steps: 3 },
        {
          dispatch: false,
          setup: async (em, job) => {
            await e.holdBy('worker-that-died', true)(em, job);
            // The dead worker had committed its first step.
            await em.query('INSERT INTO test_job_work (job_id, step) VALUES ($1, 0)', [job.id]);
          },
        },
      );
      const ended = await e.jobs.waitForEnd(id, JOB_END_MS);
      expect(ended).toMatchObject({ status: 'DONE', attempts: 2, donePercentage: 100 });
      expect(ended.leaseOwner).toBeNull();
      expect(await e.work(id)).toEqual([0, 1, 2]);
      expect(e.handler.executions.get(id)).toBe(1);
    });

    it('stops a worker that lost its lease before its next write, and another run finishes the job once', async () => {
      const hold = e.handler.arm('lease-lost');
      const id = await e.create({ steps: 3, holdAfter: 1, hold: 'lease-lost' });
      await hold.reached;
      // Another worker takes the job over, then dies too: its lease is already expired.
      await e.write(
        `UPDATE backend_jobs SET lease_owner = 'thief', lease_expires_at = now() - interval '1 second' WHERE id = $1`,
        [id],
      );
      const ended = await e.jobs.waitForEnd(id, JOB_END_MS);
      expect(ended.status).toBe('DONE');
      expect(await e.work(id)).toEqual([0, 1, 2]);
      expect(e.handler.executions.get(id)).toBe(2);
    });
  });
});

describe('the job engine across a restart', () => {
  it('shuts down promptly with a job mid-run, and the next start resumes it', async () => {
    const store = await createAppStore();
    try {
      const first = await startAppOn(store, {}, [TestJobsModule]);
      const e1 = engine(first);
      await createTables(e1.dataSource);
      const hold = e1.handler.arm('restart');
      const id = await e1.create({ steps: 3, holdAfter: 1, hold: 'restart' });
      await hold.reached;
      const closing = Date.now();
      await first.close();
      expect(Date.now() - closing).toBeLessThan(5_000);

      const second = await startAppOn(store, {}, [TestJobsModule]);
      try {
        const e2 = engine(second);
        const ended = await e2.jobs.waitForEnd(id, JOB_END_MS);
        expect(ended).toMatchObject({ status: 'DONE', attempts: 2 });
        expect(await e2.work(id)).toEqual([0, 1, 2]);
      } finally {
        await second.close();
      }
    } finally {
      await store.drop();
    }
  });
});
