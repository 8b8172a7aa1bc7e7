import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { chunk, rowsPerStatement, valuesList } from './batch';

export interface AssignmentWrite {
  userId: string;
  departmentId: string;
  userTypeId: string;
}

/** An assignment with the names clients show next to it. */
export interface AssignmentView extends AssignmentWrite {
  departmentExternalId: string | null;
  departmentName: string;
  userTypeName: string;
}

/** A member of a department seen as a SCIM group: a user, or a child department. */
export interface MemberView {
  groupId: string;
  id: string;
  display: string;
  type: 'User' | 'Group';
}

const WRITE_COLUMNS = 4;

@Injectable()
export class AssignmentsRepository {
  private readonly rowsPerWrite = rowsPerStatement(WRITE_COLUMNS);

  async findUserTypes(
    em: EntityManager,
    tenantId: string,
    ids: readonly string[],
  ): Promise<{ id: string; name: string }[]> {
    if (ids.length === 0) return [];
    return em.query('SELECT id, name FROM user_types WHERE tenant_id = $1 AND id = ANY($2::text[])', [tenantId, ids]);
  }

  /** Replaces all assignments of `userIds` with `rows`: one DELETE, then multi-row INSERTs. */
  async replaceForUsers(
    em: EntityManager,
    tenantId: string,
    userIds: readonly string[],
    rows: readonly AssignmentWrite[],
  ): Promise<void> {
    if (userIds.length === 0) return;
    await em.query('DELETE FROM assignments WHERE tenant_id = $1 AND user_id = ANY($2::uuid[])', [tenantId, userIds]);
    for (const part of chunk(rows, this.rowsPerWrite)) {
      const parameters = part.flatMap((row) => [row.userId, row.departmentId, row.userTypeId, tenantId]);
      await em.query(
        `INSERT INTO assignments (user_id, department_id, user_type_id, tenant_id)
         VALUES ${valuesList(part.length, WRITE_COLUMNS)}
         ON CONFLICT DO NOTHING`,
        parameters,
      );
    }
  }

  async findByUserIds(em: EntityManager, tenantId: string, userIds: readonly string[]): Promise<AssignmentView[]> {
    if (userIds.length === 0) return [];
    const rows: {
      user_id: string;
      department_id: string;
      department_external_id: string | null;
      department_name: string;
      user_type_id: string;
      user_type_name: string;
    }[] = await em.query(
      `SELECT a.user_id, a.department_id, d.external_id AS department_external_id,
              d.name AS department_name, a.user_type_id, t.name AS user_type_name
         FROM assignments a
         JOIN departments d ON d.id = a.department_id AND d.tenant_id = a.tenant_id
         JOIN user_types t ON t.tenant_id = a.tenant_id AND t.id = a.user_type_id
        WHERE a.tenant_id = $1 AND a.user_id = ANY($2::uuid[])
        ORDER BY a.user_id, d.name, a.user_type_id`,
      [tenantId, userIds],
    );
    return rows.map((raw) => ({
      userId: raw.user_id,
      departmentId: raw.department_id,
      departmentExternalId: raw.department_external_id,
      departmentName: raw.department_name,
      userTypeId: raw.user_type_id,
      userTypeName: raw.user_type_name,
    }));
  }

  /**
   * Gives each user in `userIds` an assignment of `userTypeId` to the department unless they
   * already have one there. Answers the ids that are users of the tenant.
   */
  async addMembers(
    em: EntityManager,
    tenantId: string,
    departmentId: string,
    userIds: readonly string[],
    userTypeId: string,
  ): Promise<string[]> {
    if (userIds.length === 0) return [];
    // Set operations only (a join on the unnested ids, EXCEPT the present members): with thousands
    // of ids, `id = ANY($3)` and a NOT EXISTS per row let the planner pick a nested loop that
    // rescans a table per id (seconds for 10,000 members); hash joins and a hashed EXCEPT stay linear.
    const rows: { id: string }[] = await em.query(
      `WITH wanted AS (
         SELECT DISTINCT u.id FROM unnest($3::uuid[]) AS given(id)
           JOIN users u ON u.id = given.id AND u.tenant_id = $1
       ), added AS (
         INSERT INTO assignments (user_id, department_id, user_type_id, tenant_id)
         SELECT fresh.id, $2, $4, $1 FROM (
           SELECT id FROM wanted
           EXCEPT
           SELECT user_id FROM assignments WHERE tenant_id = $1 AND department_id = $2
         ) fresh
         ON CONFLICT DO NOTHING
       )
       SELECT id FROM wanted`,
      [tenantId, departmentId, userIds, userTypeId],
    );
    return rows.map((row) => row.id);
  }

