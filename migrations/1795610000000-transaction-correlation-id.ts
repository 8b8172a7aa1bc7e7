import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Links between the console's records: a transaction keeps the correlation id of its checkpoint
 * request; request logs and jobs are found by correlation id; OPEN transactions are found by their
 * last activity, for expiry (TRANSACTION_OPEN_TTL_MINUTES). Every index is partial: only the rows
 * the lookups can match.
 */
export class TransactionCorrelationId1795610000000 implements MigrationInterface {
  name = 'TransactionCorrelationId1795610000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "provisioning_transactions" ADD "correlation_id" character varying(128)`);
    await queryRunner.query(
      `CREATE INDEX "IDX_provisioning_transactions_open_updated_on" ON "provisioning_transactions" ("updated_on") WHERE status = 'OPEN'`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_request_logs_correlation_id" ON "request_logs" ("correlation_id") WHERE correlation_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_backend_jobs_correlation_id" ON "backend_jobs" ("correlation_id") WHERE correlation_id IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_backend_jobs_correlation_id"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_request_logs_correlation_id"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_provisioning_transactions_open_updated_on"`);
    await queryRunner.query(`ALTER TABLE "provisioning_transactions" DROP COLUMN "correlation_id"`);
  }
}
