import { AttributeInfo, AttributePath, CompareOperator, Filter, FilterValue, ScimFilterError } from './filter.types';

// The in-memory twin of the SQL compiler (filter.sql.ts): the same filter must select the same
// resources whether it runs here or in PostgreSQL. The rules that decide which comparisons are
// allowed and how a value is read (normaliseOperand) are shared with the compiler for that reason.

/** What an attribute the `describe` callback does not know is taken to be. */
export const DEFAULT_ATTRIBUTE_INFO: AttributeInfo = { type: 'string', caseExact: false };

/** `urn:ietf:params:scim:schemas:core:2.0:User:userName` names the same attribute as `userName`. */
const CORE_SCHEMA_PREFIX = 'urn:ietf:params:scim:schemas:core:2.0:';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** An xsd:dateTime (RFC 7643 §2.3.5) starts with a full date; the rest is left to Date.parse. */
const ISO_DATE_START = /^\d{4}-\d{2}-\d{2}/;
/** What PostgreSQL's numeric input accepts and JavaScript's Number reads the same way. */
const NUMERIC_TEXT = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/** A comparison value checked against the attribute's type and converted to the form both evaluators compare. */
export type Operand =
  /** `eq null` / `ne null`. */
  | { kind: 'null' }
  /** Lower-cased unless the attribute is caseExact. */
  | { kind: 'string'; value: string }
  | { kind: 'boolean'; value: boolean }
  /** `text` is what PostgreSQL receives, so a long numeric string keeps its precision there. */
  | { kind: 'number'; value: number; text: string }
  /** Milliseconds since the epoch; `iso` (UTC) is what PostgreSQL receives, so both sides read the same instant. */
  | { kind: 'instant'; value: number; iso: string };

export function isStringType(type: AttributeInfo['type']): boolean {
  return type === 'string' || type === 'reference' || type === 'binary';
}

/**
 * How a case-insensitive comparison folds case, here and in SQL: the Unicode simple lower-case
 * mapping, one code point at a time, which is what PostgreSQL's lower() does under a UTF-8 ctype.
 * The compiler compares lower(column) with the value this returns, so it must not be JavaScript's
 * toLowerCase(): that maps a word-final 'Σ' to 'ς' (lower() gives 'σ') and 'İ' to 'i̇', two code
 * points (lower() gives 'i'), and `displayName eq "ΟΔΟΣ"` would then miss a user called ΟΔΟΣ.
 */
