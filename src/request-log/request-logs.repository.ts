import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { NewRequestLog } from './capture';
import { activityOf } from './request-activity';
import { RequestActivityRepository } from './request-activity.repository';

/** The filters of the list and of the live stream (ADMIN-API.md "Request logs"). */
export interface LogFilters {
  method?: string;
  /** Exact status, or a class: `{ from: 400, to: 500 }`. */
  status?: { from: number; to: number };
  hasError?: boolean;
  /** Only requests refused for this reason (AuthFailure); `any`: refused for any reason. */
  authFailure?: string;
  /** Lower-cased substring of the path (query string included). */
  path?: string;
  /** Lower-cased substring of path, identifier and bodies. */
  search?: string;
  since?: Date;
  until?: Date;
  tenantId?: string;
  /** Exactly this X-Request-Id. */
  correlationId?: string;
  includeAdmin: boolean;
  hideKeepalive: boolean;
}

/** A record a logged request concerns, and its tenant. */
export interface RelatedRecord {
  id: string;
  tenantId: string;
}

export interface RelatedRecords {
  transaction: RelatedRecord | null;
  job: RelatedRecord | null;
}

const UUID_IN_TEXT = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** The columns of a list item (no headers or bodies). */
export interface LogSummaryRow {
  id: string;
  time: Date;
  method: string;
  path: string;
  status: number;
  duration_ms: number;
  tenant_id: string | null;
  credential_id: string | null;
  correlation_id: string | null;
  identifier: string | null;
  error_message: string | null;
  auth_failure: string | null;
  client_address: string | null;
  admin: boolean;
  keepalive: boolean;
  /** Joined: the credential's and the tenant's names (null when gone, or not authenticated). */
  credential_name?: string | null;
  tenant_name?: string | null;
}

export interface LogDetailRow extends LogSummaryRow {
  request_headers: Record<string, string>;
  request_body: string | null;
  request_body_truncated: boolean;
  response_headers: Record<string, string>;
  response_body: string | null;
  response_body_truncated: boolean;
  details_omitted: boolean;
}

export interface StreamedRow extends LogSummaryRow {
  logged_at: Date;
}

const SUMMARY = `id, time, method, path, status, duration_ms, tenant_id, credential_id, correlation_id,
  identifier, error_message, auth_failure, client_address, admin, keepalive`;
const DETAIL = `${SUMMARY}, request_headers, request_body, request_body_truncated, response_headers,
  response_body, response_body_truncated, details_omitted`;

/** The names of a page's credentials and tenants: joined to the page's rows only, in the same statement. */
function withNames(sql: string, order = ''): string {
  return `SELECT l.*, c.name AS credential_name, t.name AS tenant_name FROM (${sql}) l
    LEFT JOIN credentials c ON c.id::text = l.credential_id
    LEFT JOIN tenants t ON t.id = l.tenant_id ${order}`;
}

/** Rows a text search reads newest first before it turns to the trigram index (see findPage). */
export const SEARCH_WINDOW_ROWS = 10_000;

/** Values insertMany gives each row (the columns it lists). */
const INSERTED_COLUMNS = 22;
/** PostgreSQL takes at most 65,535 parameters a statement. */
export const MAX_INSERTED_ROWS = Math.floor(65_535 / INSERTED_COLUMNS);

/** Rows one DELETE removes at most: short statements, short locks, whatever the backlog. */
export const DELETE_BATCH = 5000;

