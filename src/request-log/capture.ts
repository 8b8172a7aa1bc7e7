import { storable as storableText } from '../common/input-safety';
import { HeaderValues, redactBody, redactHeaders, redactUrl, scrubText } from './redaction';

/** A row as the writer inserts it: every field already redacted and bounded. */
export interface NewRequestLog {
  time: Date;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  tenantId: string | null;
  credentialId: string | null;
  correlationId: string | null;
  identifier: string | null;
  errorMessage: string | null;
  /** Why authentication failed (AuthFailure), which the caller's answer does not say. */
  authFailure: string | null;
  /** The caller's address (`req.ip`: X-Forwarded-For only under TRUST_PROXY). */
  clientAddress: string | null;
  admin: boolean;
  keepalive: boolean;
  requestHeaders: Record<string, string>;
  requestBody: string | null;
  requestBodyTruncated: boolean;
  responseHeaders: Record<string, string>;
  responseBody: string | null;
  responseBodyTruncated: boolean;
  /**
   * The full row could not be stored, so it was written without its bodies (and, if that failed
   * too, without headers, identifier and anything but ASCII): the request still leaves its trace.
   */
  detailsOmitted: boolean;
  /** Lower-cased path, identifier, correlation id and the bodies' values: what `search` looks in (trigram index). */
  searchText: string;
}

/** What the middleware saw of one request and its answer, nothing redacted yet. */
export interface CapturedExchange {
  time: Date;
  durationMs: number;
  method: string;
  /** Path and query as the client sent them. */
  url: string;
  status: number;
  /** The client went away before the answer was complete. */
  aborted: boolean;
  requestHeaders: HeaderValues;
  /** The body as received (JSON and form bodies; others are not read), or its first `bodyLimit` bytes. */
  requestBody?: Buffer;
  /** Every byte of the request body, when `requestBody` holds only its start. */
  requestBytes?: number;
  /**
   * The identifier of the body as the parser left it (`identifierOf`), taken at capture so the
   * parsed body is not kept until the row is built.
   */
  requestIdentifier?: string | null;
  responseHeaders: HeaderValues;
  /** The first `bodyLimit` bytes of the answer. */
  responseBody?: Buffer;
  /** Every byte of the answer, stored or not. */
  responseBytes: number;
  tenantId?: string | null;
  credentialId?: string | null;
  correlationId?: string | null;
  authFailure?: string | null;
  clientAddress?: string | null;
}

const MAX_PATH = 4096;
const MAX_IDENTIFIER = 320;
const MAX_ERROR = 2000;
const MAX_SHORT = 128;
/**
 * How much of each body `search` covers. Every character costs: PostgreSQL extracts the trigrams of
 * the whole text when the row goes in (about 0.25 ms for a kilobyte), more than the request itself.
 */
export const SEARCHED_BODY_CHARS = 2000;
/** Keys whose values are alike in every SCIM answer, or are addresses and times: nobody searches them. */
const UNSEARCHED_KEYS = new Set(['schemas', '$ref', 'location', 'created', 'lastmodified', 'version', 'resourcetype']);

/** Paths whose requests are never logged: probes, scrapes, the API description, the operator page's files. */
const NOT_LOGGED = /^\/(health|metrics|api\/docs|admin)(\/|$)|^\/favicon\.ico$/i;
const ADMIN_API = /^\/api\/admin(\/|$)/i;
const PARTNER_SYNC = /^\/api\/admin\/users\/sync\/?$/i;

export function isLogged(url: string): boolean {
  return !NOT_LOGGED.test(pathOf(url));
}

/** The operators' own API (partner sync lives under /api/admin but is not theirs). */
export function isAdminRequest(url: string): boolean {
  const path = pathOf(url);
  return ADMIN_API.test(path) && !PARTNER_SYNC.test(path);
}

const GUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const PROBE_FILTER = new RegExp(`^userName\\s+eq\\s+("${GUID}"|${GUID})$`, 'i');
const SCIM_USERS = /^\/scim(\/.*)?\/Users\/?$/i;

