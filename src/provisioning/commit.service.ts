import { Injectable } from '@nestjs/common';
import type { TenantPrincipal } from '../auth/principal';
import { TransactionRunner } from '../database/transaction-runner';
import { FINISHED_STATUSES } from '../jobs/backend-job.entity';
import { JobsService } from '../jobs/jobs.service';
import { COMMIT_JOB_TYPE } from './commit-job.handler';
import { ENDED_TRANSACTION_STATUSES } from './entities/transaction.entity';
import { OperationsRepository } from './operations.repository';
import { commitErrors } from './transaction.views';
import { conflict, TransactionsService } from './transactions.service';
import { TransactionsRepository } from './transactions.repository';

export interface CommitOptions {
  atomic: boolean;
  wait: boolean;
  timeoutMs: number;
}

export interface CommitAnswer {
  httpStatus: 200 | 202;
  body: Record<string, unknown>;
}

export const DEFAULT_WAIT_MS = 30_000;
export const MAX_WAIT_MS = 60_000;

/**
 * Commit: the job row is written in the same database transaction that marks the provisioning
 * transaction COMMITTED (an outbox), then dispatched; a second commit answers the same job.
 */
@Injectable()
export class CommitService {
  constructor(
    private readonly transactionsService: TransactionsService,
    private readonly transactions: TransactionsRepository,
    private readonly operations: OperationsRepository,
    private readonly jobs: JobsService,
    private readonly runner: TransactionRunner,
  ) {}

  async commit(principal: TenantPrincipal, transactionId: string, options: CommitOptions): Promise<CommitAnswer> {
    const { jobId, dispatch, ended } = await this.runner.run(async (em) => {
      const transaction = await this.transactionsService.require(em, principal, transactionId, true);
      // Committed before: the same job. Once the transaction has ended there is nothing to wait
      // for, and its job may be gone already (JOB_RETENTION_DAYS).
      if (transaction.jobId) {
        return {
          jobId: transaction.jobId,
          dispatch: false,
          ended: ENDED_TRANSACTION_STATUSES.includes(transaction.status),
        };
      }
      if (transaction.status !== 'OPEN') {
        throw conflict(
          `Transaction ${transactionId} is ${transaction.status}; only an OPEN transaction can be committed`,
        );
      }
      const empty = transaction.operationCount === 0;
      const job = await this.jobs.create(em, {
        type: COMMIT_JOB_TYPE,
        tenantId: principal.tenantId,
        createdBy: principal.credentialId,
        payload: { transactionId },
        ...(empty ? { status: 'DONE' as const } : {}),
      });
      const now = new Date();
      await this.transactions.update(em, transactionId, {
        status: empty ? 'COMPLETED' : 'COMMITTED',
        committedOn: now,
        completedOn: empty ? now : null,
        jobId: job.id,
        atomic: options.atomic,
        updatedBy: principal.credentialId,
      });
      return { jobId: job.id, dispatch: !empty, ended: empty };
    });
    if (dispatch) this.jobs.dispatch(jobId);
    const accepted = {
      status: true,
      transactionId,
      jobId,
      message: 'Transaction commit has been scheduled for background processing.',
    };
    if (!options.wait) return { httpStatus: 202, body: accepted };
    if (!ended) {
      const job = await this.jobs.waitForEnd(jobId, options.timeoutMs);
      if (!FINISHED_STATUSES.includes(job.status)) return { httpStatus: 202, body: accepted };
    }
    return { httpStatus: 200, body: await this.outcome(principal, transactionId, jobId) };
  }

  /** Seed 004's waited answer: totals and one error per failed operation. */
  private async outcome(
    principal: TenantPrincipal,
    transactionId: string,
    jobId: string,
  ): Promise<Record<string, unknown>> {
    const em = this.runner.manager;
    const transaction = await this.transactionsService.require(em, principal, transactionId);
    const failures = await this.operations.failures(em, transactionId);
    return {
      status: true,
      transactionId,
      jobId,
      transactionStatus: transaction.status,
      totalOperations: transaction.operationCount,
      successfulOperations: transaction.completedCount,
      failedOperations: transaction.failedCount,
      errors: commitErrors(failures),
      message: `Transaction ${transaction.status.toLowerCase().replace('_', ' ')}`,
    };
  }
}
