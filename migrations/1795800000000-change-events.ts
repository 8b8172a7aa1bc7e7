import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The change feed (issue 20). Statement-level triggers with transition tables on users,
 * departments and assignments write one `change_events` row per changed resource, set-based (one
 * INSERT ... SELECT per statement, a 10,000-row upsert included), in the transaction that made the
 * change, whichever door made it: no writer can forget, and a rolled-back change leaves no event.
 * Deletes cascaded by foreign keys fire them too.
 *
 * Who made the change comes from the transaction's `idp.change` setting (JSON: door,
 * credentialId, credentialName, correlationId, transactionId), which TransactionRunner sets before
 * a transaction's first write; without it the door is 'system'.
 *
 * Writers share no counter: `seq`, the tenant's cursor, is given after commit by the
 * EventSequencer (src/events/feed/event-sequencer.ts), so concurrent writers never wait on
 * each other here.
 */
export class ChangeEvents1795800000000 implements MigrationInterface {
  name = 'ChangeEvents1795800000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "change_events" ("id" BIGSERIAL NOT NULL, "tenant_id" character varying(64) NOT NULL, "seq" bigint, "event_id" uuid NOT NULL DEFAULT gen_random_uuid(), "resource_type" character varying(16) NOT NULL, "resource_id" uuid NOT NULL, "member_id" uuid, "user_type_id" character varying(64), "external_id" character varying(255), "version" integer, "event_type" character varying(16) NOT NULL, "attributes" text array NOT NULL DEFAULT '{}', "data" jsonb, "door" character varying(16) NOT NULL, "credential_id" character varying(64), "credential_name" character varying(255), "correlation_id" character varying(128), "transaction_id" character varying(64), "occurred_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b879f7f031c15bf2821d94ccd63" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_change_events_member" ON "change_events"  ("tenant_id", "member_id", "id") WHERE member_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_change_events_resource" ON "change_events"  ("tenant_id", "resource_id", "id") `,
    );
    await queryRunner.query(`CREATE INDEX "IDX_change_events_pending" ON "change_events"  ("id") WHERE seq IS NULL`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_change_events_tenant_seq" ON "change_events"  ("tenant_id", "seq") WHERE seq IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "change_sequences" ("tenant_id" character varying(64) NOT NULL, "last_seq" bigint NOT NULL DEFAULT '0', CONSTRAINT "PK_89d88ff00d882b673ac4b6716ae" PRIMARY KEY ("tenant_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "event_streams" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" character varying(64) NOT NULL, "name" character varying(255) NOT NULL, "delivery" character varying(8) NOT NULL, "endpoint_url" character varying(2048), "event_types" text array NOT NULL, "resource_types" text array NOT NULL, "form" character varying(8) NOT NULL DEFAULT 'notice', "status" character varying(8) NOT NULL DEFAULT 'active', "cursor" bigint NOT NULL DEFAULT '0', "acked" bigint array NOT NULL DEFAULT '{}', "signing_kid" character varying(64) NOT NULL, "signing_key_sealed" text NOT NULL, "public_jwk" jsonb NOT NULL, "previous_kid" character varying(64), "previous_public_jwk" jsonb, "attempts" integer NOT NULL DEFAULT '0', "failing_since" TIMESTAMP WITH TIME ZONE, "next_attempt_on" TIMESTAMP WITH TIME ZONE, "last_error" text, "last_error_on" TIMESTAMP WITH TIME ZONE, "last_delivered_on" TIMESTAMP WITH TIME ZONE, "delivery_job_id" uuid, "created_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_58a9c777323c51e32bfad87b30d" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_event_streams_tenant" ON "event_streams"  ("tenant_id") `);
    await queryRunner.query(
      `CREATE TABLE "event_dead_letters" ("id" BIGSERIAL NOT NULL, "stream_id" uuid NOT NULL, "tenant_id" character varying(64) NOT NULL, "seq" bigint NOT NULL, "event_id" uuid NOT NULL, "set_token" text NOT NULL, "error" text NOT NULL, "attempts" integer NOT NULL, "dead_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_1470bf2029e6a1b574f356b74e6" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_event_dead_letters_stream" ON "event_dead_letters"  ("stream_id", "id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "event_streams" ADD CONSTRAINT "FK_17a653e87a7a97144597df98c76" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "event_dead_letters" ADD CONSTRAINT "FK_26ef3c1e0d45c96c78458da6d17" FOREIGN KEY ("stream_id") REFERENCES "event_streams"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await this.createCapture(queryRunner);
  }

  private async createCapture(queryRunner: QueryRunner): Promise<void> {
    // given_name -> givenName: the attribute names events carry are the directory's own.
    await queryRunner.query(
      `CREATE FUNCTION change_attribute_name(column_name text) RETURNS text
         LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
         RETURN lower(left(column_name, 1)) || substr(replace(initcap(replace(column_name, '_', ' ')), ' ', ''), 2)`,
    );
    await queryRunner.query(
      `CREATE FUNCTION change_context() RETURNS jsonb LANGUAGE sql STABLE PARALLEL SAFE
         RETURN coalesce(nullif(current_setting('idp.change', true), '')::jsonb, '{}'::jsonb)`,
    );
    for (const [table, capture] of Object.entries(CAPTURED)) {
      await queryRunner.query(`CREATE FUNCTION ${createdFunction(table, capture)}`);
      await queryRunner.query(`CREATE FUNCTION ${updatedFunction(table, capture)}`);
    }
    // TG_ARGV[0] is the resource type ('user' or 'department'): both tables share it.
    await queryRunner.query(
      `CREATE FUNCTION change_events_deleted() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
       DECLARE c jsonb := change_context();
       BEGIN
         INSERT INTO change_events (${EVENT_COLUMNS})
         SELECT r.tenant_id, TG_ARGV[0], r.id, r.external_id, NULL, 'delete', '{}', NULL, ${CONTEXT_VALUES}
           FROM changed r;
         RETURN NULL;
       END $$`,
    );
    await queryRunner.query(`CREATE FUNCTION ${assignmentsFunction(ASSIGNMENT_VALUES)}`);
    for (const [table, capture] of Object.entries(CAPTURED)) {
      await queryRunner.query(
        `CREATE TRIGGER ${table}_change_created AFTER INSERT ON ${table} REFERENCING NEW TABLE AS changed
           FOR EACH STATEMENT EXECUTE FUNCTION change_events_${table}_created()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER ${table}_change_updated AFTER UPDATE ON ${table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
           FOR EACH STATEMENT EXECUTE FUNCTION change_events_${table}_updated()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER ${table}_change_deleted AFTER DELETE ON ${table} REFERENCING OLD TABLE AS changed
           FOR EACH STATEMENT EXECUTE FUNCTION change_events_deleted('${capture.type}')`,
      );
    }
    await queryRunner.query(
      `CREATE TRIGGER assignments_change_created AFTER INSERT ON assignments REFERENCING NEW TABLE AS changed
         FOR EACH STATEMENT EXECUTE FUNCTION change_events_assignments('create')`,
    );
    await queryRunner.query(
      `CREATE TRIGGER assignments_change_deleted AFTER DELETE ON assignments REFERENCING OLD TABLE AS changed
         FOR EACH STATEMENT EXECUTE FUNCTION change_events_assignments('delete')`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['users', 'departments']) {
      for (const event of ['created', 'updated', 'deleted']) {
        await queryRunner.query(`DROP TRIGGER "${table}_change_${event}" ON "${table}"`);
      }
    }
    await queryRunner.query(`DROP TRIGGER "assignments_change_created" ON "assignments"`);
    await queryRunner.query(`DROP TRIGGER "assignments_change_deleted" ON "assignments"`);
    for (const fn of [
      'change_events_assignments()',
      'change_events_deleted()',
      'change_events_users_created()',
      'change_events_users_updated()',
      'change_events_departments_created()',
      'change_events_departments_updated()',
      'change_context()',
      'change_attribute_name(text)',
    ]) {
      await queryRunner.query(`DROP FUNCTION ${fn}`);
    }
    await queryRunner.query(`ALTER TABLE "event_dead_letters" DROP CONSTRAINT "FK_26ef3c1e0d45c96c78458da6d17"`);
    await queryRunner.query(`ALTER TABLE "event_streams" DROP CONSTRAINT "FK_17a653e87a7a97144597df98c76"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_event_dead_letters_stream"`);
    await queryRunner.query(`DROP TABLE "event_dead_letters"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_event_streams_tenant"`);
    await queryRunner.query(`DROP TABLE "event_streams"`);
    await queryRunner.query(`DROP TABLE "change_sequences"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_change_events_tenant_seq"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_change_events_pending"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_change_events_resource"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_change_events_member"`);
    await queryRunner.query(`DROP TABLE "change_events"`);
  }
}

