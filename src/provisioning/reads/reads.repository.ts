import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** Half-open interval of instants: `start <= column < end`. */
export interface InstantRange {
  start: Date;
  end: Date;
}

/** What a listing is filtered by; `null` filters nothing. */
export interface ReadFilters {
  active: boolean | null;
  createdOn: InstantRange | null;
  updatedOn: InstantRange | null;
}

export interface PageWindow {
  skip: number;
  limit: number;
}

export interface DepartmentReadRow {
  id: string;
  name: string;
  externalId: string | null;
  parentId: string | null;
  parentExternalId: string | null;
  active: boolean;
  createdOn: Date;
  updatedOn: Date;
}

export interface UserReadRow {
  id: string;
  userName: string;
  externalId: string | null;
  givenName: string | null;
  middleName: string | null;
  familyName: string | null;
  email: string | null;
  phoneNumber: string | null;
  active: boolean;
  createdOn: Date;
  updatedOn: Date;
}

interface RawDepartment {
  id: string;
  name: string;
  external_id: string | null;
  parent_id: string | null;
  parent_external_id: string | null;
  active: boolean;
  created_on: Date;
  updated_on: Date;
}

interface RawUser {
  id: string;
  user_name: string;
  external_id: string | null;
  given_name: string | null;
  middle_name: string | null;
  family_name: string | null;
  email: string | null;
  phone_number: string | null;
  active: boolean;
  created_on: Date;
  updated_on: Date;
}

/** A parameterised WHERE clause; `$1` is always the tenant. */
interface Where {
  sql: string;
  parameters: unknown[];
}

/**
 * Plain predicates on `tenant_id` plus a range of `created_on` / `updated_on`, so the
 * (tenant_id, created_on), (tenant_id, updated_on) and users' (tenant_id, active) indexes apply;
 * the page is ordered by (created_on, id), which the created_on index also serves.
 */
function whereOf(alias: string, tenantId: string, filters: ReadFilters): Where {
  const parameters: unknown[] = [tenantId];
  const clauses = [`${alias}.tenant_id = $1`];
  const bind = (value: unknown): string => {
    parameters.push(value);
    return `$${parameters.length}`;
  };
  if (filters.active !== null) clauses.push(`${alias}.active = ${bind(filters.active)}`);
  for (const [column, range] of [
    ['created_on', filters.createdOn],
    ['updated_on', filters.updatedOn],
  ] as const) {
    if (range) clauses.push(`${alias}.${column} >= ${bind(range.start)} AND ${alias}.${column} < ${bind(range.end)}`);
  }
  return { sql: clauses.join(' AND '), parameters };
}

function pageClause(where: Where, page: PageWindow): string {
  where.parameters.push(page.limit, page.skip);
  const count = where.parameters.length;
  return `LIMIT $${count - 1} OFFSET $${count}`;
}

async function countWhere(em: EntityManager, table: 'departments' | 'users', where: Where): Promise<number> {
  // count(*) is bigint, which node-postgres answers as a string.
  const rows: { total: string }[] = await em.query(
    `SELECT count(*) AS total FROM ${table} t WHERE ${where.sql}`,
    where.parameters,
  );
  return Number(rows[0].total);
}

/** The provisioning API's department and user listings: one statement per page, one per count. */
@Injectable()
export class ReadsRepository {
  async findDepartments(
    em: EntityManager,
    tenantId: string,
    filters: ReadFilters,
    page: PageWindow,
  ): Promise<DepartmentReadRow[]> {
    const where = whereOf('d', tenantId, filters);
    const limit = pageClause(where, page);
    const rows: RawDepartment[] = await em.query(
      `SELECT d.id, d.name, d.external_id, d.parent_id, p.external_id AS parent_external_id,
              d.active, d.created_on, d.updated_on
         FROM departments d
         LEFT JOIN departments p ON p.id = d.parent_id AND p.tenant_id = d.tenant_id
        WHERE ${where.sql}
        ORDER BY d.created_on, d.id
        ${limit}`,
      where.parameters,
    );
    return rows.map((raw) => ({
      id: raw.id,
      name: raw.name,
      externalId: raw.external_id,
      parentId: raw.parent_id,
      parentExternalId: raw.parent_external_id,
      active: raw.active,
      createdOn: raw.created_on,
      updatedOn: raw.updated_on,
    }));
  }

  countDepartments(em: EntityManager, tenantId: string, filters: ReadFilters): Promise<number> {
    return countWhere(em, 'departments', whereOf('t', tenantId, filters));
  }

  async findUsers(em: EntityManager, tenantId: string, filters: ReadFilters, page: PageWindow): Promise<UserReadRow[]> {
    const where = whereOf('u', tenantId, filters);
    const limit = pageClause(where, page);
    const rows: RawUser[] = await em.query(
      `SELECT u.id, u.user_name, u.external_id, u.given_name, u.middle_name, u.family_name,
              u.email, u.phone_number, u.active, u.created_on, u.updated_on
         FROM users u
        WHERE ${where.sql}
        ORDER BY u.created_on, u.id
        ${limit}`,
      where.parameters,
    );
    return rows.map((raw) => ({
      id: raw.id,
      userName: raw.user_name,
      externalId: raw.external_id,
      givenName: raw.given_name,
      middleName: raw.middle_name,
      familyName: raw.family_name,
      email: raw.email,
      phoneNumber: raw.phone_number,
      active: raw.active,
      createdOn: raw.created_on,
      updatedOn: raw.updated_on,
    }));
  }

  countUsers(em: EntityManager, tenantId: string, filters: ReadFilters): Promise<number> {
    return countWhere(em, 'users', whereOf('t', tenantId, filters));
  }
}
