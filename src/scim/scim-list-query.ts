import { SCIM_LIMITS } from './scim-limits';
import { ScimError } from './scim.errors';

/** A list request (GET query string or `POST /.search` body), clamped as RFC 7644 §3.4.2.4 says. */
export interface ListQuery {
  filter?: string;
  /** 1-based. */
  startIndex: number;
  count: number;
  sortBy?: string;
  sortOrder: 'ascending' | 'descending';
  attributes?: string[];
  excludedAttributes?: string[];
  /**
   * RFC 9865 cursor pagination: the cursor of the page asked for, `''` for the first page (the
   * parameter given without a value); undefined for index pagination.
   */
  cursor?: string;
}

export const DEFAULT_COUNT = 100;

/** Reads the list parameters from a query string or a SearchRequest body (names in any case). */
export function parseListQuery(source: Record<string, unknown>): ListQuery {
  const get = (name: string): unknown => {
    const key = Object.keys(source).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    return key === undefined ? undefined : source[key];
  };
  const filter = text(get('filter'), 'filter');
  const sortBy = text(get('sortBy'), 'sortBy');
  const sortOrder = text(get('sortOrder'), 'sortOrder')?.toLowerCase() ?? 'ascending';
  if (sortOrder !== 'ascending' && sortOrder !== 'descending') {
    throw ScimError.invalidValue(`sortOrder must be "ascending" or "descending", not "${sortOrder}"`);
  }
  const givenStartIndex = integer(get('startIndex'), 'startIndex');
  const count = integer(get('count'), 'count') ?? DEFAULT_COUNT;
  const cursor = text(get('cursor'), 'cursor')?.trim();
  if (cursor !== undefined && givenStartIndex !== undefined) {
    throw ScimError.invalidValue('cursor and startIndex cannot both be given: a page is asked for by one or the other');
  }
  const startIndex = givenStartIndex ?? 1;
  return {
    filter: filter?.trim() === '' ? undefined : filter,
    startIndex: Math.max(1, startIndex),
    count: Math.min(SCIM_LIMITS.listResults, Math.max(0, count)),
    sortBy: sortBy?.trim() === '' ? undefined : sortBy,
    sortOrder,
    attributes: list(get('attributes'), 'attributes'),
    excludedAttributes: list(get('excludedAttributes'), 'excludedAttributes'),
    ...(cursor === undefined ? {} : { cursor }),
  };
}

/** `attributes` / `excludedAttributes` of a single-resource request. */
export function parseProjection(source: Record<string, unknown>): Pick<ListQuery, 'attributes' | 'excludedAttributes'> {
  const { attributes, excludedAttributes } = parseListQuery({
    attributes: source.attributes,
    excludedAttributes: source.excludedAttributes,
  });
  return { attributes, excludedAttributes };
}

function text(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw ScimError.invalidValue(`${name} must be given once, as text`);
}

function integer(value: unknown, name: string): number | undefined {
  const given = text(value, name);
  if (given === undefined || given.trim() === '') return undefined;
  if (!/^\s*[-+]?\d+\s*$/.test(given)) throw ScimError.invalidValue(`${name} must be an integer, not "${given}"`);
  // Far beyond any page: clamp rather than lose precision.
  return Math.max(-1e9, Math.min(1e9, Number(given)));
}

/** A comma-separated string (query) or an array of strings (SearchRequest). */
function list(value: unknown, name: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const parts = Array.isArray(value) ? value : [value];
  if (!parts.every((part) => typeof part === 'string')) throw ScimError.invalidValue(`${name} must be attribute names`);
  const names = parts
    .flatMap((part) => part.split(','))
    .map((part) => part.trim())
    .filter((part) => part !== '');
  return names.length > 0 ? names : undefined;
}
