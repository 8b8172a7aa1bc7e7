import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { isUuid } from '../../common/ids';
import { restoredContent, storedChangeOf } from '../capture/stored-change';
import type { StreamForm } from '../entities/event-stream.entity';
import type { SetEvent } from '../sets/set-token';

/** The delivery state of a stream, as the delivery job reads it. */
export interface DeliveryStream {
  id: string;
  tenantId: string;
  delivery: 'push' | 'poll';
  status: 'active' | 'paused';
  endpointUrl: string | null;
  form: StreamForm;
  signingKid: string;
  signingKeySealed: string;
  eventTypes: string[];
  resourceTypes: string[];
  cursor: string;
  attempts: number;
  failingSince: Date | null;
  deliveryJobId: string | null;
  /** The database's clock when the row was read. */
  now: Date;
}

/** A change event as the job delivers it (the raw row, camelCased). */
export interface PendingEvent {
  seq: string;
  eventId: string;
  resourceType: string;
  resourceId: string;
  eventType: string;
  set: SetEvent;
}

export interface DeadLetterRow {
  id: string;
  seq: string;
  eventId: string;
  setToken: string;
  error: string;
  attempts: number;
  deadOn: Date;
}

const STREAM_COLUMNS = `id, tenant_id AS "tenantId", delivery, status, endpoint_url AS "endpointUrl", form,
  signing_kid AS "signingKid", signing_key_sealed AS "signingKeySealed",
  event_types AS "eventTypes", resource_types AS "resourceTypes", cursor::text AS cursor, attempts,
  failing_since AS "failingSince", delivery_job_id AS "deliveryJobId", now() AS now`;

/** The delivery engine's reads and writes of event_streams, change_events and event_dead_letters. */
@Injectable()
export class EventDeliveryRepository {
  /**
   * Locks (SKIP LOCKED) up to `limit` active push streams that have an event after their cursor,
   * are due (next_attempt_on) and have no live delivery job.
   */
  async lockDueStreams(em: EntityManager, limit: number): Promise<{ id: string; tenantId: string }[]> {
    return em.query(
      `SELECT s.id, s.tenant_id AS "tenantId" FROM event_streams s
        WHERE s.status = 'active' AND s.delivery = 'push'
          AND (s.next_attempt_on IS NULL OR s.next_attempt_on <= now())
          AND (s.delivery_job_id IS NULL OR NOT EXISTS (
                SELECT 1 FROM backend_jobs j WHERE j.id = s.delivery_job_id AND j.status IN ('NOT_STARTED', 'STARTED')))
          AND EXISTS (SELECT 1 FROM change_runs r WHERE r.tenant_id = s.tenant_id AND r.last_seq > s.cursor)
        ORDER BY s.next_attempt_on NULLS FIRST, s.id
        LIMIT $1 FOR UPDATE OF s SKIP LOCKED`,
      [limit],
    );
  }

  async setDeliveryJob(em: EntityManager, streamId: string, jobId: string | null): Promise<void> {
    await em.query('UPDATE event_streams SET delivery_job_id = $2 WHERE id = $1', [streamId, jobId]);
  }

  /** Clears the stream's job if it is still `jobId` (the job has caught up or stopped). */
  async releaseDeliveryJob(em: EntityManager, streamId: string, jobId: string): Promise<void> {
    await em.query('UPDATE event_streams SET delivery_job_id = NULL WHERE id = $1 AND delivery_job_id = $2', [
      streamId,
      jobId,
    ]);
  }