/** Entra ID's connectivity probe: `GET <scim root>/Users?filter=userName eq "<random GUID>"`. */
export function isKeepalive(method: string, url: string): boolean {
  if (method.toUpperCase() !== 'GET' || !SCIM_USERS.test(pathOf(url))) return false;
  const mark = url.indexOf('?');
  if (mark < 0) return false;
  const filter = new URLSearchParams(url.slice(mark + 1)).get('filter');
  return filter !== null && PROBE_FILTER.test(filter.trim());
}

const IDENTIFIER_KEYS = ['username', 'email', 'displayname', 'name', 'externalid', 'client_id'];

/**
 * Who or what the request is about: userName, email, displayName, name or externalId of the
 * resource; for a batch, its first item's and how many more.
 */
export function identifierOf(body: unknown): string | null {
  const items = Array.isArray(body) ? body : isObject(body) && Array.isArray(body.users) ? body.users : [body];
  for (const item of items as unknown[]) {
    const found = ownIdentifier(item);
    if (found) return items.length > 1 ? `${found} (+${items.length - 1} more)` : found;
  }
  return null;
}

function ownIdentifier(item: unknown): string | null {
  if (!isObject(item)) return null;
  const byKey = new Map(Object.entries(item).map(([key, value]) => [key.toLowerCase(), value]));
  for (const key of IDENTIFIER_KEYS) {
    const value = byKey.get(key);
    if (typeof value === 'string' && value.trim() !== '') return bounded(value.trim(), MAX_IDENTIFIER);
  }
  return null;
}

/** The message of an error answer, whichever envelope it uses (provisioning, partner, SCIM, OAuth). */
export function errorMessageOf(status: number, body: unknown, text: string | null): string | null {
  if (status < 400) return null;
  if (isObject(body)) {
    for (const key of ['error_description', 'detail', 'error', 'message']) {
      const value = body[key];
      if (typeof value === 'string' && value !== '') return bounded(value, MAX_ERROR);
    }
  }
  if (text && !isObject(body)) return bounded(text, MAX_ERROR);
  return `HTTP ${status}`;
}

/** A string cut to at most `maxBytes` bytes of UTF-8, never inside a character. */
export function truncateUtf8(text: string, maxBytes: number): { text: string; truncated: boolean } {
  // A character is at most 4 bytes (and at least 1): most texts are decided without encoding.
  if (text.length * 3 <= maxBytes) return { text, truncated: false };
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return { text, truncated: false };
  return { text: decodePrefix(bytes, maxBytes), truncated: true };
}

