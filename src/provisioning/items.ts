import { ValidationError } from '@nestjs/common';
import { ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';
import { storable } from '../common/input-safety';
import { toInstance } from '../common/validation';
import { DepartmentItemDto } from './dto/department-item.dto';
import { UserItemDto } from './dto/user-item.dto';
import type { EntityType, RequestedAction } from './entities/operation.entity';
import { invalidText, unstorableText } from './item-text';

/** An item ready to be queued (or applied in direct mode). */
export interface ValidItem {
  valid: true;
  entityType: EntityType;
  action: RequestedAction;
  /** The item as sent, minus `action`. */
  payload: Record<string, unknown>;
  externalId: string | null;
  entityName: string | null;
}

/** An item refused as sent: it becomes a failed operation, never a rejected request. */
export interface InvalidItem {
  valid: false;
  entityType: EntityType;
  action: RequestedAction;
  errorType: 'DATA_FORMAT' | 'VALIDATION';
  message: string;
  exceptionType: 'UnrecognizedPropertyException' | 'InvalidFormatException' | 'ValidationError';
  /** Where in the item (`parentExternalId`, `userTypes.0.userTypeId`). */
  field: string;
  externalId: string | null;
  entityName: string | null;
}

export type ClassifiedItem = ValidItem | InvalidItem;

const DTO: Record<EntityType, ClassConstructor<object>> = { DEPARTMENT: DepartmentItemDto, USER: UserItemDto };
const LABEL: Record<EntityType, string> = { DEPARTMENT: 'department', USER: 'user' };
const FIELDS: Record<EntityType, string[]> = {
  DEPARTMENT: ['externalId', 'departmentName', 'active', 'parentExternalId', 'cascadeToChildren', 'action'],
  USER: [
    'firstName',
    'middleName',
    'lastName',
    'email',
    'phoneNumber',
    'externalId',
    'active',
    'matchOnField',
    'userTypes',
    'action',
  ],
};
const NESTED_FIELDS = ['departmentExternalId', 'userTypeId'];
/** Names other systems use for our fields, so the error can say what was meant. */
const ALIASES: Record<string, string> = {
  emailaddress: 'email',
  mail: 'email',
  givenname: 'firstName',
  first_name: 'firstName',
  surname: 'lastName',
  familyname: 'lastName',
  last_name: 'lastName',
  middle_name: 'middleName',
  phone: 'phoneNumber',
  mobile: 'phoneNumber',
  telephone: 'phoneNumber',
  name: 'departmentName',
  displayname: 'departmentName',
  parentid: 'parentExternalId',
  parent: 'parentExternalId',
  departmentid: 'departmentExternalId',
  department: 'departmentExternalId',
  typeid: 'userTypeId',
  external_id: 'externalId',
  id: 'externalId',
  enabled: 'active',
  usertype: 'userTypes',
  roles: 'userTypes',
};
const TYPE_CONSTRAINTS = new Set(['isString', 'isBoolean', 'isArray', 'isIn', 'nestedValidation', 'isObject']);

export function classifyItems(entityType: EntityType, items: readonly unknown[]): ClassifiedItem[] {
  return items.map((item) => classifyItem(entityType, item));
}

export function classifyItem(entityType: EntityType, item: unknown): ClassifiedItem {
  const raw = isObject(item) ? normalise(item) : null;
  const action: RequestedAction = raw?.action === 'DELETE' ? 'DELETE' : 'UPSERT';
  const identity = {
    entityType,
    action,
    externalId: text(raw?.externalId, EXTERNAL_ID_COLUMN),
    entityName: raw ? nameOf(entityType, raw) : null,
  };
  const refuse = (
    errorType: InvalidItem['errorType'],
    exceptionType: InvalidItem['exceptionType'],
    field: string,
    message: string,
  ): InvalidItem => ({
    valid: false,
    ...identity,
    errorType,
    exceptionType,
    // Stored with the failed operation: nothing of the item may stop that row from being written.
    field: storable(field),
    message: storable(errorType === 'DATA_FORMAT' ? `Invalid ${LABEL[entityType]} data format: ${message}` : message),
  });
  if (!raw) return refuse('DATA_FORMAT', 'InvalidFormatException', '', 'each item must be a JSON object');

  const unknown = Object.keys(raw).find((key) => !FIELDS[entityType].includes(key));
  if (unknown !== undefined) {
    const expected = suggest(unknown, FIELDS[entityType]);
    const hint = expected ? ` (expected '${expected}')` : '';
    return refuse('DATA_FORMAT', 'UnrecognizedPropertyException', unknown, `Unrecognized field '${unknown}'${hint}`);
  }
  const unstorable = unstorableText(raw);
  if (unstorable) return refuse(unstorable.errorType, unstorable.exceptionType, unstorable.field, unstorable.message);
  const entry = notAnObject(raw.userTypes);
  if (entry !== null) {
    return refuse('DATA_FORMAT', 'InvalidFormatException', entry, `field '${entry}' must be an object`);
  }
  const instance = toInstance(DTO[entityType], raw);
  const problems = flatten(validateSync(instance, { whitelist: true, forbidNonWhitelisted: true }));
  const nestedUnknown = problems.find((problem) => problem.constraints.includes('whitelistValidation'));
  if (nestedUnknown) {
    const field = nestedUnknown.path.split('.').pop() ?? nestedUnknown.path;
    const expected = suggest(field, NESTED_FIELDS);
    const hint = expected ? ` (expected '${expected}')` : '';
    return refuse(
      'DATA_FORMAT',
      'UnrecognizedPropertyException',
      nestedUnknown.path,
      `Unrecognized field '${nestedUnknown.path}'${hint}`,
    );
  }
  const missing = problems.find((problem) => problem.constraints.includes('isDefined'));
  if (missing) return refuse('VALIDATION', 'ValidationError', missing.path, `${missing.path} is required`);
  const typeProblem = problems.find((problem) => problem.constraints.some((name) => TYPE_CONSTRAINTS.has(name)));
  if (typeProblem) return refuse('DATA_FORMAT', 'InvalidFormatException', typeProblem.path, typeProblem.message);
  if (problems.length > 0) return refuse('VALIDATION', 'ValidationError', problems[0].path, problems[0].message);

  const badText = invalidText(entityType, raw);
  if (badText) return refuse(badText.errorType, badText.exceptionType, badText.field, badText.message);

  const noKey = missingMatchKey(entityType, raw);
  if (noKey) return refuse('VALIDATION', 'ValidationError', noKey.field, noKey.message);
  const { action: _action, ...payload } = raw;
  return { valid: true, ...identity, payload };
}

/** `userTypes.2` when that assignment is not an object: ValidateNested would look inside an array. */
function notAnObject(userTypes: unknown): string | null {
  if (!Array.isArray(userTypes)) return null;
  const index = userTypes.findIndex((entry) => !isObject(entry));
  return index < 0 ? null : `userTypes.${index}`;
}

/** The value a user item is matched on must be there, for an update as for a delete. */
function missingMatchKey(
  entityType: EntityType,
  raw: Record<string, unknown>,
): { field: string; message: string } | null {
  if (entityType !== 'USER') return null;
  const field = raw.matchOnField === 'EMAIL' || raw.matchOnField === 'USERNAME' ? 'email' : 'externalId';
  if (text(raw[field])) return null;
  return {
    field,
    message: `${field} is required when matchOnField is ${typeof raw.matchOnField === 'string' ? raw.matchOnField : 'EXTERNAL_ID'}`,
  };
}

/** A user type id sent as a number (`"userTypeId": 1`) means the same as the string. */
function normalise(item: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(item.userTypes)) return item;
  const userTypes: unknown[] = item.userTypes.map((entry: unknown) =>
    isObject(entry) && typeof entry.userTypeId === 'number' && Number.isInteger(entry.userTypeId)
      ? { ...entry, userTypeId: String(entry.userTypeId) }
      : entry,
  );
  return { ...item, userTypes };
}

