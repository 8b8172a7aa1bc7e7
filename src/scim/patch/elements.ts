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
  const lookup = additions.length > 2 ? keyedLookup(result) : scanLookup(result);
  for (const addition of additions) {
    const index = lookup.indexOf(addition);
    const current = index === undefined ? undefined : result[index];
    const next = isPlainObject(current) && isPlainObject(addition) ? { ...current, ...addition } : addition;
    touched.add(next);
    if (index === undefined) lookup.pushed(next, result.push(next) - 1);
    else result[index] = next;
  }
  return onePrimary(result, touched);
}

/** Where in `elements` an equal one is (sameElement), kept up to date as elements are pushed. */
interface Lookup {
  indexOf(element: unknown): number | undefined;
  pushed(element: unknown, index: number): void;
}

/** One or two additions (Entra ID's usual) scan: cheaper than keying every element for them. */
function scanLookup(elements: unknown[]): Lookup {
  return {
    indexOf: (element) => {
      const index = elements.findIndex((candidate) => sameElement(candidate, element));
      return index < 0 ? undefined : index;
    },
    pushed: () => undefined,
  };
}

/** Many additions are keyed: each then costs one lookup, not a scan of what is there. */
function keyedLookup(elements: unknown[]): Lookup {
  const positions = new Map<string, number>();
  const pushed = (element: unknown, index: number): void => {
    const key = elementKey(element);
    if (!positions.has(key)) positions.set(key, index);
  };
  elements.forEach(pushed);
  return { indexOf: (element) => positions.get(elementKey(element)), pushed };
}

/** The elements that none of `removals` names (matchesRemoval), in one pass over each list. */
export function withoutRemovals(elements: readonly unknown[], removals: readonly unknown[]): unknown[] {
  const whole = new Set<string>();
  const byValue = new Set<string>();
  const byValueAndType = new Set<string>();
  for (const removal of removals) {
    if (!isPlainObject(removal)) whole.add(`p${textKey(removal)}`);
    else if (!('value' in removal)) whole.add(`w${stableJson(withoutKey(removal, 'primary'))}`);
    else if (removal.type === undefined) byValue.add(textKey(removal.value));
    else byValueAndType.add(pair(textKey(removal.value), textKey(removal.type)));
  }
  return elements.filter((element) => {
    if (!isPlainObject(element)) return !whole.has(`p${textKey(element)}`);
    if (whole.has(`w${stableJson(withoutKey(element, 'primary'))}`)) return false;
    const value = textKey(element.value);
    return !byValue.has(value) && !byValueAndType.has(pair(value, textKey(element.type)));
  });
}

/**
 * Keys of elements already seen. Elements are never changed in place (a change makes a new object),
 * so a key stays right, and a PATCH re-keys only the elements its operations made.
 */
const elementKeys = new WeakMap<object, string>();

/** Equal for two elements exactly when sameElement says they are the same value. */
function elementKey(element: unknown): string {
  if (!isPlainObject(element)) return `p${textKey(element)}`;
  let key = elementKeys.get(element);
  if (key === undefined) {
    key =
      'value' in element
        ? `v${pair(textKey(element.value), textKey(element.type))}`
        : `w${stableJson(withoutKey(element, 'primary'))}`;
    elementKeys.set(element, key);
  }
  return key;
}

const pair = (left: string, right: string): string => JSON.stringify([left, right]);

/** Equal for two values exactly when sameText says they are. */
function textKey(value: unknown): string {
  return typeof value === 'string' ? `s${value.toLowerCase()}` : `j${stableJson(value)}`;
}

/** JSON with object keys sorted, so that equal strings mean deepEqual values. */
function stableJson(value: unknown): string {
  if (value === undefined) return 'u';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (!isPlainObject(value)) return JSON.stringify(value);
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${stableJson(value[key])}`).join(',')}}`;
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