/** The first `maxBytes` of UTF-8 bytes as text, without a character cut in two at the end. */
function decodePrefix(bytes: Buffer, maxBytes: number): string {
  let end = Math.min(maxBytes, bytes.length);
  // Back up over continuation bytes (10xxxxxx) to the start of the character that was cut.
  if (end < bytes.length) while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

const TEXT_TYPE = /^(text\/|application\/([\w.+-]*\+)?(json|xml|x-www-form-urlencoded|javascript)\b)/i;

/** A body as stored: its text redacted, cut to the limit, and whether it was cut. */
export function storedBody(
  bytes: Buffer | undefined,
  totalBytes: number,
  contentType: string | undefined,
  limit: number,
): { text: string | null; truncated: boolean } {
  if (!bytes || bytes.length === 0) return { text: null, truncated: false };
  // Binary answers are not shown: an operator reads text.
  if (contentType && !TEXT_TYPE.test(contentType)) return { text: null, truncated: totalBytes > limit };
  const cut = totalBytes > limit || bytes.length > limit;
  // Masking comes first; the cut after it, since a mask can be longer than what it hides.
  const redacted = redactBody(decodePrefix(bytes, limit), contentType);
  const stored = truncateUtf8(redacted, limit);
  return { text: stored.text, truncated: cut || stored.truncated };
}

/**
 * A request as the writer's buffer holds it: what capture copied (bounded bytes, unredacted), the
 * row not built yet. The writer builds it (`logRowOf`) when it writes the batch, off the request.
 */
export interface PendingLog {
  exchange: CapturedExchange;
  /** The body limit the tenant's budget (BodyBudget) granted when the request finished. */
  bodyLimit: number;
  /** Capture itself failed: only the request line, the caller and the status are known. */
  minimal?: boolean;
  /** Replaces the answer's error message (a request Node's HTTP parser refused). */
  errorMessage?: string;
}

/**
 * The row of a captured request. A row that fails to build is written without its details
 * (`minimalLogRow`) and `onFailure` hears why: every request leaves a row. Throws only when even
 * the minimal row cannot be made.
 */
export function logRowOf(pending: PendingLog, onFailure?: (error: unknown) => void): NewRequestLog {
  let row: NewRequestLog;
  if (pending.minimal) {
    row = minimalLogRow(pending.exchange);
  } else {
    try {
      row = toLogRow(pending.exchange, pending.bodyLimit);
    } catch (error) {
      onFailure?.(error);
      row = minimalLogRow(pending.exchange);
    }
  }
  return pending.errorMessage === undefined ? row : { ...row, errorMessage: pending.errorMessage };
}

/** Builds the row: everything it holds is redacted here, before it exists anywhere else. */
export function toLogRow(exchange: CapturedExchange, bodyLimit: number): NewRequestLog {
  const requestType = header(exchange.requestHeaders, 'content-type');
  const responseType = header(exchange.responseHeaders, 'content-type');
  const requestBytes = exchange.requestBytes ?? exchange.requestBody?.length ?? 0;
  const request = storedBody(exchange.requestBody, requestBytes, requestType, bodyLimit);
  const streamed = /^text\/event-stream/i.test(responseType ?? '');
  const response = streamed
    ? { text: null, truncated: false }
    : storedBody(exchange.responseBody, exchange.responseBytes, responseType, bodyLimit);
  const answer = response.text !== null && !response.truncated ? parseJson(response.text) : undefined;
  const path = bounded(redactUrl(exchange.url), MAX_PATH);
  const found = exchange.requestIdentifier ?? identifierOf(answer);
  const identifier = found === null ? null : scrubText(found);
  const correlationId = shortOrNull(exchange.correlationId, MAX_SHORT);
  const errorMessage =
    exchange.aborted && !streamed
      ? 'The client closed the connection before the answer was complete'
      : errorMessageOf(exchange.status, answer, response.text);
  return storableRow({
    time: exchange.time,
    method: bounded(exchange.method.toUpperCase(), 16),
    path,
    status: exchange.status,
    durationMs: Math.max(0, Math.round(exchange.durationMs)),
    tenantId: shortOrNull(exchange.tenantId, 64),
    credentialId: shortOrNull(exchange.credentialId, 64),
    correlationId,
    identifier,
    errorMessage: errorMessage === null ? null : scrubText(errorMessage),
    authFailure: shortOrNull(exchange.authFailure, 32),
    clientAddress: clientAddress(exchange.clientAddress),
    admin: isAdminRequest(exchange.url),
    keepalive: isKeepalive(exchange.method, exchange.url),
    requestHeaders: redactHeaders(exchange.requestHeaders),
    requestBody: request.text,
    requestBodyTruncated: request.truncated,
    responseHeaders: redactHeaders(exchange.responseHeaders),
    responseBody: response.text,
    responseBodyTruncated: response.truncated,
    detailsOmitted: false,
    searchText: searchTextOf(
      path,
      identifier,
      correlationId,
      searchedBody(request.text),
      listSummary(answer) ?? searchedBody(response.text, answer),
    ),
  });
}

/**
 * The row of an exchange whose full row could not be built: what the request line and the
 * caller say, headers redacted if that works, no bodies. Never throws.
 */
export function minimalLogRow(exchange: CapturedExchange): NewRequestLog {
  let requestHeaders: Record<string, string> = {};
  try {
    requestHeaders = redactHeaders(exchange.requestHeaders);
  } catch {
    // Headers are a detail; the row is what matters.
  }
  const path = bounded(safely(() => redactUrl(exchange.url)) ?? pathOf(exchange.url), MAX_PATH);
  const correlationId = shortOrNull(exchange.correlationId, MAX_SHORT);
  return storableRow({
    time: exchange.time,
    method: bounded(String(exchange.method).toUpperCase(), 16),
    path,
    status: exchange.status,
    durationMs: Math.max(0, Math.round(exchange.durationMs)) || 0,
    tenantId: shortOrNull(exchange.tenantId, 64),
    credentialId: shortOrNull(exchange.credentialId, 64),
    correlationId,
    identifier: null,
    errorMessage: exchange.status >= 400 ? `HTTP ${exchange.status}` : null,
    authFailure: shortOrNull(exchange.authFailure, 32),
    clientAddress: clientAddress(exchange.clientAddress),
    admin: isAdminRequest(exchange.url),
    keepalive: false,
    requestHeaders,
    requestBody: null,
    requestBodyTruncated: false,
    responseHeaders: {},
    responseBody: null,
    responseBodyTruncated: false,
    detailsOmitted: true,
    searchText: searchTextOf(path, null, correlationId, '', ''),
  });
}

/** The row without its bodies, marked: what is written when the full row is refused. */
export function withoutBodies(row: NewRequestLog): NewRequestLog {
  return {
    ...row,
    requestBody: null,
    responseBody: null,
    detailsOmitted: true,
    searchText: searchTextOf(row.path, row.identifier, row.correlationId, '', ''),
  };
}

/**
 * The least a row can be: no headers, bodies or identifier, and only printable ASCII left in its
 * text. Written when even the row without bodies is refused, so the request is still on record.
 */
export function bareRow(row: NewRequestLog): NewRequestLog {
  const ascii = (text: string): string => text.replace(/[^\x20-\x7e]/g, '?');
  const path = ascii(row.path);
  const correlationId = row.correlationId === null ? null : ascii(row.correlationId);
  return {
    ...row,
    method: ascii(row.method),
    path,
    tenantId: row.tenantId === null ? null : ascii(row.tenantId),
    credentialId: row.credentialId === null ? null : ascii(row.credentialId),
    correlationId,
    identifier: null,
    errorMessage: row.errorMessage === null ? null : ascii(row.errorMessage),
    authFailure: row.authFailure === null ? null : ascii(row.authFailure),
    clientAddress: row.clientAddress === null ? null : ascii(row.clientAddress),
    requestHeaders: {},
    requestBody: null,
    responseHeaders: {},
    responseBody: null,
    detailsOmitted: true,
    searchText: searchTextOf(path, null, correlationId, '', ''),
  };
}

/** What `search` looks in: it starts with the path, which the `path` filter relies on. */
export function searchTextOf(
  path: string,
  identifier: string | null,
  correlationId: string | null,
  requestBody: string,
  responseBody: string,
): string {
  return [path, identifier ?? '', correlationId ?? '', requestBody, responseBody].join('\n').toLowerCase();
}

/**
 * What `search` finds of a stored (redacted) body: of JSON, its distinct string values (ignoring case), not its
 * keys nor SCIM's boilerplate (`schemas`, `meta`'s times and addresses); of anything else, the
 * text. At most SEARCHED_BODY_CHARS either way. `parsed` is the body already parsed, if it was.
 */
export function searchedBody(text: string | null, parsed?: unknown): string {
  if (text === null) return '';
  const json = parsed ?? parseJson(text);
  if (json === undefined) return text.slice(0, SEARCHED_BODY_CHARS);
  const values = new Set<string>();
  let length = 0;
  // A stack, not recursion: a body may nest deeper than the call stack goes.
  const pending: unknown[] = [json];
  while (pending.length > 0 && length < SEARCHED_BODY_CHARS) {
    const value = pending.pop();
    if (typeof value === 'string') {
      const lower = value.toLowerCase();
      if (lower === '' || values.has(lower)) continue;
      values.add(lower);
      length += lower.length + 1;
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) pending.push(value[i]);
    } else if (isObject(value)) {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) {
        if (!UNSEARCHED_KEYS.has(entries[i][0].toLowerCase())) pending.push(entries[i][1]);
      }
    }
  }
  return [...values].join(' ').slice(0, SEARCHED_BODY_CHARS);
}

