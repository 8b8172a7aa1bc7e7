// `bulkId:<x>` references inside an operation's data (RFC 7644 §3.7.2): found, replaced by the
// ids created, and, for circular references (§3.7.1), set aside to be applied once they exist.
import { referenceOf } from './bulk-request';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every bulkId a value refers to, at any depth (a string value `bulkId:<x>` as a whole). */
export function referencesIn(value: unknown, found = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    const reference = referenceOf(value);
    if (reference !== undefined) found.add(reference);
  } else if (Array.isArray(value)) {
    for (const element of value) referencesIn(element, found);
  } else if (isObject(value)) {
    for (const inner of Object.values(value)) referencesIn(inner, found);
  }
  return found;
}

/** The value with each `bulkId:<x>` that `ids` knows replaced by the id created for it. */
export function resolveReferences(value: unknown, ids: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') {
    const reference = referenceOf(value);
    return reference !== undefined && ids.has(reference) ? ids.get(reference) : value;
  }
  if (Array.isArray(value)) return value.map((element) => resolveReferences(element, ids));
  if (isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, resolveReferences(inner, ids)]));
  }
  return value;
}

/**
 * Splits a resource's data into what can be written now and what refers to a bulkId in `later`
 * (not created yet): elements of multi-valued attributes that refer to one (`members`), and
 * single-valued attributes that do (`manager`), top-level or inside an extension object. `deferred`
 * is the value of a PATCH `add` without a path (RFC 7644 §3.5.2.1), which adds those elements and
 * sets those attributes once the ids exist; undefined when nothing refers to `later`.
 */
export function splitReferences(data: Json, later: ReadonlySet<string>): { now: Json; deferred?: Json } {
  const refersLater = (value: unknown) => [...referencesIn(value)].some((reference) => later.has(reference));
  const now: Json = {};
  const deferred: Json = {};
  for (const [key, value] of Object.entries(data)) {
    if (!refersLater(value)) {
      now[key] = value;
    } else if (Array.isArray(value)) {
      now[key] = value.filter((element) => !refersLater(element));
      deferred[key] = value.filter((element) => refersLater(element));
    } else if (/^urn:/i.test(key) && isObject(value)) {
      const inner = splitReferences(value, later);
      now[key] = inner.now;
      deferred[key] = inner.deferred;
    } else {
      deferred[key] = value;
    }
  }
  return Object.keys(deferred).length > 0 ? { now, deferred } : { now };
}
