// Bounds on the work one SCIM request may ask for, in one place: the request code enforces them and
// /ServiceProviderConfig advertises them. They bound memory and CPU per request so that one
// tenant's largest allowed request stays short and cannot stall others.
import type { AppConfig } from '../config/app-config';
import { ScimError } from './scim.errors';

export const SCIM_LIMITS = {
  /** Operations in one PATCH: identity providers send a handful; RFC 7644 leaves the bound to us. */
  patchOperations: 1_000,
  /** Values one PATCH operation carries (members, emails, keys of a no-path value). */
  valuesPerOperation: 1_000,
  /** Values across one PATCH: ten full operations' worth, enough to fill a large group in one request. */
  valuesPerPatch: 10_000,
  /** Members one Group POST or PUT may list; the same as a PATCH may add. */
  membersPerRequest: 10_000,
  /**
   * Elements of one multi-valued attribute (emails, addresses, a custom list). Filters scan an
   * attribute's elements, so this is what keeps every PATCH operation's work bounded.
   */
  valuesPerAttribute: 1_000,
  /** One top-level attribute (or one extension attribute) serialised as JSON, in bytes. */
  attributeBytes: 32 * 1024,
  /** A whole stored resource serialised as JSON, in bytes (members are stored apart and not counted). */
  resourceBytes: 128 * 1024,
  /** Resources one list or search page answers (RFC 7643 §5 `filter.maxResults`). */
  listResults: 1_000,
  /** Members one PATCH operation may add or remove (a group's other values stay at `valuesPerOperation`). */
  membersPerOperation: 10_000,
  /** Members one answer may carry across its groups; more is 400 `tooMany` (page them as `/Users?filter=groups.value eq "<id>"`). */
  membersPerResponse: 100_000,
  /** Operations in one `POST /Bulk` (RFC 7644 §3.7 `maxOperations`; lower when the SCIM rate limit is). */
  bulkOperations: 1_000,
  /** The largest `POST /Bulk` body in bytes (`maxPayloadSize`; lower when BODY_LIMIT is). */
  bulkPayloadBytes: 4 * 1024 * 1024,
  /** Seconds a cursor (RFC 9865) stays valid after the page that issued it. */
  cursorTimeoutSeconds: 3_600,
} as const;

/**
 * `POST /Bulk`'s bounds under this configuration: a bulk draws one SCIM rate-limit unit per
 * operation, so it may not hold more operations than the SCIM budget allows at all, and its body
 * is never larger than BODY_LIMIT lets any body be.
 */
export function bulkLimits(config: AppConfig): { maxOperations: number; maxPayloadSize: number } {
  const budget = config.rateLimits ? config.fairShare.scim.limit : Infinity;
  return {
    maxOperations: Math.min(SCIM_LIMITS.bulkOperations, budget),
    maxPayloadSize: Math.min(SCIM_LIMITS.bulkPayloadBytes, config.bodyLimitBytes),
  };
}

const kb = (bytes: number): string => `${bytes / 1024} KB`;

/** RFC 7644 §3.12: more than the service provider will process is `tooMany`. */
export function assertCount(count: number, limit: number, what: string): void {
  if (count > limit) throw ScimError.tooMany(`${what}: ${count} given, at most ${limit} are allowed`);
}

/**
 * Refuses a document with an attribute over `attributeBytes` or a whole over `resourceBytes`.
 * Extension objects are measured attribute by attribute, as they are attributes of their own schema.
 * Server-kept `id` and `meta` are not the client's to shrink, so they are not counted.
 */
export function assertDocumentSize(document: Record<string, unknown>): void {
  let total = 0;
  const measure = (name: string, value: unknown): number => {
    const bytes = Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
    if (bytes > SCIM_LIMITS.attributeBytes) {
      throw ScimError.invalidValue(
        `'${name}' is ${bytes} bytes as JSON; one attribute may hold at most ${kb(SCIM_LIMITS.attributeBytes)}`,
      );
    }
    return bytes;
  };
  for (const [key, value] of Object.entries(document)) {
    if (key === 'id' || key === 'meta') continue;
    if (/^urn:/i.test(key) && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [name, inner] of Object.entries(value)) total += measure(`${key}:${name}`, inner) + name.length + 4;
    } else {
      total += measure(key, value) + key.length + 4;
    }
  }
  if (total > SCIM_LIMITS.resourceBytes) {
    throw ScimError.invalidValue(
      `The resource is about ${total} bytes as JSON; a resource may hold at most ${kb(SCIM_LIMITS.resourceBytes)}`,
    );
  }
}
