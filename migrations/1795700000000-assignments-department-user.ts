import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A group's members by its department: with the user id in the index too, counting a group's
 * members (the check before an answer carries them, issue 19) and finding them for
 * `groups.value eq "<id>"` are index-only scans, not a fetch of every assignment row. The new
 * index serves every query the (department_id) one served, so that one goes.
 */
export class AssignmentsDepartmentUser1795700000000 implements MigrationInterface {
  name = 'AssignmentsDepartmentUser1795700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "IDX_assignments_department_user" ON "assignments" ("department_id", "user_id")`,
    );
    await queryRunner.query(`DROP INDEX "public"."IDX_assignments_department"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "IDX_assignments_department" ON "assignments" ("department_id")`);
    await queryRunner.query(`DROP INDEX "public"."IDX_assignments_department_user"`);
  }
}
