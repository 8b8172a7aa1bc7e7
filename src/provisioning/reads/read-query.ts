import { DomainError, ErrorDetail } from '../../common/domain-error';
import { DateRangeError, parseDateRange, PresetOrCustom } from './date-range';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1000;

/** The query of `GET /department` and `GET /user`, checked; `null` filters filter nothing. */
export interface ReadQuery {
  active: boolean | null;
  createdOn: PresetOrCustom | null;
  updatedOn: PresetOrCustom | null;
  skip: number;
  limit: number;
}

export type DateField = 'createdOn' | 'updatedOn';

/** The seed 001 error for a range on `field` (e.g. `field: ["updatedOn"]`). */
export function dateRangeError(field: DateField, error: DateRangeError): DomainError {
  return validationError([{ path: field, field, message: error.message }]);
}

/**
 * Reads the raw query (the extended parser's strings, arrays and objects; implicit conversion is
 * off) into a `ReadQuery`, or throws one VALIDATION error naming every bad parameter. Unknown
 * parameters are ignored, as clients add their own (cache busters, tracing).
 */
export function parseReadQuery(raw: Record<string, unknown>): ReadQuery {
  const details: ErrorDetail[] = [];
  const attempt = <T>(field: string, parse: () => T, fallback: T): T => {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof FieldError || error instanceof DateRangeError)) throw error;
      details.push({ path: field, field, message: error.message });
      return fallback;
    }
  };
  const query: ReadQuery = {
    active: attempt('active', () => parseActive(raw.active), null),
    createdOn: attempt('createdOn', () => parseRange('createdOn', raw.createdOn), null),
    updatedOn: attempt('updatedOn', () => parseRange('updatedOn', raw.updatedOn), null),
    skip: attempt('skip', () => parseSkip(raw.skip), 0),
    limit: attempt('limit', () => parseLimit(raw.limit), DEFAULT_LIMIT),
  };
  if (details.length > 0) throw validationError(details);
  return query;
}

class FieldError extends Error {}

function validationError(details: ErrorDetail[]): DomainError {
  return new DomainError('VALIDATION', details[0].message, details);
}

/** A repeated parameter arrives as an array: one value is expected, so it is refused, not guessed. */
function single(field: string, value: unknown): string | undefined {
  if (value === undefined || typeof value === 'string') return value?.trim();
  throw new FieldError(`${field} must be given once, as a single value`);
}

/** Absent, empty and `null` mean no filter, as in seed 001 (true/false/null). */
function parseActive(value: unknown): boolean | null {
  const text = single('active', value)?.toLowerCase();
  if (text === undefined || text === '' || text === 'null') return null;
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new FieldError('active must be true, false or null');
}

function parseRange(field: DateField, value: unknown): PresetOrCustom | null {
  // An object is the extended parser's `createdOn[preset]=...`; only arrays are refused outright.
  if (Array.isArray(value)) throw new FieldError(`${field} must be given once, as a single value`);
  if (value === undefined) return null;
  if (typeof value === 'string' && ['', 'null'].includes(value.trim().toLowerCase())) return null;
  return parseDateRange(value);
}

function parseSkip(value: unknown): number {
  const text = single('skip', value);
  if (text === undefined || text === '') return 0;
  const skip = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(skip)) throw new FieldError('skip must be an integer of at least 0');
  return skip;
}

function parseLimit(value: unknown): number {
  const text = single('limit', value);
  if (text === undefined || text === '') return DEFAULT_LIMIT;
  if (!/^\d+$/.test(text)) throw new FieldError(`limit must be an integer from 1 to ${MAX_LIMIT}`);
  const limit = Number(text);
  if (limit > MAX_LIMIT) throw new FieldError(`Limit cannot exceed ${MAX_LIMIT}`);
  if (limit < 1) throw new FieldError('Limit must be at least 1');
  return limit;
}