/** Escapes LIKE's wildcards (`%`, `_`) and its escape character in a literal substring. */
export function likeSubstring(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Where request_logs rows are written, read and deleted. */
@Injectable()
export class RequestLogsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * One INSERT for the whole batch, each value its own parameter (`VALUES ($1, ..., $20), ...`).
   * Parameters go to PostgreSQL as they are; array parameters (`unnest($1::text[], ...)`) would
   * have the driver escape every body into an array literal and PostgreSQL parse it back: about
   * 5 ms of Node's CPU for a 64 KB body (bench/request-log-write.bench.ts).
   *
   * The batch's counts go into the hourly rollup (request_activity) in the same transaction: a
   * batch that is refused and retried (or retried row by row) is counted once, exactly when its
   * rows are stored, and the overview never counts a request the log does not hold.
   */
  async insertMany(rows: NewRequestLog[]): Promise<void> {
    if (rows.length === 0) return;
    if (rows.length > MAX_INSERTED_ROWS) {
      throw new RangeError(`At most ${MAX_INSERTED_ROWS} request log rows per INSERT, not ${rows.length}`);
    }
    const params: unknown[] = [];
    const tuples: string[] = [];
    for (const row of rows) {
      const first = params.length + 1;
      params.push(
        row.time,
        row.method,
        row.path,
        row.status,
        row.durationMs,
        row.tenantId,
        row.credentialId,
        row.correlationId,
        row.identifier,
        row.errorMessage,
        row.authFailure,
        row.clientAddress,
        row.admin,
        row.keepalive,
        JSON.stringify(row.requestHeaders),
        row.requestBody,
        row.requestBodyTruncated,
        JSON.stringify(row.responseHeaders),
        row.responseBody,
        row.responseBodyTruncated,
        row.detailsOmitted,
        row.searchText,
      );
      tuples.push(`(${Array.from({ length: INSERTED_COLUMNS }, (_, i) => `$${first + i}`).join(',')})`);
    }
    await this.dataSource.transaction(async (em) => {
      await em.query(
        `INSERT INTO request_logs (time, method, path, status, duration_ms, tenant_id, credential_id, correlation_id,
         identifier, error_message, auth_failure, client_address, admin, keepalive, request_headers, request_body, request_body_truncated,
         response_headers, response_body, response_body_truncated, details_omitted, search_text)
       VALUES ${tuples.join(',')}`,
        params,
      );
      await RequestActivityRepository.add(em, activityOf(rows));
    });
  }

  /**
   * A page, newest first; `limit` one more than the page size tells whether another page follows.
   *
   * A text filter (`search`, `path`) has no selectivity estimate the planner can trust, and the
   * wrong plan costs seconds on a million rows either way: a common term wants the newest rows
   * read in time order until the page is full, a rare one wants the trigram index. So the newest
   * SEARCH_WINDOW_ROWS rows are read first (bounded work); when they do not fill the page the term
   * is rare, and the plain query, which the trigram index serves, answers.
   */
  async findPage(filters: LogFilters, offset: number, limit: number): Promise<LogSummaryRow[]> {
    const order = `ORDER BY time DESC, id DESC`;
    const named = `ORDER BY l.time DESC, l.id DESC`;
    const all = whereClause(filters);
    const plain = (): Promise<LogSummaryRow[]> =>
      this.dataSource.query<LogSummaryRow[]>(
        withNames(`SELECT ${SUMMARY} FROM request_logs ${all.sql} ${order} LIMIT ${limit} OFFSET ${offset}`, named),
        all.params,
      );
    if (!filters.search && !filters.path) return plain();
    const window = whereClause({ ...filters, search: undefined, path: undefined });
    const text = textConditions(filters, window.params);
    const recent = await this.dataSource.query<LogSummaryRow[]>(
      withNames(
        `SELECT ${SUMMARY} FROM (
         SELECT ${SUMMARY}, search_text FROM request_logs ${window.sql} ${order} LIMIT ${SEARCH_WINDOW_ROWS}
       ) recent WHERE ${text.join(' AND ')} ${order} LIMIT ${limit} OFFSET ${offset}`,
        named,
      ),
      window.params,
    );
    return recent.length === limit ? recent : plain();
  }

  /**
   * How many rows match, counting no further than `cap` and for no longer than `budgetMs`;
   * null when the budget ran out.
   */
  async countUpTo(filters: LogFilters, cap: number, budgetMs: number): Promise<number | null> {
    const where = whereClause(filters);
    const rows = await this.queryWithin<{ count: number }>(
      budgetMs,
      `SELECT count(*)::int AS count FROM (SELECT 1 FROM request_logs ${where.sql} LIMIT ${cap}) matching`,
      where.params,
    );
    return rows ? rows[0].count : null;
  }

  /** `tenantId`: only a row of this tenant (a TENANT_ADMIN's scope). */
  async findById(id: string, tenantId?: string): Promise<LogDetailRow | null> {
    const rows = await this.dataSource.query<LogDetailRow[]>(
      withNames(
        `SELECT ${DETAIL} FROM request_logs WHERE id = $1${tenantId === undefined ? '' : ' AND tenant_id = $2'}`,
      ),
      tenantId === undefined ? [id] : [id, tenantId],
    );
    return rows[0] ?? null;
  }

  /**
   * The transaction and job a logged request concerns, with their tenants (for the caller's scope):
   * ids its path names first, then what its correlation id made (a checkpoint's transaction, a
   * commit's job), then the named transaction's commit job. Reads the provisioning and job tables
   * by primary key or by their partial correlation-id indexes: a handful of rows.
   */
  async findRelated(path: string, correlationId: string | null): Promise<RelatedRecords> {
    const ids = [...new Set(path.toLowerCase().match(UUID_IN_TEXT) ?? [])];
    const [transaction] = await this.dataSource.query<{ id: string; tenant_id: string; job_id: string | null }[]>(
      `SELECT id, tenant_id, job_id FROM provisioning_transactions
        WHERE id = ANY($1::uuid[]) OR correlation_id = $2
        ORDER BY id = ANY($1::uuid[]) DESC, created_on LIMIT 1`,
      [ids, correlationId],
    );
    const [job] = await this.dataSource.query<{ id: string; tenant_id: string }[]>(
      `SELECT id, tenant_id FROM backend_jobs
        WHERE id = ANY($1::uuid[]) OR correlation_id = $2 OR id = $3
        ORDER BY id = ANY($1::uuid[]) DESC, correlation_id IS NOT DISTINCT FROM $2 DESC, created_on LIMIT 1`,
      [ids, correlationId, transaction?.job_id ?? null],
    );
    return {
      transaction: transaction ? { id: transaction.id, tenantId: transaction.tenant_id } : null,
      job: job ? { id: job.id, tenantId: job.tenant_id } : null,
    };
  }

  /** The database's clock: the live stream's starting point, whatever this host's clock says. */
  async databaseNow(): Promise<Date> {
    const rows = await this.dataSource.query<{ now: Date }[]>('SELECT now() AS now');
    return rows[0].now;
  }

  /**
   * Rows written at or after `loggedSince` that are not in `exclude`, oldest write first. The
   * stream re-reads a few seconds back each time: a batch that started earlier may commit later.
   */
  async findWrittenSince(
    filters: LogFilters,
    loggedSince: Date,
    exclude: string[],
    limit: number,
  ): Promise<StreamedRow[]> {
    const where = whereClause(filters, ['logged_at >= $1', 'NOT (id = ANY($2::uuid[]))'], [loggedSince, exclude]);
    return this.dataSource.query<StreamedRow[]>(
      withNames(
        `SELECT ${SUMMARY}, logged_at FROM request_logs ${where.sql} ORDER BY logged_at, id LIMIT ${limit}`,
        'ORDER BY l.logged_at, l.id',
      ),
      where.params,
    );
  }

  /**
   * Rows stored and the oldest request. The count is exact when it takes less than `budgetMs`;
   * otherwise it is PostgreSQL's own estimate (kept by autovacuum), flagged as such.
   */
  async stats(budgetMs: number): Promise<{ rows: number; rowsEstimated: boolean; oldest: Date | null }> {
    const [{ oldest }] = await this.dataSource.query<{ oldest: Date | null }[]>(
      'SELECT min(time) AS oldest FROM request_logs',
    );
    return this.countWithin(budgetMs, oldest);
  }

  /** A tenant's rows and its oldest request (its (tenant_id, time) index serves both). */
  async tenantStats(
    tenantId: string,
    budgetMs: number,
  ): Promise<{ rows: number; rowsEstimated: boolean; oldest: Date | null }> {
    const [{ oldest }] = await this.dataSource.query<{ oldest: Date | null }[]>(
      'SELECT min(time) AS oldest FROM request_logs WHERE tenant_id = $1',
      [tenantId],
    );
    const counted = await this.queryWithin<{ rows: number }>(
      budgetMs,
      'SELECT count(*)::int AS rows FROM request_logs WHERE tenant_id = $1',
      [tenantId],
    );
    // No per-tenant estimate exists: past the budget, the count stops there and says so.
    return counted ? { rows: counted[0].rows, rowsEstimated: false, oldest } : { rows: 0, rowsEstimated: true, oldest };
  }

  private async countWithin(
    budgetMs: number,
    oldest: Date | null,
  ): Promise<{ rows: number; rowsEstimated: boolean; oldest: Date | null }> {
    const counted = await this.queryWithin<{ rows: number }>(
      budgetMs,
      'SELECT count(*)::int AS rows FROM request_logs',
      [],
    );
    if (counted) return { rows: counted[0].rows, rowsEstimated: false, oldest };
    const [estimate] = await this.dataSource.query<{ rows: number }[]>(
      `SELECT greatest(reltuples, 0)::bigint::int AS rows FROM pg_class WHERE oid = 'request_logs'::regclass`,
    );
    return { rows: estimate.rows, rowsEstimated: true, oldest };
  }

  /** Empties the table; the count is taken under the same lock, so it is exact. */
  deleteAll(): Promise<number> {
    return this.dataSource.transaction(async (em) => {
      await em.query('LOCK TABLE request_logs IN ACCESS EXCLUSIVE MODE');
      const rows = await em.query<{ count: number }[]>('SELECT count(*)::int AS count FROM request_logs');
      await em.query('TRUNCATE request_logs');
      return rows[0].count;
    });
  }

  /** Deletes up to DELETE_BATCH rows older than `before`; answers how many. */
  async deleteBatchBefore(before: Date): Promise<number> {
    return this.deleteBatch('time < $1', [before]);
  }

  /** Deletes up to DELETE_BATCH rows of one tenant (older than `before` when given); answers how many. */
  async deleteTenantBatch(tenantId: string, before?: Date): Promise<number> {
    return before
      ? this.deleteBatch('tenant_id = $1 AND time < $2', [tenantId, before])
      : this.deleteBatch('tenant_id = $1', [tenantId]);
  }

  /** Deletes up to DELETE_BATCH rows at or before (time, id) in the list's order. */
  async deleteBatchUpTo(time: Date, id: string): Promise<number> {
    return this.deleteBatch('(time, id) <= ($1, $2::uuid)', [time, id]);
  }

  /** The newest row beyond the first `keep` (newest first): where retention by count starts deleting. */
  async findRowAfter(keep: number): Promise<{ time: Date; id: string } | null> {
    const rows = await this.dataSource.query<{ time: Date; id: string }[]>(
      `SELECT time, id FROM request_logs ORDER BY time DESC, id DESC OFFSET $1 LIMIT 1`,
      [keep],
    );
    return rows[0] ?? null;
  }

  /** Runs a read under statement_timeout = `budgetMs`; null when it ran out of time. */
  private async queryWithin<T>(budgetMs: number, sql: string, params: unknown[]): Promise<T[] | null> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(`SET LOCAL statement_timeout = ${Math.round(budgetMs)}`);
      const rows = (await runner.query(sql, params)) as T[];
      await runner.commitTransaction();
      return rows;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      if (isStatementTimeout(error)) return null;
      throw error;
    } finally {
      await runner.release();
    }
  }

  private async deleteBatch(condition: string, params: unknown[]): Promise<number> {
    const [, affected] = await this.dataSource.query<[unknown, number]>(
      `DELETE FROM request_logs WHERE id IN (SELECT id FROM request_logs WHERE ${condition} LIMIT ${DELETE_BATCH})`,
      params,
    );
    return affected;
  }
}

