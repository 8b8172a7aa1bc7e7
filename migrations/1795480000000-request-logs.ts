import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The request log (src/request-log): one row per request, secrets masked before it is written.
 * `search` is `search_text ILIKE '%term%'`, made fast by a pg_trgm GIN index; pg_trgm ships with
 * PostgreSQL (a trusted extension: the database owner may create it) and with PGlite.
 */
export class RequestLogs1795480000000 implements MigrationInterface {
  name = 'RequestLogs1795480000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await queryRunner.query(
      `CREATE TABLE "request_logs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "time" TIMESTAMP WITH TIME ZONE NOT NULL, "logged_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "method" character varying(16) NOT NULL, "path" text NOT NULL, "status" smallint NOT NULL, "duration_ms" integer NOT NULL, "tenant_id" character varying(64), "credential_id" character varying(64), "correlation_id" character varying(128), "identifier" text, "error_message" text, "admin" boolean NOT NULL DEFAULT false, "keepalive" boolean NOT NULL DEFAULT false, "request_headers" jsonb NOT NULL, "request_body" text, "request_body_truncated" boolean NOT NULL DEFAULT false, "response_headers" jsonb NOT NULL, "response_body" text, "response_body_truncated" boolean NOT NULL DEFAULT false, "search_text" text NOT NULL, CONSTRAINT "PK_1edd3815ae37a9b9511f5a26dca" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_request_logs_errors_time" ON "request_logs"  ("time") WHERE error_message IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_request_logs_logged_at" ON "request_logs"  ("logged_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_request_logs_status_time" ON "request_logs"  ("status", "time") `);
    await queryRunner.query(`CREATE INDEX "IDX_request_logs_method_time" ON "request_logs"  ("method", "time") `);
    await queryRunner.query(`CREATE INDEX "IDX_request_logs_tenant_time" ON "request_logs"  ("tenant_id", "time") `);
    await queryRunner.query(`CREATE INDEX "IDX_request_logs_time_id" ON "request_logs"  ("time", "id") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_request_logs_search_text" ON "request_logs" USING gin ("search_text" gin_trgm_ops)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // pg_trgm stays: it may have been there before, and other objects may use it.
    await queryRunner.query(`DROP INDEX "public"."IDX_request_logs_search_text"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_request_logs_time_id"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_request_logs_tenant_time"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_request_logs_method_time"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_request_logs_status_time"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_request_logs_logged_at"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_request_logs_errors_time"`);
    await queryRunner.query(`DROP TABLE "request_logs"`);
  }
}
