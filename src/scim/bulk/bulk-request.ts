// Parsing of a `POST /Bulk` body (RFC 7644 §3.7): the envelope is refused whole, an operation
// that does not parse fails alone (its error becomes its answer) and the others still run.
import { ScimError } from '../scim.errors';

export const URN_BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const URN_BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

export type BulkMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type BulkResource = 'Users' | 'Groups';

/** A `bulkId:<x>` reference: the id the POST with that bulkId created (RFC 7644 §3.7.2). */
const REFERENCE = /^bulkId:(.+)$/;

export const referenceOf = (value: string): string | undefined => REFERENCE.exec(value)?.[1];

/** Where an operation acts: the resource type, and the target (an id or a bulkId) unless it creates. */
export interface BulkTarget {
  resource: BulkResource;
  id?: string;
  /** The target's `bulkId:<x>` when the path names one. */
  bulkRef?: string;
}

export interface BulkOperation {
  /** Position in the request: the answer keeps the request's order. */
  index: number;
  /** The method as answered: upper case when it parsed, else as sent (or `''`). */
  method: string;
  bulkId?: string;
  version?: string;
  data?: unknown;
  target?: BulkTarget;
  /** Why the operation cannot run; it fails alone with this. */
  invalid?: ScimError;
}

export interface BulkRequest {
  failOnErrors?: number;
  operations: BulkOperation[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The value of `key` in `object`, the key compared ignoring case (RFC 7643 §2.1). */
function field(object: Json, key: string): unknown {
  const lower = key.toLowerCase();
  const found = Object.keys(object).find((candidate) => candidate.toLowerCase() === lower);
  return found === undefined ? undefined : object[found];
}

/** The Operations of a body, or undefined when the body has none: what the limits guard counts. */
export function operationsOf(body: unknown): unknown[] | undefined {
  if (!isObject(body)) return undefined;
  const operations = field(body, 'Operations');
  return Array.isArray(operations) ? operations : undefined;
}

/** Refuses a body that is not a BulkRequest; parses each operation on its own. */
export function parseBulkRequest(body: unknown): BulkRequest {
  if (!isObject(body)) throw ScimError.invalidSyntax('The BulkRequest must be a JSON object');
  const schemas = field(body, 'schemas');
  if (
    !Array.isArray(schemas) ||
    !schemas.some((urn) => typeof urn === 'string' && urn.toLowerCase() === URN_BULK_REQUEST.toLowerCase())
  ) {
    throw ScimError.invalidSyntax(`The BulkRequest's 'schemas' must list ${URN_BULK_REQUEST}`);
  }
  const operations = field(body, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0) {
    throw ScimError.invalidSyntax("The BulkRequest's 'Operations' must be a non-empty array");
  }
  const failOnErrors = field(body, 'failOnErrors');
  if (failOnErrors !== undefined && !(Number.isSafeInteger(failOnErrors) && (failOnErrors as number) > 0)) {
    throw ScimError.invalidValue("'failOnErrors' must be a positive integer");
  }
  const parsed = operations.map((operation, index) => parseOperation(operation, index));
  const seen = new Set<string>();
  for (const operation of parsed) {
    if (operation.bulkId === undefined) continue;
    if (seen.has(operation.bulkId)) {
      throw ScimError.invalidValue(`bulkId '${operation.bulkId}' is used by more than one operation`);
    }
    seen.add(operation.bulkId);
  }
  return { failOnErrors: failOnErrors as number | undefined, operations: parsed };
}

function parseOperation(raw: unknown, index: number): BulkOperation {
  if (!isObject(raw)) {
    return { index, method: '', invalid: ScimError.invalidSyntax(`Operation ${index + 1} must be a JSON object`) };
  }
  const method = field(raw, 'method');
  const bulkId = field(raw, 'bulkId');
  const version = field(raw, 'version');
  const data = field(raw, 'data');
  const operation: BulkOperation = {
    index,
    method: typeof method === 'string' ? method.toUpperCase() : '',
    ...(typeof bulkId === 'string' ? { bulkId } : {}),
    ...(typeof version === 'string' ? { version } : {}),
    ...(data !== undefined ? { data } : {}),
  };
  try {
    if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(operation.method)) {
      throw ScimError.invalidValue(`'method' must be POST, PUT, PATCH or DELETE, not ${JSON.stringify(method)}`);
    }
    if (bulkId !== undefined && (typeof bulkId !== 'string' || bulkId.trim() === '')) {
      throw ScimError.invalidValue("'bulkId' must be a non-blank string");
    }
    if (version !== undefined && typeof version !== 'string') {
      throw ScimError.invalidValue("'version' must be a string (an ETag)");
    }
    operation.target = parsePath(field(raw, 'path'), operation.method as BulkMethod);
    if (operation.method === 'POST' && operation.bulkId === undefined) {
      throw ScimError.invalidValue("A POST operation needs a 'bulkId'");
    }
    if (operation.method !== 'DELETE' && !isObject(data)) {
      throw ScimError.invalidSyntax(`A ${operation.method} operation needs 'data', a JSON object`);
    }
  } catch (error) {
    if (!(error instanceof ScimError)) throw error;
    operation.invalid = error;
  }
  return operation;
}

function parsePath(path: unknown, method: BulkMethod): BulkTarget {
  if (typeof path !== 'string') throw ScimError.invalidPath("'path' must be a string such as /Users or /Users/{id}");
  const match = /^\/(Users|Groups)(?:\/([^/]+))?$/i.exec(path.trim());
  if (!match) throw ScimError.invalidPath(`'path' must be /Users, /Groups, /Users/{id} or /Groups/{id}, not '${path}'`);
  const resource: BulkResource = match[1].toLowerCase() === 'users' ? 'Users' : 'Groups';
  const id = match[2] === undefined ? undefined : decodeURIComponentSafe(match[2]);
  if (method === 'POST') {
    if (id !== undefined) throw ScimError.invalidPath(`A POST operation's 'path' is /${resource}, without an id`);
    return { resource };
  }
  if (id === undefined) throw ScimError.invalidPath(`A ${method} operation's 'path' is /${resource}/{id}`);
  const bulkRef = referenceOf(id);
  return bulkRef === undefined ? { resource, id } : { resource, bulkRef };
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw ScimError.invalidPath(`'${text}' is not a valid path segment`);
  }
}
