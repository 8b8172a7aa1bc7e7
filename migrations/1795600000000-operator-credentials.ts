import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Operator (ADMIN) credentials are issued outside any tenant: tenant_id becomes nullable and the
 * existing ones move to NULL. Every credential records when and through which door it was last used.
 */
export class OperatorCredentials1795600000000 implements MigrationInterface {
  name = 'OperatorCredentials1795600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "credentials" ALTER COLUMN "tenant_id" DROP NOT NULL`);
    await queryRunner.query(`UPDATE "credentials" SET "tenant_id" = NULL WHERE 'ADMIN' = ANY("roles")`);
    await queryRunner.query(`ALTER TABLE "credentials" ADD "last_used_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "credentials" ADD "last_used_door" character varying(16)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "credentials" DROP COLUMN "last_used_door"`);
    await queryRunner.query(`ALTER TABLE "credentials" DROP COLUMN "last_used_at"`);
    // Operator credentials have no tenant to return to: they are revoked and dropped.
    await queryRunner.query(`DELETE FROM "credentials" WHERE "tenant_id" IS NULL`);
    await queryRunner.query(`ALTER TABLE "credentials" ALTER COLUMN "tenant_id" SET NOT NULL`);
  }
}
