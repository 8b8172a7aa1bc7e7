import type { Api } from './api';

/** A tenant as the admin API answers it (`AdminTenant`). */
export interface TenantDetail {
  id: string;
  name: string;
  orgCode: string | null;
  locale: string;
  timeZone: string;
  createdOn: string;
  updatedOn: string;
}

export type CredentialKind = 'API_TOKEN' | 'SCIM_SECRET' | 'OAUTH_CLIENT' | 'PARTNER_SECRET' | 'ADMIN_TOKEN';
export type CredentialDoor = 'scim' | 'provisioning' | 'partner' | 'admin' | 'oauth' | 'metrics';

/** `AdminCredential`: a tenant's credential, or an operator's (tenantId null). */
export interface Credential {
  id: string;
  tenantId: string | null;
  kind: CredentialKind;
  name: string;
  roles: string[];
  clientId: string | null;
  bootstrap: boolean;
  createdOn: string;
  revokedOn: string | null;
  lastUsedAt: string | null;
  lastUsedDoor: CredentialDoor | null;
}

export interface IssuedCredential extends Credential {
  /** Shown this once. */
  secret: string;
}

export interface UserType {
  id: string;
  name: string;
  createdOn: string;
  updatedOn: string;
}

/** The roles each kind may carry under a tenant (`ADMIN` is issued only outside tenants). */
export const TENANT_KIND_ROLES: Record<CredentialKind, readonly string[]> = {
  API_TOKEN: ['PROVISIONING_UPDATE', 'PROVISIONING_SEARCH'],
  SCIM_SECRET: ['SCIM'],
  OAUTH_CLIENT: ['SCIM', 'TENANT_ADMIN'],
  PARTNER_SECRET: [],
  ADMIN_TOKEN: ['TENANT_ADMIN'],
};

export const CREDENTIAL_KINDS = Object.keys(TENANT_KIND_ROLES) as CredentialKind[];

export const OPERATOR_KINDS = ['ADMIN_TOKEN', 'OAUTH_CLIENT'] as const;

export interface TenantChanges {
  name?: string;
  orgCode?: string | null;
  locale?: string;
  timeZone?: string;
}

const tenantPath = (tenantId: string): string => `/api/admin/tenants/${encodeURIComponent(tenantId)}`;

export const listTenants = (api: Api, signal?: AbortSignal) =>
  api.get<{ items: TenantDetail[]; total: number }>('/api/admin/tenants', undefined, signal);
export const getTenant = (api: Api, tenantId: string, signal?: AbortSignal) =>
  api.get<TenantDetail>(tenantPath(tenantId), undefined, signal);
export const createTenant = (api: Api, tenant: { id: string } & TenantChanges) =>
  api.send<TenantDetail>('POST', '/api/admin/tenants', tenant);
export const updateTenant = (api: Api, tenantId: string, changes: TenantChanges) =>
  api.send<TenantDetail>('PATCH', tenantPath(tenantId), changes);

export const listCredentials = (api: Api, tenantId: string, signal?: AbortSignal) =>
  api.get<{ items: Credential[]; total: number }>(`${tenantPath(tenantId)}/credentials`, undefined, signal);
export const issueCredential = (
  api: Api,
  tenantId: string,
  request: { kind: CredentialKind; name: string; roles?: string[]; clientId?: string },
) => api.send<IssuedCredential>('POST', `${tenantPath(tenantId)}/credentials`, request);
export const revokeCredential = (api: Api, tenantId: string, credentialId: string) =>
  api.send<void>('DELETE', `${tenantPath(tenantId)}/credentials/${encodeURIComponent(credentialId)}`);

export const listOperatorCredentials = (api: Api, signal?: AbortSignal) =>
  api.get<{ items: Credential[]; total: number }>('/api/admin/credentials', undefined, signal);
export const issueOperatorCredential = (api: Api, request: { kind: (typeof OPERATOR_KINDS)[number]; name: string }) =>
  api.send<IssuedCredential>('POST', '/api/admin/credentials', request);
export const revokeOperatorCredential = (api: Api, credentialId: string) =>
  api.send<void>('DELETE', `/api/admin/credentials/${encodeURIComponent(credentialId)}`);

export const listUserTypes = (api: Api, tenantId: string, signal?: AbortSignal) =>
  api.get<{ items: UserType[]; total: number }>(`${tenantPath(tenantId)}/user-types`, undefined, signal);
export const createUserType = (api: Api, tenantId: string, userType: { id: string; name: string }) =>
  api.send<UserType>('POST', `${tenantPath(tenantId)}/user-types`, userType);
export const renameUserType = (api: Api, tenantId: string, userTypeId: string, name: string) =>
  api.send<UserType>('PATCH', `${tenantPath(tenantId)}/user-types/${encodeURIComponent(userTypeId)}`, { name });
