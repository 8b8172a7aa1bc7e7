import type { EntityManager } from 'typeorm';
import { labelTransaction } from '../database/transaction-runner';

/** PostgreSQL's wire protocol numbers bind parameters with an Int16: more is a protocol error. */
export const PG_MAX_BIND_PARAMETERS = 65_535;

/** Past a few hundred rows a statement stops getting faster and only holds its locks longer. */
export const MAX_ROWS_PER_STATEMENT = 500;

/** Rows of `columnsPerRow` parameters that fit in one statement. */
export function rowsPerStatement(columnsPerRow: number, maxRows = MAX_ROWS_PER_STATEMENT): number {
  if (!Number.isInteger(columnsPerRow) || columnsPerRow < 1) {
    throw new RangeError(`columnsPerRow must be a positive integer, got ${columnsPerRow}`);
  }
  return Math.max(1, Math.min(maxRows, Math.floor(PG_MAX_BIND_PARAMETERS / columnsPerRow)));
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be >= 1, got ${size}`);
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    chunks.push(items.slice(start, start + size));
  }
  return chunks;
}

/**
 * `($1, $2), ($3, $4)` for a multi-row VALUES list, numbering from `firstParameter`.
 * `casts` (per column) matter only where PostgreSQL cannot infer a type, e.g. `UPDATE ... FROM (VALUES ...)`.
 */
export function valuesList(
  rowCount: number,
  columnCount: number,
  firstParameter = 1,
  casts: readonly (string | undefined)[] = [],
): string {
  const rows: string[] = [];
  let parameter = firstParameter;
  for (let row = 0; row < rowCount; row++) {
    const cells: string[] = [];
    for (let column = 0; column < columnCount; column++) {
      const cast = casts[column];
      cells.push(cast ? `$${parameter++}::${cast}` : `$${parameter++}`);
    }
    rows.push(`(${cells.join(', ')})`);
  }
  return rows.join(', ');
}

/**
 * Splits pending item indices (ascending) into the ones safe to write together now and the rest.
 * An item waits when one of its keys was seen on an earlier pending item, so two items touching
 * the same row never share a statement (ON CONFLICT DO UPDATE cannot touch a row twice) and the
 * later one is applied after the earlier one, as if the items ran one by one.
 */
export function splitFirstRound(
  pending: readonly number[],
  keysOf: (index: number) => readonly string[],
): { now: number[]; later: number[] } {
  const seen = new Set<string>();
  const now: number[] = [];
  const later: number[] = [];
  for (const index of pending) {
    const keys = keysOf(index);
    (keys.some((key) => seen.has(key)) ? later : now).push(index);
    for (const key of keys) seen.add(key);
  }
  return { now, later };
}

/** Every round `splitFirstRound` would produce, in order. */
export function splitIntoRounds(pending: readonly number[], keysOf: (index: number) => readonly string[]): number[][] {
  const rounds: number[][] = [];
  let rest = [...pending];
  while (rest.length > 0) {
    const { now, later } = splitFirstRound(rest, keysOf);
    rounds.push(now);
    rest = later;
  }
  return rounds;
}

/** Merges two ascending index lists into one ascending list. */
export function mergeAscending(a: readonly number[], b: readonly number[]): number[] {
  return [...a, ...b].sort((x, y) => x - y);
}

/**
 * The nodes that are their own ancestor in a forest given by `parentOf` (one parent per node),
 * found from `starts` in linear time: each walk stops at a node already settled.
 */
export function cycleMembers<K>(starts: Iterable<K>, parentOf: (node: K) => K | null | undefined): Set<K> {
  const state = new Map<K, 'walking' | 'done'>();
  const inCycle = new Set<K>();
  for (const start of starts) {
    const path: K[] = [];
    let node: K | null | undefined = start;
    while (node !== null && node !== undefined && !state.has(node)) {
      state.set(node, 'walking');
      path.push(node);
      node = parentOf(node);
    }
    if (node !== null && node !== undefined && state.get(node) === 'walking') {
      for (let at = path.indexOf(node); at < path.length; at++) inCycle.add(path[at]);
    }
    for (const visited of path) state.set(visited, 'done');
  }
  return inCycle;
}

/**
 * Orders `nodes` so every node comes after its parent when the parent is among them too
 * (stable otherwise). The parent links must be acyclic among `nodes`.
 */
export function parentsFirst<K>(nodes: readonly K[], parentOf: (node: K) => K | null | undefined): K[] {
  const members = new Set(nodes);
  const depth = new Map<K, number>();
  const depthOf = (node: K): number => {
    const chain: K[] = [];
    const onChain = new Set<K>();
    let at: K | null | undefined = node;
    // `onChain` only guards against a cycle slipping through: it must not hang the request.
    while (at !== null && at !== undefined && members.has(at) && !depth.has(at) && !onChain.has(at)) {
      chain.push(at);
      onChain.add(at);
      at = parentOf(at);
    }
    let base = at !== null && at !== undefined && depth.has(at) ? (depth.get(at) as number) + 1 : 0;
    for (let i = chain.length - 1; i >= 0; i--) depth.set(chain[i], base++);
    return depth.get(node) as number;
  };
  const order = nodes.map((node, position) => ({ node, position, depth: depthOf(node) }));
  order.sort((a, b) => a.depth - b.depth || a.position - b.position);
  return order.map((entry) => entry.node);
}

/** The SQLSTATE of a database error (TypeORM copies the driver's fields onto its error). */
export function sqlStateOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** The constraint a database error names, when it names one. */
export function constraintOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const constraint = (error as { constraint?: unknown }).constraint;
  return typeof constraint === 'string' ? constraint : undefined;
}

/**
 * Errors caused by the data of a row (class 22 data exception, class 23 integrity violation):
 * another row of the same statement would have gone through. Anything else is a system fault.
 */
export function isRowDataError(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state !== undefined && (state.startsWith('22') || state.startsWith('23'));
}

/**
 * How often one item is planned again after losing a uniqueness race. Each loss means another
 * transaction committed the value meanwhile, so a retry re-reads and sees it; the bound only
 * stops a pathological stream of concurrent creators from looping forever.
 */
export const MAX_RACE_RETRIES = 3;

/**
 * A row write that lost a race: a unique value (23505) or a referenced row (23503) changed
 * between the round's read and its write. Read again, the item may well succeed (as an update),
 * so it is planned again rather than failed. A genuine duplicate is found by the next read.
 */
export function isRaceLoss(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state === '23505' || state === '23503';
}

/** Counts retries per item index; `take` answers whether one more is allowed, and counts it. */
export class RaceRetries {
  private readonly used = new Map<number, number>();

  take(index: number): boolean {
    const used = this.used.get(index) ?? 0;
    if (used >= MAX_RACE_RETRIES) return false;
    this.used.set(index, used + 1);
    return true;
  }
}

export interface SqlRunner {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

export interface RowFailure<R> {
  row: R;
  error: unknown;
}

/**
 * Writes `rows` in one statement under a savepoint. When the statement fails because of some
 * row's data (a concurrent writer took a unique value, a value too long...), writes the rows one
 * by one, each under its own savepoint, so only the offending rows fail. Needs a transaction.
 */
export async function writeIsolated<R, O>(
  db: SqlRunner,
  rows: readonly R[],
  write: (rows: readonly R[]) => Promise<O[]>,
): Promise<{ written: O[]; failures: RowFailure<R>[] }> {
  if (rows.length === 0) return { written: [], failures: [] };
  await db.query('SAVEPOINT directory_chunk');
  try {
    const written = await write(rows);
    await db.query('RELEASE SAVEPOINT directory_chunk');
    return { written, failures: [] };
  } catch (error) {
    if (!isRowDataError(error)) throw error;
    await db.query('ROLLBACK TO SAVEPOINT directory_chunk');
    await db.query('RELEASE SAVEPOINT directory_chunk');
  }
  const written: O[] = [];
  const failures: RowFailure<R>[] = [];
  for (const row of rows) {
    await db.query('SAVEPOINT directory_row');
    try {
      written.push(...(await write([row])));
    } catch (error) {
      if (!isRowDataError(error)) throw error;
      await db.query('ROLLBACK TO SAVEPOINT directory_row');
      failures.push({ row, error });
    }
    await db.query('RELEASE SAVEPOINT directory_row');
  }
  return { written, failures };
}

/**
 * Runs `work` in the caller's transaction, or in a new one when the manager has none: the
 * savepoints above and the all-or-nothing item writes need a single connection in a transaction.
 */
export function inTransaction<T>(em: EntityManager, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  if (em.queryRunner?.isTransactionActive) return work(em);
  return em.transaction((tx) => {
    // Its writes are change events of the request or job that runs it (door, credential).
    labelTransaction(tx);
    return work(tx);
  });
}

/** Distinct values in first-seen order. */
export function distinct<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}
