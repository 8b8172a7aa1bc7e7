import { AdminPage, adminPage, pageWindow } from '../common/admin-page';
import { AdminJobsQuery } from './dto/admin-jobs.query';
import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { currentLogContext } from '../common/log-context';
import { TransactionRunner } from '../database/transaction-runner';
import { BackendJobEntity, FINISHED_STATUSES } from './backend-job.entity';
import { JobDispatcher } from './job-dispatcher';
import { CANCELLED_BY_OPERATOR } from './job-handler';
import { JobRegistry } from './job-registry';
import { abandoned } from './job-runner';
import { WAIT_POLL_MS } from './job-timing';
import { JobView, toJobView } from './job-view';
import { JobBacklog, JobsRepository } from './jobs.repository';

export interface CreateJobInput {
  type: string;
  tenantId: string;
  /** The credential id of the caller. */
  createdBy: string;
  payload: Record<string, unknown>;
  /** Higher runs first; default 5. */
  priority?: number;
  /** 'DONE' records work that needed no run (an empty commit). Default 'NOT_STARTED'. */
  status?: 'NOT_STARTED' | 'DONE';
  /** Not before this instant; default now. */
  startOn?: Date;
}

const DEFAULT_PRIORITY = 5;

/** The job engine as other modules use it: create in your transaction, dispatch after it commits. */
@Injectable()
export class JobsService {
  private readonly logger = new Logger('Jobs');

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly jobs: JobsRepository,
    private readonly registry: JobRegistry,
    private readonly dispatcher: JobDispatcher,
  ) {}

  /**
   * Inserts the job in the caller's transaction (an outbox: the caller's change and its job
   * commit together, or neither does). Call dispatch() once that transaction has committed.
   */
  create(em: EntityManager, input: CreateJobInput): Promise<BackendJobEntity> {
    return this.jobs.insert(em, {
      type: input.type,
      tenantId: input.tenantId,
      createdBy: input.createdBy,
      payload: input.payload,
      // The request that creates the job, so that the job's log lines can be matched to it.
      correlationId: currentLogContext()?.correlationId ?? null,
      priority: input.priority ?? DEFAULT_PRIORITY,
      status: input.status ?? 'NOT_STARTED',
      startOn: input.startOn,
    });
  }

  /**
   * Never blocks or throws into the request: a failed hand-off is left to the sweeper. A job of a
   * pool other than 'default' must name its `type`, so that it rings its own pool's doorbell.
   */
  dispatch(jobId: string, type?: string): void {
    try {
      this.dispatcher.dispatch(jobId, 0, type);
    } catch (error) {
      this.logger.warn(`Could not dispatch job ${jobId}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Jobs waiting for a worker, across the fleet, and how long the oldest has been due (metrics). */
  backlog(): Promise<JobBacklog> {
    return this.transactions.run((em) => this.jobs.backlog(em));
  }

  /** `tenantId` null: any tenant (operators). Another tenant's job, or a malformed id, is null. */
  find(jobId: string, tenantId: string | null): Promise<BackendJobEntity | null> {
    // In a transaction although it only reads: on the embedded database a bare statement can be
    // answered with another connection's result while a transaction is open there.
    return this.transactions.run((em) => this.jobs.findById(em, jobId, tenantId));
  }

  /** Every tenant's jobs, as operators see them (stack traces included). */
  async listAll(query: AdminJobsQuery): Promise<AdminPage<JobView>> {
    const window = pageWindow(query);
    const filters = {
      tenantId: query.tenant,
      status: query.status,
      type: query.type,
      correlationId: query.correlationId,
    };
    const { rows, total } = await this.jobs.listAll(this.transactions.manager, filters, window.offset, window.pageSize);
    return adminPage(
      window,
      total,
      rows.map((job) => toJobView(job, { includeStackTrace: true })),
    );
  }

  toView(job: BackendJobEntity, options: { includeStackTrace: boolean }): JobView {
    return toJobView(job, options);
  }

  /**
   * A queued job is CANCELLED at once (its owner's onAbandoned in the same commit); a running one
   * is asked to stop, which its handler does at its next batch; a finished one cannot be.
   */
  requestCancel(jobId: string): Promise<BackendJobEntity> {
    return this.transactions.run(async (em) => {
      // The row lock orders this against a worker's claim: either it runs or it is cancelled.
      const job = await this.jobs.lockById(em, jobId);
      if (!job) throw DomainError.notFound('Job not found');
      if (job.status === 'NOT_STARTED') {
        await this.jobs.cancelUnstarted(em, job.id, CANCELLED_BY_OPERATOR);
        await this.registry.get(job.type)?.onAbandoned?.(em, abandoned(job), 'CANCELLED', CANCELLED_BY_OPERATOR);
      } else if (job.status === 'STARTED') {
        await this.jobs.requestCancel(em, job.id);
      } else {
        throw new DomainError('CONFLICT', `Job ${job.id} has already ended (${job.status})`);
      }
      return (await this.jobs.findById(em, job.id, null))!;
    });
  }

  /** The job once it has ended, or as it stands when `timeoutMs` runs out. */
  async waitForEnd(jobId: string, timeoutMs: number): Promise<BackendJobEntity> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await this.find(jobId, null);
      if (!job) throw DomainError.notFound('Job not found');
      const left = deadline - Date.now();
      if (FINISHED_STATUSES.includes(job.status) || left <= 0) return job;
      await new Promise((resolve) => setTimeout(resolve, Math.min(WAIT_POLL_MS, left)));
    }
  }
}
