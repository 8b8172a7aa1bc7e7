import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Role } from './entities/credential.entity';
import { ApiError } from '../common/api-error';
import { type AuthenticatedRequest, isTenantPrincipal, type TenantPrincipal } from './principal';

export const REQUIRED_ROLES = 'requiredRoles';

/** Roles the route needs, checked by the route's guard after it authenticates the caller. */
export const RequireRoles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_ROLES, roles);

/** The authenticated caller of a tenant's door, put on the request by the route's guard. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): TenantPrincipal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without an authentication guard');
  // Operator credentials belong to no tenant: they have no tenant's door to use.
  if (!isTenantPrincipal(principal)) throw ApiError.forbidden('An operator credential belongs to no tenant');
  return principal;
});
