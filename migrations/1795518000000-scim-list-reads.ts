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
 *
 * `user_tallies` counts each tenant's users, so a page of the whole tenant reads its exact
 * `totalResults` from a few rows instead of counting 100,000 index entries (which took as much
 * as the page itself). Statement triggers add one row per INSERT or DELETE on users (from the
 * transition table: one row for a batch of a thousand) in the writer's transaction, so in any
 * snapshot the tenant's rows sum to its users in that snapshot. One write in sixteen also folds
 * the tenant's rows into one, skipping rows another transaction holds: no writer ever waits on
 * another here, and a fold keeps the sum. A tenant deleted (FK cascade) sums to 0 and folds away.
 */
export class ScimListReads1795518000000 implements MigrationInterface {
  name = 'ScimListReads1795518000000';

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
    await this.createUserTallies(queryRunner);
  }

  private async createUserTallies(queryRunner: QueryRunner): Promise<void> {
    // Writers wait until the tallies and their triggers exist (the migration's transaction), so
    // the first tally counts exactly the users no trigger will.
    await queryRunner.query(`LOCK TABLE "users" IN SHARE MODE`);
    await queryRunner.query(
      `CREATE TABLE "user_tallies" ("tenant_id" character varying(64) NOT NULL, "users" bigint NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_user_tallies_tenant" ON "user_tallies" ("tenant_id")`);
    await queryRunner.query(
      `CREATE FUNCTION user_tallies_fold(tenants text[]) RETURNS void LANGUAGE sql AS $$
         WITH folded AS (
           DELETE FROM user_tallies t
            WHERE t.ctid = ANY (ARRAY(SELECT l.ctid FROM user_tallies l
                                       WHERE l.tenant_id = ANY (tenants) FOR UPDATE SKIP LOCKED))
           RETURNING t.tenant_id, t.users)
         INSERT INTO user_tallies (tenant_id, users)
         SELECT tenant_id, sum(users) FROM folded GROUP BY tenant_id HAVING sum(users) <> 0
       $$`,
    );
    for (const [event, table, sign] of [
      ['added', 'NEW', ''],
      ['removed', 'OLD', '-'],
    ]) {
      await queryRunner.query(
        `CREATE FUNCTION user_tallies_${event}() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           INSERT INTO user_tallies (tenant_id, users) SELECT tenant_id, ${sign}count(*) FROM ${event} GROUP BY tenant_id;
           IF txid_current() % 16 = 0 THEN
             PERFORM user_tallies_fold(ARRAY(SELECT DISTINCT tenant_id FROM ${event}));
           END IF;
           RETURN NULL;
         END $$`,
      );
      await queryRunner.query(
        `CREATE TRIGGER user_tallies_${event} AFTER ${event === 'added' ? 'INSERT' : 'DELETE'} ON "users"
           REFERENCING ${table} TABLE AS ${event} FOR EACH STATEMENT EXECUTE FUNCTION user_tallies_${event}()`,
      );
    }
    await queryRunner.query(
      `CREATE FUNCTION user_tallies_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         DELETE FROM user_tallies;
         RETURN NULL;
       END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER user_tallies_truncated AFTER TRUNCATE ON "users" FOR EACH STATEMENT EXECUTE FUNCTION user_tallies_truncated()`,
    );
    await queryRunner.query(
      `INSERT INTO user_tallies (tenant_id, users) SELECT tenant_id, count(*) FROM users GROUP BY tenant_id`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const event of ['added', 'removed', 'truncated']) {
      await queryRunner.query(`DROP TRIGGER user_tallies_${event} ON "users"`);
      await queryRunner.query(`DROP FUNCTION user_tallies_${event}()`);
    }
    await queryRunner.query(`DROP FUNCTION user_tallies_fold(text[])`);
    await queryRunner.query(`DROP TABLE "user_tallies"`);
    await queryRunner.query(`DROP INDEX "IDX_departments_trgm_name"`);
    await queryRunner.query(`DROP INDEX "IDX_users_tenant_user_name_prefix"`);
    await queryRunner.query(`DROP INDEX "IDX_users_trgm_emails"`);
    await queryRunner.query(`DROP INDEX "IDX_users_trgm_external_id"`);
    await queryRunner.query(`DROP INDEX "IDX_users_trgm_display_name"`);
    await queryRunner.query(`DROP INDEX "IDX_users_trgm_user_name"`);
    await queryRunner.query(`DROP FUNCTION scim_email_values(jsonb)`);
  }
}
