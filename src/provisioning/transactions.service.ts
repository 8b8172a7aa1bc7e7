import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { TenantPrincipal } from '../auth/principal';
import { ApiError } from '../common/api-error';
import { currentLogContext } from '../common/log-context';
import { TransactionRunner } from '../database/transaction-runner';
import { MAX_OPERATIONS_PER_TRANSACTION, TransactionEntity } from './entities/transaction.entity';
import type { EntityType } from './entities/operation.entity';
import { withoutSecrets } from '../directory/secret-names';
import { Metrics } from '../metrics/metrics';
import { classifyItems } from './items';
import { countRefused } from './operation-metrics';
import { NewOperation, OperationsRepository } from './operations.repository';
import { TransactionFilters, TransactionsRepository } from './transactions.repository';
import { listItemView, statusView } from './transaction.views';

export interface QueueAnswer {
  status: true;
  transactionId: string;
  operationsQueued: number;
  operations: { status: boolean; transactionId: string; orderId: number; message: string }[];
}

const QUEUED_MESSAGE: Record<EntityType, string> = {
  DEPARTMENT: 'Department operation queued',
  USER: 'User operation queued',
};

/** Checkpoint, queue, roll back, status and listing of provisioning transactions. */
@Injectable()
export class TransactionsService {
  constructor(
    private readonly transactions: TransactionsRepository,
    private readonly operations: OperationsRepository,
    private readonly runner: TransactionRunner,
    private readonly metrics: Metrics,
  ) {}

  async checkpoint(principal: TenantPrincipal): Promise<TransactionEntity> {
    const correlationId = currentLogContext()?.correlationId ?? null;
    return this.transactions.insert(this.runner.manager, principal.tenantId, principal.credentialId, correlationId);
  }

  /**
   * Records every item as an operation: valid ones QUEUED, invalid ones already failed
   * (DATA_FORMAT / VALIDATION), so the answer and the later failures say what was wrong.
   */
  async queue(
    principal: TenantPrincipal,
    transactionId: string,
    entityType: EntityType,
    body: unknown,
  ): Promise<QueueAnswer> {
    if (!Array.isArray(body)) {
      throw ApiError.badRequest('The request body must be a JSON array of items', [
        { path: 'body', message: 'The request body must be a JSON array of items' },
      ]);
    }
    // Secret-looking fields (`password`, `pass`, `pin`) are dropped before the item is read: never
    // stored in an operation's payload, never named in its failure.
    const items = classifyItems(
      entityType,
      body.map((item: unknown) => withoutSecrets(item)),
    );
    const answer = await this.runner.run(async (em): Promise<QueueAnswer> => {
      const first = await this.allocate(em, principal, transactionId, items.length);
      const operations: NewOperation[] = items.map((item, i) => ({
        orderId: first + i,
        entityType,
        requestedAction: item.action,
        payload: item.valid ? item.payload : null,
        status: item.valid ? 'QUEUED' : 'INVALID',
        externalId: item.externalId,
        entityName: item.entityName,
        errorType: item.valid ? null : item.errorType,
        errorMessage: item.valid ? null : item.message,
        errorDetails: item.valid ? null : { exceptionType: item.exceptionType, field: item.field },
      }));
      await this.operations.insertMany(em, transactionId, operations);
      return {
        status: true,
        transactionId,
        operationsQueued: items.filter((item) => item.valid).length,
        operations: items.map((item, i) => ({
          status: item.valid,
          transactionId,
          orderId: first + i,
          message: item.valid ? QUEUED_MESSAGE[entityType] : item.message,
        })),
      };
    });
    countRefused(this.metrics, items);
    return answer;
  }

  async rollback(principal: TenantPrincipal, transactionId: string): Promise<TransactionEntity> {
    return this.runner.run(async (em) => {
      const transaction = await this.require(em, principal, transactionId, true);
      if (transaction.status !== 'OPEN') {
        throw conflict(
          `Transaction ${transactionId} is ${transaction.status}; only an OPEN transaction can be rolled back`,
        );
      }
      await this.transactions.update(em, transactionId, {
        status: 'ROLLED_BACK',
        completedOn: new Date(),
        updatedBy: principal.credentialId,
      });
      return { ...transaction, status: 'ROLLED_BACK' };
    });
  }

  async status(principal: TenantPrincipal, transactionId: string): Promise<Record<string, unknown>> {
    const em = this.runner.manager;
    const transaction = await this.require(em, principal, transactionId);
    return statusView(transaction, await this.operations.failures(em, transactionId));
  }

  async list(
    principal: TenantPrincipal,
    filters: TransactionFilters,
    page: number,
    pageSize: number,
  ): Promise<Record<string, unknown>> {
    const { rows, total } = await this.transactions.list(
      this.runner.manager,
      principal.tenantId,
      filters,
      page,
      pageSize,
    );
    return { status: true, transactions: rows.map(listItemView), totalCount: total, page, pageSize };
  }

  /** The tenant's transaction, or 404 exactly like a missing one. */
  async require(
    em: EntityManager,
    principal: TenantPrincipal,
    transactionId: string,
    lock = false,
  ): Promise<TransactionEntity> {
    const transaction = await this.transactions.find(em, principal.tenantId, transactionId, lock);
    if (!transaction) throw transactionNotFound(transactionId);
    return transaction;
  }

  private async allocate(
    em: EntityManager,
    principal: TenantPrincipal,
    transactionId: string,
    count: number,
  ): Promise<number> {
    const first = await this.transactions.allocate(
      em,
      principal.tenantId,
      transactionId,
      count,
      principal.credentialId,
    );
    if (first !== null) return first;
    const transaction = await this.require(em, principal, transactionId);
    if (transaction.status !== 'OPEN') {
      throw conflict(
        `Transaction ${transactionId} is ${transaction.status}; operations can only be queued while it is OPEN`,
      );
    }
    throw ApiError.badRequest(
      `A transaction holds at most ${MAX_OPERATIONS_PER_TRANSACTION} operations; it has ${transaction.operationCount} and this request adds ${count}`,
      [{ path: 'body', message: `At most ${MAX_OPERATIONS_PER_TRANSACTION} operations per transaction` }],
    );
  }
}

export function transactionNotFound(transactionId: string): ApiError {
  const message = `Transaction with ID ${transactionId} not found`;
  return new ApiError(404, 'Transaction not found', message, [
    { path: 'transactionId', field: 'transactionId', message },
  ]);
}

export function conflict(message: string): ApiError {
  return new ApiError(409, 'Conflict', message, [{ path: 'transactionId', field: 'transactionId', message }]);
}
