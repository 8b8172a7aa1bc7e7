import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lists page in creation order with the id as tie-breaker. With the id in the index too, a page
 * deep into a tenant's users is found by an index-only scan over the skipped entries (a deferred
 * join, see `pageQuery`) instead of fetching every skipped row. The new indexes serve every query
 * the (tenant_id, created_on) ones served, so those go.
 */
export class PagingIndexes1795490000000 implements MigrationInterface {
  name = 'PagingIndexes1795490000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['users', 'departments']) {
      await queryRunner.query(
        `CREATE INDEX "IDX_${table}_tenant_created_on_id" ON "${table}" ("tenant_id", "created_on", "id")`,
      );
      await queryRunner.query(`DROP INDEX "public"."IDX_${table}_tenant_created_on"`);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['users', 'departments']) {
      await queryRunner.query(
        `CREATE INDEX "IDX_${table}_tenant_created_on" ON "${table}" ("tenant_id", "created_on")`,
      );
      await queryRunner.query(`DROP INDEX "public"."IDX_${table}_tenant_created_on_id"`);
    }
  }
}
