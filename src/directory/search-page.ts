/** One page of a search: a trusted SQL condition with its parameters (numbered from `$2`). */
export interface SearchPage {
  /** `TRUE` when nothing is filtered: the whole tenant. */
  condition: string;
  parameters: readonly unknown[];
  /** SQL over the table's alias, built by the caller from constants; ends in a unique key. */
  orderBy: string;
  /** `orderBy` reversed, when it is the creation order alone (an index order either way). */
  reverseOrderBy?: string;
  limit: number;
  offset: number;
  /**
   * Keyset paging (RFC 9865 cursors) instead of `offset` (then 0): only the rows past a position
   * in `orderBy` order, found through the order's index as a first page is, whatever the depth.
   */
  keyset?: Keyset;
}

/** The position of a keyset page, in SQL over the table's alias built by the caller from constants. */
export interface Keyset {
  /** The rows past the position (`TRUE` on a first page); its parameters follow `parameters`. */
  after: string;
  parameters: readonly unknown[];
  /** A row's sort key as a JSON array, answered as each row's `page_key` (where the next page starts). */
  key: string;
}

/** A page's rows, and how many rows match in all when the page's statement could tell. */
export interface PageOf<Row> {
  rows: Row[];
  /** undefined: the page came back empty past the first, so the caller counts. */
  total: number | undefined;
  /** A keyset page's sort key of each row (`Keyset.key`), in the rows' order. */
  keys?: unknown[][];
}

/**
 * More of each row, read for the page's rows only and in the same statement: `ctes` are common
 * table expressions that may read `page(id)` (the page's ids), `columns` the output columns they
 * add and `joins` how they join to the table's alias. All SQL of the caller's own, from constants.
 */
export interface PageRelation {
  ctes: string;
  columns: string;
  joins: string;
}

export interface PageQueryOptions {
  /** SQL of the number of the tenant's rows (`$1`), for the total of an unfiltered page; default a count. */
  tenantTotal?: string;
  related?: PageRelation;
}

/**
 * The statement and parameters of a page over `table` (aliased `alias`), the tenant id as `$1`.
 * The page's ids come first, ordered and skipped over the `(tenant_id, created_on, id)` index alone
 * (a deferred join); then only those rows are read from the table, with what `related` adds for
 * them in the same statement, and each row's `total`: how many rows match in all. A plain `OFFSET` would fetch every skipped row (90 ms deep into
 * 100,000 users, 12 ms this way).
 *
 * A filtered page counts its matches with a window over the ids it sorts anyway
 * (`count(*) OVER ()`, no second scan). The whole tenant's page reads `tenantTotal` in a scalar
 * subquery of the same statement (users: their tally; by default a count): over 100,000 users a
 * window would hold every id of the tenant (three times slower than page and count), and a count
 * beside the page would take a second connection for the same work.
 */
export function pageQuery(
  table: string,
  alias: string,
  columns: string,
  tenantId: string,
  page: SearchPage,
  options: PageQueryOptions = {},
): [string, unknown[]] {
  if (page.keyset) return keysetPageQuery(table, alias, columns, tenantId, page, page.keyset, options);
  const n = page.parameters.length;
  const parameters = [tenantId, ...page.parameters, page.limit, page.offset];
  const where = `${alias}.tenant_id = $1 AND (${page.condition})`;
  const window = `ORDER BY ${page.orderBy} LIMIT $${n + 2} OFFSET $${n + 3}`;
  const filtered = page.condition !== 'TRUE';
  const select = `SELECT ${columns}`;
  const tenantTotal = options.tenantTotal ?? `(SELECT count(*) FROM ${table} c WHERE c.tenant_id = $1)`;
  const tenantCount = `, ${tenantTotal} AS total`;
  if (page.offset === 0 && !options.related && !filtered) {
    return [`${select}${tenantCount} FROM ${table} ${alias} WHERE ${where} ${window}`, parameters];
  }
  if (!filtered && options.tenantTotal && page.reverseOrderBy && page.offset > 0) {
    return [bothEnds(table, alias, columns, page, options.tenantTotal, options.related), parameters];
  }
  const total = filtered ? ', page.total' : tenantCount;
  // The window sits in a subquery of its own, sorted outside it: the count reads every match
  // anyway, and in one query level the planner would walk the creation-order index for the
  // LIMIT, fetching and testing the whole tenant (50 ms for `co "user12"`, 3 ms this way). The
  // subquery's columns the sort does not use are dropped by the planner.
  const matches = filtered
    ? `(SELECT ${alias}.*, count(*) OVER () AS total FROM ${table} ${alias} WHERE ${where}) ${alias}`
    : undefined;
  const ids = matches
    ? `page AS (SELECT ${alias}.id, ${alias}.total FROM ${matches} ${window})`
    : `page AS (SELECT ${alias}.id FROM ${table} ${alias} WHERE ${where} ${window})`;
  const { ctes = '', columns: relatedColumns = '', joins = '' } = options.related ?? {};
  return [
    `WITH ${ids}${ctes} ${select}${total}${relatedColumns} FROM page JOIN ${table} ${alias} USING (id) ${joins} ORDER BY ${page.orderBy}`,
    parameters,
  ];
}