/** The transaction's label (change_context() as `c`) as the last five of EVENT_COLUMNS' values. */
export const CONTEXT_VALUES = `coalesce(c ->> 'door', 'system'), c ->> 'credentialId', c ->> 'credentialName',
                     c ->> 'correlationId', c ->> 'transactionId'`;
export const EVENT_COLUMNS = `tenant_id, resource_type, resource_id, external_id, version, event_type, attributes, data,
                     door, credential_id, credential_name, correlation_id, transaction_id`;

/** What an assignment event stored as its data here (migration 1796000000000 stores none). */
export const ASSIGNMENT_VALUES =
  "jsonb_build_object('userId', r.user_id, 'departmentId', r.department_id, 'userTypeId', r.user_type_id)";

/**
 * `change_events_assignments()` from its signature on (the caller says CREATE or CREATE OR
 * REPLACE), storing `values` (an expression of the assignment row `r`) as the event's data. An
 * assignment's resource is its department, its member the user (TG_ARGV[0]: create or delete).
 */
export function assignmentsFunction(values: string): string {
  return `change_events_assignments() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
       DECLARE c jsonb := change_context();
       BEGIN
         INSERT INTO change_events (${EVENT_COLUMNS}, member_id, user_type_id)
         SELECT r.tenant_id, 'assignment', r.department_id, NULL, NULL, TG_ARGV[0], '{}',
                ${values},
                ${CONTEXT_VALUES}, r.user_id, r.user_type_id
           FROM changed r;
         RETURN NULL;
       END $$`;
}

