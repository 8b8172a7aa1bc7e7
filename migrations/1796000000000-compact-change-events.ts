import { randomBytes } from 'node:crypto';
import { MigrationInterface, QueryRunner } from 'typeorm';
import {
  ASSIGNMENT_VALUES,
  assignmentsFunction,
  camel,
  CAPTURED,
  CONTEXT_VALUES,
  createdFunction,
  EVENT_COLUMNS,
} from './1795800000000-change-events';

/**
 * Change events stop storing what their own columns already say (issue 20, write cost): about a
 * third of an event row, and the part of the capture triggers that cost the most CPU.
 *
 * - A create's attribute names are the keys of its values. The triggers now store none; readers
 *   work them out from `data` (src/events/capture/stored-change.ts).
 * - A create's values no longer repeat `id` and `externalId` (the row's `resource_id` and
 *   `external_id`), and an assignment's values (`userId`, `departmentId`, `userTypeId`) are its
 *   `member_id`, `resource_id` and `user_type_id` columns: readers put them back.
 * - `event_id` is no longer a random UUID drawn for every row (gen_random_uuid() was a fifth of
 *   a create's capture cost): `change_event_id(id)` derives it from the event's id and a random
 *   prefix drawn once, here, for this database. Events written before keep their stored UUID
 *   (their SETs' `jti` must not change); the `change_feed` view answers whichever the row has.
 *
 * Rows written before this migration keep what they hold; putting the left-out parts back
 * changes nothing there. Down writes the left-out parts into every row that lacks them.
 */
export class CompactChangeEvents1796000000000 implements MigrationInterface {
  name = 'CompactChangeEvents1796000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // A UUID of version 8 (RFC 9562, custom): 60 random bits, the version and variant nibbles, and
    // the id's 60 low bits (ids below 2^60, about 10^18 events).
    const prefix = randomBytes(8).toString('hex').slice(0, 15);
    await queryRunner.query(
      `CREATE FUNCTION change_event_id(id bigint) RETURNS uuid LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
         RETURN ('${prefix.slice(0, 12)}8${prefix.slice(12)}8' || lpad(to_hex(id), 15, '0'))::uuid`,
    );
    await queryRunner.query(
      `ALTER TABLE "change_events" ALTER COLUMN "event_id" DROP NOT NULL, ALTER COLUMN "event_id" DROP DEFAULT`,
    );
    for (const [table, capture] of Object.entries(CAPTURED)) {
      await queryRunner.query(`CREATE OR REPLACE FUNCTION ${compactCreatedFunction(table, capture)}`);
    }
    await queryRunner.query(`CREATE OR REPLACE FUNCTION ${assignmentsFunction('NULL')}`);
    await queryRunner.query(`DROP VIEW change_feed`);
    await queryRunner.query(
      `CREATE VIEW change_feed AS
         SELECT p.seq, ${FEED_COLUMNS.replace('e.event_id', 'coalesce(e.event_id, change_event_id(e.id)) AS event_id')}
           FROM change_events e JOIN change_positions p ON p.event_id = e.id AND p.tenant_id = e.tenant_id`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`LOCK TABLE change_events IN SHARE ROW EXCLUSIVE MODE`);
    await queryRunner.query(`UPDATE change_events SET event_id = change_event_id(id) WHERE event_id IS NULL`);
    await queryRunner.query(
      `UPDATE change_events
          SET data = jsonb_build_object('userId', member_id, 'departmentId', resource_id, 'userTypeId', user_type_id)
        WHERE resource_type = 'assignment' AND data IS NULL`,
    );
    await queryRunner.query(
      `UPDATE change_events
          SET data = jsonb_build_object('id', resource_id)
                     || CASE WHEN external_id IS NULL THEN '{}' ELSE jsonb_build_object('externalId', external_id) END
                     || coalesce(data, '{}'),
              attributes = ARRAY(
                SELECT k FROM (
                  SELECT 'id' UNION ALL SELECT 'externalId' WHERE external_id IS NOT NULL
                  UNION ALL SELECT jsonb_object_keys(coalesce(data, '{}') - 'attributes')
                  UNION ALL SELECT jsonb_object_keys(coalesce(data -> 'attributes', '{}'))) AS a(k)
                ORDER BY k COLLATE "C")
        WHERE event_type = 'create' AND resource_type <> 'assignment' AND attributes = '{}'`,
    );
    await queryRunner.query(
      `ALTER TABLE "change_events" ALTER COLUMN "event_id" SET DEFAULT gen_random_uuid(), ALTER COLUMN "event_id" SET NOT NULL`,
    );
    for (const [table, capture] of Object.entries(CAPTURED)) {
      await queryRunner.query(`CREATE OR REPLACE FUNCTION ${createdFunction(table, capture)}`);
    }
    await queryRunner.query(`CREATE OR REPLACE FUNCTION ${assignmentsFunction(ASSIGNMENT_VALUES)}`);
    await queryRunner.query(`DROP VIEW change_feed`);
    await queryRunner.query(
      `CREATE VIEW change_feed AS
         SELECT p.seq, e.* FROM change_events e JOIN change_positions p ON p.event_id = e.id AND p.tenant_id = e.tenant_id`,
    );
    await queryRunner.query(`DROP FUNCTION change_event_id(bigint)`);
  }
}

/** change_events' columns in table order: the view keeps the order `e.*` gave it. */
export const FEED_COLUMNS = `e.id, e.tenant_id, e.event_id, e.resource_type, e.resource_id, e.member_id, e.user_type_id,
         e.external_id, e.version, e.event_type, e.attributes, e.data, e.door, e.credential_id, e.credential_name,
         e.correlation_id, e.transaction_id, e.occurred_on`;

/**
 * Creates: the new row's values without `id` and `externalId`, nor the null ones, nor an empty
 * `emails`/`metadata`/`attributes` object; no attribute names. From the signature on.
 */
function compactCreatedFunction(table: string, capture: (typeof CAPTURED)[string]): string {
  const scalars = capture.columns.filter((column) => !capture.json.includes(column) && column !== 'external_id');
  const scalarPairs = [...scalars, 'active'].map((column) => `'${camel(column)}', r.${column}`).join(', ');
  const objectParts = [...capture.json, 'attributes']
    .map(
      (column) =>
        `CASE WHEN r.${column} IS NULL OR r.${column} = '{}' THEN '{}' ELSE jsonb_build_object('${camel(column)}', r.${column}) END`,
    )
    .join(' || ');
  return `change_events_${table}_created() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
       DECLARE c jsonb := change_context();
       BEGIN
         INSERT INTO change_events (${EVENT_COLUMNS})
         SELECT r.tenant_id, '${capture.type}', r.id, r.external_id, r.version, 'create', '{}',
                jsonb_strip_nulls(jsonb_build_object(${scalarPairs})) || ${objectParts}, ${CONTEXT_VALUES}
           FROM changed r;
         RETURN NULL;
       END $$`;
}
