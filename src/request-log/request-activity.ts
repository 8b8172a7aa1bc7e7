import type { Door } from './entities/request-activity.entity';

/** The counts one flush adds to a (tenant, door, hour) row of request_activity. */
export interface ActivityCount {
  tenantId: string;
  door: Door;
  hour: Date;
  requests: number;
  errors: number;
  clientErrors: number;
  lastAt: Date;
}

/** What a request-log row tells the rollup. */
export interface ActivitySource {
  time: Date;
  path: string;
  status: number;
  tenantId: string | null;
}

// Longest prefix first: the partner sync lives under /api/admin.
const DOOR_PREFIXES: [string, Door][] = [
  ['/api/admin/users/sync', 'partner'],
  ['/api/admin', 'admin'],
  ['/api/provisioning', 'provisioning'],
  ['/api/user/job', 'provisioning'],
  ['/scim', 'scim'],
  // The identity providers' token endpoint (OAuth client credentials for SCIM).
  ['/oauth', 'scim'],
];

/**
 * The door a logged path came through; null for what no caller door covers (health, metrics, the
 * operator page, unmatched paths). Migration 1795630000000 says the same in SQL for the backfill.
 */
export function doorOf(path: string): Door | null {
  const bare = path.split('?', 1)[0].toLowerCase();
  for (const [prefix, door] of DOOR_PREFIXES) {
    if (bare === prefix || bare.startsWith(`${prefix}/`)) return door;
  }
  return null;
}

/**
 * An answer the operator should look at: the service failed (5xx), a credential was refused (401,
 * 403) or a caller throttled (429). Other 4xx are counted apart (`clientErrors`): from an identity
 * provider they are mostly normal traffic (SCIM 404 when it looks a user up, 409 on a duplicate).
 */
export function isError(status: number): boolean {
  return status >= 500 || status === 401 || status === 403 || status === 429;
}

export function isClientError(status: number): boolean {
  return status >= 400 && status < 500 && !isError(status);
}

const HOUR_MS = 3_600_000;

/**
 * The batch's rows summed per (tenant, door, hour), sorted by that key so that concurrent flushes
 * (several instances) lock the rows they upsert in the same order and cannot deadlock. Rows without
 * a tenant or a door are not counted.
 */
export function activityOf(rows: ActivitySource[]): ActivityCount[] {
  const counts = new Map<string, ActivityCount>();
  for (const row of rows) {
    if (!row.tenantId) continue;
    const door = doorOf(row.path);
    if (!door) continue;
    const hour = new Date(Math.floor(row.time.getTime() / HOUR_MS) * HOUR_MS);
    const key = `${row.tenantId}\u0000${door}\u0000${hour.toISOString()}`;
    let count = counts.get(key);
    if (!count) {
      count = { tenantId: row.tenantId, door, hour, requests: 0, errors: 0, clientErrors: 0, lastAt: row.time };
      counts.set(key, count);
    }
    count.requests++;
    if (isError(row.status)) count.errors++;
    else if (isClientError(row.status)) count.clientErrors++;
    if (row.time > count.lastAt) count.lastAt = row.time;
  }
  return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, count]) => count);
}
