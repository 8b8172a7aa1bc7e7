import type { OperationEntity } from './entities/operation.entity';
import type { TransactionEntity } from './entities/transaction.entity';

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

/** Seed 001's failure object. */
export function failureView(operation: OperationEntity, transactionId: string): Record<string, unknown> {
  return {
    operationId: `op-${operation.orderId}`,
    operationType: operation.entityType,
    operationAction: operation.action ?? (operation.requestedAction === 'DELETE' ? 'DELETE' : 'CREATE'),
    externalId: operation.externalId,
    entityName: operation.entityName,
    errorMessage: operation.errorMessage,
    errorType: operation.errorType,
    failedOn: iso(operation.failedOn),
    details: { operationId: String(operation.orderId), transactionId, ...(operation.errorDetails ?? {}) },
  };
}

/** `GET .../transaction/{tx}/status`: every field of seed 001, `failures` null when none. */
export function statusView(transaction: TransactionEntity, failures: OperationEntity[]): Record<string, unknown> {
  return {
    status: true,
    transactionId: transaction.id,
    transactionStatus: transaction.status,
    totalOperations: transaction.operationCount,
    completedOperations: transaction.completedCount,
    failedOperations: transaction.failedCount,
    createdOn: iso(transaction.createdOn),
    committedOn: iso(transaction.committedOn),
    completedOn: iso(transaction.completedOn),
    jobId: transaction.jobId,
    atomic: transaction.atomic,
    failures: failures.length > 0 ? failures.map((failure) => failureView(failure, transaction.id)) : null,
  };
}

/** An item of `GET .../transactions` (seed 004). */
export function listItemView(transaction: TransactionEntity): Record<string, unknown> {
  return {
    id: transaction.id,
    transactionId: transaction.id,
    status: transaction.status,
    operationCount: transaction.operationCount,
    completedCount: transaction.completedCount,
    failedCount: transaction.failedCount,
    createdBy: transaction.createdBy,
    createdOn: iso(transaction.createdOn),
    committedOn: iso(transaction.committedOn),
    completedOn: iso(transaction.completedOn),
    updatedBy: transaction.updatedBy,
    updatedOn: iso(transaction.updatedOn),
    jobId: transaction.jobId,
  };
}

/** Seed 004's `errors` of a waited commit: one per failed operation. */
export function commitErrors(failures: OperationEntity[]): Record<string, unknown>[] {
  return failures.map((failure) => ({
    code: failure.errorType,
    type: failure.errorType,
    paths: [`operation.${failure.orderId}`],
    messages: [
      { locale: 'US', message: failure.errorMessage, key: `identum.commit.${failure.entityType.toLowerCase()}.error` },
    ],
  }));
}
