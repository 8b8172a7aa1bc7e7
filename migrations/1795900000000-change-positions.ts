import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Change events keep their feed position in a narrow table of their own (issue 20, write cost).
 * Until now the EventSequencer numbered an event by updating its row: a second full write of
 * every event (the row, its jsonb, an entry in each index), whose old versions then waited for
 * vacuum in the partial "pending" index that every pass scanned. Now the event row is written
 * once, by the capture triggers, and the sequencer inserts `change_positions (event_id, tenant_id,
 * seq)`; the "pending" index, a second hot spot for concurrent writers, is gone.
 *
 * What is new to the sequencer is found by event id, above `change_sequencer.watermark`: a range of
 * the primary key. How the watermark moves is in src/events/change-events.repository.ts.
 *
 * Readers see an event with its seq through the `change_feed` view.
 * Existing events are numbered here as the sequencer would have numbered them, and keep their seq.
 */
export class ChangePositions1795900000000 implements MigrationInterface {
  name = 'ChangePositions1795900000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // No writer adds an event while this runs (the first statement locks the table until commit).
    await queryRunner.query(`LOCK TABLE change_events IN SHARE ROW EXCLUSIVE MODE`);
    // Events committed but not yet numbered when the service stopped: numbered now, in id order.
    await queryRunner.query(
      `WITH numbered AS (
         SELECT id, tenant_id, row_number() OVER (PARTITION BY tenant_id ORDER BY id) AS n,
                count(*) OVER (PARTITION BY tenant_id) AS total
           FROM change_events WHERE seq IS NULL
       ), advanced AS (
         INSERT INTO change_sequences AS s (tenant_id, last_seq)
         SELECT tenant_id, max(total) FROM numbered GROUP BY tenant_id
         ON CONFLICT (tenant_id) DO UPDATE SET last_seq = s.last_seq + EXCLUDED.last_seq
         RETURNING tenant_id, last_seq
       )
       UPDATE change_events e SET seq = a.last_seq - x.total + x.n
         FROM numbered x JOIN advanced a ON a.tenant_id = x.tenant_id
        WHERE e.id = x.id`,
    );
    await queryRunner.query(
      `CREATE TABLE "change_positions" ("event_id" bigint NOT NULL, "tenant_id" character varying(64) NOT NULL, "seq" bigint NOT NULL, CONSTRAINT "PK_28a55dacc7fbe6a061ff5bf3d42" PRIMARY KEY ("event_id"))`,
    );
    await queryRunner.query(
      `INSERT INTO change_positions (event_id, tenant_id, seq) SELECT id, tenant_id, seq FROM change_events`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_change_positions_tenant_seq" ON "change_positions"  ("tenant_id", "seq") `,
    );
    await queryRunner.query(
      `CREATE TABLE "change_sequencer" ("id" smallint NOT NULL DEFAULT '1', "watermark" bigint NOT NULL DEFAULT '0', "next_watermark" bigint NOT NULL DEFAULT '0', "next_xid" bigint NOT NULL DEFAULT '0', CONSTRAINT "PK_27535d0259f792f375b8fca6d7b" PRIMARY KEY ("id"))`,
    );
    // Every event there is has its position now.
    await queryRunner.query(
      `INSERT INTO change_sequencer (id, watermark, next_watermark)
       SELECT 1, coalesce(max(id), 0), coalesce(max(id), 0) FROM change_events`,
    );
    await queryRunner.query(`DROP INDEX "public"."IDX_change_events_pending"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_change_events_tenant_seq"`);
    await queryRunner.query(`ALTER TABLE "change_events" DROP COLUMN "seq"`);
    // The tenant on both sides of the join: a reader's tenant condition reaches either index.
    await queryRunner.query(
      `CREATE VIEW change_feed AS
         SELECT p.seq, e.* FROM change_events e JOIN change_positions p ON p.event_id = e.id AND p.tenant_id = e.tenant_id`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP VIEW change_feed`);
    await queryRunner.query(`ALTER TABLE "change_events" ADD "seq" bigint`);
    await queryRunner.query(`UPDATE change_events e SET seq = p.seq FROM change_positions p WHERE p.event_id = e.id`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_change_events_tenant_seq" ON "change_events"  ("tenant_id", "seq") WHERE seq IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_change_events_pending" ON "change_events"  ("id") WHERE seq IS NULL`);
    await queryRunner.query(`DROP TABLE "change_sequencer"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_change_positions_tenant_seq"`);
    await queryRunner.query(`DROP TABLE "change_positions"`);
  }
}
