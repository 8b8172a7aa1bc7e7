import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * Where the sequencer stands, and the last event id given out so far. Read before the numbering
 * statement, so that its snapshot is taken after this id was read.
 */
const SEQUENCER_STATE = `
  SELECT watermark::text, next_watermark::text AS "nextWatermark", next_xid::text AS "nextXid",
         (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM change_events_id_seq)::text AS "lastId"
    FROM change_sequencer`;

/**
 * The numbering statement ($1 the batch size; $2..$5 SEQUENCER_STATE's values).
 *
 * The events above the watermark that this statement can see (committed) and that no run holds
 * yet are numbered, oldest first, per tenant in id order after the tenant's last seq, which it
 * advances. They are read from the gaps between the runs above the watermark: one range of the
 * primary key per gap, so a pass never reads an event that is numbered already, however far the
 * watermark lags (it waits for the oldest transaction open at an earlier pass, and a commit step
 * keeps one open while the next pass runs). Each gap is its own subquery (the LIMIT keeps it one):
 * flattened into a join, the planner read the whole primary key and filtered it by the gaps.
 *
 * They are numbered by runs (migration 1796100000000): the new events of a tenant whose ids follow
 * each other with no gap (nothing between them that is another tenant's, uncommitted or rolled
 * back) make one run, one row. A commit step's events, inserted by one statement, are one run.
 *
 * The watermark then moves when it safely can. An event takes its id inside its transaction, after
 * that transaction's own write gave it a transaction id (the capture triggers run after their
 * statement's write). So every event with an id up to `lastId` belongs to a transaction whose id
 * is below this pass's own (given at its first write, after `lastId` was read). A pass records
 * that pair as (next_watermark, next_xid). A later pass whose snapshot xmin has reached next_xid
 * knows all of those transactions have ended: their events are committed, and numbered by that
 * pass, or rolled back. So next_watermark becomes the watermark and that pass records a new pair.
 * Not when the batch was full: the next pass goes on from here.
 */
const SEQUENCE_PENDING = `
  WITH known AS MATERIALIZED (
    SELECT first_id, last_id FROM change_runs WHERE last_id > $2::bigint
  ), gaps AS (
    SELECT coalesce(lag(last_id) OVER (ORDER BY last_id), $2::bigint) AS after_id, first_id AS before_id FROM known
    UNION ALL
    SELECT coalesce(max(last_id), $2::bigint), NULL FROM known
  ), pending AS (
    SELECT e.id, e.tenant_id FROM gaps g
     CROSS JOIN LATERAL (
           SELECT id, tenant_id FROM change_events e
            WHERE e.id > g.after_id AND e.id < coalesce(g.before_id, 9223372036854775807)
            ORDER BY e.id LIMIT $1) e
     ORDER BY e.id LIMIT $1
  ), runs AS (
    SELECT tenant_id, min(id) AS first_id, max(id) AS last_id, count(*) AS n
      FROM (SELECT id, tenant_id, id - row_number() OVER (PARTITION BY tenant_id ORDER BY id) AS run FROM pending) p
     GROUP BY tenant_id, run
  ), numbered AS (
    SELECT tenant_id, first_id, last_id, n,
           sum(n) OVER (PARTITION BY tenant_id ORDER BY first_id) AS upto,
           sum(n) OVER (PARTITION BY tenant_id) AS total
      FROM runs
  ), advanced AS (
    INSERT INTO change_sequences AS s (tenant_id, last_seq)
    SELECT tenant_id, max(total) FROM numbered GROUP BY tenant_id
    ON CONFLICT (tenant_id) DO UPDATE SET last_seq = s.last_seq + EXCLUDED.last_seq
    RETURNING tenant_id, last_seq
  ), moved AS (
    UPDATE change_sequencer
       SET watermark = $3::bigint, next_watermark = $5::bigint,
           next_xid = pg_current_xact_id()::text::bigint
     WHERE pg_snapshot_xmin(pg_current_snapshot())::text::bigint >= $4::bigint
       AND (SELECT count(*) FROM pending) < $1
  )
  INSERT INTO change_runs (last_id, first_id, tenant_id, first_seq, last_seq)
  SELECT x.last_id, x.first_id, x.tenant_id, a.last_seq - x.total + x.upto - x.n + 1, a.last_seq - x.total + x.upto
    FROM numbered x JOIN advanced a ON a.tenant_id = x.tenant_id
  RETURNING tenant_id, last_seq - first_seq + 1 AS n`;

/**
 * Whether a pass has anything to do: an event above the watermark, new or numbered but not yet
 * passed. The newest id is one step down the primary key's end; once writes stop, two passes move
 * the watermark past every event and this answers false.
 */
const HAS_PENDING = `SELECT (SELECT max(id) FROM change_events) > watermark AS pending FROM change_sequencer`;

/** Tenants and how many of their events one sequencing pass numbered. */
export type Sequenced = Map<string, number>;

interface SequencerState {
  watermark: string;
  nextWatermark: string;
  nextXid: string;
  lastId: string;
}

@Injectable()
export class ChangeEventsRepository {
  /** Numbers up to `limit` pending events; call it with the sequencer's advisory lock held. */
  async sequencePending(em: EntityManager, limit: number): Promise<Sequenced> {
    const [state] = await em.query<SequencerState[]>(SEQUENCER_STATE);
    // Values, not subqueries: planned with them, the range is seen to be the key's last few entries.
    const rows = await em.query<{ tenant_id: string; n: string }[]>(SEQUENCE_PENDING, [
      limit,
      state.watermark,
      state.nextWatermark,
      state.nextXid,
      state.lastId,
    ]);
    const sequenced: Sequenced = new Map();
    for (const row of rows) sequenced.set(row.tenant_id, (sequenced.get(row.tenant_id) ?? 0) + Number(row.n));
    return sequenced;
  }

  /** True when a sequencing pass may have events to number or a watermark to move (HAS_PENDING). */
  async hasPending(em: EntityManager): Promise<boolean> {
    const rows = await em.query<{ pending: boolean | null }[]>(HAS_PENDING);
    return rows[0]?.pending === true;
  }

  /**
   * Takes the sequencer's transaction-level advisory lock, waiting for another holder to finish.
   * For the pass, JIT off: the numbering statement's estimates after a large commit are high enough
   * to compile it, which costs far more CPU than the statement itself. And sequential scans off:
   * until change_events has statistics (a new table, or one that grew faster than autovacuum's
   * ANALYZE) the planner guesses a third of the table is above the watermark and would read all
   * of it, every pass; the range is always the primary key's last few entries.
   */
  async lockSequencer(em: EntityManager, key: number): Promise<void> {
    await em.query(
      `SELECT pg_advisory_xact_lock($1), set_config('jit', 'off', true), set_config('enable_seqscan', 'off', true)`,
      [key],
    );
  }

  /** The tenant's last seq (0 before its first event). */
  async lastSeq(em: EntityManager, tenantId: string): Promise<string> {
    const rows = await em.query<{ last_seq: string }[]>(`SELECT last_seq FROM change_sequences WHERE tenant_id = $1`, [
      tenantId,
    ]);
    return rows[0]?.last_seq ?? '0';
  }
}
