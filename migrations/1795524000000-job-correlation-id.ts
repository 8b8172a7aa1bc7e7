import { MigrationInterface, QueryRunner } from 'typeorm';

/** A job keeps the correlation id of the request that created it, for its log lines. */
export class JobCorrelationId1795524000000 implements MigrationInterface {
  name = 'JobCorrelationId1795524000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "backend_jobs" ADD "correlation_id" character varying(128)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "backend_jobs" DROP COLUMN "correlation_id"`);
  }
}
