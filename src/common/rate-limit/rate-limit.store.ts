/** What a store answers for one request. */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  /** Units still allowed in the window after this request (0 when refused). */
  remaining: number;
  /**
   * When refused: milliseconds until enough counted units leave the window for this request's
   * cost to fit (the whole window when the cost exceeds the limit); 0 when allowed.
   */
  retryAfterMs: number;
}

/**
 * Counts requests per key in a sliding window of `windowMs`: a request is allowed while fewer
 * than `limit` requests were allowed in the last `windowMs`. Refused requests are not counted, so
 * a client that waits the answered `Retry-After` is let through (unless others used the slot).
 */
export interface RateLimitStore {
  /**
   * Records one request of `cost` units (a positive integer, default 1) under `key` if it is
   * allowed: when the units counted in the window plus `cost` stay within `limit`. All `cost`
   * units are recorded at once or none are. `null` means the store cannot answer (shared store
   * unreachable): the caller lets the request through, since a rate limiter must never take the
   * service down.
   */
  hit(key: string, limit: number, windowMs: number, cost?: number): Promise<RateLimitDecision | null>;

  /**
   * Whether a request under `key` would be allowed now, recording nothing: for budgets that only
   * failures draw from (checked before the attempt, `hit` after a failure). `null` as for `hit`.
   */
  peek(key: string, limit: number, windowMs: number): Promise<RateLimitDecision | null>;
}
