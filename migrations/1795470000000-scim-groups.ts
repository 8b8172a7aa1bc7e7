import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SCIM Groups are departments: they keep the attributes a client sent that have no column, and
 * carry a version (the ETag) that moves whenever the department or its members change. Every
 * UPDATE of a department bumps it (a row trigger, so no writer can forget). Members are
 * assignments, written by SCIM, batch transactions and cascades alike, so the assignments table
 * itself bumps the departments concerned, once per statement, locking them in id order. A change
 * of members leaves `updated_on` alone: the batch API reads it as "the department changed".
 */
export class ScimGroups1795470000000 implements MigrationInterface {
  name = 'ScimGroups1795470000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "departments" ADD "attributes" jsonb NOT NULL DEFAULT '{}'`);
    await queryRunner.query(`ALTER TABLE "departments" ADD "version" integer NOT NULL DEFAULT '1'`);
    await queryRunner.query(`
      CREATE FUNCTION departments_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.version = OLD.version THEN
          NEW.version := OLD.version + 1;
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER departments_versioned BEFORE UPDATE ON departments
        FOR EACH ROW EXECUTE FUNCTION departments_bump_version()`);
    await queryRunner.query(`
      CREATE FUNCTION departments_members_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE departments d SET version = d.version + 1
          FROM (SELECT id FROM departments
                 WHERE id IN (SELECT DISTINCT department_id FROM changed)
                 ORDER BY id FOR UPDATE) locked
         WHERE d.id = locked.id;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER assignments_inserted AFTER INSERT ON assignments
        REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION departments_members_changed()`);
    await queryRunner.query(`
      CREATE TRIGGER assignments_deleted AFTER DELETE ON assignments
        REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION departments_members_changed()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "assignments_deleted" ON "assignments"`);
    await queryRunner.query(`DROP TRIGGER "assignments_inserted" ON "assignments"`);
    await queryRunner.query(`DROP FUNCTION departments_members_changed()`);
    await queryRunner.query(`DROP TRIGGER "departments_versioned" ON "departments"`);
    await queryRunner.query(`DROP FUNCTION departments_bump_version()`);
    await queryRunner.query(`ALTER TABLE "departments" DROP COLUMN "version"`);
    await queryRunner.query(`ALTER TABLE "departments" DROP COLUMN "attributes"`);
  }
}