export function foldCase(text: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return text.toLowerCase();
  let folded = '';
  for (const char of text) folded += char === '\u0130' ? 'i' : char.toLowerCase();
  return folded;
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * Checks that `op value` makes sense for an attribute of type `info` and converts the value. Throws
 * ScimFilterError on misuse (`active gt true`, `meta.created co "2020"`, `count eq "abc"`), whatever
 * the data, so the evaluator and the compiler reject exactly the same filters.
 */
export function normaliseOperand(op: CompareOperator, value: FilterValue, info: AttributeInfo, attr: string): Operand {
  if (value === null) {
    if (op === 'eq' || op === 'ne') return { kind: 'null' };
    throw new ScimFilterError(`Invalid filter: '${attr} ${op} null' (null can only be compared with eq or ne)`);
  }
  if (typeof value === 'object') {
    throw new ScimFilterError(`Invalid filter: the value compared with '${attr}' must be a string, number or boolean`);
  }
  const substring = op === 'co' || op === 'sw' || op === 'ew';
  switch (info.type) {
    case 'string':
    case 'reference':
    case 'binary': {
      // NFC before folding: the stored value was composed before lower() or foldCase read it.
      const text = info.nfc ? String(value).normalize('NFC') : String(value);
      return { kind: 'string', value: info.caseExact ? text : foldCase(text) };
    }
    case 'boolean':
      if (op !== 'eq' && op !== 'ne') throw misuse(attr, op, 'a boolean', 'eq, ne or pr');
      return { kind: 'boolean', value: toBoolean(value, attr) };
    case 'dateTime':
      if (substring) throw misuse(attr, op, 'a dateTime', 'eq, ne, gt, ge, lt, le or pr');
      return toInstant(value, attr);
    case 'integer':
    case 'decimal':
      if (substring) throw misuse(attr, op, 'a number', 'eq, ne, gt, ge, lt, le or pr');
      return toNumber(value, attr);
  }
}

function misuse(attr: string, op: string, what: string, allowed: string): ScimFilterError {
  return new ScimFilterError(`Invalid filter: '${op}' cannot be applied to '${attr}', ${what} (use ${allowed})`);
}

function toBoolean(value: string | number | boolean, attr: string): boolean {
  if (typeof value === 'boolean') return value;
  const lower = String(value).toLowerCase();
  if (lower === 'true' || lower === 'false') return lower === 'true';
  throw new ScimFilterError(`Invalid filter: '${attr}' is a boolean; compare it with true or false, not '${value}'`);
}

function toInstant(value: string | number | boolean, attr: string): Operand {
  // Date.parse alone would also take V8's guesses such as "1" (2001-01-01, local time).
  const millis = typeof value === 'string' && ISO_DATE_START.test(value) ? Date.parse(value) : NaN;
  // Years outside 1..9999 have no plain ISO form that PostgreSQL reads back.
  const year = Number.isNaN(millis) ? NaN : new Date(millis).getUTCFullYear();
  if (!(year >= 1 && year <= 9999)) {
    throw new ScimFilterError(
      `Invalid filter: '${attr}' is a dateTime; '${String(value)}' is not a date and time such as "2024-01-31T12:00:00Z"`,
    );
  }
  return { kind: 'instant', value: millis, iso: new Date(millis).toISOString() };
}

function toNumber(value: string | number | boolean, attr: string): Operand {
  if (typeof value === 'number' && Number.isFinite(value)) return { kind: 'number', value, text: String(value) };
  if (typeof value === 'string' && NUMERIC_TEXT.test(value)) {
    return { kind: 'number', value: Number(value), text: value };
  }
  throw new ScimFilterError(`Invalid filter: '${attr}' is a number; '${String(value)}' is not a number`);
}

/** `userName`, `emails.type`, `urn:...:User:manager.value`: how error messages name an attribute. */
export function describePath(path: AttributePath): string {
  const local = path.subAttr === undefined ? path.name : `${path.name}.${path.subAttr}`;
  return path.uri === undefined ? local : `${path.uri}:${local}`;
}

// ---- evaluation -----------------------------------------------------------------------------

type Describe = (path: AttributePath) => AttributeInfo | undefined;

/**
 * Whether `subject` (a SCIM resource as plain JSON) matches `filter`. `describe` gives the type
 * and case-exactness of each attribute the filter names; unknown ones are case-insensitive strings.
 * Throws ScimFilterError where the SQL compiler would.
 */
export function matchesFilter(filter: Filter, subject: unknown, describe?: Describe): boolean {
  const info = (path: AttributePath): AttributeInfo => describe?.(path) ?? DEFAULT_ATTRIBUTE_INFO;
  return evaluate(filter, subject, info);
}

function evaluate(filter: Filter, subject: unknown, info: (path: AttributePath) => AttributeInfo): boolean {
  switch (filter.kind) {
    case 'logical': {
      // Both sides are evaluated (no short-circuit) so a misused operator on the right throws
      // whatever the left side says, as it does in the compiler.
      const left = evaluate(filter.left, subject, info);
      const right = evaluate(filter.right, subject, info);
      return filter.op === 'and' ? left && right : left || right;
    }
    case 'not':
      return !evaluate(filter.filter, subject, info);
    case 'present':
      return isPresent(filter.path, subject);
    case 'compare': {
      const attrInfo = info(filter.path);
      const operand = normaliseOperand(filter.op, filter.value, attrInfo, describePath(filter.path));
      return valuesOf(filter.path, subject).some((actual) => compare(filter.op, actual, operand, attrInfo));
    }
    case 'valuePath':
      return evaluateValuePath(filter, subject, info);
  }
}

/**
 * `emails[type eq "work" and value co "@x"]`: true when one element satisfies the whole inner
 * filter. Inner paths are described as sub-attributes of the outer attribute (`emails.type`).
 */
function evaluateValuePath(
  filter: Extract<Filter, { kind: 'valuePath' }>,
  subject: unknown,
  info: (path: AttributePath) => AttributeInfo,
): boolean {
  const innerInfo = (inner: AttributePath): AttributeInfo =>
    info({
      ...(filter.path.uri === undefined ? {} : { uri: filter.path.uri }),
      name: filter.path.name,
      subAttr: inner.name,
    });
  // Validate the inner filter even when there is no element to run it on, as the compiler does.
  const elements = elementsOf(filter.path, subject);
  if (elements.length === 0) {
    evaluate(filter.filter, {}, innerInfo);
    return false;
  }
  return elements.some((element) => evaluate(filter.filter, asElement(element), innerInfo));
}

/** An element of a multi-valued attribute of primitives stands for its implicit `value` (RFC 7643 §2.4). */
function asElement(element: unknown): unknown {
  return isObject(element) ? element : { value: element };
}

/** `pr`: present, not null, not "", not an empty array or object. */
function isPresent(path: AttributePath, subject: unknown): boolean {
  const attribute = lookup(containerOf(path, subject), path.name);
  if (Array.isArray(attribute) && path.subAttr !== undefined) {
    const subAttr = path.subAttr;
    return attribute.some((element) => hasValue(lookup(asElement(element), subAttr)));
  }
  return hasValue(path.subAttr === undefined ? attribute : lookup(attribute, path.subAttr));
}

function hasValue(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.keys(value).length > 0;
  return true;
}

/**
 * The values a comparison looks at: one for a singular attribute, one per element of a
 * multi-valued one (its `value`, or the named sub-attribute). An absent attribute or an empty
 * array yields a single `undefined`, so `ne` and `eq null` hold for it as for an absent singular.
 */
function valuesOf(path: AttributePath, subject: unknown): unknown[] {
  const attribute = lookup(containerOf(path, subject), path.name);
  if (!Array.isArray(attribute)) {
    return [path.subAttr === undefined ? attribute : lookup(attribute, path.subAttr)];
  }
  if (attribute.length === 0) return [undefined];
  const subAttr = path.subAttr ?? 'value';
  return attribute.map((element) => lookup(asElement(element), subAttr));
}

function elementsOf(path: AttributePath, subject: unknown): unknown[] {
  const attribute = lookup(containerOf(path, subject), path.name);
  if (Array.isArray(attribute)) return attribute;
  return attribute === undefined || attribute === null ? [] : [attribute];
}

/** Extension attributes live under their schema URN; core ones at the top level. */
function containerOf(path: AttributePath, subject: unknown): unknown {
  if (path.uri === undefined || path.uri.toLowerCase().startsWith(CORE_SCHEMA_PREFIX)) return subject;
  return lookup(subject, path.uri);
}

/** SCIM attribute names are case-insensitive (RFC 7643 §2.1): an exact key wins, else any case. */
function lookup(container: unknown, key: string): unknown {
  if (!isObject(container)) return undefined;
  if (Object.prototype.hasOwnProperty.call(container, key)) return container[key];
  const lower = key.toLowerCase();
  const match = Object.keys(container).find((candidate) => candidate.toLowerCase() === lower);
  return match === undefined ? undefined : container[match];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---- one comparison ---------------------------------------------------------------------------

/**
 * One attribute value against one operand, as PostgreSQL does it: a missing value fails every
 * operator except `ne` (`sql IS NULL OR sql <> v`) and `eq null`.
 */
function compare(op: CompareOperator, actual: unknown, operand: Operand, info: AttributeInfo): boolean {
  if (operand.kind === 'null') return op === 'eq' ? isMissing(actual) : !isMissing(actual);
  const value = readAs(actual, operand, info);
  if (value === undefined) return op === 'ne';
  switch (op) {
    case 'eq':
      return value === operand.value;
    case 'ne':
      return value !== operand.value;
    case 'co':
      return (value as string).includes(operand.value as string);
    case 'sw':
      return (value as string).startsWith(operand.value as string);
    case 'ew':
      return (value as string).endsWith(operand.value as string);
    default:
      // gt/ge/lt/le: normaliseOperand let only strings, numbers and instants through.
      return ordered(op, value as string | number, operand.value as string | number);
  }
}

function ordered(op: 'gt' | 'ge' | 'lt' | 'le', left: string | number, right: string | number): boolean {
  if (typeof left === 'string' && typeof right === 'string') return ordered(op, codePointOrder(left, right), 0);
  switch (op) {
    case 'gt':
      return left > right;
    case 'ge':
      return left >= right;
    case 'lt':
      return left < right;
    case 'le':
      return left <= right;
  }
}

/**
 * Strings in code point order, as the compiler's `COLLATE "C"` compares their UTF-8 bytes.
 * JavaScript's `<` compares UTF-16 code units instead, which puts a character beyond U+FFFF
 * (a surrogate pair, 0xD800..) before U+E000..U+FFFF ('😀' < 'ｆ'), where code points put it after.
 */
export function codePointOrder(left: string, right: string): number {
  const length = Math.min(left.length, right.length);
  for (let i = 0; i < length; i++) {
    const a = left.charCodeAt(i);
    const b = right.charCodeAt(i);
    if (a !== b) return codePointRank(a) - codePointRank(b);
  }
  return left.length - right.length;
}

/** Surrogates (0xD800..0xDFFF) moved above 0xE000..0xFFFF; the first differing unit then decides as code points do. */
const codePointRank = (unit: number): number => (unit >= 0xe000 ? unit - 0x800 : unit >= 0xd800 ? unit + 0x2000 : unit);

function isMissing(value: unknown): boolean {
  return value === undefined || value === null;
}

/**
 * The stored value converted like the operand (lower-cased string, boolean, number, epoch
 * milliseconds), or undefined when it is missing or cannot be read as that type. Strings are
 * ordered by code point (codePointOrder), matching the compiler's `COLLATE "C"`.
 */
function readAs(actual: unknown, operand: Exclude<Operand, { kind: 'null' }>, info: AttributeInfo): Primitive {
  if (isMissing(actual)) return undefined;
  switch (operand.kind) {
    case 'string': {
      if (typeof actual !== 'string' && typeof actual !== 'number' && typeof actual !== 'boolean') return undefined;
      const text = String(actual);
      return info.caseExact ? text : foldCase(text);
    }
    case 'boolean':
      if (typeof actual === 'boolean') return actual;
      if (typeof actual === 'string' && /^(true|false)$/i.test(actual)) return actual.toLowerCase() === 'true';
      return undefined;
    case 'number': {
      const number = typeof actual === 'string' && NUMERIC_TEXT.test(actual) ? Number(actual) : actual;
      return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
    }
    case 'instant': {
      const millis = actual instanceof Date ? actual.getTime() : typeof actual === 'string' ? Date.parse(actual) : NaN;
      return Number.isNaN(millis) ? undefined : millis;
    }
  }
}

type Primitive = string | number | boolean | undefined;
