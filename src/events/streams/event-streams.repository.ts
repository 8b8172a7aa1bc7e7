import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { restoredContent, storedChangeOf } from '../capture/stored-change';
import type { ChangeEventType, ChangeResourceType } from '../entities/change-event.entity';
import type { StreamEventType, StreamResourceType } from './dto/event-stream.dto';
import type { EventStreamRecord, EventStreamState } from './event-stream.view';

/** The columns of `event_streams` a new stream sets; the rest take their defaults. */
export interface NewEventStream {
  tenantId: string;
  name: string;
  delivery: EventStreamRecord['delivery'];
  endpointUrl: string | null;
  eventTypes: StreamEventType[];
  resourceTypes: StreamResourceType[];
  form: EventStreamRecord['form'];
  /** null: the tenant's last seq at the insert. */
  cursor: string | null;
  signingKid: string;
  signingKeySealed: string;
  publicJwk: Record<string, unknown>;
}

export type EventStreamChanges = Partial<
  Pick<EventStreamRecord, 'name' | 'endpointUrl' | 'eventTypes' | 'resourceTypes' | 'form'>
>;

/** A change event as a SET is made from it (change_events columns, camelCase). */
export interface StreamEventRow {
  seq: string;
  eventId: string;
  resourceType: ChangeResourceType;
  resourceId: string;
  memberId: string | null;
  userTypeId: string | null;
  externalId: string | null;
  version: number | null;
  eventType: ChangeEventType;
  attributes: string[];
  data: Record<string, unknown> | null;
  door: string;
  credentialId: string | null;
  credentialName: string | null;
  correlationId: string | null;
  transactionId: string | null;
  occurredOn: Date;
}

const STREAM_COLUMNS = `s.id, s.tenant_id, s.name, s.delivery, s.endpoint_url, s.event_types, s.resource_types, s.form,
  s.status, s.cursor::text AS cursor, s.acked::text[] AS acked, s.signing_kid, s.signing_key_sealed, s.public_jwk,
  s.previous_kid, s.previous_public_jwk, s.attempts, s.failing_since, s.next_attempt_on, s.last_error, s.last_error_on,
  s.last_delivered_on, s.created_on, s.updated_on`;

/** The stream with the tenant's last seq and its dead letters counted. */
const STREAM_WITH_STATE = `SELECT ${STREAM_COLUMNS},
    COALESCE((SELECT q.last_seq FROM change_sequences q WHERE q.tenant_id = s.tenant_id), 0)::text AS last_seq,
    (SELECT count(*) FROM event_dead_letters d WHERE d.stream_id = s.id)::int AS dead_letters
  FROM event_streams s`;

const EVENT_COLUMNS = `e.seq::text AS seq, e.event_id, e.resource_type, e.resource_id, e.member_id, e.user_type_id,
  e.external_id, e.version, e.event_type, e.attributes, e.data, e.door, e.credential_id, e.credential_name,
  e.correlation_id, e.transaction_id, e.occurred_on`;

type Row = Record<string, unknown>;
/** UPDATE and DELETE answer [rows, rowCount] through TypeORM's postgres driver. */
type Changed = [unknown, number];

@Injectable()
export class EventStreamsRepository {
  async insert(em: EntityManager, stream: NewEventStream): Promise<string> {
    const rows: Row[] = await em.query(
      `INSERT INTO event_streams (tenant_id, name, delivery, endpoint_url, event_types, resource_types, form, cursor,
         acked, signing_kid, signing_key_sealed, public_jwk)
       VALUES ($1::varchar, $2, $3, $4, $5::text[], $6::text[], $7,
         COALESCE($8::bigint, (SELECT last_seq FROM change_sequences WHERE tenant_id = $1::varchar), 0),
         '{}', $9, $10, $11)
       RETURNING id`,
      [
        stream.tenantId,
        stream.name,
        stream.delivery,
        stream.endpointUrl,
        stream.eventTypes,
        stream.resourceTypes,
        stream.form,
        stream.cursor,
        stream.signingKid,
        stream.signingKeySealed,
        JSON.stringify(stream.publicJwk),
      ],
    );
    return rows[0].id as string;
  }

  async list(
    em: EntityManager,
    tenantId: string,
  ): Promise<Array<{ stream: EventStreamRecord; state: EventStreamState }>> {
    const rows: Row[] = await em.query(`${STREAM_WITH_STATE} WHERE s.tenant_id = $1 ORDER BY s.created_on, s.id`, [
      tenantId,
    ]);
    return rows.map(withState);
  }

