import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiError } from '../common/api-error';
import { labelChanges } from '../events/capture/change-actor';
import { refuse } from './auth-failure';
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
    if (!tenantId || !token) {
      refuse(req, 'missing_credentials', ApiError.unauthorized('Invalid or missing auth-token'));
    }
    const principal = await this.credentials.authenticateSecret(token);
    if (!principal) refuse(req, 'unknown_credential', ApiError.unauthorized('Invalid or missing auth-token'));
    if (principal.tenantId !== tenantId) {
      refuse(req, 'wrong_tenant', ApiError.forbidden('The auth-token does not belong to the tenant in auth-tenant-id'));
    }
    const missing = missingRole(this.reflector, context, principal.roles);
    if (missing) refuse(req, 'insufficient_role', ApiError.forbidden(`Missing required role: ${missing}`));
    req.principal = principal;
    labelChanges('direct', principal);
    this.credentials.noteUse(principal.credentialId, 'provisioning');
    return true;
  }
}

/** The first role the route requires (@Roles) that `granted` lacks. */
function missingRole(reflector: Reflector, context: ExecutionContext, granted: Role[]): Role | undefined {
  const required =
    reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, [context.getHandler(), context.getClass()]) ?? [];
  return required.find((role) => !hasRole(granted, role));
}