/**
 * What the capture shows of each table: the resource type, and its columns besides `id`, `active`
 * (activate/deactivate), `attributes` (SCIM extension and unknown attributes, listed by their own
 * keys) and the bookkeeping that is never a change (tenant_id, version, created_on, updated_on,
 * created_by, changed_by). `json` columns are shown as they are, the others as their JSON value.
 * Named one by one rather than read from to_jsonb(row): a per-row jsonb walk and key renaming cost
 * a version-only update of 8,000 users 1.9 s where the comparisons cost 13 ms. A column added to
 * either table must be added here (test/events-capture.e2e-spec.ts fails until it is).
 *
 * Every capture function runs with `jit = off`: the planner cannot estimate the lateral parts of
 * these statements, their estimated cost passes jit_above_cost, and compiling them (again for every
 * statement that fires them) cost about a second of CPU per statement, more than the rest of the
 * capture put together.
 */
export const CAPTURED: Record<string, { type: string; columns: string[]; json: string[] }> = {
  users: {
    type: 'user',
    columns: [
      'user_name',
      'external_id',
      'given_name',
      'middle_name',
      'family_name',
      'display_name',
      'email',
      'emails',
      'phone_number',
      'role',
      'metadata',
    ],
    json: ['emails', 'metadata'],
  },
  departments: { type: 'department', columns: ['external_id', 'name', 'parent_id'], json: [] },
};

export const camel = (column: string): string =>
  column.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

/**
 * Creates: the new row's values, keyed by attribute name, without the null ones nor an empty
 * `attributes`/`metadata` object; its attribute names are those keys (`attributes` by its own keys).
 * From the signature on, as assignmentsFunction().
 */
