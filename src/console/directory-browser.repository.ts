import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PageOf, pageOf, pageQuery, SearchPage } from '../directory/search-page';

/** One department of a tree level, with what lies under it. */
export interface DepartmentNodeRow {
  id: string;
  name: string;
  external_id: string | null;
  parent_id: string | null;
  active: boolean;
  child_count: string | number;
  user_count: string | number;
  total: string | number;
}

export interface UserSummaryRow {
  id: string;
  user_name: string;
  display_name: string | null;
  email: string | null;
  external_id: string | null;
  active: boolean;
  created_by: string;
  changed_by: string;
  updated_on: Date;
  total?: string | number;
}

export interface UserDetailRow extends UserSummaryRow {
  given_name: string | null;
  family_name: string | null;
  phone_number: string | null;
  role: string | null;
  metadata: Record<string, unknown> | null;
  attributes: Record<string, unknown>;
  emails: unknown;
  created_on: Date;
}

export interface AssignmentNameRow {
  department_id: string;
  department_name: string;
  user_type_id: string;
  user_type_name: string | null;
}

export interface UserLogRow {
  id: string;
  time: Date;
  method: string;
  path: string;
  status: number;
  correlation_id: string | null;
}

const SUMMARY = `u.id, u.user_name, u.display_name, u.email, u.external_id, u.active, u.created_by, u.changed_by, u.updated_on`;
const DETAIL = `${SUMMARY}, u.given_name, u.family_name, u.phone_number, u.role, u.metadata, u.attributes, u.emails, u.created_on`;

/** The tenant's (`$1`) users from `user_tallies` (migration 1795518000000): a few rows, not a count of the tenant. */
const TENANT_USERS = '(SELECT coalesce(sum(t.users), 0) FROM user_tallies t WHERE t.tenant_id = $1)';

/** How many request-log rows the user detail shows. */
export const USER_LOG_ROWS = 20;

/** The console's reads of one tenant's directory: tree levels, user pages, one user and its traces. */
@Injectable()
export class DirectoryBrowserRepository {
  constructor(private readonly dataSource: DataSource) {}

  async departmentExists(tenantId: string, id: string): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      `SELECT 1 FROM departments WHERE tenant_id = $1 AND id = $2::uuid`,
      [tenantId, id],
    );
    return rows.length > 0;
  }

  /**
   * One level of the tree (the roots when `parentId` is null), by name. The level's rows come from
   * the (tenant_id, parent_id) index; the counts are read for the page's rows only: children
   * from the same index, users from assignments' (department_id) index.
   */
  async departmentLevel(
    tenantId: string,
    parentId: string | null,
    limit: number,
    offset: number,
  ): Promise<DepartmentNodeRow[]> {
    const parameters: unknown[] = [tenantId, limit, offset];
    let parent = 'd.parent_id IS NULL';
    if (parentId !== null) {
      parameters.push(parentId);
      parent = 'd.parent_id = $4::uuid';
    }
    return this.dataSource.query<DepartmentNodeRow[]>(
      `WITH page AS (
         SELECT d.id, d.name, d.external_id, d.parent_id, d.active, count(*) OVER () AS total
           FROM departments d WHERE d.tenant_id = $1 AND ${parent}
          ORDER BY lower(d.name), d.id LIMIT $2 OFFSET $3)
       SELECT p.*,
              (SELECT count(*) FROM departments c WHERE c.tenant_id = $1 AND c.parent_id = p.id) AS child_count,
              (SELECT count(DISTINCT a.user_id) FROM assignments a WHERE a.department_id = p.id) AS user_count
         FROM page p ORDER BY lower(p.name), p.id`,
      parameters,
    );
  }

  /** A page of users (see `pageQuery`: page ids from an index, the total in the same statement). */
  async userPage(tenantId: string, page: SearchPage): Promise<PageOf<UserSummaryRow>> {
    const [sql, parameters] = pageQuery('users', 'u', SUMMARY, tenantId, page, { tenantTotal: TENANT_USERS });
    return pageOf(page, await this.dataSource.query<UserSummaryRow[]>(sql, parameters), (row) => row);
  }

  async countUsers(tenantId: string, condition: string, parameters: readonly unknown[]): Promise<number> {
    const rows = await this.dataSource.query<{ count: string }[]>(
      `SELECT count(*) AS count FROM users u WHERE u.tenant_id = $1 AND (${condition})`,
      [tenantId, ...parameters],
    );
    return Number(rows[0].count);
  }

  async findUser(tenantId: string, id: string): Promise<UserDetailRow | undefined> {
    const rows = await this.dataSource.query<UserDetailRow[]>(
      `SELECT ${DETAIL} FROM users u WHERE u.tenant_id = $1 AND u.id = $2::uuid`,
      [tenantId, id],
    );
    return rows[0];
  }

  async assignmentsOf(tenantId: string, userId: string): Promise<AssignmentNameRow[]> {
    return this.dataSource.query<AssignmentNameRow[]>(
      `SELECT a.department_id, d.name AS department_name, a.user_type_id, ut.name AS user_type_name
         FROM assignments a
         JOIN departments d ON d.id = a.department_id
         LEFT JOIN user_types ut ON ut.tenant_id = a.tenant_id AND ut.id = a.user_type_id
        WHERE a.user_id = $1::uuid AND a.tenant_id = $2
        ORDER BY lower(d.name), a.user_type_id`,
      [userId, tenantId],
    );
  }

  /**
   * The newest request-log rows of the tenant about one user: its id in the path, or an identifier
   * equal to its userName, email or externalId. `search_text` holds the lower-cased path and
   * identifier, so each term's `LIKE` is a superset its trigram index finds; the exact test follows.
   */
  async logsAbout(tenantId: string, userId: string, identifiers: readonly string[]): Promise<UserLogRow[]> {
    const terms = [userId, ...identifiers].map((term) => likeSubstring(term.toLowerCase()));
    const parameters: unknown[] = [tenantId, identifiers.map((i) => i.toLowerCase()), ...terms];
    // One parameter per term ($3 is the id's): each `LIKE` is a scan of the trigram index, ORed as bitmaps.
    const candidates = terms.map((_, i) => `search_text LIKE $${i + 3}`).join(' OR ');
    return this.dataSource.query<UserLogRow[]>(
      `SELECT id, time, method, path, status, correlation_id FROM request_logs
        WHERE tenant_id = $1 AND NOT admin AND (${candidates})
          AND (lower(path) LIKE $3 OR lower(identifier) = ANY ($2::text[]))
        ORDER BY time DESC, id DESC LIMIT ${USER_LOG_ROWS}`,
      parameters,
    );
  }
}

/** `%term%` with LIKE's wildcards escaped. */
function likeSubstring(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
