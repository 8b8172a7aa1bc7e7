// Elements of multi-valued attributes: when two are the same value, and the one-primary rule.
import { deepEqual, isArray, isPlainObject } from './json';

/** A copy of the attribute's current value as a list of elements (absent -> none, a stray singular -> one). */
export function elementsOf(value: unknown): unknown[] {
  if (isArray(value)) return [...value];
  return value === undefined || value === null ? [] : [value];
}

/**
 * Whether an element added to a multi-valued attribute is one it already holds: the same `value`
 * (ignoring case) and the same `type`; elements without a `value` (addresses) compare whole,
 * ignoring `primary`.
 */
export function sameElement(left: unknown, right: unknown): boolean {
  if (!isPlainObject(left) || !isPlainObject(right)) return sameText(left, right);
  if ('value' in left || 'value' in right) return sameText(left.value, right.value) && sameText(left.type, right.type);
  return deepEqual(withoutKey(left, 'primary'), withoutKey(right, 'primary'));
}

/**
 * Whether `element` is one a remove operation names: the same `value` (ignoring case) and, when
 * the removal names a `type`, the same type; elements without a `value` must match whole.
 */
export function matchesRemoval(element: unknown, removal: unknown): boolean {
  if (!isPlainObject(element) || !isPlainObject(removal)) return sameText(element, removal);
  if (!('value' in removal)) return deepEqual(withoutKey(element, 'primary'), withoutKey(removal, 'primary'));
  return sameText(element.value, removal.value) && (removal.type === undefined || sameText(element.type, removal.type));
}

/**
 * Adds elements, merging each into an equal one already there instead of duplicating it. An added
 * element that claims `primary: true` takes it from the others.
 */
export function mergeElements(existing: unknown[], additions: unknown[]): unknown[] {
  const result = [...existing];
  const touched = new Set<unknown>();
  for (const addition of additions) {
    const index = result.findIndex((element) => sameElement(element, addition));
    const current = index < 0 ? undefined : result[index];
    const next = isPlainObject(current) && isPlainObject(addition) ? { ...current, ...addition } : addition;
    touched.add(next);
    if (index < 0) result.push(next);
    else result[index] = next;
  }
  return onePrimary(result, touched);
}

/**
 * RFC 7643 §2.4: `primary: true` appears at most once. The first element this operation wrote
 * (`touched`) that claims it keeps it; every other element that claimed it gets `primary: false`.
 */
export function onePrimary(elements: unknown[], touched: ReadonlySet<unknown>): unknown[] {
  const claimant = elements.find(
    (element) => touched.has(element) && isPlainObject(element) && element.primary === true,
  );
  if (claimant === undefined) return elements;
  return elements.map((element) =>
    element !== claimant && isPlainObject(element) && element.primary === true
      ? { ...element, primary: false }
      : element,
  );
}

export function withoutKey(value: Record<string, unknown>, key: string): Record<string, unknown> {
  const copy = { ...value };
  delete copy[key];
  return copy;
}

function sameText(left: unknown, right: unknown): boolean {
  if (typeof left === 'string' && typeof right === 'string') return left.toLowerCase() === right.toLowerCase();
  return deepEqual(left, right);
}
