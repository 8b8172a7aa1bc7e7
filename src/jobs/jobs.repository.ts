import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { BackendJobEntity, FINISHED_STATUSES, JobStatus, JobUpdate } from './backend-job.entity';
import { MAX_JOB_UPDATES } from './job-timing';
import { isUuid } from '../common/ids';

export interface NewJob {
  type: string;
  tenantId: string;
  createdBy: string;
  payload: Record<string, unknown>;
  correlationId: string | null;
  priority: number;
  status: 'NOT_STARTED' | 'DONE';
  startOn?: Date;
}

/** How a run ended, as the runner writes it. */
export interface JobEnd {
  status: 'DONE' | 'FAILED' | 'CANCELLED';
  errorMessage: string | null;
  stackTrace: string | null;
  results: Record<string, unknown> | null;
}

export interface JobBacklog {
  /** Jobs due and not started yet. */
  waiting: number;
  /** Seconds since the oldest of them became due; 0 when none waits. */
  oldestAgeSeconds: number;
}

export interface UnattendedJob {
  id: string;
  attempts: number;
  type: string;
}

/** Which job types a claim may take: only `types`, or (exclude) any type but them. */
export interface TypeFilter {
  types: string[];
  exclude: boolean;
}

/** A job nobody runs: unclaimed, or claimed by a worker whose lease ran out (or was released). */
const RUNNABLE = `status IN ('NOT_STARTED', 'STARTED') AND start_on <= now()
  AND (lease_owner IS NULL OR lease_expires_at < now())`;

const CLAIM = `status = 'STARTED', lease_owner = $1, lease_expires_at = now() + $2 * interval '1 millisecond',
  started_on = COALESCE(started_on, now()), attempts = attempts + 1, updated_on = now()`;

interface CancelRow {
  cancel_requested: boolean;
  lease_owner: string | null;
}

// UPDATE ... RETURNING answers [rows, rowCount] through TypeORM's postgres driver.
type UpdateResult<T> = [T[], number];

@Injectable()
export class JobsRepository {
  static isJobId(id: string): boolean {
    return isUuid(id);
  }

  async insert(em: EntityManager, job: NewJob): Promise<BackendJobEntity> {
    const finished = job.status === 'DONE';
    const result = await em
      .createQueryBuilder()
      .insert()
      .into(BackendJobEntity)
      .values({
        type: job.type,
        tenantId: job.tenantId,
        createdBy: job.createdBy,
        // TypeORM types jsonb values as deep partials of the column type; a plain object is one.
        payload: job.payload as object,
        correlationId: job.correlationId,
        priority: job.priority,
        status: job.status,
        ...(job.startOn ? { startOn: job.startOn } : {}),
        // An empty commit is done the moment it is created.
        ...(finished ? { startedOn: () => 'now()', finishedOn: () => 'now()', donePercentage: 100 } : {}),
      })
      .returning(['id'])
      .execute();
    const id = (result.raw as { id: string }[])[0].id;
    return em.findOneByOrFail(BackendJobEntity, { id });
  }

  /** `tenantId` null: any tenant (operators). A malformed id is simply not found. */
  findById(em: EntityManager, id: string, tenantId: string | null): Promise<BackendJobEntity | null> {
    if (!JobsRepository.isJobId(id)) return Promise.resolve(null);
    return em.findOneBy(BackendJobEntity, tenantId === null ? { id } : { id, tenantId });
  }

  /** Every tenant's jobs (operators), newest first. */
  async listAll(
    em: EntityManager,
    filters: { tenantId?: string; status?: JobStatus; type?: string; correlationId?: string },
    offset: number,
    limit: number,
  ): Promise<{ rows: BackendJobEntity[]; total: number }> {
    const query = em
      .createQueryBuilder(BackendJobEntity, 'j')
      .orderBy('j.createdOn', 'DESC')
      .addOrderBy('j.id', 'DESC')
      .skip(offset)
      .take(limit);
    if (filters.tenantId) query.andWhere('j.tenantId = :tenantId', { tenantId: filters.tenantId });
    if (filters.status) query.andWhere('j.status = :status', { status: filters.status });
    if (filters.type) query.andWhere('j.type = :type', { type: filters.type });
    if (filters.correlationId) {
      query.andWhere('j.correlationId = :correlationId', { correlationId: filters.correlationId });
    }
    const [rows, total] = await query.getManyAndCount();
    return { rows, total };
  }