interface Problem {
  path: string;
  message: string;
  constraints: string[];
}

function flatten(errors: ValidationError[], prefix = ''): Problem[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const constraints = Object.keys(error.constraints ?? {});
    const own = constraints.length > 0 ? [{ path, message: describe(path, error), constraints }] : [];
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

function describe(path: string, error: ValidationError): string {
  const constraints = error.constraints ?? {};
  const type = TYPE_MESSAGES.find(([name]) => name in constraints);
  if (type) return `field '${path}' ${type[1]}`;
  return Object.values(constraints)[0].replace(error.property, path);
}

const TYPE_MESSAGES: [string, string][] = [
  ['isBoolean', 'must be a boolean (true or false)'],
  ['isString', 'must be a string'],
  ['isArray', 'must be an array'],
  ['isIn', 'has a value that is not allowed'],
];

function suggest(field: string, known: string[]): string | null {
  const lower = field.toLowerCase();
  const alias = ALIASES[lower];
  if (alias && known.includes(alias)) return alias;
  const sameLetters = known.find((name) => name.toLowerCase() === lower);
  if (sameLetters) return sameLetters;
  const close = known
    .map((name) => ({ name, distance: editDistance(lower, name.toLowerCase()) }))
    .sort((a, b) => a.distance - b.distance)[0];
  return close && close.distance <= 2 ? close.name : null;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

function nameOf(entityType: EntityType, raw: Record<string, unknown>): string | null {
  if (entityType === 'DEPARTMENT') return text(raw.departmentName);
  const full = [raw.firstName, raw.lastName].filter((part) => typeof part === 'string' && part.trim()).join(' ');
  return text(full) ?? text(raw.email);
}

/** The size of `operations.external_id`; `entity_name` holds 512. */
const EXTERNAL_ID_COLUMN = 255;

/** A value for the operation's own columns, cut to fit them and cleaned of what PostgreSQL refuses. */
function text(value: unknown, max = 512): string | null {
  if (typeof value !== 'string') return null;
  const clean = storable(value);
  return clean.trim() !== '' ? storable(clean.slice(0, max)) : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