  async find(
    em: EntityManager,
    tenantId: string,
    id: string,
  ): Promise<{ stream: EventStreamRecord; state: EventStreamState } | null> {
    if (!isUuid(id)) return null;
    const rows: Row[] = await em.query(`${STREAM_WITH_STATE} WHERE s.tenant_id = $1 AND s.id = $2`, [tenantId, id]);
    return rows[0] ? withState(rows[0]) : null;
  }

  /** The stream by id alone, locked for the rest of `em`'s transaction when `lock`. */
  async findById(em: EntityManager, id: string, lock = false): Promise<EventStreamRecord | null> {
    if (!isUuid(id)) return null;
    const rows: Row[] = await em.query(
      `SELECT ${STREAM_COLUMNS} FROM event_streams s WHERE s.id = $1${lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async update(em: EntityManager, tenantId: string, id: string, changes: EventStreamChanges): Promise<boolean> {
    const columns: Record<keyof EventStreamChanges, string> = {
      name: 'name',
      endpointUrl: 'endpoint_url',
      eventTypes: 'event_types',
      resourceTypes: 'resource_types',
      form: 'form',
    };
    const sets: string[] = ['updated_on = now()'];
    const values: unknown[] = [tenantId, id];
    for (const [key, column] of Object.entries(columns) as Array<[keyof EventStreamChanges, string]>) {
      if (changes[key] === undefined) continue;
      values.push(changes[key]);
      sets.push(`${column} = $${values.length}`);
    }
    if (!isUuid(id)) return false;
    const [, affected] = await em.query<Changed>(
      `UPDATE event_streams SET ${sets.join(', ')} WHERE tenant_id = $1 AND id = $2`,
      values,
    );
    return affected > 0;
  }

  async delete(em: EntityManager, tenantId: string, id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const [, affected] = await em.query<Changed>(`DELETE FROM event_streams WHERE tenant_id = $1 AND id = $2`, [
      tenantId,
      id,
    ]);
    return affected > 0;
  }

  /** The new key becomes current; the current one stays in the JWKS as the previous (the one before is dropped). */
  async rotateKey(
    em: EntityManager,
    tenantId: string,
    id: string,
    key: { kid: string; sealed: string; publicJwk: Record<string, unknown> },
  ): Promise<boolean> {
    if (!isUuid(id)) return false;
    const [, affected] = await em.query<Changed>(
      `UPDATE event_streams
          SET previous_kid = signing_kid, previous_public_jwk = public_jwk,
              signing_kid = $3, signing_key_sealed = $4, public_jwk = $5, updated_on = now()
        WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id, key.kid, key.sealed, JSON.stringify(key.publicJwk)],
    );
    return affected > 0;
  }

  /** Public JWKs of every stream of the tenant, current and previous. */
  async publicKeys(em: EntityManager, tenantId: string): Promise<Array<Record<string, unknown>>> {
    const rows: Row[] = await em.query(
      `SELECT public_jwk, previous_public_jwk FROM event_streams WHERE tenant_id = $1 ORDER BY created_on, id`,
      [tenantId],
    );
    return rows.flatMap((row) =>
      [row.public_jwk, row.previous_public_jwk].filter((jwk): jwk is Record<string, unknown> => !!jwk),
    );
  }

  /** Records a poll's outcome: the cursor and the acked seqs above it, and the receiver's errors when any. */
  async savePollState(
    em: EntityManager,
    id: string,
    state: { cursor: string; acked: string[]; delivered: boolean; error?: string },
  ): Promise<void> {
    await em.query(
      `UPDATE event_streams
          SET cursor = $2::bigint, acked = $3::bigint[],
              last_delivered_on = CASE WHEN $4 THEN now() ELSE last_delivered_on END,
              last_error = COALESCE($5, last_error),
              last_error_on = CASE WHEN $5::text IS NULL THEN last_error_on ELSE now() END,
              updated_on = now()
        WHERE id = $1`,
      [id, state.cursor, state.acked, state.delivered, state.error ?? null],
    );
  }

  /**
   * The events after `cursor` the stream still owes: not acked, of its event and resource types,
   * in seq order (change_feed_after's), at most `limit`.
   */
  async pendingEvents(em: EntityManager, stream: EventStreamRecord, limit: number): Promise<StreamEventRow[]> {
    const rows: Row[] = await em.query(
      `SELECT ${EVENT_COLUMNS} FROM change_feed_after($1, $2::bigint) e
        WHERE e.seq <> ALL($3::bigint[]) AND e.event_type = ANY($4::text[]) AND e.resource_type = ANY($5::text[])
        LIMIT $6`,
      [stream.tenantId, stream.cursor, stream.acked, stream.eventTypes, stream.resourceTypes, limit],
    );
    return rows.map(toEvent);
  }

  /** seq of the stream's tenant's events after `cursor` whose event id is one of `eventIds`. */
  async seqsOfEvents(
    em: EntityManager,
    tenantId: string,
    cursor: string,
    eventIds: string[],
  ): Promise<Array<{ seq: string; eventId: string }>> {
    if (eventIds.length === 0) return [];
    const rows: Row[] = await em.query(
      `SELECT e.seq::text AS seq, e.event_id FROM change_feed_after($1, $2::bigint) e
        WHERE e.event_id = ANY($3::uuid[]) LIMIT cardinality($3::uuid[])`,
      [tenantId, cursor, eventIds],
    );
    return rows.map((row) => ({ seq: row.seq as string, eventId: row.event_id as string }));
  }

  /**
   * Events after `cursor`, each saying whether the stream is done with it (acked, or outside its
   * filter), in seq order (change_feed_after's), at most `limit`: the cursor moves over the done prefix.
   */
  async doneAfter(
    em: EntityManager,
    stream: Pick<EventStreamRecord, 'tenantId' | 'eventTypes' | 'resourceTypes'>,
    cursor: string,
    acked: string[],
    limit: number,
  ): Promise<Array<{ seq: string; done: boolean }>> {
    const rows: Row[] = await em.query(
      `SELECT e.seq::text AS seq,
              (e.seq = ANY($3::bigint[]) OR NOT (e.event_type = ANY($4::text[]) AND e.resource_type = ANY($5::text[]))) AS done
         FROM change_feed_after($1, $2::bigint) e
        LIMIT $6`,
      [stream.tenantId, cursor, acked, stream.eventTypes, stream.resourceTypes, limit],
    );
    return rows.map((row) => ({ seq: row.seq as string, done: row.done as boolean }));
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);

