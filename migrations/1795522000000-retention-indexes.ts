import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention (src/database/retention-task.ts) finds ended transactions and finished jobs by when
 * they ended: without these indexes every pass would read both tables whole.
 */
export class RetentionIndexes1795522000000 implements MigrationInterface {
  name = 'RetentionIndexes1795522000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "IDX_provisioning_transactions_completed_on" ON "provisioning_transactions" ("completed_on")`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_backend_jobs_finished_on" ON "backend_jobs" ("finished_on")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_backend_jobs_finished_on"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_provisioning_transactions_completed_on"`);
  }
}
