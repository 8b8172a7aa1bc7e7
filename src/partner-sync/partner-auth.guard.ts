import { CanActivate, createParamDecorator, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import type { Request } from 'express';
import { AuthFailure, jwtFailure, refuse } from '../auth/auth-failure';
import { bearerToken } from '../auth/bearer';
import { CredentialsService } from '../auth/credentials.service';
import { ApiError } from '../common/api-error';
import { labelChanges } from '../events/capture/change-actor';
import { TenantsService } from '../directory/tenants.service';

/** The tenant a verified partner token speaks for. */
export interface PartnerCaller {
  tenantId: string;
  orgCode: string;
  /** The PARTNER_SECRET credential whose secret signed the token. */
  credentialId: string;
  credentialName: string;
}

interface PartnerRequest extends Request {
  partner?: PartnerCaller;
}

const NO_TOKEN = 'No authorization token provided';
const REFUSED = 'Invalid or expired token';

/** A partner token lives at most this long, counted from `iat` and from now. */
export const PARTNER_TOKEN_MAX_LIFETIME_SECONDS = 3600;
/** Tolerated difference between the partner's clock and ours, for the lifetime limits (expiry is exact). */
export const PARTNER_CLOCK_SKEW_SECONDS = 60;
/** Looked up for an unknown org code, so the lookup runs and finds nothing, as for a tenant without a key. */
const NO_TENANT = '';

/**
 * Partner sync (seed 002): `Authorization: Bearer <JWT>`, HS256 with the partner secret of the
 * tenant whose org code the token claims, `exp` required, and that org code on every user. The
 * unverified payload only chooses which secret to verify with; nothing in it is trusted before.
 * Every refusal answers the same 403, so a caller cannot tell an unknown org code from a bad key;
 * the reason goes to the request log (`auth_failure`) and the debug log only. An unknown org code takes the same steps as a known one
 * (the key lookup, a signature check against a stand-in key), so timing does not tell them apart.
 */
@Injectable()
export class PartnerAuthGuard implements CanActivate {
  private readonly jwt = new JwtService();
  private readonly logger = new Logger('PartnerAuth');
  /** Never a partner's: no token can verify against it. */
  private readonly standInKey = randomBytes(32).toString('base64url');

  constructor(
    private readonly tenants: TenantsService,
    private readonly credentials: CredentialsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<PartnerRequest>();
    const bearer = bearerToken(req);
    if ('problem' in bearer) refuse(req, bearer.failure, ApiError.unauthorized(NO_TOKEN));
    const caller = await this.verify(bearer.token);
    if (typeof caller === 'string') refuse(req, caller, ApiError.forbidden(REFUSED));
    if (!orgCodesMatch(req.body, caller.orgCode)) refuse(req, 'org_code_mismatch', ApiError.forbidden(REFUSED));
    req.partner = caller;
    labelChanges('partner', caller);
    this.credentials.noteUse(caller.credentialId, 'partner');
    return true;
  }

  private async verify(token: string): Promise<PartnerCaller | AuthFailure> {
    const claimed = this.unverifiedOrgCode(token);
    if (!claimed) return this.refuse('malformed_token', 'not a JWT with an orgCode claim');
    const tenant = await this.tenants.findByOrgCode(claimed);
    const key = await this.credentials.partnerKey(tenant?.id ?? NO_TENANT);
    let claims: Record<string, unknown> | AuthFailure;
    try {
      // Pinned to HS256: `alg: none` and every other algorithm are refused by the verifier.
      claims = await this.jwt.verifyAsync<Record<string, unknown>>(token, {
        secret: tenant && key ? key.secret : this.standInKey,
        algorithms: ['HS256'],
      });
    } catch (error) {
      claims = jwtFailure(error);
      if (tenant && key) return this.refuse(claims, error instanceof Error ? error.message : 'signature');
    }
    if (!tenant || !key) return this.refuse('unknown_org', 'unknown org code, or no partner secret');
    if (typeof claims === 'string') return claims;
    const problem = lifetimeProblem(claims, Date.now() / 1000);
    if (problem) return this.refuse('invalid_claims', problem);
    if (claims.orgCode !== tenant.orgCode) return this.refuse('unknown_org', 'orgCode differs from the tenant');
    return {
      tenantId: tenant.id,
      orgCode: claimed,
      credentialId: key.credentialId,
      credentialName: key.credentialName,
    };
  }

  private refuse(failure: AuthFailure, reason: string): AuthFailure {
    this.logger.debug(`Partner token refused: ${reason}`);
    return failure;
  }

  private unverifiedOrgCode(token: string): string | null {
    try {
      const payload: unknown = this.jwt.decode(token);
      const orgCode =
        typeof payload === 'object' && payload !== null ? (payload as { orgCode?: unknown }).orgCode : null;
      return typeof orgCode === 'string' && orgCode !== '' ? orgCode : null;
    } catch {
      return null;
    }
  }
}

/** `exp` is required, and a token may not be valid for more than an hour (from `iat` or from now). */
export function lifetimeProblem(claims: Record<string, unknown>, nowSeconds: number): string | null {
  const { exp, iat } = claims;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return 'exp missing';
  if (iat !== undefined && (typeof iat !== 'number' || !Number.isFinite(iat))) return 'iat not a number';
  if (typeof iat === 'number' && exp - iat > PARTNER_TOKEN_MAX_LIFETIME_SECONDS) return 'exp more than 1 h after iat';
  if (typeof iat === 'number' && iat > nowSeconds + PARTNER_CLOCK_SKEW_SECONDS) return 'iat in the future';
  if (exp > nowSeconds + PARTNER_TOKEN_MAX_LIFETIME_SECONDS + PARTNER_CLOCK_SKEW_SECONDS) {
    return 'exp more than 1 h from now';
  }
  return null;
}

/**
 * The token's org code must be every user's. Items that are not objects are left to validation
 * (they fail on their own); a body without a users array is left to the 400 that follows.
 */
function orgCodesMatch(body: unknown, orgCode: string): boolean {
  const users = typeof body === 'object' && body !== null ? (body as { users?: unknown }).users : undefined;
  if (!Array.isArray(users)) return true;
  return users.every(
    (user) => typeof user !== 'object' || user === null || (user as { orgCode?: unknown }).orgCode === orgCode,
  );
}

/** The caller the guard verified. */
export const CurrentPartner = createParamDecorator((_: unknown, context: ExecutionContext): PartnerCaller => {
  const partner = context.switchToHttp().getRequest<PartnerRequest>().partner;
  if (!partner) throw ApiError.unauthorized(NO_TOKEN);
  return partner;
});
