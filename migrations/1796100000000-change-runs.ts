import { MigrationInterface, QueryRunner } from 'typeorm';
import { FEED_COLUMNS } from './1796000000000-compact-change-events';

/** The view's and the function's columns: the event's with its UUID, whichever way it is stored. */
const COLUMNS = FEED_COLUMNS.replace('e.event_id', 'coalesce(e.event_id, change_event_id(e.id)) AS event_id');

/**
 * Change events are numbered by runs, not one by one (issue 20, write cost). A run is a span of
 * consecutive event ids, all of one tenant, that one sequencing pass numbered together:
 * `change_runs (first_id, last_id, tenant_id, first_seq, last_seq)`, and the event with id `i` in
 * it has seq `first_seq + (i - first_id)`. A 10,000-operation commit's 22,000 events took 22,000
 * position rows (a heap row and two index entries each); they now take a few runs per commit step.
 *
 * Runs never overlap: every id in a run is an event of the run's tenant that the run numbered. So
 * the run holding an event is the one with the smallest `last_id` at or above its id (the primary
 * key), and a tenant's runs in `last_seq` order are its feed in order.
 *
 * Readers:
 * - `change_feed`, a view of every numbered event with its seq, for reads by event (history,
 *   retention);
 * - `change_feed_after(tenant, after)`, the tenant's events after seq `after`, in seq order, for
 *   reads by cursor (feed, polls, delivery). An inlined SQL function: a caller's filters and LIMIT
 *   apply as the runs are read, so a page reads its own runs only. Its callers must not re-sort:
 *   seq is computed, so ORDER BY seq would read the whole tail of the feed to sort it. The LIMIT
 *   on each run's events changes nothing but the planner's estimate: without it, the planner
 *   guesses a ninth of change_events for every run, and a page's estimated cost passes
 *   jit_above_cost (compiling took 10 ms, the page itself 2 ms at 1,000,000 events).
 *
 * Existing positions become runs: consecutive positions of a tenant (id and seq each one more than
 * the last) make one run.
 */
export class ChangeRuns1796100000000 implements MigrationInterface {
  name = 'ChangeRuns1796100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Nothing is captured or numbered while this runs (an older sequencer may still be up).
    await queryRunner.query(`LOCK TABLE change_events, change_positions IN SHARE ROW EXCLUSIVE MODE`);
    await queryRunner.query(
      `CREATE TABLE "change_runs" ("last_id" bigint NOT NULL, "first_id" bigint NOT NULL, "tenant_id" character varying(64) NOT NULL, "first_seq" bigint NOT NULL, "last_seq" bigint NOT NULL, CONSTRAINT "PK_change_runs" PRIMARY KEY ("last_id"))`,
    );
    await queryRunner.query(
      `INSERT INTO change_runs (last_id, first_id, tenant_id, first_seq, last_seq)
       SELECT max(event_id), min(event_id), tenant_id, min(seq), max(seq)
         FROM (SELECT event_id, tenant_id, seq, count(*) FILTER (WHERE NOT continues) OVER w AS run
                 FROM (SELECT event_id, tenant_id, seq,
                              coalesce(lag(event_id) OVER w = event_id - 1 AND lag(seq) OVER w = seq - 1, false) AS continues
                         FROM change_positions
                       WINDOW w AS (PARTITION BY tenant_id ORDER BY seq)) p
               WINDOW w AS (PARTITION BY tenant_id ORDER BY seq)) r
        GROUP BY tenant_id, run`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_change_runs_tenant_seq" ON "change_runs" ("tenant_id", "last_seq")`,
    );
    await queryRunner.query(`DROP VIEW change_feed`);
    await queryRunner.query(`DROP TABLE change_positions`);
    await queryRunner.query(
      `CREATE VIEW change_feed AS
         SELECT r.first_seq + (e.id - r.first_id) AS seq, ${COLUMNS}
           FROM change_events e
          CROSS JOIN LATERAL (
                SELECT first_id, first_seq FROM change_runs r WHERE r.last_id >= e.id ORDER BY r.last_id LIMIT 1) r
          WHERE r.first_id <= e.id`,
    );
    await queryRunner.query(
      `CREATE FUNCTION change_feed_after(feed_tenant varchar, feed_after bigint) RETURNS SETOF change_feed
         LANGUAGE sql STABLE AS $$
         SELECT r.first_seq + (e.id - r.first_id), ${COLUMNS}
           FROM change_runs r
          CROSS JOIN LATERAL (
                SELECT * FROM change_events e
                 WHERE e.id >= r.first_id + greatest(feed_after - r.first_seq + 1, 0) AND e.id <= r.last_id
                 ORDER BY e.id LIMIT r.last_id - r.first_id + 1) e
          WHERE r.tenant_id = feed_tenant AND r.last_seq > feed_after
          ORDER BY r.last_seq, e.id
       $$`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`LOCK TABLE change_events, change_runs IN SHARE ROW EXCLUSIVE MODE`);
    await queryRunner.query(`DROP FUNCTION change_feed_after(varchar, bigint)`);
    await queryRunner.query(`DROP VIEW change_feed`);
    await queryRunner.query(
      `CREATE TABLE "change_positions" ("event_id" bigint NOT NULL, "tenant_id" character varying(64) NOT NULL, "seq" bigint NOT NULL, CONSTRAINT "PK_28a55dacc7fbe6a061ff5bf3d42" PRIMARY KEY ("event_id"))`,
    );
    await queryRunner.query(
      `INSERT INTO change_positions (event_id, tenant_id, seq)
       SELECT e.id, r.tenant_id, r.first_seq + (e.id - r.first_id)
         FROM change_runs r JOIN change_events e ON e.id BETWEEN r.first_id AND r.last_id`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_change_positions_tenant_seq" ON "change_positions"  ("tenant_id", "seq") `,
    );
    await queryRunner.query(
      `CREATE VIEW change_feed AS
         SELECT p.seq, ${COLUMNS}
           FROM change_events e JOIN change_positions p ON p.event_id = e.id AND p.tenant_id = e.tenant_id`,
    );
    await queryRunner.query(`DROP TABLE change_runs`);
  }
}
