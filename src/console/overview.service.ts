import { Injectable } from '@nestjs/common';
import { TenantsService, TenantView } from '../directory/tenants.service';
import { DOORS, type Door } from '../request-log/entities/request-activity.entity';
import { OverviewRepository } from './overview.repository';

const HOUR_MS = 3_600_000;
/** Hours in the chart, the current one last. */
export const OVERVIEW_HOURS = 24;

export interface OverviewHour {
  hour: string;
  requests: number;
  errors: number;
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

/** The operator console's first page: what every tenant's callers did lately, and what is pending. */
@Injectable()
export class OverviewService {
  constructor(
    private readonly tenants: TenantsService,
    private readonly repository: OverviewRepository,
  ) {}

  /**
   * The tenants given (all when `tenantId` is absent; a missing one answers 404), four indexed reads
   * whatever their number of requests.
   */
  async overview(tenantId?: string, now = new Date()): Promise<Overview> {
    const tenants: TenantView[] = tenantId ? [await this.tenants.find(tenantId)] : await this.tenants.list();
    const ids = tenants.map((tenant) => tenant.id);
    const currentHour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
    const firstHour = new Date(currentHour - (OVERVIEW_HOURS - 1) * HOUR_MS);
    const dayAgo = new Date(now.getTime() - OVERVIEW_HOURS * HOUR_MS);
    const [doors, hours, transactions, jobs] =
      ids.length === 0
        ? [[], [], [], []]
        : await Promise.all([
            this.repository.doorsLastAt(ids),
            this.repository.hoursSince(ids, firstHour),
            this.repository.transactionCounts(ids, dayAgo),
            this.repository.runningJobs(ids),
          ]);
    const byTenant = <T extends { tenant_id: string }>(rows: T[]): Map<string, T[]> => {
      const map = new Map<string, T[]>();
      for (const row of rows) map.set(row.tenant_id, [...(map.get(row.tenant_id) ?? []), row]);
      return map;
    };
    const doorsOf = byTenant(doors);
    const hoursOf = byTenant(hours);
    const transactionsOf = byTenant(transactions);
    const jobsOf = byTenant(jobs);
    return {
      generatedAt: now.toISOString(),
      tenants: tenants.map((tenant) => {
        const lastAt = new Map((doorsOf.get(tenant.id) ?? []).map((row) => [row.door, row.last_at]));
        const counted = new Map((hoursOf.get(tenant.id) ?? []).map((row) => [new Date(row.hour).getTime(), row]));
        const hourly = Array.from({ length: OVERVIEW_HOURS }, (_, i): OverviewHour => {
          const hour = firstHour.getTime() + i * HOUR_MS;
          const row = counted.get(hour);
          return {
            hour: new Date(hour).toISOString(),
            requests: row?.requests ?? 0,
            errors: row?.errors ?? 0,
            clientErrors: row?.client_errors ?? 0,
          };
        });
        const counts = transactionsOf.get(tenant.id)?.[0];
        return {
          tenantId: tenant.id,
          tenantName: tenant.name,
          doors: Object.fromEntries(
            DOORS.map((door) => [door, { lastAt: iso(lastAt.get(door) ?? null) }]),
          ) as TenantOverview['doors'],
          last24h: {
            requests: sum(hourly, 'requests'),
            errors: sum(hourly, 'errors'),
            clientErrors: sum(hourly, 'clientErrors'),
            hourly,
          },
          transactions: { open: counts?.open ?? 0, failed24h: counts?.failed ?? 0 },
          runningJobs: (jobsOf.get(tenant.id) ?? []).map((job) => ({
            id: job.id,
            type: job.type,
            status: job.status,
            donePercentage: job.done_percentage,
            startedOn: iso(job.started_on),
          })),
        };
      }),
    };
  }
}

function sum(hours: OverviewHour[], key: 'requests' | 'errors' | 'clientErrors'): number {
  return hours.reduce((total, hour) => total + hour[key], 0);
}

function iso(date: Date | string | null): string | null {
  return date === null ? null : new Date(date).toISOString();
}
