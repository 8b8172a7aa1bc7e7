import type { UserEmail, UserRow, UserState } from '../directory/directory.types';
import { withoutSecrets } from '../directory/secret-names';
import { ScimDocument, URN_ENTERPRISE_USER, URN_USER } from './schemas';
import { ResourceMeta, resourceMeta } from './scim-meta';

/** Attributes with a column of their own; every other attribute is kept in `attributes`. */
const NAME_COLUMNS = ['givenName', 'middleName', 'familyName'] as const;
/** Never stored: server-assigned (`id`, `meta`), derived (`groups`) or secret (`password`). */
const NOT_STORED = new Set([
  'schemas',
  'id',
  'meta',
  'groups',
  'password',
  'userName',
  'externalId',
  'displayName',
  'active',
  'emails',
  'name',
]);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const textOrNull = (value: unknown): string | null =>
  typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : null;

/** The value of the primary element of a multi-valued attribute, else of the first. */
function primaryValue(elements: readonly Record<string, unknown>[]): string | null {
  return textOrNull((elements.find((element) => element.primary === true) ?? elements[0])?.value);
}

/** Whether the object has an enumerable member, without listing them all. */
function hasMembers(object: object): boolean {
  for (const _ in object) return true;
  return false;
}

const elementsOf = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? value.filter(isObject) : []);

/**
 * A normalised SCIM User document as the directory stores it. The password is dropped here:
 * this directory authenticates nobody, so it keeps no password in any form.
 */
export function toUserState(document: ScimDocument): UserState {
  const name = isObject(document.name) ? document.name : {};
  const attributes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(document)) if (!NOT_STORED.has(key)) attributes[key] = value;
  const otherNameParts = Object.fromEntries(
    Object.entries(name).filter(([key]) => !(NAME_COLUMNS as readonly string[]).includes(key)),
  );
  if (Object.keys(otherNameParts).length > 0) attributes.name = otherNameParts;
  const emails = elementsOf(document.emails).filter(
    (email) => typeof email.value === 'string',
  ) as unknown as UserEmail[];
  const phoneNumbers = elementsOf(document.phoneNumbers);
  return {
    userName: String(document.userName),
    externalId: textOrNull(document.externalId),
    givenName: textOrNull(name.givenName),
    middleName: textOrNull(name.middleName),
    familyName: textOrNull(name.familyName),
    displayName: textOrNull(document.displayName),
    emails,
    phoneNumber: primaryValue(phoneNumbers),
    active: document.active !== false,
    // The service drops secrets at the door; this keeps any that a future path lets through out of the row.
    attributes: withoutSecrets(attributes),
  };
}

/** A stored user as a SCIM User: names in schema case, nothing the client may not see. */
export function toUserDocument(
  row: UserRow,
  base: string,
  groups?: readonly { id: string; display: string }[],
): ScimDocument {
  // A row written before secrets were dropped at the door must not show them.
  const { name: nameParts, phoneNumbers, ...rest } = withoutSecrets(row.attributes);
  const name: Record<string, unknown> = isObject(nameParts) ? { ...nameParts } : {};
  if (row.givenName !== null) name.givenName = row.givenName;
  if (row.middleName !== null) name.middleName = row.middleName;
  if (row.familyName !== null) name.familyName = row.familyName;
  const phones =
    Array.isArray(phoneNumbers) && phoneNumbers.length > 0
      ? phoneNumbers
      : row.phoneNumber !== null
        ? [{ value: row.phoneNumber, type: 'work', primary: true }]
        : undefined;
  // Built in place, member by member, in the order clients see: one object per user on a page of 100.
  let document: ScimDocument = {
    schemas: URN_ENTERPRISE_USER in rest ? [URN_USER, URN_ENTERPRISE_USER] : [URN_USER],
    id: row.id,
  };
  if (row.externalId !== null) document.externalId = row.externalId;
  document.userName = row.userName;
  if (Object.keys(name).length > 0) document.name = name;
  if (row.displayName !== null) document.displayName = row.displayName;
  document.active = row.active;
  if (row.emails.length > 0) document.emails = row.emails;
  if (phones) document.phoneNumbers = phones;
  // Spread, not assigned: a stored `__proto__` key is data (withoutSecrets keeps it as such).
  if (hasMembers(rest)) document = { ...document, ...rest };
  if (groups && groups.length > 0) {
    document.groups = groups.map((group) => ({
      value: group.id,
      $ref: `${base}/Groups/${group.id}`,
      display: group.display,
      type: 'direct',
    }));
  }
  document.meta = resourceMeta('User', row, base) satisfies ResourceMeta;
  return document;
}
