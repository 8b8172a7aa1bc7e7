import { MigrationInterface, QueryRunner } from 'typeorm';

/** Provisioning transactions and their queued operations (seeds 000, 001, 004). */
export class ProvisioningTransactions1795460100000 implements MigrationInterface {
  name = 'ProvisioningTransactions1795460100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "provisioning_transactions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" character varying(64) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'OPEN', "created_by" character varying(64) NOT NULL, "updated_by" character varying(64) NOT NULL, "operation_count" integer NOT NULL DEFAULT '0', "completed_count" integer NOT NULL DEFAULT '0', "failed_count" integer NOT NULL DEFAULT '0', "last_order_id" integer NOT NULL DEFAULT '0', "atomic" boolean NOT NULL DEFAULT false, "job_id" uuid, "created_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "committed_on" TIMESTAMP WITH TIME ZONE, "completed_on" TIMESTAMP WITH TIME ZONE, "updated_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_e569531e6bce8df783c5b761adf" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_provisioning_transactions_tenant_status" ON "provisioning_transactions"  ("tenant_id", "status") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_provisioning_transactions_tenant_created_on" ON "provisioning_transactions"  ("tenant_id", "created_on") `,
    );
    await queryRunner.query(
      `CREATE TABLE "provisioning_operations" ("transaction_id" uuid NOT NULL, "order_id" integer NOT NULL, "entity_type" character varying(16) NOT NULL, "requested_action" character varying(16) NOT NULL, "payload" jsonb, "status" character varying(16) NOT NULL, "action" character varying(16), "external_id" character varying(255), "entity_name" character varying(512), "error_type" character varying(16), "error_message" text, "error_details" jsonb, "failed_on" TIMESTAMP WITH TIME ZONE, "queued_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "processed_on" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_3f14b42d72f927c458d0085cef1" PRIMARY KEY ("transaction_id", "order_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_provisioning_operations_transaction_status" ON "provisioning_operations"  ("transaction_id", "status") `,
    );
    await queryRunner.query(
      `ALTER TABLE "provisioning_transactions" ADD CONSTRAINT "FK_6f7aa1440cf4cde5c0dcd628951" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "provisioning_operations" ADD CONSTRAINT "FK_b980a8e0873de004aac80718965" FOREIGN KEY ("transaction_id") REFERENCES "provisioning_transactions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "provisioning_operations" DROP CONSTRAINT "FK_b980a8e0873de004aac80718965"`);
    await queryRunner.query(`ALTER TABLE "provisioning_transactions" DROP CONSTRAINT "FK_6f7aa1440cf4cde5c0dcd628951"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_provisioning_operations_transaction_status"`);
    await queryRunner.query(`DROP TABLE "provisioning_operations"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_provisioning_transactions_tenant_created_on"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_provisioning_transactions_tenant_status"`);
    await queryRunner.query(`DROP TABLE "provisioning_transactions"`);
  }
}
