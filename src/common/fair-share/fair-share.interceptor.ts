import { CallHandler, ExecutionContext, Inject, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { finalize, from, mergeMap, Observable } from 'rxjs';
import { hasRole, type Principal } from '../../auth/principal';
import { markRateLimited } from '../../metrics/rate-limited';
import { ApiError } from '../api-error';
import { FAIR_SHARE_EXEMPT } from './fair-share.decorator';
import { TenantBusyError, TenantGate } from './tenant-gate';

export const TENANT_GATE = Symbol('TENANT_GATE');

/** Slots free as soon as one running request ends, so a prompt retry is the right advice. */
const RETRY_AFTER_SECONDS = 1;
const WARN_INTERVAL_MS = 60_000;

interface CallerRequest extends Request {
  principal?: Principal;
  /** Set by the partner sync guard. */
  partner?: { tenantId: string };
}

/**
 * Runs every authenticated request inside its tenant's lane of the `TenantGate`. Interceptors run
 * after guards, so the tenant is known and requests refused by authentication or a rate limit
 * never take a slot. A request that finds its lane full and its queue full, or that waits too
 * long, answers 429 with `Retry-After` in the door's own error format. Requests without a
 * tenant (health, `/oauth/token`, the operator page) and `@FairShareExempt()` routes pass untouched.
 */
@Injectable()
export class FairShareInterceptor implements NestInterceptor {
  private readonly logger = new Logger('FairShare');
  private lastWarnAt = -Infinity;

  constructor(
    @Inject(TENANT_GATE) private readonly gate: TenantGate | null,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.gate || context.getType() !== 'http') return next.handle();
    const exempt = this.reflector.getAllAndOverride<boolean | undefined>(FAIR_SHARE_EXEMPT, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (exempt) return next.handle();
    const req = context.switchToHttp().getRequest<CallerRequest>();
    const tenantId = laneOf(req);
    if (tenantId === undefined) return next.handle();
    const gate = this.gate;
    // A free slot (the common case) is taken synchronously: no promise and no extra operator per request.
    const admitted = gate.tryAcquire(tenantId);
    if (admitted) return next.handle().pipe(finalize(admitted));
    return from(this.enter(gate, tenantId, context.switchToHttp().getResponse<Response>())).pipe(
      mergeMap((release) => next.handle().pipe(finalize(release))),
    );
  }

  private async enter(gate: TenantGate, tenantId: string, res: Response): Promise<() => void> {
    try {
      return await gate.acquire(tenantId);
    } catch (error) {
      if (!(error instanceof TenantBusyError)) throw error;
      this.warn(tenantId, error);
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      markRateLimited(res, 'tenant_concurrency');
      throw new ApiError(429, 'Too many requests', error.message);
    }
  }

  private warn(tenantId: string, error: TenantBusyError): void {
    const now = Date.now();
    if (now - this.lastWarnAt < WARN_INTERVAL_MS) return;
    this.lastWarnAt = now;
    this.logger.warn(`Tenant ${tenantId} refused a request (${error.reason}); its lane holds ${error.concurrency}`);
  }
}

/** Operators span all tenants: their lane is their own, never the lane of the tenant that holds the admin credential. */
function laneOf(req: CallerRequest): string | undefined {
  if (req.principal) return hasRole(req.principal.roles, 'ADMIN') ? 'operators' : `tenant:${req.principal.tenantId}`;
  return req.partner ? `tenant:${req.partner.tenantId}` : undefined;
}
