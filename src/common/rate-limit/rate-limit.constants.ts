import type { AppConfig, RateWindow } from '../../config/app-config';

/**
 * Seed 004's rate limits ("Rate Limits"), counted per credential (`req.principal.credentialId`),
 * never per IP: a fleet behind one NAT or proxy must not share a budget, and one credential must
 * not get more by spreading its calls over addresses.
 */
export const RATE_LIMIT_WINDOW_MS = 60_000;

export const RATE_LIMIT_BUCKETS = {
  /** Transaction creation (`POST .../checkpoint`): 10 per minute per user. */
  checkpoint: { limit: 10, windowMs: RATE_LIMIT_WINDOW_MS },
  /** List transactions (`GET .../transactions`): 100 requests per minute. */
  list: { limit: 100, windowMs: RATE_LIMIT_WINDOW_MS },
  /** Sync operations (queueing department/user items, direct-mode writes): 50 requests per minute. */
  sync: { limit: 50, windowMs: RATE_LIMIT_WINDOW_MS },
} as const satisfies Record<string, { limit: number; windowMs: number }>;

/**
 * Budgets set by configuration rather than by seed 004: every SCIM request (RATE_LIMIT_SCIM) and
 * every admin API request (RATE_LIMIT_ADMIN) of one credential.
 */
export type ConfiguredBucket = 'scim' | 'admin';

export type RateLimitBucket = keyof typeof RATE_LIMIT_BUCKETS | ConfiguredBucket;

export const RATE_LIMIT_BUCKET_NAMES = [...Object.keys(RATE_LIMIT_BUCKETS), 'scim', 'admin'] as RateLimitBucket[];

/** Every bucket's limit and window under this configuration. */
export function rateLimitBuckets(config: AppConfig): Record<RateLimitBucket, RateWindow> {
  return { ...RATE_LIMIT_BUCKETS, scim: config.fairShare.scim, admin: config.fairShare.admin };
}

/** Injection token of the `RateLimitStore` (Redis when REDIS_URL is set, otherwise memory). */
export const RATE_LIMIT_STORE = Symbol('RATE_LIMIT_STORE');

/** Route metadata key set by `@RateLimit(bucket)`. */
export const RATE_LIMIT_METADATA = 'idp:rateLimitBucket';

const KEY_PREFIX = 'idp:rl';

/**
 * `idp:rl:<bucket>:<credentialId>:<window>`, the window written as its length (`60s`): the
 * counter is a sliding log, so there is no window number, and a changed window length never
 * reads an old log.
 */
export function rateLimitKey(bucket: string, credentialId: string, windowMs: number): string {
  return `${KEY_PREFIX}:${bucket}:${credentialId}:${windowLabel(windowMs)}`;
}

function windowLabel(windowMs: number): string {
  return windowMs % 1000 === 0 ? `${windowMs / 1000}s` : `${windowMs}ms`;
}

/**
 * `Retry-After` in whole seconds (RFC 9110 §10.2.3): rounded up so a client that waits exactly
 * that long is let through, at least 1 (0 would invite an immediate retry that fails again), at
 * most one window (a clock that stepped back cannot make it longer).
 */
export function retryAfterSeconds(retryAfterMs: number, windowMs: number): number {
  const ceiling = Math.max(1, Math.ceil(windowMs / 1000));
  if (!Number.isFinite(retryAfterMs)) return ceiling;
  return Math.min(ceiling, Math.max(1, Math.ceil(retryAfterMs / 1000)));
}

/** `per minute`, `per 30 seconds`. */
export function describeWindow(windowMs: number): string {
  if (windowMs === 60_000) return 'per minute';
  if (windowMs === 1000) return 'per second';
  return windowMs % 1000 === 0 ? `per ${windowMs / 1000} seconds` : `per ${windowMs} ms`;
}

/** The `error` text of the 429 envelope. */
export function rateLimitExceededText(bucket: string, limit: number, windowMs: number, retryAfter: number): string {
  const unit = retryAfter === 1 ? 'second' : 'seconds';
  return `Rate limit of ${limit} requests ${describeWindow(windowMs)} exceeded for ${bucket}; retry after ${retryAfter} ${unit}`;
}

/** A request's cost as the whole number of units it draws: at least one (a bad cost counts one). */
export function units(cost: number): number {
  return Number.isFinite(cost) ? Math.max(1, Math.floor(cost)) : 1;
}
