import { units } from './rate-limit.constants';
import type { RateLimitDecision, RateLimitStore } from './rate-limit.store';

export interface MemoryRateLimitStoreOptions {
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
  /** Most keys kept at once; beyond it the least recently used key is forgotten. */
  maxKeys?: number;
  /** How often expired keys are swept (on a request, no timer). */
  sweepIntervalMs?: number;
}

interface Log {
  /**
   * Times of the allowed units still in the window, oldest first (a request of cost N adds N);
   * never longer than the limit.
   */
  hits: number[];
  /** When the newest hit leaves the window: the whole entry is dead from then on. */
  expiresAt: number;
}

const DEFAULT_MAX_KEYS = 100_000;
const DEFAULT_SWEEP_INTERVAL_MS = 60_000;

/**
 * The store without REDIS_URL: a sliding log per key in this process (one node only, like the
 * in-process job queue). Memory is bounded: a key holds at most `limit` timestamps, expired keys
 * are swept at most once per sweep interval, and at `maxKeys` the least recently used key goes.
 * No timers, so nothing keeps the process alive.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly logs = new Map<string, Log>();
  private readonly now: () => number;
  private readonly maxKeys: number;
  private readonly sweepIntervalMs: number;
  private lastSweep: number;

  constructor(options: MemoryRateLimitStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxKeys = Math.max(1, options.maxKeys ?? DEFAULT_MAX_KEYS);
    this.sweepIntervalMs = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
    this.lastSweep = this.now();
  }

  /** Keys currently held (for tests and diagnostics). */
  get size(): number {
    return this.logs.size;
  }

  hit(key: string, limit: number, windowMs: number, cost = 1): Promise<RateLimitDecision> {
    return Promise.resolve(this.hitNow(key, limit, windowMs, units(cost)));
  }

  peek(key: string, limit: number, windowMs: number): Promise<RateLimitDecision> {
    const now = this.now();
    const hits = (this.logs.get(key)?.hits ?? []).filter((at) => at > now - windowMs);
    if (hits.length >= limit) {
      return Promise.resolve({
        allowed: false,
        limit,
        remaining: 0,
        retryAfterMs: Math.max(1, hits[0] + windowMs - now),
      });
    }
    return Promise.resolve({ allowed: true, limit, remaining: limit - hits.length, retryAfterMs: 0 });
  }

  private hitNow(key: string, limit: number, windowMs: number, cost: number): RateLimitDecision {
    const now = this.now();
    if (now - this.lastSweep >= this.sweepIntervalMs) this.sweep(now);

    const log = this.logs.get(key);
    const hits = log?.hits ?? [];
    // A hit at time T counts during [T, T + windowMs).
    while (hits.length > 0 && hits[0] <= now - windowMs) hits.shift();

    if (hits.length + cost > limit) {
      // The hit whose leaving frees enough units; a cost above the limit never fits.
      const freeing = hits[hits.length + cost - limit - 1];
      const retryAfterMs = cost > limit ? windowMs : Math.max(1, freeing + windowMs - now);
      return { allowed: false, limit, remaining: 0, retryAfterMs };
    }
    for (let unit = 0; unit < cost; unit++) hits.push(now);
    // Re-inserting keeps the Map in least-recently-used order for eviction.
    this.logs.delete(key);
    if (this.logs.size >= this.maxKeys) this.evictLeastRecentlyUsed();
    this.logs.set(key, { hits, expiresAt: now + windowMs });
    return { allowed: true, limit, remaining: limit - hits.length, retryAfterMs: 0 };
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [key, log] of this.logs) if (log.expiresAt <= now) this.logs.delete(key);
  }

  /** O(1): the Map's first key is the one least recently allowed a request. */
  private evictLeastRecentlyUsed(): void {
    for (const key of this.logs.keys()) {
      if (this.logs.size < this.maxKeys) return;
      this.logs.delete(key);
    }
  }
}
