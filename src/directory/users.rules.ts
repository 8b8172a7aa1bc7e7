// The pure rules of user upserts: validation, matching, merging and uniqueness claims. No I/O.
import { randomUUID } from 'node:crypto';
import { DomainError } from '../common/domain-error';
import { distinct, RowFailure, sqlStateOf, constraintOf } from './batch';
import {
  AssignmentInput,
  fieldError,
  FrontDoor,
  MATCH_FIELDS,
  MatchField,
  UserAssignmentRecord,
  UserEmail,
  UserInput,
  UserKey,
  UserRecord,
} from './directory.types';
import { checkIdentifier, checkLength, firstError, normaliseUserName, TEXT_LIMITS, userNameKey } from './identifiers';
import { UserLookup, UserRow, UserWrite } from './users.repository';

/** An item of a round, matched and merged into the full row to store. */
export interface Plan {
  index: number;
  existing: UserRow | undefined;
  row: UserWrite;
}

/** The stored users a round can match or collide with. */
export interface StoredUsers {
  byExternalId: Map<string, UserRow>;
  byUserName: Map<string, UserRow>;
  byEmail: Map<string, UserRow[]>;
}

export const lower = (value: string): string => value.toLowerCase();
export const isText = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

export function taken(field: 'userName' | 'externalId', value: string): DomainError {
  const message = `${field} '${value}' is already taken by another user`;
  return fieldError('DUPLICATE', message, field, `directory.user.${field}.duplicate`);
}

/** The stored texts of a user, from any door: identifiers clean, every value fits its column. */
export function checkUserFields(fields: Partial<Record<keyof typeof USER_TEXT, unknown>>): DomainError | undefined {
  return firstError(
    ...Object.entries(USER_TEXT).map(([field, identifier]) => {
      const name = field as keyof typeof USER_TEXT;
      const check = identifier ? checkIdentifier : checkLength;
      return check(name, fields[name], TEXT_LIMITS[name], `user.${name}`);
    }),
  );
}

/**
 * A user's text fields; true for those shown as who the user is (identifiers and names), which
 * refuse invisible characters: a bidi override in a name makes a look-alike in every listing.
 */
const USER_TEXT = {
  userName: true,
  externalId: true,
  email: true,
  givenName: true,
  middleName: true,
  familyName: true,
  displayName: true,
  phoneNumber: true,
  role: false,
} as const;

export function validateInput(item: UserInput): DomainError | undefined {
  const invalid = checkUserFields(item);
  if (invalid) return invalid;
  const field = item.matchOnField ?? 'EXTERNAL_ID';
  if (!MATCH_FIELDS.includes(field)) {
    const message = `matchOnField must be one of ${MATCH_FIELDS.join(', ')}`;
    return fieldError('VALIDATION', message, 'matchOnField', 'directory.user.matchOnField.invalid');
  }
  if (item.userName !== undefined && !isText(item.userName)) {
    return fieldError('VALIDATION', 'userName must not be blank', 'userName', 'directory.user.userName.blank');
  }
  const required: Record<MatchField, [boolean, string]> = {
    EXTERNAL_ID: [isText(item.externalId), 'externalId'],
    EMAIL: [isText(item.email), 'email'],
    USERNAME: [isText(item.userName ?? item.email), 'userName'],
  };
  const [present, name] = required[field];
  if (present) return undefined;
  const message = `${name === 'userName' ? 'userName or email' : name} is required when matchOnField is ${field}`;
  return fieldError('VALIDATION', message, name, `directory.user.${name}.required`);
}

/** Values whose repetition in one call must put the later item in a later round. */
export function roundKeys(item: UserInput): string[] {
  const keys: string[] = [];
  if (isText(item.externalId)) keys.push(`externalId:${item.externalId}`);
  // userName and email share one namespace: an email becomes the userName of a new user.
  if (isText(item.userName)) keys.push(`name:${userNameKey(item.userName)}`);
  if (isText(item.email)) keys.push(`name:${userNameKey(item.email)}`);
  return keys;
}

