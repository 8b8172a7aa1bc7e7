/** What a store answers for one request. */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  /** Requests still allowed in the window after this one (0 when refused). */
  remaining: number;
  /** When refused: milliseconds until the oldest counted request leaves the window; 0 when allowed. */
  retryAfterMs: number;
}

/**
 * Counts requests per key in a sliding window of `windowMs`: a request is allowed while fewer
 * than `limit` requests were allowed in the last `windowMs`. Refused requests are not counted, so
 * a client that waits the answered `Retry-After` is let through (unless others used the slot).
 */
export interface RateLimitStore {
  /**
   * Records one request under `key` if it is allowed. `null` means the store cannot answer
   * (shared store unreachable): the caller lets the request through, since a rate limiter must
   * never take the service down.
   */
  hit(key: string, limit: number, windowMs: number): Promise<RateLimitDecision | null>;

  /**
   * Whether a request under `key` would be allowed now, recording nothing: for budgets that only
   * failures draw from (checked before the attempt, `hit` after a failure). `null` as for `hit`.
   */
  peek(key: string, limit: number, windowMs: number): Promise<RateLimitDecision | null>;
}
