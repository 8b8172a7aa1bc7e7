import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * The sequencer's statement: the oldest unsequenced events (committed ones: no other are
 * visible), numbered per tenant in id order after each tenant's last seq, which it advances.
 */
const SEQUENCE_PENDING = `
  WITH pending AS (
    SELECT id, tenant_id FROM change_events WHERE seq IS NULL ORDER BY id LIMIT $1
  ), numbered AS (
    SELECT id, tenant_id,
           row_number() OVER (PARTITION BY tenant_id ORDER BY id) AS n,
           count(*) OVER (PARTITION BY tenant_id) AS total
      FROM pending
  ), advanced AS (
    INSERT INTO change_sequences AS s (tenant_id, last_seq)
    SELECT tenant_id, max(total) FROM numbered GROUP BY tenant_id
    ON CONFLICT (tenant_id) DO UPDATE SET last_seq = s.last_seq + EXCLUDED.last_seq
    RETURNING tenant_id, last_seq
  )
  UPDATE change_events e SET seq = a.last_seq - x.total + x.n
    FROM numbered x JOIN advanced a ON a.tenant_id = x.tenant_id
   WHERE e.id = x.id
  RETURNING e.tenant_id`;

/** Tenants and how many of their events one sequencing pass numbered. */
export type Sequenced = Map<string, number>;

@Injectable()
export class ChangeEventsRepository {
  /** Numbers up to `limit` pending events; call it with the sequencer's advisory lock held. */
  async sequencePending(em: EntityManager, limit: number): Promise<Sequenced> {
    const [rows] = await em.query<[{ tenant_id: string }[], number]>(SEQUENCE_PENDING, [limit]);
    const sequenced: Sequenced = new Map();
    for (const row of rows) sequenced.set(row.tenant_id, (sequenced.get(row.tenant_id) ?? 0) + 1);
    return sequenced;
  }

  /** True when some committed event has no seq yet (one probe of the pending index). */
  async hasPending(em: EntityManager): Promise<boolean> {
    const rows = await em.query<unknown[]>(`SELECT 1 FROM change_events WHERE seq IS NULL LIMIT 1`);
    return rows.length > 0;
  }

  /**
   * Takes the sequencer's transaction-level advisory lock, waiting for another holder to finish.
   * JIT off for the pass: the numbering statement's estimates after a large commit are high enough
   * to compile it, which costs far more CPU than the statement itself.
   */
  async lockSequencer(em: EntityManager, key: number): Promise<void> {
    await em.query(`SELECT pg_advisory_xact_lock($1), set_config('jit', 'off', true)`, [key]);
  }

  /** The tenant's last seq (0 before its first event). */
  async lastSeq(em: EntityManager, tenantId: string): Promise<string> {
    const rows = await em.query<{ last_seq: string }[]>(`SELECT last_seq FROM change_sequences WHERE tenant_id = $1`, [
      tenantId,
    ]);
    return rows[0]?.last_seq ?? '0';
  }
}
