import { MigrationInterface, QueryRunner } from 'typeorm';

/** The request log records why authentication failed, and the client's address. */
export class RequestLogAuthFailure1795524100000 implements MigrationInterface {
  name = 'RequestLogAuthFailure1795524100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "request_logs" ADD "auth_failure" character varying(32)`);
    await queryRunner.query(`ALTER TABLE "request_logs" ADD "client_address" character varying(64)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "request_logs" DROP COLUMN "client_address"`);
    await queryRunner.query(`ALTER TABLE "request_logs" DROP COLUMN "auth_failure"`);
  }
}
