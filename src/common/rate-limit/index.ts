export { RateLimit, RateLimitCost, RATE_LIMIT_COST_METADATA } from './rate-limit.decorator';
export type { RateLimitCostOf } from './rate-limit.decorator';
export { RateLimitGuard } from './rate-limit.guard';
export { RateLimitModule, createRateLimitStore } from './rate-limit.module';
export {
  RATE_LIMIT_BUCKETS,
  RATE_LIMIT_BUCKET_NAMES,
  RATE_LIMIT_STORE,
  RATE_LIMIT_WINDOW_MS,
  rateLimitKey,
  retryAfterSeconds,
} from './rate-limit.constants';
export type { RateLimitBucket } from './rate-limit.constants';
export type { RateLimitDecision, RateLimitStore } from './rate-limit.store';
export { MemoryRateLimitStore } from './memory-rate-limit.store';
export { RedisRateLimitStore } from './redis-rate-limit.store';