  /** Serialises a state change against claims and other writers of the row. */
  async lockById(em: EntityManager, id: string): Promise<BackendJobEntity | null> {
    if (!JobsRepository.isJobId(id)) return null;
    return em.findOne(BackendJobEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** Takes the job for `owner` if nobody runs it; null if someone does, or it has finished. */
  async claim(em: EntityManager, id: string, owner: string, leaseMs: number): Promise<BackendJobEntity | null> {
    if (!JobsRepository.isJobId(id)) return null;
    const [rows] = await em.query<UpdateResult<{ id: string }>>(
      `UPDATE backend_jobs SET ${CLAIM} WHERE id = $3 AND ${RUNNABLE} RETURNING id`,
      [owner, leaseMs, id],
    );
    return rows.length === 0 ? null : em.findOneBy(BackendJobEntity, { id });
  }

  /**
   * Claims up to `limit` runnable jobs, highest priority and oldest first, skipping rows others are
   * claiming; with `filter`, only jobs of those types (or of any other type).
   */
  async claimRunnable(
    em: EntityManager,
    owner: string,
    leaseMs: number,
    limit: number,
    filter?: TypeFilter,
  ): Promise<BackendJobEntity[]> {
    const byType =
      filter && (filter.types.length > 0 || !filter.exclude)
        ? `AND ${filter.exclude ? 'NOT ' : ''}(type = ANY ($4::varchar[]))`
        : '';
    const [rows] = await em.query<UpdateResult<{ id: string }>>(
      `WITH next AS (
         SELECT id FROM backend_jobs WHERE ${RUNNABLE} ${byType}
         ORDER BY priority DESC, created_on LIMIT $3 FOR UPDATE SKIP LOCKED
       )
       UPDATE backend_jobs j SET ${CLAIM} FROM next WHERE j.id = next.id RETURNING j.id`,
      byType ? [owner, leaseMs, limit, filter!.types] : [owner, leaseMs, limit],
    );
    if (rows.length === 0) return [];
    return em.find(BackendJobEntity, {
      where: { id: In(rows.map((row) => row.id)) },
      order: { priority: 'DESC', createdOn: 'ASC' },
    });
  }

  /** One aggregate over the status index: cheap enough for every scrape. */
  async backlog(em: EntityManager): Promise<JobBacklog> {
    const [row] = await em.query<{ waiting: number; oldest: number }[]>(
      `SELECT count(*)::int AS waiting,
              COALESCE(EXTRACT(EPOCH FROM now() - min(start_on)), 0)::float8 AS oldest
       FROM backend_jobs WHERE status = 'NOT_STARTED' AND start_on <= now()`,
    );
    return { waiting: Number(row?.waiting ?? 0), oldestAgeSeconds: Math.max(0, Number(row?.oldest ?? 0)) };
  }

  /** False when `owner` no longer holds the job. */
  async renewLease(em: EntityManager, id: string, owner: string, leaseMs: number): Promise<boolean> {
    const [rows] = await em.query<UpdateResult<{ id: string }>>(
      `UPDATE backend_jobs SET lease_expires_at = now() + $3 * interval '1 millisecond'
       WHERE id = $1 AND lease_owner = $2 AND status = 'STARTED' RETURNING id`,
      [id, owner, leaseMs],
    );
    return rows.length > 0;
  }

  /** Lets any worker take the job over at once (this one is stopping). */
  async releaseLease(em: EntityManager, id: string, owner: string): Promise<void> {
    await em.query(
      `UPDATE backend_jobs SET lease_owner = NULL, lease_expires_at = NULL, updated_on = now()
       WHERE id = $1 AND lease_owner = $2`,
      [id, owner],
    );
  }

  async readCancel(em: EntityManager, id: string): Promise<{ cancelRequested: boolean; leaseOwner: string | null }> {
    const rows = await em.query<CancelRow[]>('SELECT cancel_requested, lease_owner FROM backend_jobs WHERE id = $1', [
      id,
    ]);
    return { cancelRequested: rows[0]?.cancel_requested ?? false, leaseOwner: rows[0]?.lease_owner ?? null };
  }

  async requestCancel(em: EntityManager, id: string): Promise<void> {
    await em.query('UPDATE backend_jobs SET cancel_requested = true, updated_on = now() WHERE id = $1', [id]);
  }

  /** Writes the end of a run; false (nothing written) when `owner` no longer holds the job. */
  async finish(em: EntityManager, id: string, owner: string, end: JobEnd): Promise<boolean> {
    const [rows] = await em.query<UpdateResult<{ id: string }>>(
      `UPDATE backend_jobs SET ${endColumns(3)} WHERE id = $1 AND status = 'STARTED' AND lease_owner = $2 RETURNING id`,
      [id, owner, ...endParams(end)],
    );
    return rows.length > 0;
  }

  /** Cancels a job no worker has claimed yet; false if one has meanwhile. */
  async cancelUnstarted(em: EntityManager, id: string, errorMessage: string): Promise<boolean> {
    const [rows] = await em.query<UpdateResult<{ id: string }>>(
      `UPDATE backend_jobs SET ${endColumns(2)}, cancel_requested = true
       WHERE id = $1 AND status = 'NOT_STARTED' RETURNING id`,
      [id, ...endParams({ status: 'CANCELLED', errorMessage, stackTrace: null, results: null })],
    );
    return rows.length > 0;
  }

  /** Appends a progress line, keeping the last MAX_JOB_UPDATES, in one statement. */
  /**
   * Deletes up to `limit` finished jobs (DONE, FAILED, CANCELLED) that ended before `before`;
   * answers how many. A finished job never runs again, so nothing waits on these rows.
   */
  async deleteFinishedBefore(em: EntityManager, before: Date, limit: number): Promise<number> {
    const [, deleted] = await em.query<UpdateResult<unknown>>(
      `DELETE FROM backend_jobs WHERE id IN (
         SELECT id FROM backend_jobs
          WHERE finished_on < $1 AND status = ANY ($2::varchar[])
          LIMIT ${Math.floor(limit)})`,
      [before, FINISHED_STATUSES],
    );
    return deleted;
  }

  async appendUpdate(em: EntityManager, id: string, update: JobUpdate, donePercentage: number): Promise<void> {
    await em.query(
      `UPDATE backend_jobs
       SET updates = jsonb_path_query_array(updates || $2::jsonb, '$[last - ${MAX_JOB_UPDATES - 1} to last]'),
           done_percentage = $3, updated_on = now()
       WHERE id = $1`,
      [id, JSON.stringify([update]), donePercentage],
    );
  }

  /** Jobs that should be running but that no live worker holds, for the sweeper to hand out again. */
  async findUnattended(em: EntityManager, unclaimedGraceMs: number, limit: number): Promise<UnattendedJob[]> {
    return await em.query<UnattendedJob[]>(
      `SELECT id, attempts, type FROM backend_jobs
       WHERE (status = 'NOT_STARTED' AND start_on < now() - $1 * interval '1 millisecond')
          OR (status = 'STARTED' AND (lease_owner IS NULL OR lease_expires_at < now()))
       ORDER BY priority DESC, created_on LIMIT $2`,
      [unclaimedGraceMs, limit],
    );
  }
}

/** The SET list of a run's end, its four parameters starting at $first. */
function endColumns(first: number): string {
  // Casts: one parameter used as a column value and in a comparison needs one type.
  const [status, error, stack, results] = ['text', 'text', 'text', 'jsonb'].map((type, i) => `$${first + i}::${type}`);
  return `status = ${status}, finished_on = now(), error_message = ${error}, stack_trace = ${stack},
    results = ${results}, done_percentage = CASE WHEN ${status} = 'DONE' THEN 100 ELSE done_percentage END,
    lease_owner = NULL, lease_expires_at = NULL, updated_on = now()`;
}

function endParams(end: JobEnd): unknown[] {
  return [end.status, end.errorMessage, end.stackTrace, end.results === null ? null : JSON.stringify(end.results)];
}