  /** Removes every assignment of the users to the department; all members when `userIds` is undefined. */
  async removeMembers(
    em: EntityManager,
    tenantId: string,
    departmentId: string,
    userIds?: readonly string[],
  ): Promise<void> {
    if (userIds === undefined) {
      await em.query('DELETE FROM assignments WHERE tenant_id = $1 AND department_id = $2', [tenantId, departmentId]);
      return;
    }
    if (userIds.length === 0) return;
    // A join on the unnested ids, for the reason given at addMembers.
    await em.query(
      `DELETE FROM assignments a USING (SELECT DISTINCT id FROM unnest($3::uuid[]) AS given(id)) r
        WHERE a.tenant_id = $1 AND a.department_id = $2 AND a.user_id = r.id`,
      [tenantId, departmentId, userIds],
    );
  }

  /** Users with any assignment to each department, and child departments, as group members. */
  async findMembers(em: EntityManager, tenantId: string, departmentIds: readonly string[]): Promise<MemberView[]> {
    if (departmentIds.length === 0) return [];
    const rows: { group_id: string; id: string; display: string; type: 'User' | 'Group' }[] = await em.query(
      `SELECT m.department_id AS group_id, u.id, coalesce(u.display_name, u.user_name) AS display, 'User' AS type
         FROM (SELECT DISTINCT department_id, user_id FROM assignments
                WHERE tenant_id = $1 AND department_id = ANY($2::uuid[])) m
         JOIN users u ON u.id = m.user_id
       UNION ALL
       SELECT d.parent_id, d.id, d.name, 'Group' FROM departments d
        WHERE d.tenant_id = $1 AND d.parent_id = ANY($2::uuid[])
       ORDER BY 1, 2`,
      [tenantId, departmentIds],
    );
    return rows.map((raw) => ({ groupId: raw.group_id, id: raw.id, display: raw.display, type: raw.type }));
  }

  /**
   * How many members the departments have in all (each department's users, once each, and its
   * child departments), read from the indexes alone: this is what a caller checks before reading
   * the members themselves.
   */
  async countMembers(em: EntityManager, tenantId: string, departmentIds: readonly string[]): Promise<number> {
    if (departmentIds.length === 0) return 0;
    const rows: { total: string }[] = await em.query(
      `SELECT (SELECT count(*) FROM (SELECT DISTINCT department_id, user_id FROM assignments
                                      WHERE tenant_id = $1 AND department_id = ANY($2::uuid[])) m)
            + (SELECT count(*) FROM departments WHERE tenant_id = $1 AND parent_id = ANY($2::uuid[])) AS total`,
      [tenantId, departmentIds],
    );
    return Number(rows[0].total);
  }

  /** The departments each user has any assignment to (SCIM's `groups`). */
  async findGroupsOfUsers(
    em: EntityManager,
    tenantId: string,
    userIds: readonly string[],
  ): Promise<{ userId: string; id: string; display: string }[]> {
    if (userIds.length === 0) return [];
    const rows: { user_id: string; id: string; name: string }[] = await em.query(
      `SELECT DISTINCT a.user_id, d.id, d.name
         FROM assignments a JOIN departments d ON d.id = a.department_id
        WHERE a.tenant_id = $1 AND a.user_id = ANY($2::uuid[])
        ORDER BY a.user_id, d.name, d.id`,
      [tenantId, userIds],
    );
    return rows.map((raw) => ({ userId: raw.user_id, id: raw.id, display: raw.name }));
  }
}