export function lookupFor(items: readonly UserInput[]): UserLookup {
  const texts = (values: (string | null | undefined)[]) => distinct(values.filter(isText));
  return {
    externalIds: texts(items.map((item) => item.externalId)),
    lowerEmails: texts(items.filter((item) => item.matchOnField === 'EMAIL').map((item) => item.email)).map(lower),
    lowerUserNames: distinct(texts(items.flatMap((item) => [item.userName, item.email])).map(userNameKey)),
  };
}

export function indexUsers(rows: readonly UserRow[]): StoredUsers {
  const stored: StoredUsers = {
    byExternalId: new Map(),
    byUserName: new Map(),
    byEmail: new Map(),
  };
  for (const row of rows) {
    if (row.externalId !== null) stored.byExternalId.set(row.externalId, row);
    stored.byUserName.set(userNameKey(row.userName), row);
    if (row.email !== null) {
      const key = lower(row.email);
      stored.byEmail.set(key, [...(stored.byEmail.get(key) ?? []), row]);
    }
  }
  return stored;
}

/** The stored user the item names, undefined when none (the item creates one). */
export function matchUser(item: UserInput, stored: StoredUsers): UserRow | undefined | DomainError {
  switch (item.matchOnField ?? 'EXTERNAL_ID') {
    case 'EXTERNAL_ID':
      return stored.byExternalId.get(item.externalId as string);
    case 'USERNAME':
      return stored.byUserName.get(userNameKey((item.userName ?? item.email) as string));
    case 'EMAIL': {
      const rows = stored.byEmail.get(lower(item.email as string)) ?? [];
      if (rows.length < 2) return rows[0];
      const message = `email '${item.email}' matches ${rows.length} users; match on another field`;
      return fieldError('DUPLICATE', message, 'email', 'directory.user.email.ambiguous');
    }
  }
}

/** `email` becomes the only primary address; the other addresses stay, as non-primary. */
export function mergeEmails(stored: readonly UserEmail[], previous: string | null, email: string | null): UserEmail[] {
  if (email === null) {
    return stored.filter((entry) => !entry.primary && entry.value.toLowerCase() !== previous?.toLowerCase());
  }
  const others = stored
    .filter((entry) => lower(entry.value) !== lower(email))
    .map((entry) => ({ ...entry, primary: false }));
  return [{ value: email, type: 'work', primary: true }, ...others];
}

/** The address kept in the `email` column: the primary one, else the first. */
export function primaryEmail(emails: readonly UserEmail[]): string | null {
  return (emails.find((entry) => entry.primary === true) ?? emails[0])?.value ?? null;
}

/** A row's uniqueness violation as the caller's error: which value was taken. */
export function uniquenessError(error: unknown, row: { userName: string; externalId: string | null }): DomainError {
  if (sqlStateOf(error) !== '23505') {
    return DomainError.validation(`User '${row.userName}' could not be stored: a value is too long or malformed`);
  }
  if (constraintOf(error) === 'UQ_users_tenant_external_id') return taken('externalId', row.externalId ?? '');
  return taken('userName', row.userName);
}

/**
 * Partner sync's `metadata` is merged into what is stored at every sync, so its size is bounded
 * after the merge: the same 32 KB a SCIM attribute may hold.
 */
export const MAX_METADATA_BYTES = 32 * 1024;

/** Absent keeps the stored value, null clears it. */
export function keep<T>(given: T | null | undefined, stored: T | null | undefined): T | null {
  return given === undefined ? (stored ?? null) : given;
}

