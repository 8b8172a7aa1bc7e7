import { DomainError, ErrorDetail } from '../../common/domain-error';

export const DEFAULT_FEED_LIMIT = 100;
export const MAX_FEED_LIMIT = 1000;
/** The longest a caller may ask the feed to hold its answer, in seconds. */
export const MAX_FEED_WAIT_SECONDS = 30;
/** The largest seq PostgreSQL's bigint holds. */
const MAX_SEQ = 9_223_372_036_854_775_807n;

export type FeedForm = 'notice' | 'full';

/** The query of `GET /api/provisioning/iam/changes`, checked. */
export interface FeedQuery {
  /** Changes with a seq above this (a decimal string: seqs are bigints). */
  after: string;
  limit: number;
  /** Seconds to hold the answer while nothing is new; 0 answers at once. */
  waitSeconds: number;
  form: FeedForm;
}

class FieldError extends Error {}

/**
 * Reads the raw query into a `FeedQuery`, or throws one VALIDATION error naming every bad
 * parameter (the provisioning envelope's 400). Unknown parameters are ignored, as in the other reads.
 */
export function parseFeedQuery(raw: Record<string, unknown>): FeedQuery {
  const details: ErrorDetail[] = [];
  const attempt = <T>(field: string, parse: () => T, fallback: T): T => {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      details.push({ path: field, field, message: error.message });
      return fallback;
    }
  };
  const query: FeedQuery = {
    after: attempt('after', () => parseAfter(raw.after), '0'),
    limit: attempt('limit', () => parseLimit(raw.limit), DEFAULT_FEED_LIMIT),
    waitSeconds: attempt('wait', () => parseWait(raw.wait), 0),
    form: attempt('form', () => parseForm(raw.form), 'notice'),
  };
  if (details.length > 0) throw new DomainError('VALIDATION', details[0].message, details);
  return query;
}

/** A repeated parameter arrives as an array (or an object with the extended parser): refused. */
function single(field: string, value: unknown): string | undefined {
  if (value === undefined || typeof value === 'string') return value?.trim();
  throw new FieldError(`${field} must be given once, as a single value`);
}

function parseAfter(value: unknown): string {
  const text = single('after', value);
  if (text === undefined || text === '') return '0';
  if (!/^\d{1,19}$/.test(text) || BigInt(text) > MAX_SEQ) {
    throw new FieldError('after must be a seq: a whole number from 0 (the start of the feed)');
  }
  return BigInt(text).toString();
}

function parseLimit(value: unknown): number {
  const text = single('limit', value);
  if (text === undefined || text === '') return DEFAULT_FEED_LIMIT;
  const limit = /^\d{1,7}$/.test(text) ? Number(text) : NaN;
  if (!(limit >= 1 && limit <= MAX_FEED_LIMIT)) {
    throw new FieldError(`limit must be a whole number from 1 to ${MAX_FEED_LIMIT}`);
  }
  return limit;
}

function parseWait(value: unknown): number {
  const text = single('wait', value);
  if (text === undefined || text === '') return 0;
  const wait = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
  if (!(wait >= 0 && wait <= MAX_FEED_WAIT_SECONDS)) {
    throw new FieldError(`wait must be a whole number of seconds from 0 to ${MAX_FEED_WAIT_SECONDS}`);
  }
  return wait;
}

function parseForm(value: unknown): FeedForm {
  const text = single('form', value);
  if (text === undefined || text === '') return 'notice';
  if (text === 'notice' || text === 'full') return text;
  throw new FieldError('form must be notice or full');
}
