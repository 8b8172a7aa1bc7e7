import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { rowsPerStatement, valuesList } from './batch';
import { PageOf, pageOf, pageQuery, SearchPage } from './search-page';

/** A department as stored, without its tenant (every query is already scoped by it). */
export interface DepartmentRow {
  id: string;
  externalId: string | null;
  name: string;
  parentId: string | null;
  active: boolean;
  /** SCIM attributes without a column. */
  attributes: Record<string, unknown>;
  /** Moves on every change of the department or its members (the SCIM ETag). */
  version: number;
  createdOn: Date;
  updatedOn: Date;
}

/** The full row to store; ids are chosen by the caller so children can reference new parents. */
export interface DepartmentWrite {
  id: string;
  externalId: string | null;
  name: string;
  parentId: string | null;
  active: boolean;
}

/** One link of an ancestor chain. */
export interface DepartmentLink {
  id: string;
  externalId: string | null;
  parentId: string | null;
}

interface RawDepartment {
  id: string;
  external_id: string | null;
  name: string;
  parent_id: string | null;
  active: boolean;
  attributes: Record<string, unknown>;
  version: number;
  created_on: Date;
  updated_on: Date;
}

const COLUMNS = 'id, external_id, name, parent_id, active, attributes, version, created_on, updated_on';
const WRITE_COLUMNS = 6;

/** The statement of `DepartmentsRepository.searchPage` (exported for the EXPLAIN tests). */
export function departmentsPageQuery(tenantId: string, page: SearchPage): [string, unknown[]] {
  return pageQuery('departments', 'd', COLUMNS, tenantId, page);
}

function toRow(raw: RawDepartment): DepartmentRow {
  return {
    id: raw.id,
    externalId: raw.external_id,
    name: raw.name,
    parentId: raw.parent_id,
    active: raw.active,
    attributes: raw.attributes,
    version: raw.version,
    createdOn: raw.created_on,
    updatedOn: raw.updated_on,
  };
}

@Injectable()
export class DepartmentsRepository {
  /** Rows per upsert statement, under PostgreSQL's bind-parameter limit. */
  readonly rowsPerWrite = rowsPerStatement(WRITE_COLUMNS);

  async findByExternalIds(
    em: EntityManager,
    tenantId: string,
    externalIds: readonly string[],
  ): Promise<DepartmentRow[]> {
    if (externalIds.length === 0) return [];
    const rows: RawDepartment[] = await em.query(
      `SELECT ${COLUMNS} FROM departments WHERE tenant_id = $1 AND external_id = ANY($2::text[])`,
      [tenantId, externalIds],
    );
    return rows.map(toRow);
  }

  async findByIds(em: EntityManager, tenantId: string, ids: readonly string[]): Promise<DepartmentRow[]> {
    if (ids.length === 0) return [];
    const rows: RawDepartment[] = await em.query(
      `SELECT ${COLUMNS} FROM departments WHERE tenant_id = $1 AND id = ANY($2::uuid[])`,
      [tenantId, ids],
    );
    return rows.map(toRow);
  }

  /**
   * A page of the tenant's rows matching `condition`, an SQL boolean over alias `d` whose
   * parameters follow `$1` (the tenant id), with how many match in all. `orderBy` is SQL built by
   * the caller from constants.
   */
  async searchPage(em: EntityManager, tenantId: string, page: SearchPage): Promise<PageOf<DepartmentRow>> {
    const raw: (RawDepartment & { total: string })[] = await em.query(...departmentsPageQuery(tenantId, page));
    return pageOf(page, raw, toRow);
  }

  async count(em: EntityManager, tenantId: string, condition: string, parameters: readonly unknown[]): Promise<number> {
    const rows: { total: string }[] = await em.query(
      `SELECT count(*) AS total FROM departments d WHERE d.tenant_id = $1 AND (${condition})`,
      [tenantId, ...parameters],
    );
    return Number(rows[0].total);
  }

  async findById(em: EntityManager, tenantId: string, id: string, lock = false): Promise<DepartmentRow | undefined> {
    const rows: RawDepartment[] = await em.query(
      `SELECT ${COLUMNS} FROM departments WHERE tenant_id = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`,
      [tenantId, id],
    );
    return rows.length > 0 ? toRow(rows[0]) : undefined;
  }

