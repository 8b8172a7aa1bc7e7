import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AbandonedJob, JobContext, JobHandler, JobOutcome } from '../jobs/job-handler';
import { JobRegistry } from '../jobs/job-registry';
import { planBatches } from './commit-plan';
import type { EntityType } from './entities/operation.entity';
import { ENDED_TRANSACTION_STATUSES, TransactionEntity } from './entities/transaction.entity';
import { AppliedOperation, OperationApplier } from './operation-applier';
import { OperationResult, OperationsRepository, QueuedOperation } from './operations.repository';
import { TransactionsRepository } from './transactions.repository';
import { Metrics } from '../metrics/metrics';
import { CredentialsService } from '../auth/credentials.service';
import { labelChanges } from '../events/capture/change-actor';
import { countApplied } from './operation-metrics';

export const COMMIT_JOB_TYPE = 'EXECUTE_IAM_COMMIT_TRANSACTION_JOB';

/** Thrown inside an atomic commit's single step to roll everything back. */
class AtomicFailure extends Error {
  constructor(readonly results: AppliedOperation[]) {
    super('atomic commit failed');
  }
}

/**
 * Applies a committed transaction: batches of operations, each batch in one step (one database
 * transaction that also renews the job's lease and marks its operations done), so a job that is
 * run again after a crash picks up exactly the operations no step has committed.
 */
@Injectable()
export class CommitJobHandler implements JobHandler, OnModuleInit {
  readonly type = COMMIT_JOB_TYPE;

