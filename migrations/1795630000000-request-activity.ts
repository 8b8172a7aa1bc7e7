import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The rollup of the rows request_logs holds, by the rules of doorOf and isError
 * (src/request-log/request-activity.ts); bench/overview.bench.ts fills its rollup with it too.
 */
export const REQUEST_ACTIVITY_FROM_LOGS = `INSERT INTO request_activity (tenant_id, door, hour, requests, errors, client_errors, last_at)
  SELECT tenant_id, door, date_trunc('hour', time AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', count(*)::int,
         count(*) FILTER (WHERE status >= 500 OR status IN (401, 403, 429))::int,
         count(*) FILTER (WHERE status >= 400 AND status < 500 AND status NOT IN (401, 403, 429))::int,
         max(time)
  FROM (
    SELECT tenant_id, time, status,
           CASE
             WHEN p = '/api/admin/users/sync' OR p LIKE '/api/admin/users/sync/%' THEN 'partner'
             WHEN p = '/api/admin' OR p LIKE '/api/admin/%' THEN 'admin'
             WHEN p = '/api/provisioning' OR p LIKE '/api/provisioning/%' THEN 'provisioning'
             WHEN p = '/api/user/job' OR p LIKE '/api/user/job/%' THEN 'provisioning'
             WHEN p = '/scim' OR p LIKE '/scim/%' OR p = '/oauth' OR p LIKE '/oauth/%' THEN 'scim'
           END AS door
    FROM (SELECT tenant_id, time, status, split_part(lower(path), '?', 1) AS p FROM request_logs
          WHERE tenant_id IS NOT NULL) logged
  ) classified
  WHERE door IS NOT NULL
  GROUP BY 1, 2, 3`;

/**
 * The hourly request rollup the operator overview reads (src/request-log/request-activity.ts),
 * filled from the request log already stored; indexes for a tenant's transactions that ended with
 * failures and for its queued and running jobs.
 */
export class RequestActivity1795630000000 implements MigrationInterface {
  name = 'RequestActivity1795630000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "request_activity" ("tenant_id" character varying(64) NOT NULL, "door" character varying(16) NOT NULL, "hour" TIMESTAMP WITH TIME ZONE NOT NULL, "requests" integer NOT NULL DEFAULT '0', "errors" integer NOT NULL DEFAULT '0', "client_errors" integer NOT NULL DEFAULT '0', "last_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_12400ff8af358e4cf4164ab1ecb" PRIMARY KEY ("tenant_id", "door", "hour"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_request_activity_hour" ON "request_activity"  ("hour") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_provisioning_transactions_tenant_failed" ON "provisioning_transactions"  ("tenant_id", "completed_on") WHERE failed_count > 0`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_backend_jobs_tenant_unfinished" ON "backend_jobs"  ("tenant_id", "created_on") WHERE status IN ('NOT_STARTED', 'STARTED')`,
    );
    await queryRunner.query(REQUEST_ACTIVITY_FROM_LOGS);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_backend_jobs_tenant_unfinished"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_provisioning_transactions_tenant_failed"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_request_activity_hour"`);
    await queryRunner.query(`DROP TABLE "request_activity"`);
  }
}
