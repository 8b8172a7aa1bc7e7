import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SCIM `co`, `sw` and `ew` filters (compiled to `LIKE`, see filter.sql.ts) on trigram indexes
 * instead of a scan of the table. Each index expression is exactly the SQL the filter compiler
 * writes: `lower(u.user_name)` for a case-insensitive attribute, the bare column for externalId
 * (caseExact). `emails.value` lives in a jsonb array: `scim_email_values(emails)` joins its
 * lower-cased values with a line feed, so `scim_email_values(u.emails) LIKE '%x%'` finds a superset
 * of the users with an address matching `co`, `sw` or `ew` "x", and the compiler ANDs it with the
 * exact test. userName `sw` also gets a B-tree over the prefix (`text_pattern_ops`: a range scan,
 * about ten times faster than the trigrams for a prefix, and scoped to the tenant).
 * pg_trgm was created by RequestLogs1795480000000.
 */
export class ScimSubstringIndexes1795518000000 implements MigrationInterface {
  name = 'ScimSubstringIndexes1795518000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // The element's value read as filter.sql.ts reads `emails.value`: `lower(v -> 'value' #>> '{}')`.
    // A value that is not a string still has a text there (as in the exact test), and one holding a
    // line feed only makes the prefilter find more, never less.
    await queryRunner.query(
      `CREATE FUNCTION scim_email_values(emails jsonb) RETURNS text
         LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
         RETURN (SELECT string_agg(lower(e.v -> 'value' #>> '{}'), E'\\n')
                   FROM jsonb_array_elements(CASE WHEN jsonb_typeof(emails) = 'array' THEN emails ELSE '[]'::jsonb END) AS e(v))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_users_trgm_user_name" ON "users" USING gin (lower("user_name") gin_trgm_ops)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_users_trgm_display_name" ON "users" USING gin (lower("display_name") gin_trgm_ops)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_users_trgm_external_id" ON "users" USING gin ("external_id" gin_trgm_ops)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_users_trgm_emails" ON "users" USING gin (scim_email_values("emails") gin_trgm_ops)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_users_tenant_user_name_prefix" ON "users" ("tenant_id", lower("user_name") text_pattern_ops)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_departments_trgm_name" ON "departments" USING gin (lower("name") gin_trgm_ops)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_departments_trgm_name"`);
    await queryRunner.query(`DROP INDEX "IDX_users_tenant_user_name_prefix"`);
    await queryRunner.query(`DROP INDEX "IDX_users_trgm_emails"`);
    await queryRunner.query(`DROP INDEX "IDX_users_trgm_external_id"`);
    await queryRunner.query(`DROP INDEX "IDX_users_trgm_display_name"`);
    await queryRunner.query(`DROP INDEX "IDX_users_trgm_user_name"`);
    await queryRunner.query(`DROP FUNCTION scim_email_values(jsonb)`);
  }
}
