import { MigrationInterface, QueryRunner } from 'typeorm';

/** Marks a request-log row written without its bodies because the full row was refused. */
export class RequestLogDetailsOmitted1795515000000 implements MigrationInterface {
  name = 'RequestLogDetailsOmitted1795515000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "request_logs" ADD "details_omitted" boolean NOT NULL DEFAULT false`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "request_logs" DROP COLUMN "details_omitted"`);
  }
}
