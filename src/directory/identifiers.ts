// What an identifier may hold and how long each stored text may be: one rule for every door, so
// SCIM, batch, partner sync and the admin API refuse the same values with the same message.
import { hasUnstorableText } from '../common/input-safety';
import { DomainError } from '../common/domain-error';
import { fieldError } from './directory.types';

/** The sizes of the directory's text columns (see the entities and migrations), in characters. */
export const TEXT_LIMITS = {
  userName: 320,
  externalId: 255,
  givenName: 255,
  middleName: 255,
  familyName: 255,
  displayName: 512,
  email: 320,
  phoneNumber: 64,
  role: 100,
  departmentName: 255,
  tenantName: 200,
  orgCode: 100,
  userTypeName: 200,
} as const;

/**
 * C0 and C1 controls, DEL, and the bidirectional marks and overrides (U+200E, U+200F,
 * U+202A-U+202E, U+2066-U+2069): invisible in a listing, they make look-alike identifiers.
 */
// eslint-disable-next-line no-control-regex -- finding controls is the point
const FORBIDDEN_IN_IDENTIFIER = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** The length PostgreSQL's varchar(n) counts: code points, not UTF-16 units. */
export function characterCount(value: string): number {
  let count = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

/** A text that must fit its column: too long is the caller's VALIDATION error, naming the field. */
export function checkLength(field: string, value: unknown, limit: number, key = field): DomainError | undefined {
  if (typeof value !== 'string') return undefined;
  if (value.length > limit && characterCount(value) > limit) {
    const message = `${field} must be at most ${limit} characters`;
    return fieldError('VALIDATION', message, field, `directory.${key}.tooLong`, field);
  }
  if (hasUnstorableText(value)) {
    const message = `${field} must not contain a NUL character or an unpaired surrogate`;
    return fieldError('VALIDATION', message, field, `directory.${key}.malformed`, field);
  }
  return undefined;
}

/** `checkLength`, and no control or bidirectional-override character. */
export function checkIdentifier(field: string, value: unknown, limit: number, key = field): DomainError | undefined {
  const tooLong = checkLength(field, value, limit, key);
  if (tooLong || typeof value !== 'string') return tooLong;
  if (FORBIDDEN_IN_IDENTIFIER.test(value)) {
    const message = `${field} must not contain control or bidirectional formatting characters`;
    return fieldError('VALIDATION', message, field, `directory.${key}.invalidCharacter`, field);
  }
  return undefined;
}

/** The first failure among checks, each one `undefined` when fine. */
export function firstError(...checks: (DomainError | undefined)[]): DomainError | undefined {
  return checks.find((check) => check !== undefined);
}

/** As thrown by services that answer one value at a time (admin names, SCIM groups). */
export function assertValid(...checks: (DomainError | undefined)[]): void {
  const error = firstError(...checks);
  if (error) throw error;
}

/**
 * userNames are stored in NFC and compared in NFC, so `Ame\u0301lie` and `Amélie` are one user
 * (uniqueness ignores case as well, through `lower()`).
 */
export function normaliseUserName(userName: string): string {
  return userName.normalize('NFC');
}

/** The form a userName is matched on: NFC, lower case. */
export function userNameKey(userName: string): string {
  return userName.normalize('NFC').toLowerCase();
}
