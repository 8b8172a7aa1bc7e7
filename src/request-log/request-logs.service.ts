import { Injectable } from '@nestjs/common';
import { AdminPage, adminPage, pageWindow } from '../common/admin-page';
import { DomainError } from '../common/domain-error';
import { storable } from './capture';
import { isUuid } from '../common/ids';
import type { RequestLogFiltersQuery, RequestLogsQuery } from './dto/request-logs.query';
import { RequestLogWriter } from './request-log.writer';
import { LogDetail, LogSummary, toLogDetail, toLogSummary } from './request-log.views';
import { DELETE_BATCH, LogFilters, RelatedRecord, RequestLogsRepository } from './request-logs.repository';

/**
 * Counting stops at COUNT_CAP rows or after COUNT_BUDGET_MS, whichever comes first: an exact count
 * of a million matching rows costs far more than the page (measured: README "Request logs").
 * Past either, `total` is a lower bound and `totalIsLowerBound` says so.
 */
export const COUNT_CAP = 10_000;
export const COUNT_BUDGET_MS = 100;
/** Stats count every row; past this, they answer PostgreSQL's estimate. */
export const STATS_BUDGET_MS = 500;

export interface LogPage extends AdminPage<LogSummary> {
  /** True when more rows match than were counted: `total` then means "at least". */
  totalIsLowerBound: boolean;
}

export interface LogStats {
  rows: number;
  /** True when counting took too long and `rows` is PostgreSQL's estimate. */
  rowsEstimated: boolean;
  buffered: number;
  dropped: number;
  /** Rows this instance wrote without their bodies (or bare) because the full row was refused. */
  detailsOmitted: number;
  oldest: string | null;
}

/** The operators' view of the request log. */
@Injectable()
export class RequestLogsService {
  constructor(
    private readonly repository: RequestLogsRepository,
    private readonly writer: RequestLogWriter,
  ) {}

  async list(query: RequestLogsQuery): Promise<LogPage> {
    const window = pageWindow(query);
    const filters = toFilters(query);
    const [rows, counted] = await Promise.all([
      this.repository.findPage(filters, window.offset, window.pageSize + 1),
      this.repository.countUpTo(filters, COUNT_CAP + 1, COUNT_BUDGET_MS),
    ]);
    const items = rows.slice(0, window.pageSize).map(toLogSummary);
    const hasNext = rows.length > window.pageSize;
    // Rows this page proves exist (an empty page proves nothing about the ones before it).
    const seen = items.length > 0 ? window.offset + items.length + (hasNext ? 1 : 0) : 0;
    // Without a count, the last page still proves the total (an empty page past the end does not).
    const pageIsLast = !hasNext && (items.length > 0 || window.offset === 0);
    const lowerBound = counted === null ? !pageIsLast : counted > COUNT_CAP;
    const total = counted === null ? seen : lowerBound ? Math.max(counted, seen) : counted;
    return { ...adminPage(window, total, items), hasNext, totalIsLowerBound: lowerBound };
  }

  /**
   * `tenantId`: a TENANT_ADMIN's tenant; another tenant's row answers as a missing one. `canSee`:
   * whether the caller may see a tenant's records; links into others are left out (null).
   */
  async find(
    id: string,
    tenantId?: string,
    canSee: (tenantId: string) => boolean = () => true,
  ): Promise<LogDetail & { related: RelatedLinks }> {
    const row = isUuid(id) ? await this.repository.findById(id, tenantId) : null;
    if (!row) throw DomainError.notFound(`Request log ${id} not found`);
    const related = await this.repository.findRelated(row.path, row.correlation_id);
    return {
      ...toLogDetail(row),
      related: {
        transactionId: visible(related.transaction, canSee)?.id ?? null,
        jobId: visible(related.job, canSee)?.id ?? null,
      },
    };
  }

  /**
   * Everything, or the rows before `before` (in batches, so writers are never held up for long).
   * `tenantId`: only that tenant's rows (a TENANT_ADMIN's scope), in batches too.
   */
  async delete(before?: Date, tenantId?: string): Promise<{ deleted: number }> {
    if (tenantId !== undefined) return { deleted: await this.deleteTenant(tenantId, before) };
    if (!before) return { deleted: await this.repository.deleteAll() };
    let deleted = 0;
    let batch: number;
    do {
      batch = await this.repository.deleteBatchBefore(before);
      deleted += batch;
    } while (batch === DELETE_BATCH);
    return { deleted };
  }

  private async deleteTenant(tenantId: string, before?: Date): Promise<number> {
    let deleted = 0;
    let batch: number;
    do {
      batch = await this.repository.deleteTenantBatch(tenantId, before);
      deleted += batch;
    } while (batch === DELETE_BATCH);
    return deleted;
  }

  /** `tenantId`: rows and oldest of that tenant only (the writer's counters are the instance's). */
  async stats(tenantId?: string): Promise<LogStats> {
    const { rows, rowsEstimated, oldest } =
      tenantId === undefined
        ? await this.repository.stats(STATS_BUDGET_MS)
        : await this.repository.tenantStats(tenantId, STATS_BUDGET_MS);
    return { rows, rowsEstimated, ...this.writer.stats, oldest: oldest ? new Date(oldest).toISOString() : null };
  }
}

/** The transaction and job a logged request concerns (`GET /api/admin/logs/{id}`). */
export interface RelatedLinks {
  transactionId: string | null;
  jobId: string | null;
}

function visible(record: RelatedRecord | null, canSee: (tenantId: string) => boolean): RelatedRecord | null {
  return record && canSee(record.tenantId) ? record : null;
}

/**
 * The query's filters as the repository takes them (lower-cased where matching ignores case).
 * Texts are made storable as rows are: a NUL searched for finds the U+FFFD stored in its place,
 * and never reaches PostgreSQL, which would refuse it.
 */
export function toFilters(query: RequestLogFiltersQuery): LogFilters {
  const text = (value: string | undefined): string | undefined => (value === undefined ? undefined : storable(value));
  return {
    method: query.method?.toUpperCase(),
    status: query.status ? statusRange(query.status) : undefined,
    hasError: query.hasError,
    authFailure: query.authFailure,
    path: text(query.path?.toLowerCase()),
    search: text(query.search?.toLowerCase()),
    since: query.since ? new Date(query.since) : undefined,
    until: query.until ? new Date(query.until) : undefined,
    tenantId: text(query.tenant),
    correlationId: text(query.correlationId),
    includeAdmin: query.includeAdmin ?? false,
    hideKeepalive: query.hideKeepalive ?? false,
  };
}

function statusRange(status: string): { from: number; to: number } {
  const exact = Number(status);
  if (Number.isInteger(exact)) return { from: exact, to: exact + 1 };
  const from = Number(status[0]) * 100;
  return { from, to: from + 100 };
}
