import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiError } from '../common/api-error';
import { CredentialsService } from './credentials.service';
import type { Role } from './entities/credential.entity';
import { AuthenticatedRequest, hasRole } from './principal';
import { REQUIRED_ROLES } from './roles.decorator';

/** Provisioning API and jobs: `auth-tenant-id` + `auth-token` (an API token of that tenant). */
@Injectable()
export class ProvisioningAuthGuard implements CanActivate {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const tenantId = req.header('auth-tenant-id');
    const token = req.header('auth-token');
    if (!tenantId || !token) throw ApiError.unauthorized('Invalid or missing auth-token');
    const principal = await this.credentials.authenticateSecret(token);
    if (!principal) throw ApiError.unauthorized('Invalid or missing auth-token');
    if (principal.tenantId !== tenantId)
      throw ApiError.forbidden('The auth-token does not belong to the tenant in auth-tenant-id');
    assertRoles(this.reflector, context, principal.roles);
    req.principal = principal;
    return true;
  }
}

export function assertRoles(reflector: Reflector, context: ExecutionContext, granted: Role[]): void {
  const required =
    reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, [context.getHandler(), context.getClass()]) ?? [];
  const missing = required.find((role) => !hasRole(granted, role));
  if (missing) throw ApiError.forbidden(`Missing required role: ${missing}`);
}
