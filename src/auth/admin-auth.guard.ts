import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ApiError } from '../common/api-error';
import { labelChanges } from '../events/capture/change-actor';
import { AuthFailure, refuse } from './auth-failure';
import { AdminScope, setAdminScope } from './admin-scope';
import { bearerToken } from './bearer';
import { CredentialsService } from './credentials.service';
import { AuthenticatedRequest, hasRole, Principal } from './principal';
import { looksLikeJwt, TokenService } from './token.service';

/**
 * Operators: an admin token or a JWT of an OAuth client holding ADMIN (all tenants), or a credential holding
 * TENANT_ADMIN (only the tenant it was issued under).
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
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
    const scope = scopeOf(principal);
    if (!scope) refuse(req, 'insufficient_role', ApiError.forbidden('Missing required role: ADMIN'));
    req.principal = principal;
    labelChanges('admin', principal);
    setAdminScope(req, scope);
    this.credentials.noteUse(principal.credentialId, 'admin');
    return true;
  }

  private async authenticate(token: string): Promise<Principal | AuthFailure> {
    if (looksLikeJwt(token)) return this.tokens.check(token);
    return (await this.credentials.authenticateSecret(token)) ?? 'unknown_credential';
  }
}

/** ADMIN wins over TENANT_ADMIN; neither: not an operator. */
export function scopeOf(principal: Principal): AdminScope | null {
  if (hasRole(principal.roles, 'ADMIN')) return { kind: 'all' };
  if (hasRole(principal.roles, 'TENANT_ADMIN') && principal.tenantId) {
    return { kind: 'tenant', tenantId: principal.tenantId };
  }
  return null;
}
