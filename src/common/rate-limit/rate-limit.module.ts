import { Global, Module } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { MemoryRateLimitStore } from './memory-rate-limit.store';
import { RATE_LIMIT_STORE } from './rate-limit.constants';
import { RateLimitGuard } from './rate-limit.guard';
import type { RateLimitStore } from './rate-limit.store';
import { RedisRateLimitStore } from './redis-rate-limit.store';

/** Redis when REDIS_URL is set (shared by the fleet), otherwise this process's memory. */
export function createRateLimitStore(config: AppConfig): RateLimitStore {
  // RATE_LIMITS=off: the guard never asks, so do not open a Redis connection for nothing.
  if (config.rateLimits && config.redisUrl) return new RedisRateLimitStore(config.redisUrl);
  return new MemoryRateLimitStore();
}

/**
 * Seed 004's per-credential rate limits: the store and `RateLimitGuard`. Global, so routes use
 * `@UseGuards(ProvisioningAuthGuard, RateLimitGuard)` + `@RateLimit(bucket)` without importing
 * it. The Redis store connects on module init and closes on module destroy (Nest calls the
 * lifecycle hooks of factory-made providers too).
 */
@Global()
@Module({
  providers: [{ provide: RATE_LIMIT_STORE, inject: [APP_CONFIG], useFactory: createRateLimitStore }, RateLimitGuard],
  exports: [RATE_LIMIT_STORE, RateLimitGuard],
})
export class RateLimitModule {}
