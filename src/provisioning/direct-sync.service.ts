import { Injectable } from '@nestjs/common';
import type { TenantPrincipal } from '../auth/principal';
import { ApiError } from '../common/api-error';
import { TransactionRunner } from '../database/transaction-runner';
import type { DepartmentRecord, UserRecord } from '../directory/directory.types';
import type { EntityType } from './entities/operation.entity';
import { withoutSecrets } from '../directory/secret-names';
import { classifyItems } from './items';
import { Metrics } from '../metrics/metrics';
import { AppliedOperation, OperationApplier } from './operation-applier';
import { countApplied, countRefused } from './operation-metrics';

const COLLECTION: Record<EntityType, string> = { DEPARTMENT: 'departments', USER: 'users' };

/**
 * Direct mode (no transaction): the items are applied at once, in one database transaction, with
 * the same rules as a commit; the answer is seed 004's `processed`, `errors`, `results`.
 */
@Injectable()
export class DirectSyncService {
  constructor(
    private readonly applier: OperationApplier,
    private readonly runner: TransactionRunner,
    private readonly metrics: Metrics,
  ) {}

  async apply(principal: TenantPrincipal, entityType: EntityType, body: unknown): Promise<Record<string, unknown>> {
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
    const pending = items.flatMap((item, index) =>
      item.valid ? [{ orderId: index, entityType, requestedAction: item.action, payload: item.payload }] : [],
    );
    const applied = await this.runner.run((em) => this.applier.apply(em, principal.tenantId, pending));
    countRefused(this.metrics, items);
    countApplied(this.metrics, pending, applied);
    const byIndex = new Map(applied.map((op) => [op.orderId, op]));
    const collection = COLLECTION[entityType];
    const errors: Record<string, unknown>[] = [];
    const results: Record<string, unknown>[] = [];
    items.forEach((item, index) => {
      if (!item.valid) {
        errors.push(
          errorEntry(
            item.errorType,
            `${collection}.${index}${item.field ? `.${item.field}` : ''}`,
            item.field,
            item.message,
          ),
        );
        return;
      }
      const outcome = byIndex.get(index)!;
      if (!outcome.ok) {
        const field = typeof outcome.errorDetails.field === 'string' ? outcome.errorDetails.field : '';
        errors.push(
          errorEntry(
            outcome.errorType,
            `${collection}.${index}${field ? `.${field}` : ''}`,
            field,
            outcome.errorMessage,
          ),
        );
        return;
      }
      results.push(resultView(outcome));
    });
    return { status: errors.length === 0, processed: results.length, errors, results };
  }
}

function errorEntry(code: string, path: string, field: string, message: string): Record<string, unknown> {
  return {
    code,
    type: code,
    paths: [path],
    field: field ? [field] : [],
    message,
    messages: [{ locale: 'US', message, key: `identum.sync.${code.toLowerCase()}` }],
  };
}

function resultView(outcome: AppliedOperation & { ok: true }): Record<string, unknown> {
  if (outcome.department) return departmentResult(outcome.department, outcome.action);
  if (outcome.user) return userResult(outcome.user, outcome.action);
  return { action: outcome.action };
}

function departmentResult(department: DepartmentRecord, action: string): Record<string, unknown> {
  return {
    id: department.id,
    directoryUniqueIdentifier: department.externalId,
    parentDepartmentId: department.parentId,
    parentDirectoryUniqueIdentifier: department.parentExternalId,
    name: department.name,
    active: department.active,
    action,
  };
}

/** The direct-mode fields plus the user's own. */
function userResult(user: UserRecord, action: string): Record<string, unknown> {
  return {
    id: user.id,
    directoryUniqueIdentifier: user.externalId,
    externalId: user.externalId,
    userName: user.userName,
    firstName: user.givenName,
    middleName: user.middleName,
    lastName: user.familyName,
    email: user.email,
    phoneNumber: user.phoneNumber,
    active: user.active,
    userTypes: (user.assignments ?? []).map((assignment) => ({
      departmentId: assignment.departmentId,
      departmentExternalId: assignment.departmentExternalId,
      departmentName: assignment.departmentName,
      userTypeId: assignment.userTypeId,
      userTypeName: assignment.userTypeName,
    })),
    action,
  };
}
