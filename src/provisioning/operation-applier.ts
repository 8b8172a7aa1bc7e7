import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError, ErrorCode } from '../common/domain-error';
import { DepartmentsService } from '../directory/departments.service';
import {
  DepartmentInput,
  DepartmentRecord,
  ItemResult,
  MatchField,
  UserInput,
  UserRecord,
} from '../directory/directory.types';
import { UsersService } from '../directory/users.service';
import { DirectoryLookupRepository } from './directory-lookup.repository';
import type { EntityType, OperationAction, OperationErrorType, RequestedAction } from './entities/operation.entity';

/** One operation to apply: a queued one (commit) or an item of a direct-mode request. */
export interface PendingOperation {
  orderId: number;
  entityType: EntityType;
  requestedAction: RequestedAction;
  payload: Record<string, unknown>;
}

export type AppliedOperation =
  | { orderId: number; ok: true; action: OperationAction; department?: DepartmentRecord; user?: UserRecord }
  | {
      orderId: number;
      ok: false;
      action: OperationAction;
      errorType: OperationErrorType;
      errorMessage: string;
      errorDetails: Record<string, unknown>;
    };

const ERROR_TYPE: Record<ErrorCode, OperationErrorType> = {
  VALIDATION: 'VALIDATION',
  DATA_FORMAT: 'DATA_FORMAT',
  DUPLICATE: 'DUPLICATE',
  CONFLICT: 'DUPLICATE',
  NOT_FOUND: 'NOT_FOUND',
  PERMISSION: 'PERMISSION',
  SYSTEM: 'SYSTEM',
};

/** Seed 001's `details.exceptionType`, by error type. */
export const EXCEPTION_TYPE: Record<OperationErrorType, string> = {
  VALIDATION: 'ValidationError',
  DATA_FORMAT: 'InvalidFormatException',
  DUPLICATE: 'DuplicateKeyException',
  NOT_FOUND: 'EntityNotFoundException',
  PERMISSION: 'AccessDeniedException',
  SYSTEM: 'SystemException',
};

/**
 * Applies operations through the directory services, set-based: one call per entity type and
 * action for the whole list (the services order parents before children and isolate bad rows).
 * Departments go before users. The caller's `em` is the transaction.
 */
@Injectable()
export class OperationApplier {
  constructor(
    private readonly departments: DepartmentsService,
    private readonly users: UsersService,
    private readonly lookup: DirectoryLookupRepository,
  ) {}

  async apply(
    em: EntityManager,
    tenantId: string,
    operations: readonly PendingOperation[],
  ): Promise<AppliedOperation[]> {
    const pick = (type: EntityType, action: RequestedAction): PendingOperation[] =>
      operations.filter((op) => op.entityType === type && op.requestedAction === action);
    return [
      ...(await this.upsertDepartments(em, tenantId, pick('DEPARTMENT', 'UPSERT'))),
      ...(await this.deleteDepartments(em, tenantId, pick('DEPARTMENT', 'DELETE'))),
      ...(await this.upsertUsers(em, tenantId, pick('USER', 'UPSERT'))),
      ...(await this.deleteUsers(em, tenantId, pick('USER', 'DELETE'))),
    ];
  }

  private async upsertDepartments(
    em: EntityManager,
    tenantId: string,
    ops: PendingOperation[],
  ): Promise<AppliedOperation[]> {
    if (ops.length === 0) return [];
    const results = await this.departments.upsertMany(
      em,
      tenantId,
      ops.map((op) => departmentInput(op.payload)),
    );
    const failedIds = ops.filter((_, i) => !results[i].ok).map((op) => String(op.payload.externalId));
    const existing = await this.lookup.existingDepartments(em, tenantId, failedIds);
    return ops.map((op, i) =>
      toApplied(op, results[i], existing.has(String(op.payload.externalId)) ? 'UPDATE' : 'CREATE', (value) => ({
        department: value,
      })),
    );
  }

