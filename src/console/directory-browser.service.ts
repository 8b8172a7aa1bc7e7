import { Injectable } from '@nestjs/common';
import { adminPage, AdminPage } from '../common/admin-page';
import { DomainError } from '../common/domain-error';
import type { SearchPage } from '../directory/search-page';
import { compileFilter, parseFilter, ScimFilterError } from '../scim/filter';
import { ScimError } from '../scim/scim.errors';
import { userResolver } from '../scim/scim-sql.resolvers';
import { DirectoryBrowserRepository, UserDetailRow, UserSummaryRow } from './directory-browser.repository';
import { DEFAULT_DIRECTORY_PAGE_SIZE, DepartmentLevelQuery, UserSearchQuery } from './dto/directory-query.dto';

export interface DepartmentNodeView {
  id: string;
  name: string;
  externalId: string | null;
  parentId: string | null;
  childCount: number;
  userCount: number;
  active: boolean;
}

export interface UserSummaryView {
  id: string;
  userName: string;
  displayName: string | null;
  email: string | null;
  externalId: string | null;
  active: boolean;
  createdBy: string;
  changedBy: string;
  updatedOn: string;
}

export interface UserDetailView extends UserSummaryView {
  givenName: string | null;
  familyName: string | null;
  phoneNumber: string | null;
  role: string | null;
  metadata: Record<string, unknown> | null;
  attributes: Record<string, unknown>;
  createdOn: string;
  assignments: { departmentId: string; departmentName: string; userTypeId: string; userTypeName: string | null }[];
  requestLogs: {
    id: string;
    time: string;
    method: string;
    path: string;
    status: number;
    correlationId: string | null;
  }[];
}

/** The operator console's read-only view of one tenant's directory. The caller has checked the tenant. */
@Injectable()
export class DirectoryBrowserService {
  constructor(private readonly store: DirectoryBrowserRepository) {}

  async departments(tenantId: string, query: DepartmentLevelQuery): Promise<AdminPage<DepartmentNodeView>> {
    const window = pageWindow(query);
    const parentId = query.parentId ?? null;
    if (parentId !== null && !(await this.store.departmentExists(tenantId, parentId))) {
      throw DomainError.notFound(`No department ${parentId} in this tenant`, {
        field: 'parentId',
        message: 'not found',
      });
    }
    const rows = await this.store.departmentLevel(tenantId, parentId, window.pageSize, window.offset);
    // Past the last page the window count is gone with the rows: count the level from its first page.
    const total =
      rows.length > 0 ? Number(rows[0].total) : window.offset === 0 ? 0 : await this.levelTotal(tenantId, parentId);
    return adminPage(
      window,
      total,
      rows.map((row) => ({
        id: row.id,
        name: row.name,
        externalId: row.external_id,
        parentId: row.parent_id,
        childCount: Number(row.child_count),
        userCount: Number(row.user_count),
        active: row.active,
      })),
    );
  }

  async users(tenantId: string, query: UserSearchQuery): Promise<AdminPage<UserSummaryView>> {
    const window = pageWindow(query);
    const page = userSearchPage(query, window.pageSize, window.offset);
    const found = await this.store.userPage(tenantId, page);
    const total = found.total ?? (await this.store.countUsers(tenantId, page.condition, page.parameters));
    return adminPage(window, total, found.rows.map(toSummary));
  }

