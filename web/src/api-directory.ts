/** The directory browser's and identity-provider setup's calls (console design §3). */
import type { Api, Page } from './api';

export interface DepartmentNode {
  id: string;
  name: string;
  externalId: string | null;
  parentId: string | null;
  childCount: number;
  userCount: number;
  active: boolean;
}

export interface UserSummary {
  id: string;
  userName: string;
  displayName: string | null;
  email: string | null;
  externalId: string | null;
  active: boolean;
  createdBy: string;
  changedBy: string;
  updatedOn: string;
}

export interface UserDetail extends UserSummary {
  givenName: string | null;
  familyName: string | null;
  phoneNumber: string | null;
  role: string | null;
  metadata: Record<string, unknown> | null;
  attributes: Record<string, unknown>;
  createdOn: string;
  assignments: { departmentId: string; departmentName: string; userTypeId: string; userTypeName: string | null }[];
  requestLogs: {
    id: string;
    time: string;
    method: string;
    path: string;
    status: number;
    correlationId: string | null;
  }[];
}

/** One change of a resource, as the history answers it (src/events/feed/change-view.ts). */
export interface ChangeEntry {
  seq: string;
  eventId: string;
  type: 'create' | 'patch' | 'delete' | 'activate' | 'deactivate';
  resourceType: 'user' | 'department' | 'assignment';
  resourceId: string;
  userId?: string;
  userTypeId?: string;
  externalId: string | null;
  version: number | null;
  attributes: string[];
  data?: unknown;
  door: string;
  credential: { id: string; name: string | null } | null;
  correlationId: string | null;
  transactionId: string | null;
  occurredOn: string;
}

export interface UserSearch {
  search?: string;
  filter?: string;
  departmentId?: string;
  page?: number;
  pageSize?: number;
}

export interface IdpMapping {
  source: string;
  target: string;
  note?: string;
}

export interface IdpGuide {
  steps: string[];
  mappings: IdpMapping[];
}

export interface IdpSetup {
  scimBaseUrl: string;
  tokenEndpoint: string;
  credentials: { id: string; name: string; kind: string; lastUsedAt: string | null }[];
  entra: IdpGuide;
  okta: IdpGuide;
}

export interface IdpCheck {
  name: string;
  method: string;
  path: string;
  status: number | null;
  durationMs: number;
  ok: boolean;
  detail: string;
}

export type IdpTestRequest = { token: string } | { clientId: string; clientSecret: string };

const tenantPath = (tenantId: string, rest: string): string =>
  `/api/admin/tenants/${encodeURIComponent(tenantId)}/${rest}`;

export const departmentLevel = (
  api: Api,
  tenantId: string,
  parentId: string | null,
  page: number,
  signal?: AbortSignal,
): Promise<Page<DepartmentNode>> =>
  api.get(tenantPath(tenantId, 'departments'), { parentId: parentId ?? undefined, page, pageSize: 100 }, signal);

export const searchUsers = (api: Api, tenantId: string, query: UserSearch, signal?: AbortSignal) =>
  api.get<Page<UserSummary>>(tenantPath(tenantId, 'users'), { ...query }, signal);

export const userDetail = (api: Api, tenantId: string, userId: string, signal?: AbortSignal) =>
  api.get<UserDetail>(tenantPath(tenantId, `users/${encodeURIComponent(userId)}`), undefined, signal);

export const userHistory = (api: Api, tenantId: string, userId: string, page: number, signal?: AbortSignal) =>
  api.get<Page<ChangeEntry>>(
    tenantPath(tenantId, `users/${encodeURIComponent(userId)}/history`),
    { page, pageSize: 20 },
    signal,
  );

export const idpSetup = (api: Api, tenantId: string, signal?: AbortSignal) =>
  api.get<IdpSetup>(tenantPath(tenantId, 'identity-providers'), undefined, signal);

export const testIdpConnection = (api: Api, tenantId: string, body: IdpTestRequest) =>
  api.send<{ ok: boolean; checks: IdpCheck[] }>('POST', tenantPath(tenantId, 'identity-providers/test'), body);