/**
 * A page of the whole tenant, skipped to from the nearer end: with the tenant's total known
 * cheaply (`tenantTotal`, read in the same snapshot as the index), a page in the second half is
 * the reversed index order's page at `total - offset - limit`, so no page skips more than half the
 * tenant (an index-only skip costs about 0.1 ms per thousand entries, most of a deep page).
 * The outer LIMIT tells the planner the page is small (it joins the table by key, not by hash).
 */
function bothEnds(
  table: string,
  alias: string,
  columns: string,
  page: SearchPage,
  tenantTotal: string,
  related: PageRelation | undefined,
): string {
  const n = page.parameters.length;
  const [limit, offset] = [`$${n + 2}::bigint`, `$${n + 3}::bigint`];
  const total = '(SELECT n FROM tenant_total)';
  const where = `${alias}.tenant_id = $1 AND (${page.condition})`;
  const forward = `SELECT ${alias}.id FROM ${table} ${alias} WHERE ${where} AND ${offset} * 2 < ${total}
    ORDER BY ${page.orderBy} LIMIT ${limit} OFFSET ${offset}`;
  const backward = `SELECT ${alias}.id FROM ${table} ${alias} WHERE ${where} AND ${offset} * 2 >= ${total}
    ORDER BY ${page.reverseOrderBy} LIMIT greatest(least(${limit}, ${total} - ${offset}), 0)
    OFFSET greatest(${total} - ${offset} - ${limit}, 0)`;
  const { ctes = '', columns: relatedColumns = '', joins = '' } = related ?? {};
  return `WITH tenant_total AS (SELECT ${tenantTotal}::bigint AS n),
    page AS (SELECT id FROM ((${forward}) UNION ALL (${backward})) both_ends LIMIT ${limit})${ctes}
    SELECT ${columns}, ${total} AS total${relatedColumns} FROM page JOIN ${table} ${alias} USING (id) ${joins}
    ORDER BY ${page.orderBy}`;
}

/**
 * A keyset page: the ids past the position, in order, over the `(tenant_id, created_on, id)` index
 * when the order is the creation order (a range scan from the position: page 1,000 reads what
 * page 1 reads), then those rows with their sort keys. The total is the whole match, not what lies
 * past the position: the tenant's tally, or a count of the filter in a scalar subquery (its alias
 * shadows the outer one, so the condition reads the subquery's rows).
 */
function keysetPageQuery(
  table: string,
  alias: string,
  columns: string,
  tenantId: string,
  page: SearchPage,
  keyset: Keyset,
  options: PageQueryOptions,
): [string, unknown[]] {
  const parameters = [tenantId, ...page.parameters, ...keyset.parameters, page.limit];
  const where = `${alias}.tenant_id = $1 AND (${page.condition})`;
  const total =
    page.condition !== 'TRUE'
      ? `(SELECT count(*) FROM ${table} ${alias} WHERE ${where})`
      : (options.tenantTotal ?? `(SELECT count(*) FROM ${table} c WHERE c.tenant_id = $1)`);
  const ids = `page AS (SELECT ${alias}.id, ${keyset.key} AS page_key FROM ${table} ${alias}
    WHERE ${where} AND (${keyset.after}) ORDER BY ${page.orderBy} LIMIT $${parameters.length})`;
  const { ctes = '', columns: relatedColumns = '', joins = '' } = options.related ?? {};
  return [
    `WITH ${ids}${ctes} SELECT ${columns}, ${total} AS total, page.page_key${relatedColumns}
       FROM page JOIN ${table} ${alias} USING (id) ${joins} ORDER BY ${page.orderBy}`,
    parameters,
  ];
}

/** The rows of a page statement, and the total they carry. */
export function pageOf<Raw extends { total?: string | number; page_key?: unknown[] }, Row>(
  page: SearchPage,
  raw: readonly Raw[],
  toRow: (raw: Raw) => Row,
): PageOf<Row> {
  if (raw.length === 0) return { rows: [], total: page.offset === 0 && !page.keyset ? 0 : undefined };
  const keys = page.keyset ? raw.map((row) => row.page_key ?? []) : undefined;
  return { rows: raw.map(toRow), total: Number(raw[0].total), ...(keys ? { keys } : {}) };
}
