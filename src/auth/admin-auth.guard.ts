import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ApiError } from '../common/api-error';
import { bearerToken } from './bearer';
import { CredentialsService } from './credentials.service';
import { AuthenticatedRequest, hasRole, Principal } from './principal';
import { looksLikeJwt, TokenService } from './token.service';

/** Operators: the admin token, or a JWT of an OAuth client holding ADMIN. Spans all tenants. */
@Injectable()
export class AdminAuthGuard implements CanActivate {
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
    if (!hasRole(principal.roles, 'ADMIN')) throw ApiError.forbidden('Missing required role: ADMIN');
    req.principal = principal;
    return true;
  }

  private authenticate(token: string): Promise<Principal | null> {
    return looksLikeJwt(token) ? this.tokens.verify(token) : this.credentials.authenticateSecret(token);
  }
}
