import type { Keyset, SearchPage } from '../directory/search-page';
import type { CursorPosition } from './cursor/scim-cursor';
import { compileFilter, parseFilter, ScalarTarget, SqlResolver } from './filter';
import { ListQuery } from './scim-list-query';
import { ScimError } from './scim.errors';

/**
 * A list request as SQL: the condition, its parameters (from `$2`), order and page. A cursor
 * request (`query.cursor` given) pages by keyset from `position` (none: the first page) and asks
 * for one row more than `count`, which tells whether a next page exists.
 */
export function searchPage(
  query: ListQuery,
  resolve: SqlResolver,
  table: 'u' | 'd',
  position?: CursorPosition,
): SearchPage {
  // `$1` is the tenant id: the compiler numbers values after what `parameters` holds.
  const parameters: unknown[] = ['(tenant)'];
  const condition = query.filter === undefined ? 'TRUE' : compileFilter(parseFilter(query.filter), resolve, parameters);
  const direction = query.sortOrder === 'descending' ? 'DESC' : 'ASC';
  // Creation order, then id: a stable order across pages, served by the (tenant_id, created_on) index.
  const stable = `${table}.created_on ${direction}, ${table}.id ${direction}`;
  const reverse = direction === 'ASC' ? 'DESC' : 'ASC';
  const sortBy = query.sortBy === undefined ? undefined : sortExpression(query.sortBy, resolve);
  if (query.cursor !== undefined) return keysetPage(query, table, condition, parameters.slice(1), sortBy, position);
  const orderBy = sortBy === undefined ? stable : `${sortBy} ${direction} NULLS LAST, ${stable}`;
  return {
    condition,
    parameters: parameters.slice(1),
    orderBy,
    reverseOrderBy: query.sortBy === undefined ? `${table}.created_on ${reverse}, ${table}.id ${reverse}` : undefined,
    limit: query.count,
    offset: query.startIndex - 1,
  };
}

/** `sortBy` as SQL: a singular attribute, or the smallest `value` of a multi-valued one. */
function sortExpression(sortBy: string, resolve: SqlResolver): string {
  let target;
  try {
    const filter = parseFilter(`${sortBy} pr`);
    target = filter.kind === 'present' ? resolve(filter.path) : undefined;
  } catch {
    target = undefined;
  }
  if (!target) throw ScimError.invalidValue(`sortBy names no attribute that can be sorted on: "${sortBy}"`);
  if (target.kind === 'multi') {
    const value = target.sub('value', 's1');
    if (!value) throw ScimError.invalidValue(`sortBy names no attribute that can be sorted on: "${sortBy}"`);
    return `(SELECT min(${sortable(value)}) FROM ${target.from('s1')})`;
  }
  return sortable(target);
}

// A case-insensitive uuid (`groups.value`) sorts as its text, lower-case already (min() takes no uuid).
const sortable = (target: ScalarTarget): string => {
  if (target.type !== 'string' || target.caseExact) return target.sql;
  return target.uuid ? `(${target.sql})::text` : `lower(${target.sql})`;
};

/**
 * A cursor page: the order of an index page (`sortBy` then creation then id, NULLS LAST), or its
 * reverse for a page walked backwards, and the rows strictly past the position in that order.
 * created_on never changes and id breaks ties, so the key of a row is fixed for its life: a walk
 * meets every row that exists throughout exactly once, whatever is inserted or deleted meanwhile.
 */
function keysetPage(
  query: ListQuery,
  table: 'u' | 'd',
  condition: string,
  parameters: unknown[],
  sortBy: string | undefined,
  position: CursorPosition | undefined,
): SearchPage {
  const ascending = (query.sortOrder === 'ascending') !== (position?.backward ?? false);
  const [direction, past] = ascending ? ['ASC', '>'] : ['DESC', '<'];
  // Nulls sort last going forward, so they come first walking backwards.
  const nullsLast = !(position?.backward ?? false);
  const nulls = nullsLast ? 'NULLS LAST' : 'NULLS FIRST';
  const stable = `${table}.created_on ${direction}, ${table}.id ${direction}`;
  const orderBy = sortBy === undefined ? stable : `${sortBy} ${direction} ${nulls}, ${stable}`;
  const key = `json_build_array(${sortBy === undefined ? '' : `${sortBy}, `}${table}.created_on, ${table}.id)`;
  const from = position
    ? after(position.key, { table, sortBy, past, nullsLast, first: parameters.length + 2 })
    : { after: 'TRUE', parameters: [] };
  return { condition, parameters, orderBy, limit: query.count + 1, offset: 0, keyset: { ...from, key } };
}

/** The rows past `key` (`[sortBy value,] created_on, id`) in the page's order; parameters from `$first`. */
function after(
  key: unknown[],
  order: { table: string; sortBy?: string; past: string; nullsLast: boolean; first: number },
): Omit<Keyset, 'key'> {
  const { table, sortBy, past, nullsLast, first } = order;
  const expected = sortBy === undefined ? 2 : 3;
  const [created, id] = key.slice(-2);
  if (key.length !== expected || typeof created !== 'string' || typeof id !== 'string') {
    throw ScimError.invalidCursor('The cursor does not belong to this query');
  }
  const parameters: unknown[] = [created, id];
  const stable = `(${table}.created_on, ${table}.id) ${past} ($${first}::timestamptz, $${first + 1}::uuid)`;
  if (sortBy === undefined) return { after: stable, parameters };
  const value = key[0];
  if (value === null) {
    // Past a row without a sort value: the rest of those (forward), or every row with one and the
    // earlier of those (backward).
    const rest = nullsLast ? `${sortBy} IS NULL AND ${stable}` : `${sortBy} IS NOT NULL OR ${stable}`;
    return { after: rest, parameters };
  }
  parameters.push(typeof value === 'object' ? JSON.stringify(value) : value);
  const v = `$${first + 2}`;
  const beyond = `${sortBy} ${past} ${v} OR (${sortBy} = ${v} AND ${stable})`;
  return { after: nullsLast ? `${beyond} OR ${sortBy} IS NULL` : beyond, parameters };
}