function withState(row: Row): { stream: EventStreamRecord; state: EventStreamState } {
  return { stream: toRecord(row), state: { lastSeq: row.last_seq as string, deadLetters: row.dead_letters as number } };
}

function toRecord(row: Row): EventStreamRecord {
  return {
    id: row.id as string,
    tenantId: row.tenant_id as string,
    name: row.name as string,
    delivery: row.delivery as EventStreamRecord['delivery'],
    endpointUrl: row.endpoint_url as string | null,
    eventTypes: row.event_types as EventStreamRecord['eventTypes'],
    resourceTypes: row.resource_types as EventStreamRecord['resourceTypes'],
    form: row.form as EventStreamRecord['form'],
    status: row.status as EventStreamRecord['status'],
    cursor: row.cursor as string,
    acked: (row.acked as string[] | null) ?? [],
    signingKid: row.signing_kid as string,
    signingKeySealed: row.signing_key_sealed as string,
    publicJwk: row.public_jwk as Record<string, unknown>,
    previousKid: row.previous_kid as string | null,
    previousPublicJwk: row.previous_public_jwk as Record<string, unknown> | null,
    attempts: row.attempts as number,
    failingSince: row.failing_since as Date | null,
    nextAttemptOn: row.next_attempt_on as Date | null,
    lastError: row.last_error as string | null,
    lastErrorOn: row.last_error_on as Date | null,
    lastDeliveredOn: row.last_delivered_on as Date | null,
    createdOn: row.created_on as Date,
    updatedOn: row.updated_on as Date,
  };
}

function toEvent(row: Row): StreamEventRow {
  return {
    seq: row.seq as string,
    eventId: row.event_id as string,
    resourceType: row.resource_type as ChangeResourceType,
    resourceId: row.resource_id as string,
    memberId: row.member_id as string | null,
    userTypeId: row.user_type_id as string | null,
    externalId: row.external_id as string | null,
    eventType: row.event_type as ChangeEventType,
    ...restoredContent(storedChangeOf(row)),
    version: row.version as number | null,
    door: row.door as string,
    credentialId: row.credential_id as string | null,
    credentialName: row.credential_name as string | null,
    correlationId: row.correlation_id as string | null,
    transactionId: row.transaction_id as string | null,
    occurredOn: row.occurred_on as Date,
  };
}