export function createdFunction(table: string, capture: (typeof CAPTURED)[string]): string {
  const scalars = capture.columns.filter((column) => !capture.json.includes(column));
  const objects = [...capture.json, 'attributes'];
  const scalarPairs = ['id', ...scalars, 'active'].map((column) => `'${camel(column)}', r.${column}`).join(', ');
  const objectParts = objects
    .map(
      (column) =>
        `CASE WHEN r.${column} IS NULL OR r.${column} = '{}' THEN '{}' ELSE jsonb_build_object('${camel(column)}', r.${column}) END`,
    )
    .join(' || ');
  // The names of the non-null (non-empty) columns, in code-point order, worked out here once.
  const named = ['id', ...capture.columns, 'active'].sort((a, b) => (camel(a) < camel(b) ? -1 : 1));
  const names = `array_remove(ARRAY[${named
    .map((column) =>
      capture.json.includes(column)
        ? `CASE WHEN r.${column} IS NULL OR r.${column} = '{}' THEN NULL ELSE '${camel(column)}' END`
        : `CASE WHEN r.${column} IS NULL THEN NULL ELSE '${camel(column)}' END`,
    )
    .join(', ')}]::text[], NULL)`;
  return `change_events_${table}_created() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
       DECLARE c jsonb := change_context();
       BEGIN
         INSERT INTO change_events (${EVENT_COLUMNS})
         SELECT r.tenant_id, '${capture.type}', r.id, r.external_id, r.version, 'create',
                CASE WHEN r.attributes IS NULL OR r.attributes = '{}' THEN d.names
                     ELSE ARRAY(SELECT k FROM (SELECT unnest(d.names) UNION ALL SELECT jsonb_object_keys(r.attributes)) AS a(k) ORDER BY k COLLATE "C") END,
                d.data, ${CONTEXT_VALUES}
           FROM changed r
          CROSS JOIN LATERAL (SELECT jsonb_strip_nulls(jsonb_build_object(${scalarPairs})) || ${objectParts} AS data,
                                     ${names} AS names) d;
         RETURN NULL;
       END $$`;
}

/**
 * Updates: a 'patch' for what changed besides `active` (each changed column with its new value, null
 * when cleared; extension keys one by one, a removed one as null), and an 'activate' or
 * 'deactivate' when `active` changed. Bookkeeping alone (version, updated_on, changed_by) is no
 * change: a row whose shown columns are all as they were costs a dozen comparisons and writes nothing.
 */
function updatedFunction(table: string, capture: (typeof CAPTURED)[string]): string {
  const changedNames = capture.columns
    .map((column) => `CASE WHEN n.${column} IS DISTINCT FROM o.${column} THEN '${camel(column)}' END`)
    .join(',\n                      ');
  const values = capture.columns.map((column) => `'${camel(column)}', n.${column}`).join(', ');
  return `change_events_${table}_updated() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
       DECLARE c jsonb := change_context();
       BEGIN
         INSERT INTO change_events (${EVENT_COLUMNS})
         SELECT n.tenant_id, '${capture.type}', n.id, n.external_id, n.version, e.event_type, e.attributes, e.data, ${CONTEXT_VALUES}
           FROM new_rows n JOIN old_rows o ON o.id = n.id
          CROSS JOIN LATERAL (
            SELECT array_remove(ARRAY[${changedNames}], NULL) AS names,
                   n.attributes IS DISTINCT FROM o.attributes AS extended) x
          CROSS JOIN LATERAL (
            SELECT 1 AS ordinal, 'patch' AS event_type,
                   ARRAY(SELECT k FROM (SELECT unnest(x.names) UNION ALL SELECT unnest(ext.names)) AS a(k) ORDER BY k COLLATE "C") AS attributes,
                   coalesce((SELECT jsonb_object_agg(k, v.all_values -> k)
                               FROM unnest(x.names) AS k, (SELECT jsonb_build_object(${values}) AS all_values) v), '{}')
                     || CASE WHEN x.extended AND ext.names IS NOT NULL THEN jsonb_build_object('attributes', ext.data) ELSE '{}' END
                     AS data
              FROM (SELECT array_agg(k ORDER BY k COLLATE "C") AS names, jsonb_object_agg(k, coalesce(n.attributes -> k, 'null')) AS data
                      FROM (SELECT jsonb_object_keys(coalesce(o.attributes, '{}'))
                            UNION SELECT jsonb_object_keys(coalesce(n.attributes, '{}'))) AS keys(k)
                     WHERE x.extended AND (o.attributes -> k) IS DISTINCT FROM (n.attributes -> k)) ext
             WHERE x.names <> '{}' OR ext.names IS NOT NULL
            UNION ALL
            SELECT 2, CASE WHEN n.active THEN 'activate' ELSE 'deactivate' END, ARRAY['active'],
                   jsonb_build_object('active', n.active)
             WHERE n.active IS DISTINCT FROM o.active) e
          WHERE x.names <> '{}' OR x.extended OR n.active IS DISTINCT FROM o.active
          ORDER BY n.id, e.ordinal;
         RETURN NULL;
       END $$`;
}
