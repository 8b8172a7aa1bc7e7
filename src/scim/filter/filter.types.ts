// The SCIM filter language (RFC 7644 §3.4.2.2) as data: what the parser produces, what the SQL
// compiler and the in-memory evaluator consume.

/** An attribute path as written: optional schema URN, attribute name, optional sub-attribute. Case is kept. */
export interface AttributePath {
  /** e.g. `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User` (no trailing colon). */
  uri?: string;
  name: string;
  subAttr?: string;
}

export type CompareOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

/** A comparison value: a JSON literal, or a bare word (`externalId eq jyoung`) kept as a string. */
export type FilterValue = string | number | boolean | null;

export type Filter =
  | { kind: 'logical'; op: 'and' | 'or'; left: Filter; right: Filter }
  | { kind: 'not'; filter: Filter }
  | { kind: 'present'; path: AttributePath }
  | { kind: 'compare'; op: CompareOperator; path: AttributePath; value: FilterValue; quoted: boolean }
  /**
   * `emails[type eq "work" and value co "@x"]`: `path` names the multi-valued attribute; the paths
   * inside `filter` are relative to one element (no uri, `name` = the sub-attribute).
   */
  | { kind: 'valuePath'; path: AttributePath; filter: Filter };

/** A PATCH `path` (RFC 7644 §3.5.2): an attribute path, or a value path with an optional sub-attribute. */
export interface PatchPath {
  path: AttributePath;
  /** `members[value eq "x"]`: selects elements of the multi-valued attribute `path`. */
  filter?: Filter;
  /** `emails[type eq "work"].value`: the sub-attribute of the selected elements. */
  subAttr?: string;
}

/** SCIM attribute data types (RFC 7643 §2.3). */
export type ScalarType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'binary' | 'reference';

/** What the evaluator needs to know about an attribute a filter names. */
export interface AttributeInfo {
  type: ScalarType;
  caseExact: boolean;
  /**
   * Stored in Unicode NFC (userName): a string compared with it is normalised the same way first,
   * before case is folded, by both evaluators (normaliseOperand).
   */
  nfc?: boolean;
}

/** A filter or path that does not parse or cannot be applied; answered 400 invalidFilter / invalidPath. */
export class ScimFilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScimFilterError';
  }
}

/**
 * A singular attribute as an SQL expression of its own type: `u.user_name` (text),
 * `u.active` (boolean), `u.created_on` (timestamptz), or a safe extraction from jsonb such as
 * `(u.attributes #>> '{title}')`. Expressions come from our own code, never from the request.
 */
export interface ScalarTarget {
  kind: 'scalar';
  sql: string;
  type: ScalarType;
  caseExact: boolean;
  /** `sql` is a uuid column: `eq` compares `sql = $n::uuid` (index-friendly), and a value that is not a UUID matches nothing. */
  uuid?: boolean;
  /** As AttributeInfo.nfc. */
  nfc?: boolean;
}

/**
 * A multi-valued attribute: a FROM item yielding one row per element, and its sub-attributes as
 * scalar targets over that row. `alias` is chosen by the compiler (unique per EXISTS).
 * e.g. from: (e) => `jsonb_array_elements(u.emails) AS ${e}(v)`,
 *      sub: (name, e) => name === 'value' ? { kind: 'scalar', sql: `(${e}.v->>'value')`, type: 'string', caseExact: false } : ...
 */
export interface MultiTarget {
  kind: 'multi';
  from: (alias: string) => string;
  /** `name` lower-cased; `value` is used when a filter names the attribute without a sub-attribute. */
  sub: (name: string, alias: string) => ScalarTarget | undefined;
  /**
   * SQL over the resource (not the element) holding every element's sub-attribute `name`,
   * lower-cased and joined, when an index holds it: `co`, `sw` and `ew` on a case-insensitive
   * sub-attribute then test `<sql> LIKE '%value%'` first, a superset the index finds, and the exact
   * test on the elements after it. e.g. (name) => name === 'value' ? 'scim_email_values(u.emails)' : undefined
   */
  substringIndex?: (name: string) => string | undefined;
  /**
   * `EXISTS (...)` over the elements (meeting `condition`, SQL over `sub(..., alias)`, when given), when the
   * target words it better than `EXISTS (SELECT 1 FROM from(alias) WHERE condition)`: with the
   * link to the resource in the EXISTS's own WHERE, PostgreSQL turns it into a semi-join (a
   * correlation inside a FROM item keeps it a per-row SubPlan).
   */
  exists?: (alias: string, condition?: string) => string;
}

/** Maps an attribute path of one resource type to SQL; undefined = not filterable (400 invalidFilter). */
export type SqlResolver = (path: AttributePath) => ScalarTarget | MultiTarget | undefined;
