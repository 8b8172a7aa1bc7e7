import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ENDED_BEFORE, endedBeforeParams } from './transactions.repository';
import {
  EntityType,
  OperationAction,
  OperationEntity,
  OperationErrorType,
  OperationStatus,
  RequestedAction,
} from './entities/operation.entity';

export interface NewOperation {
  orderId: number;
  entityType: EntityType;
  requestedAction: RequestedAction;
  payload: Record<string, unknown> | null;
  status: 'QUEUED' | 'INVALID';
  externalId: string | null;
  entityName: string | null;
  errorType: OperationErrorType | null;
  errorMessage: string | null;
  errorDetails: Record<string, unknown> | null;
}

/** What processing made of one operation. */
export interface OperationResult {
  orderId: number;
  status: 'SUCCEEDED' | 'FAILED' | 'SKIPPED';
  action: OperationAction | null;
  errorType: OperationErrorType | null;
  errorMessage: string | null;
  errorDetails: Record<string, unknown> | null;
}

export interface QueuedOperation {
  orderId: number;
  entityType: EntityType;
  requestedAction: RequestedAction;
  payload: Record<string, unknown>;
  externalId: string | null;
  entityName: string | null;
}

const ROWS_PER_STATEMENT = 1000;

@Injectable()
export class OperationsRepository {
  async insertMany(em: EntityManager, transactionId: string, operations: readonly NewOperation[]): Promise<void> {
    for (let start = 0; start < operations.length; start += ROWS_PER_STATEMENT) {
      const part = operations.slice(start, start + ROWS_PER_STATEMENT);
      const column = <K extends keyof NewOperation>(key: K): NewOperation[K][] =>
        part.map((operation) => operation[key]);
      await em.query(
        `INSERT INTO provisioning_operations
           (transaction_id, order_id, entity_type, requested_action, payload, status, external_id, entity_name,
            error_type, error_message, error_details, failed_on)
         SELECT $1, o.order_id, o.entity_type, o.requested_action, o.payload, o.status, o.external_id, o.entity_name,
                o.error_type, o.error_message, o.error_details, CASE WHEN o.status = 'INVALID' THEN now() END
           FROM unnest($2::int[], $3::text[], $4::text[], $5::jsonb[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::jsonb[])
             AS o(order_id, entity_type, requested_action, payload, status, external_id, entity_name, error_type, error_message, error_details)`,
        [
          transactionId,
          column('orderId'),
          column('entityType'),
          column('requestedAction'),
          column('payload').map(json),
          column('status'),
          column('externalId'),
          column('entityName'),
          column('errorType'),
          column('errorMessage'),
          column('errorDetails').map(json),
        ],
      );
    }
  }

  /** The operations still to process, in queue order. */
  async findQueued(em: EntityManager, transactionId: string): Promise<QueuedOperation[]> {
    const rows = await em.query<
      {
        order_id: number;
        entity_type: EntityType;
        requested_action: RequestedAction;
        payload: Record<string, unknown>;
        external_id: string | null;
        entity_name: string | null;
      }[]
    >(
      `SELECT order_id, entity_type, requested_action, payload, external_id, entity_name
         FROM provisioning_operations WHERE transaction_id = $1 AND status = 'QUEUED' ORDER BY order_id`,
      [transactionId],
    );
    return rows.map((row) => ({
      orderId: row.order_id,
      entityType: row.entity_type,
      requestedAction: row.requested_action,
      payload: row.payload,
      externalId: row.external_id,
      entityName: row.entity_name,
    }));
  }

  /** Which of these are still QUEUED: a batch whose step already committed is never applied again. */
  async stillQueued(em: EntityManager, transactionId: string, orderIds: readonly number[]): Promise<Set<number>> {
    const rows = await em.query<{ order_id: number }[]>(
      `SELECT order_id FROM provisioning_operations
        WHERE transaction_id = $1 AND order_id = ANY($2::int[]) AND status = 'QUEUED' FOR UPDATE`,
      [transactionId, orderIds],
    );
    return new Set(rows.map((row) => row.order_id));
  }