  async findStream(em: EntityManager, streamId: string, lock = false): Promise<DeliveryStream | null> {
    const rows = await em.query<DeliveryStream[]>(
      `SELECT ${STREAM_COLUMNS} FROM event_streams WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [streamId],
    );
    return rows[0] ?? null;
  }

  async findTenantStream(em: EntityManager, tenantId: string, streamId: string, lock = false) {
    if (!isUuid(streamId)) return null;
    const rows = await em.query<DeliveryStream[]>(
      `SELECT ${STREAM_COLUMNS} FROM event_streams WHERE id = $1 AND tenant_id = $2${lock ? ' FOR UPDATE' : ''}`,
      [streamId, tenantId],
    );
    return rows[0] ?? null;
  }

  /** Up to `limit` sequenced events of the tenant after `after`, in seq order (change_feed_after's). */
  async eventsAfter(em: EntityManager, tenantId: string, after: string, limit: number): Promise<PendingEvent[]> {
    const rows = await em.query<Record<string, unknown>[]>(`SELECT * FROM change_feed_after($1, $2::bigint) LIMIT $3`, [
      tenantId,
      after,
      limit,
    ]);
    return rows.map((row) => {
      const stored = storedChangeOf(row);
      const set: SetEvent = {
        eventId: String(row.event_id),
        seq: String(row.seq),
        resourceType: stored.resourceType as SetEvent['resourceType'],
        resourceId: stored.resourceId,
        memberId: stored.memberId,
        externalId: stored.externalId,
        version: row.version === null || row.version === undefined ? null : Number(row.version),
        eventType: stored.eventType as SetEvent['eventType'],
        ...restoredContent(stored),
        correlationId: (row.correlation_id as string | null) ?? null,
        transactionId: (row.transaction_id as string | null) ?? null,
        occurredOn: new Date(row.occurred_on as string),
      };
      return {
        seq: set.seq,
        eventId: set.eventId,
        resourceType: set.resourceType,
        resourceId: set.resourceId,
        eventType: set.eventType,
        set,
      };
    });
  }

  /** The delivered prefix after a successful batch: cursor moves, the failure record is cleared. */
  async delivered(em: EntityManager, streamId: string, cursor: string, advanced: boolean): Promise<void> {
    await em.query(
      `UPDATE event_streams SET cursor = $2, attempts = 0, failing_since = NULL, next_attempt_on = NULL,
         last_delivered_on = CASE WHEN $3::boolean THEN now() ELSE last_delivered_on END, updated_on = now()
       WHERE id = $1`,
      [streamId, cursor, advanced],
    );
  }

  /** A failed batch: the delivered prefix is kept, the failure recorded, the next attempt scheduled. */
  async failed(
    em: EntityManager,
    streamId: string,
    change: { cursor: string; advanced: boolean; attempts: number; failingSince: Date; error: string; delayMs: number },
  ): Promise<void> {
    await em.query(
      `UPDATE event_streams SET cursor = $2, attempts = $3, failing_since = $4, last_error = $5, last_error_on = now(),
         next_attempt_on = now() + $6 * interval '1 millisecond',
         last_delivered_on = CASE WHEN $7::boolean THEN now() ELSE last_delivered_on END, updated_on = now()
       WHERE id = $1`,
      [
        streamId,
        change.cursor,
        change.attempts,
        change.failingSince,
        change.error.slice(0, 2000),
        change.delayMs,
        change.advanced,
      ],
    );
  }

  async insertDeadLetter(
    em: EntityManager,
    letter: {
      streamId: string;
      tenantId: string;
      seq: string;
      eventId: string;
      setToken: string;
      error: string;
      attempts: number;
    },
  ): Promise<void> {
    await em.query(
      `INSERT INTO event_dead_letters (stream_id, tenant_id, seq, event_id, set_token, error, attempts, dead_on)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now())`,
      [
        letter.streamId,
        letter.tenantId,
        letter.seq,
        letter.eventId,
        letter.setToken,
        letter.error.slice(0, 2000),
        letter.attempts,
      ],
    );
  }

  async setStatus(em: EntityManager, streamId: string, status: 'active' | 'paused'): Promise<void> {
    await em.query(`UPDATE event_streams SET status = $2, next_attempt_on = NULL, updated_on = now() WHERE id = $1`, [
      streamId,
      status,
    ]);
  }

  /** cursor := after; the failure record and poll acks start over. */
  async replay(em: EntityManager, streamId: string, after: string): Promise<void> {
    await em.query(
      `UPDATE event_streams SET cursor = $2, acked = '{}', attempts = 0, failing_since = NULL, next_attempt_on = NULL,
         updated_on = now() WHERE id = $1`,
      [streamId, after],
    );
  }

  async deadLetters(
    em: EntityManager,
    streamId: string,
    offset: number,
    limit: number,
  ): Promise<{ rows: DeadLetterRow[]; total: number }> {
    const rows = await em.query<DeadLetterRow[]>(
      `SELECT id::text AS id, seq::text AS seq, event_id AS "eventId", set_token AS "setToken", error, attempts,
              dead_on AS "deadOn"
         FROM event_dead_letters WHERE stream_id = $1 ORDER BY id DESC OFFSET $2 LIMIT $3`,
      [streamId, offset, limit],
    );
    const [count] = await em.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM event_dead_letters WHERE stream_id = $1',
      [streamId],
    );
    return { rows, total: Number(count?.n ?? 0) };
  }
}
