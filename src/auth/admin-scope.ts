import { ApiError } from '../common/api-error';
import { DomainError } from '../common/domain-error';
import type { AuthenticatedRequest } from './principal';

/**
 * How far an operator sees: an ADMIN spans all tenants, a TENANT_ADMIN only the tenant it was issued under.
 * Set by the AdminAuthGuard on every admin request; routes narrow their reads and writes through the helpers below.
 */
export type AdminScope = { kind: 'all' } | { kind: 'tenant'; tenantId: string };

/** A tenant id no tenant can have (ids start with a letter or digit): a filter that matches nothing. */
export const NO_TENANT = '-none-';

const SCOPES = new WeakMap<AuthenticatedRequest, AdminScope>();

/** Called by the guard once the principal is known. */
export function setAdminScope(req: AuthenticatedRequest, scope: AdminScope): void {
  SCOPES.set(req, scope);
}

/** The scope the guard recorded; a request that never went through it sees nothing beyond its principal's tenant. */
export function adminScope(req: AuthenticatedRequest): AdminScope {
  const scope = SCOPES.get(req);
  if (scope) return scope;
  const tenantId = req.principal?.tenantId;
  if (tenantId) return { kind: 'tenant', tenantId };
  throw ApiError.forbidden('Missing required role: ADMIN');
}

export function canSeeTenant(scope: AdminScope, tenantId: string | null): boolean {
  if (scope.kind === 'all') return true;
  return tenantId !== null && tenantId === scope.tenantId;
}

/** Another tenant's id answers exactly as a missing tenant does, so ids of other tenants cannot be probed. */
export function requireVisibleTenant(scope: AdminScope, tenantId: string): void {
  if (!canSeeTenant(scope, tenantId)) throw tenantNotFound(tenantId);
}

export function requireAllTenants(scope: AdminScope): void {
  if (scope.kind !== 'all') throw ApiError.forbidden('Missing required role: ADMIN');
}

/** For 'all': the requested tenant (or none); for 'tenant': its own, and a requested other tenant matches nothing. */
export function scopedTenantFilter(scope: AdminScope, requested?: string): string | undefined {
  if (scope.kind === 'all') return requested;
  if (requested !== undefined && requested !== '' && requested !== scope.tenantId) return NO_TENANT;
  return scope.tenantId;
}

/** The 404 of TenantsService for an unknown id, word for word. */
export function tenantNotFound(tenantId: string): DomainError {
  return DomainError.notFound(`Tenant '${tenantId}' not found`);
}
