import type { Response } from 'express';
import type { RateLimitBucket } from '../common/rate-limit/rate-limit.constants';

/** The limits that answer 429, as `idp_rate_limit_rejections_total` labels them: a bucket by its name. */
export type RateLimitName = RateLimitBucket | 'tenant_concurrency' | 'oauth_client_failures' | 'oauth_address_failures';

const LIMIT = Symbol('idp.rateLimit');

type Marked = Response & { [LIMIT]?: string };

/**
 * Names the limit that refuses this request, for the rejections counter (Metrics counts every 429
 * when the answer goes out, and labels one nobody named `other`). A plain property: no cost when
 * metrics are off.
 */
export function markRateLimited(res: Response, limit: RateLimitName): void {
  (res as Marked)[LIMIT] = limit;
}

export function rateLimitOf(res: Response): string {
  return (res as Marked)[LIMIT] ?? 'other';
}
