import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { restoredContent } from '../capture/stored-change';

/** One event of the change_feed view (an event with its seq) as the feed and the history read it (seq as text). */
export interface ChangeRow {
  seq: string;
  eventId: string;
  resourceType: 'user' | 'department' | 'assignment';
  resourceId: string;
  memberId: string | null;
  userTypeId: string | null;
  externalId: string | null;
  version: number | null;
  eventType: 'create' | 'patch' | 'delete' | 'activate' | 'deactivate';
  attributes: string[];
  /** Only when asked for (form=full, history). */
  data?: unknown;
  door: string;
  credentialId: string | null;
  credentialName: string | null;
  correlationId: string | null;
  transactionId: string | null;
  occurredOn: Date;
}

/** `data` even for the notice form: a create's attribute names are worked out from it. */
const COLUMNS = `seq::text AS "seq", event_id AS "eventId", resource_type AS "resourceType",
  resource_id AS "resourceId", member_id AS "memberId", user_type_id AS "userTypeId",
  external_id AS "externalId", version, event_type AS "eventType", attributes, data, door,
  credential_id AS "credentialId", credential_name AS "credentialName",
  correlation_id AS "correlationId", transaction_id AS "transactionId", occurred_on AS "occurredOn"`;

type StoredRow = Omit<ChangeRow, 'data'> & { data: Record<string, unknown> | null };

/** The row with what its storage leaves out put back; its values only `withData`. */
function restored(row: StoredRow, withData: boolean): ChangeRow {
  const { attributes, data } = restoredContent(row);
  const { data: _stored, ...rest } = row;
  return withData ? { ...rest, attributes, data } : { ...rest, attributes };
}

/** Reads of change_events for the feed and the per-resource history, and their retention. */
@Injectable()
export class FeedRepository {
  /**
   * Up to `limit` sequenced changes of a tenant with seq > `after`, in seq order (the order
   * change_feed_after answers in: not sorted again). It reads the tenant's runs from `after` on,
   * as fast at the millionth event as at the first.
   */
  async findAfter(
    em: EntityManager,
    tenantId: string,
    after: string,
    limit: number,
    withData: boolean,
  ): Promise<ChangeRow[]> {
    const rows = await em.query<StoredRow[]>(`SELECT ${COLUMNS} FROM change_feed_after($1, $2::bigint) LIMIT $3`, [
      tenantId,
      after,
      limit,
    ]);
    return rows.map((row) => restored(row, withData));
  }

  /**
   * A page of the history of one user (its own events and the assignments naming it) or of one
   * department (its own events and its assignments), newest first. Each half reads its own index
   * ((tenant_id, resource_id, id) and (tenant_id, member_id, id)), at most offset + limit rows.
   */
  async findHistory(
    em: EntityManager,
    tenantId: string,
    subject: HistorySubject,
    offset: number,
    limit: number,
  ): Promise<{ rows: ChangeRow[]; total: number }> {
    const halves = subject.kind === 'user' ? ['resource_id', 'member_id'] : ['resource_id'];
    const select = (column: string) =>
      `(SELECT id, ${COLUMNS} FROM change_feed
        WHERE tenant_id = $1 AND ${column} = $2::uuid ORDER BY id DESC LIMIT $3)`;
    const count = (column: string) =>
      `(SELECT count(*) FROM change_feed WHERE tenant_id = $1 AND ${column} = $2::uuid)`;
    const [rows, totals] = await Promise.all([
      em.query<(StoredRow & { id: string })[]>(
        `SELECT * FROM (${halves.map(select).join(' UNION ALL ')}) e ORDER BY id DESC LIMIT $4 OFFSET $5`,
        [tenantId, subject.id, offset + limit, limit, offset],
      ),
      em.query<{ total: string }[]>(`SELECT ${halves.map(count).join(' + ')} AS total`, [tenantId, subject.id]),
    ]);
    return { rows: rows.map(({ id: _id, ...row }) => restored(row, true)), total: Number(totals[0].total) };
  }

  /** Whether the user or department exists in the tenant (a deleted one may still have a history). */
  async subjectExists(em: EntityManager, tenantId: string, subject: HistorySubject): Promise<boolean> {
    const table = subject.kind === 'user' ? 'users' : 'departments';
    const rows = await em.query<unknown[]>(`SELECT 1 FROM ${table} WHERE tenant_id = $1 AND id = $2::uuid`, [
      tenantId,
      subject.id,
    ]);
    return rows.length > 0;
  }

  /**
   * Deletes up to `batch` sequenced events older than `cutoff` that every stream of their tenant
   * has passed (seq <= the lowest cursor, active or paused); answers how many. Unsequenced events
   * are never deleted: the sequencer has yet to number them. A run goes once all its events have:
   * until then the ones left keep their seq.
   */
  async deleteBatchBefore(em: EntityManager, cutoff: Date, batch: number): Promise<number> {
    const [deleted] = await em.query<{ count: string; runs: string[] }[]>(
      `WITH gone AS (
         DELETE FROM change_events WHERE id IN (
           SELECT e.id FROM change_feed e
            WHERE e.occurred_on < $1
              AND NOT EXISTS (SELECT 1 FROM event_streams s WHERE s.tenant_id = e.tenant_id AND s.cursor < e.seq)
            ORDER BY e.id LIMIT $2)
         RETURNING id)
       SELECT (SELECT count(*) FROM gone) AS count,
              ARRAY(SELECT DISTINCT h.last_id::text FROM gone g CROSS JOIN LATERAL (
                      SELECT last_id FROM change_runs r WHERE r.last_id >= g.id ORDER BY r.last_id LIMIT 1) h) AS runs`,
      [cutoff, batch],
    );
    if (deleted.runs.length > 0) {
      await em.query(
        `DELETE FROM change_runs r WHERE r.last_id = ANY($1::bigint[])
            AND NOT EXISTS (SELECT 1 FROM change_events e WHERE e.id BETWEEN r.first_id AND r.last_id)`,
        [deleted.runs],
      );
    }
    return Number(deleted.count);
  }
}

export interface HistorySubject {
  kind: 'user' | 'department';
  id: string;
}
