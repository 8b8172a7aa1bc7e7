import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { AppConfig, RateWindow } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ApiError } from '../common/api-error';
import { RATE_LIMIT_STORE, rateLimitKey, retryAfterSeconds } from '../common/rate-limit';
import type { RateLimitDecision, RateLimitStore } from '../common/rate-limit';

const WARN_INTERVAL_MS = 60_000;
const MAX_RAW_KEY_PART = 128;

/** Seconds to wait before the next attempt, when one of the budgets is spent. */
export type GuessingVerdict =
  { allowed: true } | { allowed: false; retryAfterSeconds: number; by: 'client' | 'address' };

/**
 * Against secret guessing on `/oauth/token`: only failed attempts count, per client id
 * (RATE_LIMIT_OAUTH_CLIENT_FAILURES) and per client address (RATE_LIMIT_OAUTH_ADDRESS_FAILURES).
 * Both budgets are checked before the secret is, so a caller over either one learns nothing
 * about its guess, not even with the right secret. A client that authenticates is never slowed.
 * Shared by the fleet through the rate-limit store; when it cannot answer, attempts pass.
 */
@Injectable()
export class OAuthGuessingLimiter {
  private readonly logger = new Logger('RateLimit');
  private lastWarnAt = -Infinity;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore,
  ) {}

  async check(clientId: string | null, address: string | undefined): Promise<GuessingVerdict> {
    if (!this.config.rateLimits) return { allowed: true };
    const budgets = this.budgets(clientId, address);
    const decisions = await Promise.all(
      budgets.map(({ key, window }) => this.ask(() => this.store.peek(key, window.limit, window.windowMs))),
    );
    for (const [index, { by, window }] of budgets.entries()) {
      const decision = decisions[index];
      if (decision && !decision.allowed) {
        return { allowed: false, by, retryAfterSeconds: retryAfterSeconds(decision.retryAfterMs, window.windowMs) };
      }
    }
    return { allowed: true };
  }

  async recordFailure(clientId: string | null, address: string | undefined): Promise<void> {
    if (!this.config.rateLimits) return;
    await Promise.all(
      this.budgets(clientId, address).map(({ key, window }) =>
        this.ask(() => this.store.hit(key, window.limit, window.windowMs)),
      ),
    );
  }

  /** The 429 for a spent budget, in the token endpoint's error shape once the filter renders it. */
  static refusal(verdict: { retryAfterSeconds: number; by: 'client' | 'address' }): ApiError {
    const unit = verdict.retryAfterSeconds === 1 ? 'second' : 'seconds';
    return new ApiError(
      429,
      'Too many requests',
      `Too many failed attempts for this ${verdict.by === 'client' ? 'client id' : 'client address'}; retry after ${verdict.retryAfterSeconds} ${unit}`,
    );
  }

  /** Client budget first, address second; a missing part (no client id sent) has no budget. */
  private budgets(
    clientId: string | null,
    address: string | undefined,
  ): Array<{ by: 'client' | 'address'; key: string; window: RateWindow }> {
    const { oauthClientFailures, oauthAddressFailures } = this.config.fairShare;
    const budget = (by: 'client' | 'address', bucket: string, part: string | null | undefined, window: RateWindow) =>
      part ? [{ by, key: rateLimitKey(bucket, keyPart(part), window.windowMs), window }] : [];
    return [
      ...budget('client', 'oauth-client-failures', clientId, oauthClientFailures),
      ...budget('address', 'oauth-address-failures', address, oauthAddressFailures),
    ];
  }

  private async ask(call: () => Promise<RateLimitDecision | null>): Promise<RateLimitDecision | null> {
    try {
      return await call();
    } catch (error) {
      const now = Date.now();
      if (now - this.lastWarnAt >= WARN_INTERVAL_MS) {
        this.lastWarnAt = now;
        this.logger.warn(`Rate-limit store failed (${String(error)}); token attempt let through`);
      }
      return null;
    }
  }
}

/** A client id is the caller's choice: a long one is hashed so it cannot blow up the store's keys. */
function keyPart(value: string): string {
  if (value.length <= MAX_RAW_KEY_PART && !/[\s:]/.test(value)) return value;
  return `sha256-${createHash('sha256').update(value).digest('hex')}`;
}