/** What identifies a listed resource, most searched first: users by userName, groups by displayName. */
const LISTED_KEYS = ['userName', 'displayName', 'externalId', 'email', 'name', 'id'];

/**
 * What `search` finds of a list answer (a SCIM ListResponse, or the admin API's `{ items, total }`):
 * its total and the identifiers of the resources on the page (userName, displayName, externalId,
 * id...), key by key so that every userName of a page comes before any id; not every value of
 * every resource, which a page of 100 users would fill SEARCHED_BODY_CHARS with a few users'
 * names, emails and group ids. At most SEARCHED_BODY_CHARS. Null for any other answer.
 */
export function listSummary(answer: unknown): string | null {
  if (!isObject(answer)) return null;
  const resources = Array.isArray(answer.Resources)
    ? answer.Resources
    : Array.isArray(answer.items)
      ? answer.items
      : null;
  if (resources === null) return null;
  const total = answer.totalResults ?? answer.total;
  const values = new Set<string>();
  let length = 0;
  const summary: string[] = typeof total === 'number' ? [`total ${total}`] : [];
  for (const key of LISTED_KEYS) {
    for (const resource of resources as unknown[]) {
      const value = isObject(resource) ? resource[key] : undefined;
      if (typeof value !== 'string' || value === '') continue;
      const lower = value.toLowerCase();
      if (values.has(lower)) continue;
      values.add(lower);
      summary.push(lower);
      length += lower.length + 1;
      if (length >= SEARCHED_BODY_CHARS) return summary.join(' ').slice(0, SEARCHED_BODY_CHARS);
    }
  }
  return summary.join(' ');
}