  /** Ids of the departments named `name`, ignoring case. */
  async findIdsByName(em: EntityManager, tenantId: string, name: string): Promise<string[]> {
    const rows: { id: string }[] = await em.query(
      'SELECT id FROM departments WHERE tenant_id = $1 AND lower(name) = lower($2)',
      [tenantId, name],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Serialises writers of one name until the transaction ends. Names are unique only for SCIM
   * (the batch API repeats them in trees), so no unique index can decide; this lock does.
   */
  async lockName(em: EntityManager, tenantId: string, name: string): Promise<void> {
    await em.query("SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || lower($2), 7))", [tenantId, name]);
  }

  /** Inserts one department with its SCIM attributes. */
  async insertOne(
    em: EntityManager,
    tenantId: string,
    row: DepartmentWrite & Pick<DepartmentRow, 'attributes'>,
  ): Promise<DepartmentRow> {
    const raw: RawDepartment[] = await em.query(
      `INSERT INTO departments (id, tenant_id, external_id, name, parent_id, active, attributes)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       RETURNING ${COLUMNS}`,
      [row.id, tenantId, row.externalId, row.name, row.parentId, row.active, JSON.stringify(row.attributes)],
    );
    return toRow(raw[0]);
  }

  /** Sets name, externalId and SCIM attributes of one department; parent and `active` stay. */
  async updateOne(
    em: EntityManager,
    tenantId: string,
    id: string,
    values: Pick<DepartmentRow, 'name' | 'externalId' | 'attributes'>,
  ): Promise<DepartmentRow | undefined> {
    const raw: [RawDepartment[], number] = await em.query(
      `UPDATE departments SET name = $3, external_id = $4, attributes = $5, updated_on = now()
        WHERE tenant_id = $1 AND id = $2
        RETURNING ${COLUMNS}`,
      [tenantId, id, values.name, values.externalId, JSON.stringify(values.attributes)],
    );
    return raw[0].length > 0 ? toRow(raw[0][0]) : undefined;
  }

  /** Bumps the version after a change of members (child departments move no assignment). */
  async bumpVersion(em: EntityManager, tenantId: string, id: string): Promise<void> {
    await em.query('UPDATE departments SET version = version + 1 WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
  }

  /** Makes `childIds` children of `parentId`; answers the ids that exist in the tenant. */
  async adoptChildren(
    em: EntityManager,
    tenantId: string,
    parentId: string,
    childIds: readonly string[],
  ): Promise<string[]> {
    if (childIds.length === 0) return [];
    const result: [{ id: string }[], number] = await em.query(
      `UPDATE departments d SET parent_id = $2, updated_on = now()
         FROM (SELECT DISTINCT id FROM unnest($3::uuid[]) AS given(id)) r
        WHERE d.tenant_id = $1 AND d.id = r.id AND d.parent_id IS DISTINCT FROM $2
        RETURNING d.id`,
      [tenantId, parentId, childIds],
    );
    return result[0].map((row) => row.id);
  }

  /** Makes children of `parentId` roots: those in `childIds`, or all of them when it is undefined. */
  async releaseChildren(
    em: EntityManager,
    tenantId: string,
    parentId: string,
    childIds?: readonly string[],
  ): Promise<void> {
    if (childIds === undefined) {
      await em.query(
        'UPDATE departments SET parent_id = NULL, updated_on = now() WHERE tenant_id = $1 AND parent_id = $2',
        [tenantId, parentId],
      );
      return;
    }
    if (childIds.length === 0) return;
    // Joined on the unnested ids: `id = ANY($3)` over thousands of ids can test each row against the whole array.
    await em.query(
      `UPDATE departments d SET parent_id = NULL, updated_on = now()
         FROM (SELECT DISTINCT id FROM unnest($3::uuid[]) AS given(id)) r
        WHERE d.tenant_id = $1 AND d.parent_id = $2 AND d.id = r.id`,
      [tenantId, parentId, childIds],
    );
  }

  /** The given departments and all their ancestors, in one recursive query. */
  async findAncestry(em: EntityManager, tenantId: string, ids: readonly string[]): Promise<DepartmentLink[]> {
    if (ids.length === 0) return [];
    // UNION (not UNION ALL) stops on rows already seen, so even a corrupt cyclic tree terminates.
    const rows: { id: string; external_id: string | null; parent_id: string | null }[] = await em.query(
      `WITH RECURSIVE chain AS (
         SELECT id, external_id, parent_id FROM departments WHERE tenant_id = $1 AND id = ANY($2::uuid[])
         UNION
         SELECT d.id, d.external_id, d.parent_id
           FROM departments d JOIN chain c ON d.id = c.parent_id
          WHERE d.tenant_id = $1
       )
       SELECT id, external_id, parent_id FROM chain`,
      [tenantId, ids],
    );
    return rows.map((raw) => ({
      id: raw.id,
      externalId: raw.external_id,
      parentId: raw.parent_id,
    }));
  }

  /** Inserts new rows and overwrites existing ones (by id) in one statement; `created_on` is kept. */
  async upsert(em: EntityManager, tenantId: string, rows: readonly DepartmentWrite[]): Promise<DepartmentRow[]> {
    if (rows.length === 0) return [];
    const parameters: unknown[] = [];
    for (const row of rows) {
      parameters.push(row.id, tenantId, row.externalId, row.name, row.parentId, row.active);
    }
    const raw: RawDepartment[] = await em.query(
      `INSERT INTO departments (id, tenant_id, external_id, name, parent_id, active)
       VALUES ${valuesList(rows.length, WRITE_COLUMNS)}
       ON CONFLICT (id) DO UPDATE SET
         external_id = EXCLUDED.external_id,
         name = EXCLUDED.name,
         parent_id = EXCLUDED.parent_id,
         active = EXCLUDED.active,
         updated_on = now()
       WHERE departments.tenant_id = EXCLUDED.tenant_id
       RETURNING ${COLUMNS}`,
      parameters,
    );
    return raw.map(toRow);
  }

  /**
   * Sets `active` on every descendant of each root, any depth. Where roots nest, the nearest
   * root's value wins, and roots themselves are left as written. Only rows that change are
   * touched, so `updated_on` keeps meaning "changed". Answers the number of rows changed.
   */
  async cascadeActive(
    em: EntityManager,
    tenantId: string,
    roots: readonly { id: string; active: boolean }[],
  ): Promise<number> {
    if (roots.length === 0) return 0;
    const result: [unknown[], number] = await em.query(
      `WITH RECURSIVE roots(id, active) AS (
         SELECT * FROM unnest($2::uuid[], $3::boolean[])
       ),
       subtree(id, active) AS (
         SELECT d.id, r.active FROM departments d JOIN roots r ON d.parent_id = r.id
          WHERE d.tenant_id = $1
         UNION
         SELECT d.id, s.active FROM departments d JOIN subtree s ON d.parent_id = s.id
          WHERE d.tenant_id = $1 AND NOT (s.id = ANY($2::uuid[]))
       )
       UPDATE departments d SET active = s.active, updated_on = now()
         FROM subtree s
        WHERE d.id = s.id AND d.tenant_id = $1
          AND NOT (d.id = ANY($2::uuid[]))
          AND d.active IS DISTINCT FROM s.active`,
      [tenantId, roots.map((root) => root.id), roots.map((root) => root.active)],
    );
    return result[1];
  }

  /** Deletes by id; children become roots (FK ON DELETE SET NULL), assignments go by cascade. */
  async deleteByIds(
    em: EntityManager,
    tenantId: string,
    ids: readonly string[],
  ): Promise<{ id: string; externalId: string | null }[]> {
    if (ids.length === 0) return [];
    // TypeORM answers DELETE and UPDATE with `[rows, affected count]`.
    const result: [{ id: string; external_id: string | null }[], number] = await em.query(
      'DELETE FROM departments WHERE tenant_id = $1 AND id = ANY($2::uuid[]) RETURNING id, external_id',
      [tenantId, ids],
    );
    return result[0].map((raw) => ({ id: raw.id, externalId: raw.external_id }));
  }
}
