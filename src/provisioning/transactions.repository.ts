import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { FINISHED_STATUSES } from '../jobs/backend-job.entity';
import {
  ENDED_TRANSACTION_STATUSES,
  MAX_OPERATIONS_PER_TRANSACTION,
  TransactionEntity,
  TransactionStatus,
} from './entities/transaction.entity';
import { isUuid } from '../common/ids';

/** What operators filter every tenant's transactions by. */
export interface AdminTransactionFilters {
  tenantId?: string;
  status?: TransactionStatus;
  createdAfter?: Date;
  createdBefore?: Date;
}

export interface TransactionFilters {
  status?: TransactionStatus;
  createdBy?: string;
  createdAfter?: Date;
  createdBefore?: Date;
}

/**
 * `t` (a provisioning_transactions row) is one retention may delete: it ended before $1, and its
 * commit job, if it still exists, has finished too (a job writes its results after the
 * transaction has ended, reading it and its operations). $2: ENDED_TRANSACTION_STATUSES, $3: the
 * jobs' FINISHED_STATUSES (`endedBeforeParams`).
 */
export const ENDED_BEFORE = `t.completed_on < $1 AND t.status = ANY ($2::varchar[])
  AND NOT EXISTS (SELECT 1 FROM backend_jobs j WHERE j.id = t.job_id AND NOT j.status = ANY ($3::varchar[]))`;

export const endedBeforeParams = (before: Date): unknown[] => [before, ENDED_TRANSACTION_STATUSES, FINISHED_STATUSES];

@Injectable()
export class TransactionsRepository {
  insert(
    em: EntityManager,
    tenantId: string,
    createdBy: string,
    correlationId: string | null = null,
  ): Promise<TransactionEntity> {
    return em.save(
      TransactionEntity,
      em.create(TransactionEntity, { tenantId, createdBy, updatedBy: createdBy, correlationId }),
    );
  }

  /** The tenant's transaction; null for another tenant's, a missing one, or an id that is not a uuid. */
  async find(em: EntityManager, tenantId: string, id: string, lock = false): Promise<TransactionEntity | null> {
    if (!isUuid(id)) return null;
    return em.findOne(TransactionEntity, {
      where: { id, tenantId },
      ...(lock ? { lock: { mode: 'pessimistic_write' } } : {}),
    });
  }

  findById(em: EntityManager, id: string): Promise<TransactionEntity | null> {
    return em.findOneBy(TransactionEntity, { id });
  }

  /**
   * Hands out `count` order ids of an OPEN transaction and counts them in, in one statement, so
   * concurrent queue requests never share an id or pass the limit together. Null when refused.
   */
  async allocate(em: EntityManager, tenantId: string, id: string, count: number, by: string): Promise<number | null> {
    if (!isUuid(id)) return null;
    const [rows] = await em.query<[{ last_order_id: number }[], number]>(
      `UPDATE provisioning_transactions
          SET last_order_id = last_order_id + $3, operation_count = operation_count + $3, updated_by = $4, updated_on = now()
        WHERE id = $1 AND tenant_id = $2 AND status = 'OPEN' AND operation_count + $3 <= $5
        RETURNING last_order_id`,
      [id, tenantId, count, by, MAX_OPERATIONS_PER_TRANSACTION],
    );
    return rows.length > 0 ? rows[0].last_order_id - count + 1 : null;
  }

  /**
   * Deletes up to `limit` transactions that ENDED_BEFORE `before` and have no operations left
   * (retention deletes those first, in batches of their own); answers how many.
   */
  async deleteEndedBefore(em: EntityManager, before: Date, limit: number): Promise<number> {
    const [, deleted] = await em.query<[unknown, number]>(
      `DELETE FROM provisioning_transactions WHERE id IN (
         SELECT t.id FROM provisioning_transactions t
          WHERE ${ENDED_BEFORE}
            AND NOT EXISTS (SELECT 1 FROM provisioning_operations o WHERE o.transaction_id = t.id)
          LIMIT ${Math.floor(limit)})`,
      endedBeforeParams(before),
    );
    return deleted;
  }

  /**
   * Ends every OPEN transaction idle since before `before` as EXPIRED, in one statement; answers
   * how many. `updated_on` is its last activity: the checkpoint, or the last queue request
   * (`allocate` sets it). The status and idleness are re-checked on each row once it is locked,
   * so a transaction being queued into or committed meanwhile is left as that request leaves it.
   */
  async expireIdleSince(em: EntityManager, before: Date): Promise<number> {
    const [, expired] = await em.query<[unknown, number]>(
      `UPDATE provisioning_transactions SET status = 'EXPIRED', completed_on = now(), updated_on = now()
        WHERE status = 'OPEN' AND updated_on < $1`,
      [before],
    );
    return expired;
  }

  async update(em: EntityManager, id: string, changes: Partial<TransactionEntity>): Promise<void> {
    await em.update(TransactionEntity, { id }, changes);
  }

  async setCounts(em: EntityManager, id: string, completed: number, failed: number): Promise<void> {
    await em.update(TransactionEntity, { id }, { completedCount: completed, failedCount: failed });
  }

  /** Every tenant's transactions (operators), newest first. */
  async listAll(
    em: EntityManager,
    filters: AdminTransactionFilters,
    offset: number,
    limit: number,
  ): Promise<{ rows: TransactionEntity[]; total: number }> {
    const query = em
      .createQueryBuilder(TransactionEntity, 't')
      .orderBy('t.createdOn', 'DESC')
      .addOrderBy('t.id', 'DESC')
      .skip(offset)
      .take(limit);
    if (filters.tenantId) query.andWhere('t.tenantId = :tenantId', { tenantId: filters.tenantId });
    if (filters.status) query.andWhere('t.status = :status', { status: filters.status });
    if (filters.createdAfter) query.andWhere('t.createdOn >= :after', { after: filters.createdAfter });
    if (filters.createdBefore) query.andWhere('t.createdOn < :before', { before: filters.createdBefore });
    const [rows, total] = await query.getManyAndCount();
    return { rows, total };
  }

  async list(
    em: EntityManager,
    tenantId: string,
    filters: TransactionFilters,
    page: number,
    pageSize: number,
  ): Promise<{ rows: TransactionEntity[]; total: number }> {
    const query = em
      .createQueryBuilder(TransactionEntity, 't')
      .where('t.tenantId = :tenantId', { tenantId })
      .orderBy('t.createdOn', 'DESC')
      .addOrderBy('t.id', 'DESC')
      .skip(page * pageSize)
      .take(pageSize);
    if (filters.status) query.andWhere('t.status = :status', { status: filters.status });
    if (filters.createdBy) query.andWhere('t.createdBy = :createdBy', { createdBy: filters.createdBy });
    if (filters.createdAfter) query.andWhere('t.createdOn >= :after', { after: filters.createdAfter });
    if (filters.createdBefore) query.andWhere('t.createdOn < :before', { before: filters.createdBefore });
    const [rows, total] = await query.getManyAndCount();
    return { rows, total };
  }
}
