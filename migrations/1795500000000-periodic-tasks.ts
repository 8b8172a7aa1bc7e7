import { MigrationInterface, QueryRunner } from 'typeorm';

/** The rounds of fleet-wide periodic tasks (job sweep, request-log retention): see `PeriodicTasks`. */
export class PeriodicTasks1795500000000 implements MigrationInterface {
  name = 'PeriodicTasks1795500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "periodic_tasks" ("name" character varying(64) NOT NULL, "last_started_on" TIMESTAMP WITH TIME ZONE NOT NULL, "last_started_by" character varying(100) NOT NULL, CONSTRAINT "PK_periodic_tasks_name" PRIMARY KEY ("name"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "periodic_tasks"`);
  }
}
