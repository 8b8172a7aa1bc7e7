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
}
