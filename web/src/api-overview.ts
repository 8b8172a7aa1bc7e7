/** The overview's answer (`GET /api/admin/overview`, schema AdminOverview). */
import type { Api } from './api';

export const DOORS = ['scim', 'provisioning', 'partner', 'admin'] as const;
export type Door = (typeof DOORS)[number];

export interface OverviewHour {
  /** The start of the hour (ISO). */
  hour: string;
  requests: number;
  /** 5xx, 401, 403, 429. */
  errors: number;
  /** The other 4xx answers. */
  clientErrors: number;
}

export interface OverviewJob {
  id: string;
  type: string;
  status: string;
  donePercentage: number;
  startedOn: string | null;
}

export interface TenantOverview {
  tenantId: string;
  tenantName: string;
  doors: Record<Door, { lastAt: string | null }>;
  last24h: { requests: number; errors: number; clientErrors: number; hourly: OverviewHour[] };
  transactions: { open: number; failed24h: number };
  runningJobs: OverviewJob[];
}

export interface Overview {
  generatedAt: string;
  tenants: TenantOverview[];
}

export function getOverview(api: Api, signal?: AbortSignal): Promise<Overview> {
  return api.get<Overview>('/api/admin/overview', undefined, signal);
}