export function mergeUser(
  item: UserInput,
  existing: UserRow | undefined,
  frontDoor: FrontDoor,
): UserWrite | DomainError {
  const given = item.userName ?? (existing ? undefined : item.email);
  const userName = given === undefined || given === null ? existing?.userName : normaliseUserName(given);
  if (!isText(userName)) {
    const message = 'userName or email is required to create a user';
    return fieldError('VALIDATION', message, 'userName', 'directory.user.userName.required');
  }
  const metadata =
    item.metadata === undefined ? (existing?.metadata ?? null) : { ...existing?.metadata, ...item.metadata };
  if (metadata !== null && Buffer.byteLength(JSON.stringify(metadata)) > MAX_METADATA_BYTES) {
    const message = `metadata must be at most ${MAX_METADATA_BYTES / 1024} KB as JSON, merged with what is stored`;
    return fieldError('VALIDATION', message, 'metadata', 'directory.user.metadata.tooLarge');
  }
  const emailGiven = item.email !== undefined;
  return {
    id: existing?.id ?? randomUUID(),
    userName,
    externalId: keep(item.externalId, existing?.externalId),
    givenName: keep(item.givenName, existing?.givenName),
    middleName: keep(item.middleName, existing?.middleName),
    familyName: keep(item.familyName, existing?.familyName),
    displayName: keep(item.displayName, existing?.displayName),
    email: keep(item.email, existing?.email),
    emails: emailGiven
      ? mergeEmails(existing?.emails ?? [], existing?.email ?? null, item.email ?? null)
      : (existing?.emails ?? []),
    phoneNumber: keep(item.phoneNumber, existing?.phoneNumber),
    active: item.active ?? existing?.active ?? true,
    role: keep(item.role, existing?.role),
    metadata,
    createdBy: existing?.createdBy ?? frontDoor,
    changedBy: frontDoor,
  };
}

/**
 * Whether the row may take its userName and externalId. A value held by a user that an earlier
 * item of this round rewrites may be freed by it: the item waits for the next round to see.
 */
export function checkClaims(
  plan: Plan,
  stored: StoredUsers,
  writers: Map<string, number>,
): 'ok' | 'wait' | DomainError {
  const { row, existing } = plan;
  const claims: ['userName' | 'externalId', string, UserRow | undefined][] = [];
  if (!existing || userNameKey(existing.userName) !== userNameKey(row.userName)) {
    claims.push(['userName', row.userName, stored.byUserName.get(userNameKey(row.userName))]);
  }
  if (row.externalId !== null && row.externalId !== existing?.externalId) {
    claims.push(['externalId', row.externalId, stored.byExternalId.get(row.externalId)]);
  }
  for (const [field, value, holder] of claims) {
    if (!holder || holder.id === existing?.id) continue;
    const writer = writers.get(holder.id);
    return writer !== undefined && writer < plan.index ? 'wait' : taken(field, value);
  }
  return 'ok';
}

export function resolveItemAssignments(
  wanted: readonly AssignmentInput[],
  departments: Map<string | null, { id: string; externalId: string | null; name: string }>,
  userTypes: Map<string, string>,
): UserAssignmentRecord[] | DomainError {
  const resolved = new Map<string, UserAssignmentRecord>();
  for (const [position, assignment] of wanted.entries()) {
    const department = departments.get(assignment.departmentExternalId);
    const userTypeName = userTypes.get(assignment.userTypeId);
    const path = `userTypes.${position}`;
    if (!department) {
      const message = `Department not found: ${assignment.departmentExternalId}`;
      const key = 'directory.assignment.department.notfound';
      const field = 'departmentExternalId';
      return fieldError('NOT_FOUND', message, field, key, `${path}.${field}`);
    }
    if (userTypeName === undefined) {
      const message = `User type not found: ${assignment.userTypeId}`;
      const key = 'directory.assignment.userType.notfound';
      return fieldError('NOT_FOUND', message, 'userTypeId', key, `${path}.userTypeId`);
    }
    resolved.set(`${department.id}\u0000${assignment.userTypeId}`, {
      departmentId: department.id,
      departmentExternalId: department.externalId,
      departmentName: department.name,
      userTypeId: assignment.userTypeId,
      userTypeName,
    });
  }
  return [...resolved.values()];
}

/** Class 22 (a value too long for its column, malformed text) is the input's fault, not the system's. */
export function writeError(failure: RowFailure<Plan>): DomainError {
  return uniquenessError(failure.error, failure.row.row);
}

/** A delete key as the item that would match the same user. */
export function keyAsInput({ matchOnField, value }: UserKey): UserInput {
  if (matchOnField === 'EMAIL') return { matchOnField, email: value };
  if (matchOnField === 'USERNAME') return { matchOnField, userName: value };
  return { matchOnField, externalId: value };
}

export function toRecord(row: UserRow, assignments?: UserAssignmentRecord[]): UserRecord {
  return assignments === undefined ? { ...row } : { ...row, assignments };
}
