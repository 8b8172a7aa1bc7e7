import { Injectable } from '@nestjs/common';
import type { Principal, TenantPrincipal } from '../auth/principal';
import { DomainError } from '../common/domain-error';
import { TransactionRunner } from '../database/transaction-runner';
import {
  ALL_TENANTS,
  AdminTransactionsService,
  TenantVisibility,
  AdminTransactionView,
  storedItem,
  toAdminTransactionView,
} from './admin-transactions.service';
import { CommitService } from './commit.service';
import type { EntityType, OperationEntity } from './entities/operation.entity';
import {
  ENDED_TRANSACTION_STATUSES,
  MAX_OPERATIONS_PER_TRANSACTION,
  TransactionEntity,
} from './entities/transaction.entity';
import { OperationsRepository } from './operations.repository';
import { TransactionsService } from './transactions.service';

export interface RetryAnswer {
  transactionId: string;
  jobId: string;
  operationsQueued: number;
}

/**
 * What operators do about a transaction that went wrong: roll back one left OPEN, or queue its
 * failed operations again in a new transaction once the cause is fixed. Both act as the operator's
 * credential inside the transaction's tenant, through the same code as the provisioning routes.
 */
@Injectable()
export class TransactionRepairService {
  constructor(
    private readonly admin: AdminTransactionsService,
    private readonly transactions: TransactionsService,
    private readonly commits: CommitService,
    private readonly operations: OperationsRepository,
    private readonly runner: TransactionRunner,
  ) {}

  /** OPEN → ROLLED_BACK, as the tenant's rollback route does; any other state is a 409. */
  async rollback(
    operator: Principal,
    id: string,
    canSee: TenantVisibility = ALL_TENANTS,
  ): Promise<AdminTransactionView> {
    const transaction = await this.admin.require(this.runner.manager, id, canSee);
    await this.transactions.rollback(actingIn(operator, transaction), transaction.id);
    return toAdminTransactionView(await this.admin.require(this.runner.manager, id));
  }

  /**
   * Queues the failed operations (all, or those `orderIds` names) of an ended transaction into a
   * new one of the same tenant, in their order, and commits it (a job, not awaited). The items are
   * queued as the queue routes queue them, so they are validated again. An item refused when it
   * was first queued was never stored: it cannot be retried, only sent again, corrected.
   */
  async retry(
    operator: Principal,
    id: string,
    orderIds?: number[],
    canSee: TenantVisibility = ALL_TENANTS,
  ): Promise<RetryAnswer> {
    const em = this.runner.manager;
    const transaction = await this.admin.require(em, id, canSee);
    if (!ENDED_TRANSACTION_STATUSES.includes(transaction.status)) {
      throw conflict(`Transaction ${id} is ${transaction.status}; only an ended transaction can be retried`);
    }
    const failed = await this.operations.failures(em, id, MAX_OPERATIONS_PER_TRANSACTION);
    if (failed.length === 0) throw conflict(`Transaction ${id} has no failed operations to retry`);
    const chosen = orderIds ? pick(failed, orderIds) : failed.filter((operation) => operation.payload !== null);
    if (chosen.length === 0) {
      throw conflict(
        `Every failed operation of transaction ${id} was refused when queued; its items were not stored, send them again corrected`,
      );
    }
    const acting = actingIn(operator, transaction);
    const created = await this.transactions.checkpoint(acting);
    let operationsQueued = 0;
    for (const run of runsByType(chosen)) {
      const answer = await this.transactions.queue(acting, created.id, run.entityType, run.items);
      operationsQueued += answer.operationsQueued;
    }
    const commit = await this.commits.commit(acting, created.id, {
      atomic: transaction.atomic,
      wait: false,
      timeoutMs: 0,
    });
    return { transactionId: created.id, jobId: commit.body.jobId as string, operationsQueued };
  }
}

/** The operator's credential, acting inside the transaction's tenant. */
function actingIn(operator: Principal, transaction: TransactionEntity): TenantPrincipal {
  return { ...operator, tenantId: transaction.tenantId };
}

/** The failed operations `orderIds` names, in order; 400 naming those that are not retryable. */
function pick(failed: OperationEntity[], orderIds: number[]): OperationEntity[] {
  const byOrderId = new Map(failed.map((operation) => [operation.orderId, operation]));
  const unknown = orderIds.filter((orderId) => !byOrderId.has(orderId));
  if (unknown.length > 0) {
    const message = `orderIds names operations that did not fail in this transaction: ${unknown.slice(0, 20).join(', ')}`;
    throw DomainError.validation(message, { path: 'orderIds', field: 'orderIds', message });
  }
  const unstored = orderIds.filter((orderId) => byOrderId.get(orderId)!.payload === null);
  if (unstored.length > 0) {
    const message = `Operations ${unstored.slice(0, 20).join(', ')} were refused when queued and their items were not stored; send them again corrected`;
    throw DomainError.validation(message, { path: 'orderIds', field: 'orderIds', message });
  }
  const wanted = new Set(orderIds);
  return failed.filter((operation) => wanted.has(operation.orderId));
}

/** Consecutive operations of one entity type: one queue request each, so the order holds. */
function runsByType(operations: OperationEntity[]): { entityType: EntityType; items: Record<string, unknown>[] }[] {
  const runs: { entityType: EntityType; items: Record<string, unknown>[] }[] = [];
  for (const operation of operations) {
    const last = runs.at(-1);
    if (last?.entityType === operation.entityType) last.items.push(storedItem(operation));
    else runs.push({ entityType: operation.entityType, items: [storedItem(operation)] });
  }
  return runs;
}

function conflict(message: string): DomainError {
  return new DomainError('CONFLICT', message, [{ path: 'id', field: 'id', message }]);
}
