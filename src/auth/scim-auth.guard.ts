import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ApiError } from '../common/api-error';
import { labelChanges } from '../events/capture/change-actor';
import { AuthFailure, refuse } from './auth-failure';
import { bearerToken } from './bearer';
import { CredentialsService } from './credentials.service';
import { AuthenticatedRequest, hasRole, Principal } from './principal';
import { looksLikeJwt, TokenService } from './token.service';

/**
 * SCIM: `Authorization: Bearer` with the tenant's shared secret or a JWT from `/oauth/token`.
 * Under `/scim/endpoints/{tenantId}` the credential must belong to that tenant.
 */
@Injectable()
export class ScimAuthGuard implements CanActivate {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly tokens: TokenService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const bearer = bearerToken(req);
    if ('problem' in bearer) refuse(req, bearer.failure, ApiError.unauthorized(bearer.problem));
    const principal = await this.authenticate(bearer.token);
    if (typeof principal === 'string') {
      refuse(req, principal, ApiError.unauthorized('Invalid, expired or revoked bearer token'));
    }
    if (!hasRole(principal.roles, 'SCIM') || principal.tenantId === null) {
      refuse(req, 'insufficient_role', ApiError.forbidden('Missing required role: SCIM'));
    }
    const scopedTenant = req.params?.tenantId;
    if (scopedTenant !== undefined && scopedTenant !== principal.tenantId) {
      refuse(req, 'wrong_tenant', ApiError.forbidden('The bearer token does not belong to this tenant endpoint'));
    }
    req.principal = principal;
    labelChanges('scim', principal);
    this.credentials.noteUse(principal.credentialId, 'scim');
    return true;
  }

  private async authenticate(token: string): Promise<Principal | AuthFailure> {
    if (looksLikeJwt(token)) return this.tokens.check(token);
    return (await this.credentials.authenticateSecret(token)) ?? 'unknown_credential';
  }
}
