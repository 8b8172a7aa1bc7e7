import type { EntityManager } from 'typeorm';
import type { TransactionRunner } from '../database/transaction-runner';
import type { BackendJobEntity } from './backend-job.entity';
import { JobContext, LeaseLostError, ShutdownError } from './job-handler';
import { LEASE_MS } from './job-timing';
import type { JobsRepository } from './jobs.repository';

/** What a context needs from the runner that made it. */
export interface RunEnvironment {
  readonly transactions: TransactionRunner;
  readonly jobs: JobsRepository;
  readonly workerId: string;
  isStopping(): boolean;
}

/** One run of one job: every write goes through step(), which proves the lease is still ours. */
export class RunContext implements JobContext {
  readonly jobId: string;
  readonly tenantId: string;
  readonly createdBy: string;
  readonly payload: Record<string, unknown>;
  private inStep = false;

  constructor(
    job: BackendJobEntity,
    private readonly env: RunEnvironment,
  ) {
    this.jobId = job.id;
    this.tenantId = job.tenantId;
    this.createdBy = job.createdBy;
    this.payload = Object.freeze({ ...job.payload });
  }

  async step<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    this.assertRunning();
    // A nested step would open a second transaction that waits for the first on the embedded database.
    if (this.inStep) throw new Error('JobContext.step() cannot be nested');
    this.inStep = true;
    try {
      return await this.env.transactions.run(async (em) => {
        // The renewal locks the job row until the commit, so a takeover cannot interleave with this step.
        if (!(await this.env.jobs.renewLease(em, this.jobId, this.env.workerId, LEASE_MS))) {
          throw new LeaseLostError(this.jobId);
        }
        return work(em);
      });
    } finally {
      this.inStep = false;
    }
  }

  async progress(em: EntityManager, message: string, donePercentage: number): Promise<void> {
    const percentage = Math.min(100, Math.max(0, Math.round(donePercentage)));
    await this.env.jobs.appendUpdate(em, this.jobId, { timestamp: new Date().toISOString(), message }, percentage);
  }

  async cancelRequested(): Promise<boolean> {
    if (this.inStep) {
      throw new Error('JobContext.cancelRequested() must be called between steps, not inside one');
    }
    this.assertRunning();
    // A read the run acts on goes in a transaction: on the embedded database a bare statement can
    // receive another connection's result while a transaction is open there.
    const state = await this.env.transactions.run((em) => this.env.jobs.readCancel(em, this.jobId));
    // Handlers poll this between batches: the earliest point to learn the job is someone else's.
    if (state.leaseOwner !== this.env.workerId) throw new LeaseLostError(this.jobId);
    return state.cancelRequested;
  }

  private assertRunning(): void {
    if (this.env.isStopping()) throw new ShutdownError(this.jobId);
  }
}
