// The text of one provisioning item, checked before it is queued: what PostgreSQL cannot store,
// what does not fit its column, and identifiers with invisible characters fail that item alone.
import { findTextFault } from '../common/input-safety';
import { checkIdentifier, checkLength, firstError, TEXT_LIMITS } from '../directory/identifiers';
import type { EntityType } from './entities/operation.entity';

export interface ItemTextProblem {
  errorType: 'DATA_FORMAT' | 'VALIDATION';
  exceptionType: 'InvalidFormatException' | 'ValidationError';
  field: string;
  message: string;
}

/** A NUL or an unpaired surrogate anywhere in the item, key or value: a DATA_FORMAT failure. */
export function unstorableText(item: Record<string, unknown>): ItemTextProblem | null {
  const fault = findTextFault(item);
  if (fault === null || fault.kind === 'depth') return null;
  return {
    errorType: 'DATA_FORMAT',
    exceptionType: 'InvalidFormatException',
    field: fault.path,
    message: `field '${fault.path}' contains a NUL character or an unpaired UTF-16 surrogate`,
  };
}

/** [field, column size, identifier] of the string fields of each item kind. */
const TEXT_FIELDS: Record<EntityType, [string, number, boolean][]> = {
  DEPARTMENT: [
    ['externalId', TEXT_LIMITS.externalId, true],
    ['departmentName', TEXT_LIMITS.departmentName, true],
    ['parentExternalId', TEXT_LIMITS.externalId, true],
  ],
  USER: [
    ['externalId', TEXT_LIMITS.externalId, true],
    // The email of a new user becomes its userName.
    ['email', TEXT_LIMITS.email, true],
    ['firstName', TEXT_LIMITS.givenName, true],
    ['middleName', TEXT_LIMITS.middleName, true],
    ['lastName', TEXT_LIMITS.familyName, true],
    ['phoneNumber', TEXT_LIMITS.phoneNumber, true],
  ],
};

/** Too long for its column, or an identifier with a control or bidirectional character: VALIDATION. */
export function invalidText(entityType: EntityType, item: Record<string, unknown>): ItemTextProblem | null {
  const checks = TEXT_FIELDS[entityType].map(([field, limit, identifier]) =>
    (identifier ? checkIdentifier : checkLength)(field, item[field], limit),
  );
  if (entityType === 'USER' && Array.isArray(item.userTypes)) {
    item.userTypes.forEach((entry: Record<string, unknown>, index) => {
      const path = `userTypes.${index}`;
      checks.push(
        checkIdentifier(`${path}.departmentExternalId`, entry.departmentExternalId, TEXT_LIMITS.externalId),
        checkIdentifier(`${path}.userTypeId`, entry.userTypeId, 64),
      );
    });
  }
  const error = firstError(...checks);
  if (!error) return null;
  const field = error.details[0]?.field ?? '';
  return { errorType: 'VALIDATION', exceptionType: 'ValidationError', field, message: error.message };
}
