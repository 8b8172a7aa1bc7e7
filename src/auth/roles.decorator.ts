import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Role } from './entities/credential.entity';
import type { AuthenticatedRequest, Principal } from './principal';

export const REQUIRED_ROLES = 'requiredRoles';

/** Roles the route needs, checked by the route's guard after it authenticates the caller. */
export const RequireRoles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_ROLES, roles);

/** The authenticated caller, put on the request by the route's guard. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without an authentication guard');
  return principal;
});