  async user(tenantId: string, userId: string): Promise<UserDetailView> {
    const row = UUID.test(userId) ? await this.store.findUser(tenantId, userId) : undefined;
    if (!row) throw DomainError.notFound(`No user ${userId} in this tenant`, { field: 'userId', message: 'not found' });
    const identifiers = [...new Set([row.user_name, row.email, row.external_id].filter((v): v is string => !!v))];
    const [assignments, logs] = await Promise.all([
      this.store.assignmentsOf(tenantId, row.id),
      this.store.logsAbout(tenantId, row.id, identifiers),
    ]);
    return {
      ...toSummary(row),
      givenName: row.given_name,
      familyName: row.family_name,
      phoneNumber: row.phone_number,
      role: row.role,
      metadata: row.metadata,
      attributes: attributesOf(row),
      createdOn: row.created_on.toISOString(),
      assignments: assignments.map((a) => ({
        departmentId: a.department_id,
        departmentName: a.department_name,
        userTypeId: a.user_type_id,
        userTypeName: a.user_type_name,
      })),
      requestLogs: logs.map((log) => ({
        id: log.id,
        time: log.time.toISOString(),
        method: log.method,
        path: log.path,
        status: Number(log.status),
        correlationId: log.correlation_id,
      })),
    };
  }

  private async levelTotal(tenantId: string, parentId: string | null): Promise<number> {
    const first = await this.store.departmentLevel(tenantId, parentId, 1, 0);
    return first.length > 0 ? Number(first[0].total) : 0;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function pageWindow(query: { page?: number; pageSize?: number }): { page: number; pageSize: number; offset: number } {
  const page = query.page ?? 1;
  const pageSize = query.pageSize ?? DEFAULT_DIRECTORY_PAGE_SIZE;
  return { page, pageSize, offset: (page - 1) * pageSize };
}

/**
 * The search as one SQL condition over `users u`, parameters from `$2` (`$1` is the tenant):
 * `filter` compiled exactly as `GET /scim/v2/Users?filter=` compiles it; `search` a case-insensitive
 * substring of four columns, each test the expression of a trigram index (migration 1795518000000:
 * `ILIKE` on external_id, which is indexed as written); `departmentId` through assignments.
 */
export function userSearchPage(query: UserSearchQuery, limit: number, offset: number): SearchPage {
  const parameters: unknown[] = ['(tenant)'];
  const conditions: string[] = [];
  if (query.filter !== undefined) conditions.push(`(${compiledFilter(query.filter, parameters)})`);
  if (query.search !== undefined) {
    parameters.push(`%${query.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    const n = `$${parameters.length}`;
    conditions.push(
      `(lower(u.user_name) LIKE ${n} OR lower(u.display_name) LIKE ${n} OR u.external_id ILIKE ${n} OR scim_email_values(u.emails) LIKE ${n})`,
    );
  }
  if (query.departmentId !== undefined) {
    parameters.push(query.departmentId);
    conditions.push(
      `EXISTS (SELECT 1 FROM assignments a WHERE a.user_id = u.id AND a.department_id = $${parameters.length}::uuid)`,
    );
  }
  return {
    condition: conditions.length > 0 ? conditions.join(' AND ') : 'TRUE',
    parameters: parameters.slice(1),
    orderBy: 'u.created_on ASC, u.id ASC',
    reverseOrderBy: 'u.created_on DESC, u.id DESC',
    limit,
    offset,
  };
}

/** A bad filter is the caller's 400, with the parser's own words. */
function compiledFilter(filter: string, parameters: unknown[]): string {
  try {
    return compileFilter(parseFilter(filter), userResolver, parameters);
  } catch (error) {
    if (error instanceof ScimFilterError || error instanceof ScimError) {
      throw DomainError.validation(`filter: ${error.message}`, { field: 'filter', message: error.message });
    }
    throw error;
  }
}

function toSummary(row: UserSummaryRow): UserSummaryView {
  return {
    id: row.id,
    userName: row.user_name,
    displayName: row.display_name,
    email: row.email,
    externalId: row.external_id,
    active: row.active,
    createdBy: row.created_by,
    changedBy: row.changed_by,
    updatedOn: row.updated_on.toISOString(),
  };
}

/** What the user holds beyond its columns, with its email addresses (kept apart in `emails`). */
function attributesOf(row: UserDetailRow): Record<string, unknown> {
  const emails = Array.isArray(row.emails) && row.emails.length > 0 ? { emails: row.emails } : {};
  return { ...emails, ...row.attributes };
}