  constructor(
    private readonly registry: JobRegistry,
    private readonly transactions: TransactionsRepository,
    private readonly operations: OperationsRepository,
    private readonly applier: OperationApplier,
    private readonly metrics: Metrics,
    private readonly credentials: CredentialsService,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async run(context: JobContext): Promise<JobOutcome> {
    const transactionId = String(context.payload.transactionId);
    const start = await context.step((em) => this.start(em, transactionId));
    if (!start) return { status: 'FAILED', errorMessage: `Transaction ${transactionId} not found` };
    await this.labelChanges(start.transaction);
    if (ENDED_TRANSACTION_STATUSES.includes(start.transaction.status)) return this.finish(context, start.transaction);
    const batches = planBatches(start.queued);
    if (start.transaction.atomic) return this.runAtomic(context, start.transaction, start.queued);

    const totals = countByType(start.queued);
    const done: Record<EntityType, number> = { DEPARTMENT: 0, USER: 0 };
    for (const batch of batches) {
      if (await context.cancelRequested()) return this.cancel(context, transactionId);
      const { todo, applied } = await context.step(async (em) => {
        const still = await this.operations.stillQueued(
          em,
          transactionId,
          batch.operations.map((op) => op.orderId),
        );
        const todo = batch.operations.filter((op) => still.has(op.orderId));
        const applied = await this.applier.apply(em, start.transaction.tenantId, todo);
        await this.operations.recordResults(em, transactionId, applied.map(toResult));
        await this.refreshCounts(em, transactionId);
        const type: EntityType = batch.label === 'departments' ? 'DEPARTMENT' : 'USER';
        done[type] += batch.operations.length;
        const percentage = Math.floor(((done.DEPARTMENT + done.USER) * 100) / Math.max(1, start.queued.length));
        await context.progress(
          em,
          `Processing ${batch.label}: ${done[type]}/${totals[type]} completed`,
          Math.min(99, percentage),
        );
        return { todo, applied };
      });
      countApplied(this.metrics, todo, applied);
    }
    const transaction = await context.step((em) => this.complete(em, transactionId));
    return this.finish(context, transaction);
  }

  /** The commit's changes are the batch door's, made by the credential that created the transaction. */
  private async labelChanges(transaction: TransactionEntity): Promise<void> {
    const [named] = await this.credentials.withCreatorNames([transaction]);
    const credential = { credentialId: transaction.createdBy, credentialName: named.createdByName };
    labelChanges('batch', credential, transaction.id);
  }

  /** The job died (not a lease loss) or was cancelled before it ran: the transaction ends FAILED. */
  async onAbandoned(em: EntityManager, job: AbandonedJob): Promise<void> {
    const transactionId = String(job.payload.transactionId);
    await this.refreshCounts(em, transactionId);
    await this.transactions.update(em, transactionId, { status: 'FAILED', completedOn: new Date() });
  }

  private async start(
    em: EntityManager,
    transactionId: string,
  ): Promise<{ transaction: TransactionEntity; queued: QueuedOperation[] } | null> {
    const transaction = await this.transactions.findById(em, transactionId);
    if (!transaction) return null;
    if (transaction.status === 'COMMITTED') await this.transactions.update(em, transactionId, { status: 'PROCESSING' });
    return { transaction, queued: await this.operations.findQueued(em, transactionId) };
  }

  /**
   * All or nothing: every operation in one database transaction; any failure (including items
   * refused when queued) rolls it back, and a second step records why.
   */
  private async runAtomic(
    context: JobContext,
    transaction: TransactionEntity,
    queued: QueuedOperation[],
  ): Promise<JobOutcome> {
    const transactionId = transaction.id;
    const ordered = planBatches(queued, Number.MAX_SAFE_INTEGER).flatMap((batch) => batch.operations);
    let applied: AppliedOperation[];
    try {
      applied = await context.step(async (em) => {
        const results = await this.applier.apply(em, transaction.tenantId, ordered);
        const counts = await this.operations.counts(em, transactionId);
        if (counts.failed > 0 || results.some((op) => !op.ok)) throw new AtomicFailure(results);
        await this.operations.recordResults(em, transactionId, results.map(toResult));
        await this.refreshCounts(em, transactionId);
        await context.progress(em, `Processing all ${ordered.length} operations atomically: done`, 99);
        return results;
      });
    } catch (error) {
      if (!(error instanceof AtomicFailure)) throw error;
      const outcome = await this.rollBack(context, transactionId, error.results);
      // Only the failures stand: what had succeeded was rolled back with them.
      countApplied(
        this.metrics,
        ordered,
        error.results.filter((op) => !op.ok),
      );
      return outcome;
    }
    countApplied(this.metrics, ordered, applied);
    return this.finish(context, await context.step((em) => this.complete(em, transactionId)));
  }

  private async rollBack(context: JobContext, transactionId: string, applied: AppliedOperation[]): Promise<JobOutcome> {
    const failed = applied.filter((op) => !op.ok);
    await context.step(async (em) => {
      await this.operations.recordResults(em, transactionId, failed.map(toResult));
      await this.operations.skipRemaining(em, transactionId, ['QUEUED']);
      await this.refreshCounts(em, transactionId);
      await this.transactions.update(em, transactionId, {
        status: 'ROLLED_BACK',
        completedOn: new Date(),
      });
      await context.progress(em, 'Atomic commit rolled back: nothing was applied', 100);
    });
    const counts = await context.step((em) => this.operations.counts(em, transactionId));
    return {
      status: 'FAILED',
      errorMessage: `Transaction rolled back: ${counts.failed} operation(s) failed and the commit was atomic, so nothing was applied`,
      results: await context.step((em) => this.results(em, transactionId)),
    };
  }

  private async cancel(context: JobContext, transactionId: string): Promise<JobOutcome> {
    await context.step(async (em) => {
      await this.refreshCounts(em, transactionId);
      await this.transactions.update(em, transactionId, { status: 'FAILED', completedOn: new Date() });
    });
    return {
      status: 'CANCELLED',
      errorMessage: 'Cancelled by an operator',
      results: await context.step((em) => this.results(em, transactionId)),
    };
  }

  /** COMPLETED when every operation was processed; FAILED when none succeeded. */
  private async complete(em: EntityManager, transactionId: string): Promise<TransactionEntity> {
    const counts = await this.refreshCounts(em, transactionId);
    const status = counts.succeeded === 0 && counts.failed > 0 ? 'FAILED' : 'COMPLETED';
    await this.transactions.update(em, transactionId, { status, completedOn: new Date() });
    return (await this.transactions.findById(em, transactionId))!;
  }

  private async finish(context: JobContext, transaction: TransactionEntity): Promise<JobOutcome> {
    const results = await context.step((em) => this.results(em, transaction.id));
    if (transaction.status === 'COMPLETED') return { status: 'DONE', results };
    const errorMessage =
      transaction.status === 'ROLLED_BACK'
        ? 'Transaction rolled back: the commit was atomic and an operation failed, so nothing was applied'
        : 'No operation of the transaction succeeded';
    return { status: 'FAILED', errorMessage, results };
  }

  private async refreshCounts(
    em: EntityManager,
    transactionId: string,
  ): Promise<{ succeeded: number; failed: number }> {
    const counts = await this.operations.counts(em, transactionId);
    await this.transactions.setCounts(em, transactionId, counts.succeeded, counts.failed);
    return counts;
  }

  private async results(em: EntityManager, transactionId: string): Promise<Record<string, number>> {
    const { DEPARTMENT, USER } = await this.operations.countsByType(em, transactionId);
    return {
      totalDepartments: DEPARTMENT.total,
      totalUsers: USER.total,
      successfulDepartments: DEPARTMENT.succeeded,
      successfulUsers: USER.succeeded,
      failedDepartments: DEPARTMENT.failed,
      failedUsers: USER.failed,
    };
  }
}

function toResult(applied: AppliedOperation): OperationResult {
  if (applied.ok) {
    return {
      orderId: applied.orderId,
      status: 'SUCCEEDED',
      action: applied.action,
      errorType: null,
      errorMessage: null,
      errorDetails: null,
    };
  }
  return {
    orderId: applied.orderId,
    status: 'FAILED',
    action: applied.action,
    errorType: applied.errorType,
    errorMessage: applied.errorMessage,
    errorDetails: applied.errorDetails,
  };
}

function countByType(queued: readonly QueuedOperation[]): Record<EntityType, number> {
  return {
    DEPARTMENT: queued.filter((op) => op.entityType === 'DEPARTMENT').length,
    USER: queued.filter((op) => op.entityType === 'USER').length,
  };
}
