/*
 * Rate limits per credential (seed 004, "Rate Limits"). Usage on a route:
 *
 *   import { ProvisioningAuthGuard } from '../auth/provisioning-auth.guard';
 *   import { RateLimit, RateLimitGuard } from '../common/rate-limit';
 *
 *   @Post('api/provisioning/iam/checkpoint')
 *   @UseGuards(ProvisioningAuthGuard, RateLimitGuard) // the auth guard FIRST: it puts req.principal
 *   @RequireRoles('PROVISIONING_UPDATE')
 *   @RateLimit('checkpoint') // or 'list' (list transactions), 'sync' (queue items, direct writes)
 *   checkpoint(...) {}
 *
 * Both may also go on the controller class: `@UseGuards(ProvisioningAuthGuard, RateLimitGuard)`
 * on the class limits exactly the routes that carry `@RateLimit` (on the method, or on the class
 * for all of them; a method's own bucket wins). A route under the guard without `@RateLimit` is
 * not limited. Guards listed on the class run before those on the method, so the auth guard on
 * the class and `RateLimitGuard` on the method works too; the reverse does not.
 *
 * Behaviour: counted per `req.principal.credentialId` (never per IP) in a sliding window of one
 * minute shared by every instance through Redis when REDIS_URL is set (else in this process).
 * Every limited answer carries `X-RateLimit-Limit` and `X-RateLimit-Remaining`; over the limit
 * the guard answers 429 in the provisioning envelope with a plain `Retry-After: <seconds>` before
 * the handler runs. No principal (a route without an auth guard): not limited. RATE_LIMITS=off
 * or Redis unreachable: not limited. `RateLimitModule` is global, so no module import is needed.
 */
import { SetMetadata } from '@nestjs/common';
import { RATE_LIMIT_METADATA, RateLimitBucket } from './rate-limit.constants';

/** Which seed-004 budget the route draws from; enforced by `RateLimitGuard`. */
export const RateLimit = (bucket: RateLimitBucket): MethodDecorator & ClassDecorator =>
  SetMetadata(RATE_LIMIT_METADATA, bucket);

/** Route metadata key set by `@RateLimitCost(cost)`. */
export const RATE_LIMIT_COST_METADATA = 'idp:rateLimitCost';

/**
 * How many units of its bucket one request draws (default 1): a SCIM bulk draws one per
 * operation, so that a thousand writes cost the same sent one by one or in one request.
 * `RateLimitGuard` reads it (method, then class) and draws `max(1, floor(cost(req)))` units at
 * once: the request passes when they all fit in what the window has left, else 429 and nothing
 * is drawn. A cost function that throws counts as 1.
 */
export type RateLimitCostOf = (req: { body?: unknown }) => number;

export const RateLimitCost = (cost: RateLimitCostOf): MethodDecorator & ClassDecorator =>
  SetMetadata(RATE_LIMIT_COST_METADATA, cost);