function parseJson(text: string): unknown {
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function header(headers: HeaderValues, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : Array.isArray(value) ? String(value[0]) : undefined;
}

function pathOf(url: string): string {
  const mark = url.indexOf('?');
  return mark < 0 ? url : url.slice(0, mark);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bounded(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max);
}

/** The client's address as people write it: an IPv4 client of a dual-stack socket (`::ffff:10.0.0.7`) as `10.0.0.7`. */
function clientAddress(value: string | null | undefined): string | null {
  return shortOrNull(value?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, ''), 64);
}

function shortOrNull(value: string | null | undefined, max: number): string | null {
  return value ? bounded(value, max) : null;
}

function safely<T>(make: () => T): T | undefined {
  try {
    return make();
  } catch {
    return undefined;
  }
}

/**
 * The text with everything PostgreSQL refuses in text and jsonb (U+0000, and a surrogate without
 * its pair: a client's `\ud800`, or a pair cut in two by a length bound) replaced by U+FFFD.
 * Invalid UTF-8 never gets this far: bytes are decoded with U+FFFD in place of what does not decode.
 */
export function storable(text: string): string {
  return storableText(text, '\uFFFD');
}

/** Every text of the row made storable, header names included; applied last, after every cut. */
export function storableRow(row: NewRequestLog): NewRequestLog {
  const orNull = (text: string | null): string | null => (text === null ? null : storable(text));
  // fromEntries defines own properties: a header named `__proto__` stays a header.
  const headers = (values: Record<string, string>): Record<string, string> =>
    Object.fromEntries(Object.entries(values).map(([name, value]) => [storable(name), storable(value)]));
  return {
    ...row,
    method: storable(row.method),
    path: storable(row.path),
    tenantId: orNull(row.tenantId),
    credentialId: orNull(row.credentialId),
    correlationId: orNull(row.correlationId),
    identifier: orNull(row.identifier),
    errorMessage: orNull(row.errorMessage),
    authFailure: orNull(row.authFailure),
    clientAddress: orNull(row.clientAddress),
    requestHeaders: headers(row.requestHeaders),
    requestBody: orNull(row.requestBody),
    responseHeaders: headers(row.responseHeaders),
    responseBody: orNull(row.responseBody),
    searchText: storable(row.searchText),
  };
}
