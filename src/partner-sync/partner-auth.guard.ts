import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { Request } from 'express';
import { bearerToken } from '../auth/bearer';
import { CredentialsService } from '../auth/credentials.service';
import { ApiError } from '../common/api-error';
import { TenantsService } from '../directory/tenants.service';

/** The tenant a verified partner token speaks for. */
export interface PartnerCaller {
  tenantId: string;
  orgCode: string;
  /** The PARTNER_SECRET credential whose secret signed the token. */
  credentialId: string;
}

interface PartnerRequest extends Request {
  partner?: PartnerCaller;
}

const NO_TOKEN = 'No authorization token provided';
const REFUSED = 'Invalid or expired token';

/**
 * Partner sync (seed 002): `Authorization: Bearer <JWT>`, HS256 with the partner secret of the
 * tenant whose org code the token claims, `exp` required, and that org code on every user. The
 * unverified payload only chooses which secret to verify with; nothing in it is trusted before.
 * Every refusal answers the same 403, so a caller cannot tell an unknown org code from a bad key.
 */
@Injectable()
export class PartnerAuthGuard implements CanActivate {
  private readonly jwt = new JwtService();

  constructor(
    private readonly tenants: TenantsService,
    private readonly credentials: CredentialsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<PartnerRequest>();
    const bearer = bearerToken(req);
    if ('problem' in bearer) throw ApiError.unauthorized(NO_TOKEN);
    const caller = await this.verify(bearer.token);
    if (!caller || !orgCodesMatch(req.body, caller.orgCode)) throw ApiError.forbidden(REFUSED);
    req.partner = caller;
    return true;
  }

  private async verify(token: string): Promise<PartnerCaller | null> {
    const claimed = this.unverifiedOrgCode(token);
    if (!claimed) return null;
    const tenant = await this.tenants.findByOrgCode(claimed);
    const key = tenant && (await this.credentials.partnerKey(tenant.id));
    if (!tenant || !key) return null;
    try {
      // Pinned to HS256: `alg: none` and every other algorithm are refused by the verifier.
      const claims = await this.jwt.verifyAsync<Record<string, unknown>>(token, {
        secret: key.secret,
        algorithms: ['HS256'],
      });
      if (typeof claims.exp !== 'number' || claims.orgCode !== tenant.orgCode) return null;
    } catch {
      return null;
    }
    return { tenantId: tenant.id, orgCode: claimed, credentialId: key.credentialId };
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