  async recordResults(em: EntityManager, transactionId: string, results: readonly OperationResult[]): Promise<void> {
    for (let start = 0; start < results.length; start += ROWS_PER_STATEMENT) {
      const part = results.slice(start, start + ROWS_PER_STATEMENT);
      const column = <K extends keyof OperationResult>(key: K): OperationResult[K][] =>
        part.map((result) => result[key]);
      await em.query(
        `UPDATE provisioning_operations o
            SET status = r.status, action = r.action, error_type = r.error_type, error_message = r.error_message,
                error_details = r.error_details, processed_on = now(),
                failed_on = CASE WHEN r.status = 'FAILED' THEN now() END
           FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[])
             AS r(order_id, status, action, error_type, error_message, error_details)
          WHERE o.transaction_id = $1 AND o.order_id = r.order_id`,
        [
          transactionId,
          column('orderId'),
          column('status'),
          column('action'),
          column('errorType'),
          column('errorMessage'),
          column('errorDetails').map(json),
        ],
      );
    }
  }

  /** SUCCEEDED and failed (FAILED or refused when queued) counts. */
  async counts(
    em: EntityManager,
    transactionId: string,
  ): Promise<{ succeeded: number; failed: number; queued: number }> {
    const [row] = await em.query<{ succeeded: number; failed: number; queued: number }[]>(
      `SELECT count(*) FILTER (WHERE status = 'SUCCEEDED')::int AS succeeded,
              count(*) FILTER (WHERE status IN ('FAILED', 'INVALID'))::int AS failed,
              count(*) FILTER (WHERE status = 'QUEUED')::int AS queued
         FROM provisioning_operations WHERE transaction_id = $1`,
      [transactionId],
    );
    return row;
  }

  /** Per entity type: total, succeeded and failed, for the job's `results`. */
  async countsByType(
    em: EntityManager,
    transactionId: string,
  ): Promise<Record<EntityType, { total: number; succeeded: number; failed: number }>> {
    const rows = await em.query<{ entity_type: EntityType; total: number; succeeded: number; failed: number }[]>(
      `SELECT entity_type, count(*)::int AS total,
              count(*) FILTER (WHERE status = 'SUCCEEDED')::int AS succeeded,
              count(*) FILTER (WHERE status IN ('FAILED', 'INVALID'))::int AS failed
         FROM provisioning_operations WHERE transaction_id = $1 GROUP BY entity_type`,
      [transactionId],
    );
    const empty = { total: 0, succeeded: 0, failed: 0 };
    const byType = new Map(rows.map((row) => [row.entity_type, row]));
    return { DEPARTMENT: byType.get('DEPARTMENT') ?? empty, USER: byType.get('USER') ?? empty };
  }

  /** Failed operations in order; the first `limit` of them when given. */
  failures(em: EntityManager, transactionId: string, limit?: number): Promise<OperationEntity[]> {
    return em
      .createQueryBuilder(OperationEntity, 'o')
      .where('o.transactionId = :transactionId', { transactionId })
      .andWhere("o.status IN ('FAILED', 'INVALID')")
      .orderBy('o.orderId', 'ASC')
      .take(limit)
      .getMany();
  }

  /** An atomic commit that failed applied nothing: the operations that would have succeeded are SKIPPED. */
  /** Deletes up to `limit` operations of transactions that ENDED_BEFORE `before`; answers how many. */
  async deleteOfTransactionsEndedBefore(em: EntityManager, before: Date, limit: number): Promise<number> {
    const [, deleted] = await em.query<[unknown, number]>(
      `DELETE FROM provisioning_operations o USING (
         SELECT op.transaction_id, op.order_id
           FROM provisioning_transactions t JOIN provisioning_operations op ON op.transaction_id = t.id
          WHERE ${ENDED_BEFORE}
          LIMIT ${Math.floor(limit)}) d
        WHERE o.transaction_id = d.transaction_id AND o.order_id = d.order_id`,
      endedBeforeParams(before),
    );
    return deleted;
  }

  async skipRemaining(em: EntityManager, transactionId: string, statuses: OperationStatus[]): Promise<void> {
    await em.query(
      `UPDATE provisioning_operations SET status = 'SKIPPED', processed_on = now()
        WHERE transaction_id = $1 AND status = ANY($2::text[])`,
      [transactionId, statuses],
    );
  }
}

function json(value: Record<string, unknown> | null): string | null {
  return value === null ? null : JSON.stringify(value);
}
