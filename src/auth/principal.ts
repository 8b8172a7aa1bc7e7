import type { Request } from 'express';
import type { CredentialKind, Role } from './entities/credential.entity';

/** Who is calling: the credential that authenticated the request. */
export interface Principal {
  credentialId: string;
  /** The credential's name (loaded with it): change events say who made a change by it. */
  credentialName: string;
  /** Null for operator credentials (ADMIN), which belong to no tenant. */
  tenantId: string | null;
  kind: CredentialKind;
  roles: Role[];
  /** How it authenticated: the stored secret itself, or a JWT this service issued for it. */
  via: 'secret' | 'jwt';
}

/** A caller of a tenant's door (provisioning, SCIM, partner): always of one tenant. */
export interface TenantPrincipal extends Principal {
  tenantId: string;
}

export function isTenantPrincipal(principal: Principal): principal is TenantPrincipal {
  return principal.tenantId !== null;
}

export interface AuthenticatedRequest extends Request {
  principal?: Principal;
}

/** PROVISIONING_UPDATE grants everything PROVISIONING_SEARCH grants (seed 000 polls with it). */
export function hasRole(granted: readonly Role[], required: Role): boolean {
  if (granted.includes(required)) return true;
  return required === 'PROVISIONING_SEARCH' && granted.includes('PROVISIONING_UPDATE');
}
