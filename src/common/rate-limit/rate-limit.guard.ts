import { CanActivate, ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import type { AuthenticatedRequest } from '../../auth/principal';
import type { AppConfig, RateWindow } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { markRateLimited } from '../../metrics/rate-limited';
import { ApiError } from '../api-error';
import {
  RATE_LIMIT_BUCKET_NAMES,
  RATE_LIMIT_METADATA,
  RATE_LIMIT_STORE,
  RateLimitBucket,
  rateLimitBuckets,
  rateLimitExceededText,
  rateLimitKey,
  retryAfterSeconds,
  units,
} from './rate-limit.constants';
import { RATE_LIMIT_COST_METADATA, RateLimitCostOf } from './rate-limit.decorator';
import type { RateLimitDecision, RateLimitStore } from './rate-limit.store';

const WARN_INTERVAL_MS = 60_000;

/**
 * Enforces the route's `@RateLimit(bucket)` for the authenticated credential. List it after the
 * authentication guard (see rate-limit.decorator.ts); it refuses before the handler runs.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly logger = new Logger('RateLimit');
  private lastWarnAt = -Infinity;
  private readonly buckets: Record<RateLimitBucket, RateWindow>;

  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore,
  ) {
    this.buckets = rateLimitBuckets(config);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.config.rateLimits || context.getType() !== 'http') return true;
    const bucket = this.reflector.getAllAndOverride<RateLimitBucket | undefined>(RATE_LIMIT_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    // No bucket: not limited, so the guard may sit on a class whose routes are limited selectively.
    if (bucket === undefined) return true;
    if (!Object.hasOwn(this.buckets, bucket)) {
      throw new Error(`@RateLimit('${String(bucket)}'): unknown bucket; use ${RATE_LIMIT_BUCKET_NAMES.join(', ')}`);
    }
    const http = context.switchToHttp();
    const req = http.getRequest<AuthenticatedRequest>();
    const principal = req.principal;
    if (!principal) return true;

    const { limit, windowMs } = this.buckets[bucket];
    const cost = this.costOf(context, req);
    const decision = await this.decide(rateLimitKey(bucket, principal.credentialId, windowMs), limit, windowMs, cost);
    if (!decision) return true;

    const res = http.getResponse<Response>();
    res.setHeader('X-RateLimit-Limit', String(limit));
    res.setHeader('X-RateLimit-Remaining', String(decision.remaining));
    if (decision.allowed) return true;

    const seconds = retryAfterSeconds(decision.retryAfterMs, windowMs);
    res.setHeader('Retry-After', String(seconds));
    markRateLimited(res, bucket);
    throw new ApiError(429, 'Too many requests', rateLimitExceededText(bucket, limit, windowMs, seconds));
  }

  /** The units the request draws: the route's `@RateLimitCost` (handler, then class), else 1. */
  private costOf(context: ExecutionContext, req: { body?: unknown }): number {
    const cost = this.reflector.getAllAndOverride<RateLimitCostOf | undefined>(RATE_LIMIT_COST_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!cost) return 1;
    try {
      return units(cost(req));
    } catch {
      // A body the cost cannot be read from is refused by the handler; it draws one unit meanwhile.
      return 1;
    }
  }

  /** The store's answer; `null` (let the request through) when it cannot give one. */
  private async decide(key: string, limit: number, windowMs: number, cost: number): Promise<RateLimitDecision | null> {
    try {
      return await this.store.hit(key, limit, windowMs, cost);
    } catch (error) {
      const now = Date.now();
      if (now - this.lastWarnAt >= WARN_INTERVAL_MS) {
        this.lastWarnAt = now;
        this.logger.warn(`Rate-limit store failed (${String(error)}); request let through`);
      }
      return null;
    }
  }
}