/** The WHERE clause of the filters, after `leading` conditions whose parameters come first. */
function whereClause(
  filters: LogFilters,
  leading: string[] = [],
  leadingParams: unknown[] = [],
): { sql: string; params: unknown[] } {
  const params = [...leadingParams];
  const param = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const conditions = [...leading];
  if (filters.method) conditions.push(`method = ${param(filters.method)}`);
  if (filters.status) {
    conditions.push(
      filters.status.to - filters.status.from === 1
        ? `status = ${param(filters.status.from)}`
        : `status >= ${param(filters.status.from)} AND status < ${param(filters.status.to)}`,
    );
  }
  if (filters.hasError !== undefined) {
    conditions.push(filters.hasError ? 'error_message IS NOT NULL' : 'error_message IS NULL');
  }
  if (filters.authFailure) {
    conditions.push(
      filters.authFailure === 'any' ? 'auth_failure IS NOT NULL' : `auth_failure = ${param(filters.authFailure)}`,
    );
  }
  if (filters.since) conditions.push(`time >= ${param(filters.since)}`);
  if (filters.until) conditions.push(`time < ${param(filters.until)}`);
  if (filters.tenantId) conditions.push(`tenant_id = ${param(filters.tenantId)}`);
  if (filters.correlationId) conditions.push(`correlation_id = ${param(filters.correlationId)}`);
  if (!filters.includeAdmin) conditions.push('NOT admin');
  if (filters.hideKeepalive) conditions.push('NOT keepalive');
  conditions.push(...textConditions(filters, params));
  return { sql: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

/** The `path` and `search` conditions, their parameters appended to `params`. */
function textConditions(filters: LogFilters, params: unknown[]): string[] {
  const conditions: string[] = [];
  if (filters.path) {
    params.push(likeSubstring(filters.path));
    // search_text starts with the lower-cased path: its trigram index finds the candidates.
    conditions.push(`search_text LIKE $${params.length}`, `lower(path) LIKE $${params.length}`);
  }
  if (filters.search) {
    params.push(likeSubstring(filters.search));
    conditions.push(`search_text LIKE $${params.length}`);
  }
  return conditions;
}

function isStatementTimeout(error: unknown): boolean {
  const { code, driverError } = (error ?? {}) as { code?: unknown; driverError?: { code?: unknown } };
  return (code ?? driverError?.code) === '57014';
}