  private async deleteDepartments(
    em: EntityManager,
    tenantId: string,
    ops: PendingOperation[],
  ): Promise<AppliedOperation[]> {
    if (ops.length === 0) return [];
    const results = await this.departments.deleteMany(
      em,
      tenantId,
      ops.map((op) => String(op.payload.externalId)),
    );
    return ops.map((op, i) => toApplied(op, results[i], 'DELETE', () => ({})));
  }

  private async upsertUsers(em: EntityManager, tenantId: string, ops: PendingOperation[]): Promise<AppliedOperation[]> {
    if (ops.length === 0) return [];
    const results = await this.users.upsertMany(
      em,
      tenantId,
      ops.map((op) => userInput(op.payload)),
      'batch',
    );
    const failed = ops.filter((_, i) => !results[i].ok);
    const existing = await this.lookup.existingUsers(
      em,
      tenantId,
      failed.map((op) => userKey(op.payload)),
    );
    return ops.map((op, i) => {
      const key = userKey(op.payload);
      const applied = toApplied(
        op,
        results[i],
        existing.has(`${key.matchOnField}:${key.value.toLowerCase()}`) ? 'UPDATE' : 'CREATE',
        (value) => ({
          user: value,
        }),
      );
      if (!applied.ok && applied.errorType === 'DUPLICATE' && typeof op.payload.email === 'string') {
        applied.errorDetails.email = op.payload.email;
      }
      return applied;
    });
  }

  private async deleteUsers(em: EntityManager, tenantId: string, ops: PendingOperation[]): Promise<AppliedOperation[]> {
    if (ops.length === 0) return [];
    const results = await this.users.deleteMany(
      em,
      tenantId,
      ops.map((op) => userKey(op.payload)),
    );
    return ops.map((op, i) => toApplied(op, results[i], 'DELETE', () => ({})));
  }
}

function toApplied<T>(
  op: PendingOperation,
  result: ItemResult<T>,
  attempted: OperationAction,
  value: (record: T) => { department?: DepartmentRecord; user?: UserRecord },
): AppliedOperation {
  if (result.ok) return { orderId: op.orderId, ok: true, action: result.action, ...value(result.value) };
  return failure(op.orderId, attempted, result.error);
}

export function failure(
  orderId: number,
  action: OperationAction,
  error: DomainError,
): AppliedOperation & { ok: false } {
  const errorType = ERROR_TYPE[error.code];
  return {
    orderId,
    ok: false,
    action,
    errorType,
    errorMessage: error.message,
    errorDetails: {
      exceptionType: EXCEPTION_TYPE[errorType],
      ...(error.details[0]?.field ? { field: error.details[0].field } : {}),
    },
  };
}

/** Absent `parentExternalId` keeps the parent; `null` makes a root (the contract). */
export function departmentInput(payload: Record<string, unknown>): DepartmentInput {
  return {
    externalId: String(payload.externalId),
    name: payload.departmentName as string | undefined,
    active: payload.active as boolean | undefined,
    parentExternalId: 'parentExternalId' in payload ? (payload.parentExternalId as string | null) : undefined,
    cascadeToChildren: payload.cascadeToChildren as boolean | undefined,
  };
}

/** Batch users get their email as userName (seed 004: "email … used as username"). */
export function userInput(payload: Record<string, unknown>): UserInput {
  const email = payload.email as string | undefined;
  return {
    matchOnField: (payload.matchOnField as MatchField | undefined) ?? 'EXTERNAL_ID',
    externalId: payload.externalId as string | undefined,
    email,
    userName: email,
    givenName: payload.firstName as string | null | undefined,
    middleName: payload.middleName as string | null | undefined,
    familyName: payload.lastName as string | null | undefined,
    phoneNumber: payload.phoneNumber as string | null | undefined,
    active: payload.active as boolean | undefined,
    userTypes: payload.userTypes as UserInput['userTypes'],
  };
}

export function userKey(payload: Record<string, unknown>): { matchOnField: MatchField; value: string } {
  const matchOnField = (payload.matchOnField as MatchField | undefined) ?? 'EXTERNAL_ID';
  const value = matchOnField === 'EXTERNAL_ID' ? payload.externalId : payload.email;
  return { matchOnField, value: String(value) };
}
