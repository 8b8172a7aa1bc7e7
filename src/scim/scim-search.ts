import type { SearchPage } from '../directory/search-page';
import { compileFilter, parseFilter, ScalarTarget, SqlResolver } from './filter';
import { ListQuery } from './scim-list-query';
import { ScimError } from './scim.errors';

/** A list request as SQL: the condition, its parameters (from `$2`), order and page. */
export function searchPage(query: ListQuery, resolve: SqlResolver, table: 'u' | 'd'): SearchPage {
  // `$1` is the tenant id: the compiler numbers values after what `parameters` holds.
  const parameters: unknown[] = ['(tenant)'];
  const condition = query.filter === undefined ? 'TRUE' : compileFilter(parseFilter(query.filter), resolve, parameters);
  const direction = query.sortOrder === 'descending' ? 'DESC' : 'ASC';
  // Creation order, then id: a stable order across pages, served by the (tenant_id, created_on) index.
  const stable = `${table}.created_on ${direction}, ${table}.id ${direction}`;
  const reverse = direction === 'ASC' ? 'DESC' : 'ASC';
  const orderBy =
    query.sortBy === undefined ? stable : `${sortExpression(query.sortBy, resolve)} ${direction} NULLS LAST, ${stable}`;
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
