import { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1795454452051 implements MigrationInterface {
  name = 'Init1795454452051';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "tenants" ("id" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, "org_code" character varying(100), "locale" character varying(35) NOT NULL DEFAULT 'en-GB', "time_zone" character varying(64) NOT NULL DEFAULT 'Europe/London', "created_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_53be67a04681c66b87ee27c9321" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_tenants_org_code" ON "tenants"  ("org_code") WHERE org_code IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "credentials" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" character varying(64) NOT NULL, "kind" character varying(32) NOT NULL, "name" character varying(200) NOT NULL, "roles" text array NOT NULL DEFAULT '{}', "secret_hash" character varying(64), "client_id" character varying(200), "secret_encrypted" text, "bootstrap" boolean NOT NULL DEFAULT false, "created_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "revoked_on" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_1e38bc43be6697cdda548ad27a6" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_credentials_secret_hash" ON "credentials"  ("secret_hash") WHERE secret_hash IS NOT NULL AND revoked_on IS NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_credentials_client_id" ON "credentials"  ("client_id") WHERE client_id IS NOT NULL AND revoked_on IS NULL`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_credentials_tenant" ON "credentials"  ("tenant_id") `);
    await queryRunner.query(
      `CREATE TABLE "departments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" character varying(64) NOT NULL, "external_id" character varying(255), "name" character varying(255) NOT NULL, "parent_id" uuid, "active" boolean NOT NULL DEFAULT true, "created_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_839517a681a86bb84cbcc6a1e9d" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_departments_tenant_updated_on" ON "departments"  ("tenant_id", "updated_on") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_departments_tenant_created_on" ON "departments"  ("tenant_id", "created_on") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_departments_tenant_parent" ON "departments"  ("tenant_id", "parent_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_departments_tenant_external_id" ON "departments"  ("tenant_id", "external_id") WHERE external_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "user_types" ("tenant_id" character varying(64) NOT NULL, "id" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, "created_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f584286f1a2086676318fa63677" PRIMARY KEY ("tenant_id", "id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" character varying(64) NOT NULL, "user_name" character varying(320) NOT NULL, "external_id" character varying(255), "given_name" character varying(255), "middle_name" character varying(255), "family_name" character varying(255), "display_name" character varying(512), "email" character varying(320), "emails" jsonb NOT NULL DEFAULT '[]'::jsonb, "phone_number" character varying(64), "active" boolean NOT NULL DEFAULT true, "role" character varying(100), "metadata" jsonb, "attributes" jsonb NOT NULL DEFAULT '{}'::jsonb, "created_by" character varying(16) NOT NULL, "changed_by" character varying(16) NOT NULL, "version" integer NOT NULL DEFAULT '1', "created_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_users_tenant_updated_on" ON "users"  ("tenant_id", "updated_on") `);
    await queryRunner.query(`CREATE INDEX "IDX_users_tenant_created_on" ON "users"  ("tenant_id", "created_on") `);
    await queryRunner.query(`CREATE INDEX "IDX_users_tenant_active" ON "users"  ("tenant_id", "active") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_users_tenant_external_id" ON "users"  ("tenant_id", "external_id") WHERE external_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "assignments" ("user_id" uuid NOT NULL, "department_id" uuid NOT NULL, "user_type_id" character varying(64) NOT NULL, "tenant_id" character varying(64) NOT NULL, "created_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5d9b68563d503e3119c21ee4f5a" PRIMARY KEY ("user_id", "department_id", "user_type_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_assignments_department" ON "assignments"  ("department_id") `);
    await queryRunner.query(
      `CREATE TABLE "server_settings" ("key" character varying(64) NOT NULL, "value" text NOT NULL, "created_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9baa85c95771a8a3d89f1382ec9" PRIMARY KEY ("key"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "credentials" ADD CONSTRAINT "FK_10b9205699c6941a3962f2d16e8" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "departments" ADD CONSTRAINT "FK_146fd7019eea73f8ee7bbb52d4a" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "departments" ADD CONSTRAINT "FK_700b0b13f494cb37b6ca929e79b" FOREIGN KEY ("parent_id") REFERENCES "departments"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "user_types" ADD CONSTRAINT "FK_bdb31bb94997fae35b6fca61c5e" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "users" ADD CONSTRAINT "FK_109638590074998bb72a2f2cf08" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "assignments" ADD CONSTRAINT "FK_3e96b2dc80534b727b58b87b85f" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "assignments" ADD CONSTRAINT "FK_d1c63d670f07a959aa2002e74e0" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "assignments" ADD CONSTRAINT "FK_5a1b3e9691403d439fbbea45159" FOREIGN KEY ("tenant_id", "user_type_id") REFERENCES "user_types"("tenant_id","id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    // Expression indexes: declared with `synchronize: false` on the entities, so the drift check
    // leaves them alone. userName is unique per tenant ignoring case (RFC 7643 caseExact false).
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_users_tenant_lower_user_name" ON "users" ("tenant_id", lower("user_name"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_users_tenant_lower_email" ON "users" ("tenant_id", lower("email"))`);
    await queryRunner.query(`CREATE INDEX "IDX_users_emails" ON "users" USING gin ("emails" jsonb_path_ops)`);
    await queryRunner.query(
      `CREATE INDEX "IDX_departments_tenant_lower_name" ON "departments" ("tenant_id", lower("name"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_departments_tenant_lower_name"`);
    await queryRunner.query(`DROP INDEX "IDX_users_emails"`);
    await queryRunner.query(`DROP INDEX "IDX_users_tenant_lower_email"`);
    await queryRunner.query(`DROP INDEX "UQ_users_tenant_lower_user_name"`);
    await queryRunner.query(`ALTER TABLE "assignments" DROP CONSTRAINT "FK_5a1b3e9691403d439fbbea45159"`);
    await queryRunner.query(`ALTER TABLE "assignments" DROP CONSTRAINT "FK_d1c63d670f07a959aa2002e74e0"`);
    await queryRunner.query(`ALTER TABLE "assignments" DROP CONSTRAINT "FK_3e96b2dc80534b727b58b87b85f"`);
    await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "FK_109638590074998bb72a2f2cf08"`);
    await queryRunner.query(`ALTER TABLE "user_types" DROP CONSTRAINT "FK_bdb31bb94997fae35b6fca61c5e"`);
    await queryRunner.query(`ALTER TABLE "departments" DROP CONSTRAINT "FK_700b0b13f494cb37b6ca929e79b"`);
    await queryRunner.query(`ALTER TABLE "departments" DROP CONSTRAINT "FK_146fd7019eea73f8ee7bbb52d4a"`);
    await queryRunner.query(`ALTER TABLE "credentials" DROP CONSTRAINT "FK_10b9205699c6941a3962f2d16e8"`);
    await queryRunner.query(`DROP TABLE "server_settings"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_assignments_department"`);
    await queryRunner.query(`DROP TABLE "assignments"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_users_tenant_external_id"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_users_tenant_active"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_users_tenant_created_on"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_users_tenant_updated_on"`);
    await queryRunner.query(`DROP TABLE "users"`);
    await queryRunner.query(`DROP TABLE "user_types"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_departments_tenant_external_id"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_departments_tenant_parent"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_departments_tenant_created_on"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_departments_tenant_updated_on"`);
    await queryRunner.query(`DROP TABLE "departments"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_credentials_tenant"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_credentials_client_id"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_credentials_secret_hash"`);
    await queryRunner.query(`DROP TABLE "credentials"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_tenants_org_code"`);
    await queryRunner.query(`DROP TABLE "tenants"`);
  }
}
