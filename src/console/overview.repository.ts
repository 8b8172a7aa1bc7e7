import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DOORS, type Door } from '../request-log/entities/request-activity.entity';

export interface DoorLastRow {
  tenant_id: string;
  door: Door;
  last_at: Date;
}

export interface HourRow {
  tenant_id: string;
  hour: Date;
  requests: number;
  errors: number;
  client_errors: number;
}

export interface TransactionCountsRow {
  tenant_id: string;
  open: number;
  failed: number;
}

export interface RunningJobRow {
  tenant_id: string;
  id: string;
  type: string;
  status: string;
  done_percentage: number;
  started_on: Date | null;
  created_on: Date;
}

/** Running jobs shown per tenant, at most. */
export const RUNNING_JOBS_SHOWN = 10;

/**
 * The overview's reads. Each is one statement over all the tenants shown, and each reads a bounded
 * number of index entries per tenant: the hourly rollup (request_activity), never request_logs.
 */
@Injectable()
export class OverviewRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Each door's latest request per tenant: the newest hour of (tenant, door) in the primary key's
   * order, one index probe per tenant and door.
   */
  doorsLastAt(tenantIds: string[]): Promise<DoorLastRow[]> {
    return this.dataSource.query<DoorLastRow[]>(
      `SELECT t.tenant_id, d.door, latest.last_at
       FROM unnest($1::varchar[]) AS t(tenant_id)
       CROSS JOIN unnest($2::varchar[]) AS d(door)
       CROSS JOIN LATERAL (
         SELECT last_at FROM request_activity a
         WHERE a.tenant_id = t.tenant_id AND a.door = d.door
         ORDER BY a.hour DESC LIMIT 1
       ) latest`,
      [tenantIds, [...DOORS]],
    );
  }

  /** Requests per tenant and hour since `since` (an hour's start), all doors together. */
  hoursSince(tenantIds: string[], since: Date): Promise<HourRow[]> {
    return this.dataSource.query<HourRow[]>(
      `SELECT tenant_id, hour, sum(requests)::int AS requests, sum(errors)::int AS errors,
              sum(client_errors)::int AS client_errors
       FROM request_activity
       WHERE hour >= $2 AND tenant_id = ANY($1::varchar[])
       GROUP BY tenant_id, hour`,
      [tenantIds, since],
    );
  }

  /**
   * OPEN transactions (index on tenant and status), and those that ended since `since` with at
   * least one failed operation (a partial index on tenant and end time).
   */
  transactionCounts(tenantIds: string[], since: Date): Promise<TransactionCountsRow[]> {
    return this.dataSource.query<TransactionCountsRow[]>(
      `SELECT t.tenant_id,
              (SELECT count(*) FROM provisioning_transactions p
                WHERE p.tenant_id = t.tenant_id AND p.status = 'OPEN')::int AS open,
              (SELECT count(*) FROM provisioning_transactions p
                WHERE p.tenant_id = t.tenant_id AND p.failed_count > 0 AND p.completed_on >= $2)::int AS failed
       FROM unnest($1::varchar[]) AS t(tenant_id)`,
      [tenantIds, since],
    );
  }

  /** Queued and running jobs, oldest first, RUNNING_JOBS_SHOWN per tenant at most. */
  runningJobs(tenantIds: string[]): Promise<RunningJobRow[]> {
    return this.dataSource.query<RunningJobRow[]>(
      `SELECT t.tenant_id, j.id, j.type, j.status, j.done_percentage, j.started_on, j.created_on
       FROM unnest($1::varchar[]) AS t(tenant_id)
       CROSS JOIN LATERAL (
         SELECT id, type, status, done_percentage, started_on, created_on FROM backend_jobs b
         WHERE b.tenant_id = t.tenant_id AND b.status IN ('NOT_STARTED', 'STARTED')
         ORDER BY b.created_on, b.id LIMIT ${RUNNING_JOBS_SHOWN}
       ) j
       ORDER BY t.tenant_id, j.created_on, j.id`,
      [tenantIds],
    );
  }
}
