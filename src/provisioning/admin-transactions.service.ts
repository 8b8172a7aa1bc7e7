import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AdminPage, adminPage, pageWindow } from '../common/admin-page';
import { DomainError } from '../common/domain-error';
import { isUuid } from '../common/ids';
import { TransactionRunner } from '../database/transaction-runner';
import { AdminTransactionsQuery } from './dto/admin-transactions.query';
import type { OperationEntity } from './entities/operation.entity';
import { ENDED_TRANSACTION_STATUSES, TransactionEntity } from './entities/transaction.entity';
import { OperationsRepository } from './operations.repository';
import { TransactionsRepository } from './transactions.repository';
import { failureView as statusFailureView } from './transaction.views';

/** Failed operations an operator sees at once; the tenant's status route answers them all. */
export const ADMIN_FAILURES_SHOWN = 1000;

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export interface AdminTransactionView {
  id: string;
  tenantId: string;
  status: string;
  operationCount: number;
  completedCount: number;
  failedCount: number;
  donePercentage: number;
  jobId: string | null;
  /** The X-Request-Id of the checkpoint request; null when opened before it was recorded. */
  correlationId: string | null;
  atomic: boolean;
  createdBy: string;
  createdOn: string;
  committedOn: string | null;
  completedOn: string | null;
}

/** Whether the calling operator may see a tenant's records (its admin scope). */
export type TenantVisibility = (tenantId: string) => boolean;
export const ALL_TENANTS: TenantVisibility = () => true;

/** Processed operations out of all: 100 once the transaction has ended, whatever its counts. */
export function donePercentage(transaction: TransactionEntity): number {
  if (ENDED_TRANSACTION_STATUSES.includes(transaction.status)) return 100;
  if (transaction.operationCount === 0) return 0;
  const processed = transaction.completedCount + transaction.failedCount;
  return Math.min(99, Math.floor((processed * 100) / transaction.operationCount));
}

export function toAdminTransactionView(transaction: TransactionEntity): AdminTransactionView {
  return {
    id: transaction.id,
    tenantId: transaction.tenantId,
    status: transaction.status,
    operationCount: transaction.operationCount,
    completedCount: transaction.completedCount,
    failedCount: transaction.failedCount,
    donePercentage: donePercentage(transaction),
    jobId: transaction.jobId,
    correlationId: transaction.correlationId,
    atomic: transaction.atomic,
    createdBy: transaction.createdBy,
    createdOn: transaction.createdOn.toISOString(),
    committedOn: iso(transaction.committedOn),
    completedOn: iso(transaction.completedOn),
  };
}

/**
 * A failed operation as operators see it: its place and reason, the item as it was stored when
 * queued (`payload`, secrets already dropped; null for an item refused when queued, which is not
 * stored) and the failure object the tenant's status route gives (`failure`).
 */
function failureView(operation: OperationEntity): Record<string, unknown> {
  return {
    orderId: operation.orderId,
    entityType: operation.entityType,
    externalId: operation.externalId,
    entityName: operation.entityName,
    errorType: operation.errorType,
    errorMessage: operation.errorMessage,
    failedOn: iso(operation.failedOn),
    payload: operation.payload === null ? null : storedItem(operation),
    failure: statusFailureView(operation, operation.transactionId),
  };
}

/** The item to queue again: the stored payload with its `action` back (only DELETE is not the default). */
export function storedItem(operation: OperationEntity): Record<string, unknown> {
  return { ...operation.payload, ...(operation.requestedAction === 'DELETE' ? { action: 'DELETE' } : {}) };
}

/** Every tenant's transactions, for operators. */
@Injectable()
export class AdminTransactionsService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly repository: TransactionsRepository,
    private readonly operations: OperationsRepository,
  ) {}

  async list(query: AdminTransactionsQuery): Promise<AdminPage<AdminTransactionView>> {
    const window = pageWindow(query);
    const { rows, total } = await this.repository.listAll(
      this.transactions.manager,
      {
        tenantId: query.tenant,
        status: query.status,
        createdAfter: query.since ? new Date(query.since) : undefined,
        createdBefore: query.until ? new Date(query.until) : undefined,
      },
      window.offset,
      window.pageSize,
    );
    return adminPage(window, total, rows.map(toAdminTransactionView));
  }

  /** One transaction with its failures; another tenant's (by `canSee`) answers as a missing one. */
  async find(
    id: string,
    canSee: TenantVisibility = ALL_TENANTS,
  ): Promise<AdminTransactionView & { failures: Record<string, unknown>[] }> {
    const em = this.transactions.manager;
    const transaction = await this.require(em, id, canSee);
    const failures = await this.operations.failures(em, id, ADMIN_FAILURES_SHOWN);
    return { ...toAdminTransactionView(transaction), failures: failures.map(failureView) };
  }

  /**
   * The transaction, or 404 'Transaction not found': also for one of a tenant `canSee` refuses,
   * so that another tenant's id answers exactly as a missing one.
   */
  async require(em: EntityManager, id: string, canSee: TenantVisibility = ALL_TENANTS): Promise<TransactionEntity> {
    const transaction = isUuid(id) ? await this.repository.findById(em, id) : null;
    if (!transaction || !canSee(transaction.tenantId)) throw DomainError.notFound('Transaction not found');
    return transaction;
  }
}
