import { DomainError, ErrorCode } from '../common/domain-error';
import type { FrontDoor, UserEmail } from './entities/user.entity';

export type { FrontDoor, UserEmail };
export type { UserRow } from './users.repository';
export type { DepartmentRow } from './departments.repository';
export type { MemberView } from './assignments.repository';

/** What a successful item did; the transports report it per item. */
export type WriteAction = 'CREATE' | 'UPDATE' | 'DELETE';

/** One answer per input item, in input order: a bad item never fails its batch. */
export type ItemResult<T> = { ok: true; action: WriteAction; value: T } | { ok: false; error: DomainError };

/** Which stored field a user item is matched on (batch API `matchOnField`). */
export type MatchField = 'EXTERNAL_ID' | 'EMAIL' | 'USERNAME';
export const MATCH_FIELDS: readonly MatchField[] = ['EXTERNAL_ID', 'EMAIL', 'USERNAME'];

export interface DepartmentInput {
  externalId: string;
  /** Required when creating. */
  name?: string;
  /** Default true on create; absent = keep. */
  active?: boolean;
  /** null = root; absent = keep the current parent (root for a new department). */
  parentExternalId?: string | null;
  /** Apply `active` to the whole subtree, any depth. */
  cascadeToChildren?: boolean;
}

export interface DepartmentRecord {
  id: string;
  externalId: string | null;
  name: string;
  parentId: string | null;
  parentExternalId: string | null;
  active: boolean;
  createdOn: Date;
  updatedOn: Date;
}

export interface AssignmentInput {
  departmentExternalId: string;
  userTypeId: string;
}

export interface UserInput {
  /** Default EXTERNAL_ID. */
  matchOnField?: MatchField;
  externalId?: string | null;
  /** When creating, defaults to email; on update changes only when given. */
  userName?: string;
  email?: string | null;
  givenName?: string | null;
  middleName?: string | null;
  familyName?: string | null;
  displayName?: string | null;
  phoneNumber?: string | null;
  /** Default true on create; absent = keep. */
  active?: boolean;
  role?: string | null;
  /** Shallow-merged into what is stored. */
  metadata?: Record<string, unknown>;
  /** Present = replace the user's assignments with exactly this set; absent = leave them alone. */
  userTypes?: AssignmentInput[];
}

export interface UserAssignmentRecord {
  departmentId: string;
  departmentExternalId: string | null;
  departmentName: string;
  userTypeId: string;
  userTypeName: string;
}

export interface UserRecord {
  id: string;
  userName: string;
  externalId: string | null;
  givenName: string | null;
  middleName: string | null;
  familyName: string | null;
  displayName: string | null;
  email: string | null;
  emails: UserEmail[];
  phoneNumber: string | null;
  active: boolean;
  role: string | null;
  metadata: Record<string, unknown> | null;
  /** SCIM attributes and extensions that have no column, as the client sent them. */
  attributes: Record<string, unknown>;
  createdBy: FrontDoor;
  changedBy: FrontDoor;
  version: number;
  createdOn: Date;
  updatedOn: Date;
  /** Present when the write replaced the assignments (the item carried `userTypes`). */
  assignments?: UserAssignmentRecord[];
}

/**
 * A user's whole state as one front door holds it (SCIM creates and replaces users whole).
 * `email` is derived from `emails`; `role` and `metadata` belong to partner sync and are kept.
 */
export interface UserState {
  userName: string;
  externalId: string | null;
  givenName: string | null;
  middleName: string | null;
  familyName: string | null;
  displayName: string | null;
  emails: UserEmail[];
  phoneNumber: string | null;
  active: boolean;
  attributes: Record<string, unknown>;
}

/** A department's state as SCIM holds it (a Group): its parent and `active` are the batch API's. */
export interface GroupState {
  name: string;
  externalId: string | null;
  attributes: Record<string, unknown>;
}

/** A change of a group's members, by id (users or departments); ids the tenant does not hold are ignored. */
export type MembershipChange = { op: 'add' | 'remove' | 'replace'; ids: readonly string[] } | { op: 'removeAll' };

/** How a user to delete is named. */
export interface UserKey {
  matchOnField: MatchField;
  value: string;
}

export interface DeletedDepartment {
  id: string;
  externalId: string;
}

export interface DeletedUser {
  id: string;
  userName: string;
}

export function succeeded<T>(action: WriteAction, value: T): ItemResult<T> {
  return { ok: true, action, value };
}

export function failed<T>(error: DomainError): ItemResult<T> {
  return { ok: false, error };
}

/** An item's error about one of its fields; transports prefix `path` with the item's position. */
export function fieldError(code: ErrorCode, message: string, field: string, key: string, path = field): DomainError {
  return new DomainError(code, message, [{ path, field, message, key }]);
}

/** The results array once every item has been answered; a gap is a bug, reported, never dropped. */
export function completed<T>(results: readonly (ItemResult<T> | undefined)[]): ItemResult<T>[] {
  return results.map((result) => result ?? failed<T>(new DomainError('SYSTEM', 'The item was not processed')));
}
