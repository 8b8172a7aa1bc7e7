import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ApiError } from '../common/api-error';
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
    if ('problem' in bearer) throw ApiError.unauthorized(bearer.problem);
    const principal = await this.authenticate(bearer.token);
    if (!principal) throw ApiError.unauthorized('Invalid, expired or revoked bearer token');
    if (!hasRole(principal.roles, 'SCIM')) throw ApiError.forbidden('Missing required role: SCIM');
    const scopedTenant = req.params?.tenantId;
    if (scopedTenant !== undefined && scopedTenant !== principal.tenantId) {
      throw ApiError.forbidden('The bearer token does not belong to this tenant endpoint');
    }
    req.principal = principal;
    return true;
  }

  private authenticate(token: string): Promise<Principal | null> {
    return looksLikeJwt(token) ? this.tokens.verify(token) : this.credentials.authenticateSecret(token);
  }
}
