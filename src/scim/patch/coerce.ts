// Values checked and converted against their attribute definition: the one place that decides what
// a POST/PUT body and a PATCH value may hold.
import { findSubAttribute } from '../schemas/schema.lookup';
import { AttributeDefinition, AttributeType } from '../schemas/schema.types';
import { ScimError } from '../scim.errors';
import { onePrimary } from './elements';
import { isPlainObject } from './json';

export interface CoerceOptions {
  /** Drop readOnly sub-attributes (`manager.displayName`) the client sent; the server computes them. */
  dropReadOnly: boolean;
}

/**
 * The attribute's value in canonical form, or undefined when it is unassigned (`null`, an empty
 * array, an empty complex value). Multi-valued attributes always come back as arrays: a single
 * element is wrapped. Throws ScimError invalidValue when the value does not fit the definition.
 */
export function coerceAttribute(
  definition: AttributeDefinition,
  value: unknown,
  label: string,
  options: CoerceOptions,
): unknown {
  if (value === null || value === undefined) return undefined;
  if (!definition.multiValued) return coerceSingle(definition, value, label, options);
  const items: unknown[] = Array.isArray(value) ? value : [value];
  const elements = items
    .map((item) => {
      if (Array.isArray(item)) throw ScimError.invalidValue(`'${label}' elements must not be arrays`);
      return coerceSingle(definition, item, label, options);
    })
    .filter((element) => element !== undefined);
  // RFC 7643 §2.4: `primary: true` appears at most once; the first element that claims it keeps it.
  return elements.length === 0 ? undefined : onePrimary(elements, new Set(elements));
}

/** One value of the attribute (one element when it is multi-valued). */
export function coerceSingle(
  definition: AttributeDefinition,
  value: unknown,
  label: string,
  options: CoerceOptions,
): unknown {
  if (value === null || value === undefined) return undefined;
  return definition.type === 'complex'
    ? coerceComplex(definition, value, label, options)
    : coerceScalar(definition.type, value, label);
}

/**
 * A complex value. A singular complex attribute with a `value` sub-attribute (the enterprise
 * `manager`) also accepts what clients send for it: a bare id, or a one-element array.
 */
function coerceComplex(
  definition: AttributeDefinition,
  value: unknown,
  label: string,
  options: CoerceOptions,
): Record<string, unknown> | undefined {
  const referenceLike = !definition.multiValued && findSubAttribute(definition, 'value') !== undefined;
  if (referenceLike && Array.isArray(value)) {
    if (value.length > 1) throw ScimError.invalidValue(`'${label}' takes a single value, not ${value.length}`);
    return value.length === 0 ? undefined : coerceComplex(definition, value[0], label, options);
  }
  if (referenceLike && (typeof value === 'string' || typeof value === 'number')) {
    const id = String(value);
    return id.trim() === '' ? undefined : { value: id };
  }
  if (!isPlainObject(value)) throw ScimError.invalidValue(`'${label}' must be a complex value (a JSON object)`);

  const result: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(value)) {
    const sub = findSubAttribute(definition, key);
    if (!sub) {
      if (raw !== null && raw !== undefined) result[key] = raw;
      continue;
    }
    if (options.dropReadOnly && sub.mutability === 'readOnly') continue;
    const coerced = coerceAttribute(sub, raw, `${label}.${sub.name}`, options);
    if (coerced === undefined) delete result[sub.name];
    else result[sub.name] = coerced;
  }
  // `{"value": ""}` is how some clients clear a manager.
  if (referenceLike && typeof result.value === 'string' && result.value.trim() === '') return undefined;
  return Object.keys(result).length === 0 ? undefined : result;
}

/** A scalar of the given type; strings "true"/"false" (any case) are booleans, numbers are accepted as strings. */
export function coerceScalar(type: Exclude<AttributeType, 'complex'>, value: unknown, label: string): unknown {
  if (value === null || value === undefined) return undefined;
  switch (type) {
    case 'string':
    case 'reference':
    case 'binary':
      if (typeof value === 'string') return value;
      // Attribute mappings in identity providers sometimes produce numbers (`employeeNumber: 42`).
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      throw ScimError.invalidValue(`'${label}' must be a string`);
    case 'dateTime':
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return value;
      if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
      throw ScimError.invalidValue(`'${label}' must be a date and time such as "2024-01-31T12:00:00Z"`);
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
      if (text === 'true' || text === 'false') return text === 'true';
      throw ScimError.invalidValue(`'${label}' must be a boolean (true or false)`);
    }
    case 'integer': {
      const number = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
      if (typeof number === 'number' && Number.isSafeInteger(number)) return number;
      throw ScimError.invalidValue(`'${label}' must be an integer`);
    }
    case 'decimal': {
      const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof number === 'number' && Number.isFinite(number)) return number;
      throw ScimError.invalidValue(`'${label}' must be a number`);
    }
  }
}
