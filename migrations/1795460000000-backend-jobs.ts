import { MigrationInterface, QueryRunner } from 'typeorm';

/** The durable job engine's record: BackendJob rows with their lease (src/jobs). */
export class BackendJobs1795460000000 implements MigrationInterface {
  name = 'BackendJobs1795460000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "backend_jobs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" character varying(64) NOT NULL, "type" character varying(64) NOT NULL, "status" character varying(16) NOT NULL, "created_by" character varying(64) NOT NULL, "priority" integer NOT NULL DEFAULT '5', "payload" jsonb NOT NULL, "start_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_on" TIMESTAMP WITH TIME ZONE, "finished_on" TIMESTAMP WITH TIME ZONE, "error_message" text, "stack_trace" text, "done_percentage" integer NOT NULL DEFAULT '0', "updates" jsonb NOT NULL DEFAULT '[]', "results" jsonb, "lease_owner" character varying(100), "lease_expires_at" TIMESTAMP WITH TIME ZONE, "attempts" integer NOT NULL DEFAULT '0', "cancel_requested" boolean NOT NULL DEFAULT false, "created_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6bc85b946f0166825171c65828a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_backend_jobs_tenant_created_on" ON "backend_jobs"  ("tenant_id", "created_on") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_backend_jobs_status_lease" ON "backend_jobs"  ("status", "lease_expires_at") `,
    );
    await queryRunner.query(
      `ALTER TABLE "backend_jobs" ADD CONSTRAINT "FK_c2751754acea904a9ece7121b66" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "backend_jobs" DROP CONSTRAINT "FK_c2751754acea904a9ece7121b66"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_backend_jobs_status_lease"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_backend_jobs_tenant_created_on"`);
    await queryRunner.query(`DROP TABLE "backend_jobs"`);
  }
}
