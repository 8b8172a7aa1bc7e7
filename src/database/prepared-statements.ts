import { createHash } from 'node:crypto';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';

/**
 * Named prepared statements for the hottest reads. PostgreSQL plans an unnamed statement at every
 * execution: for a SCIM `filter=userName eq` page (one statement with its total and the user's
 * groups) planning took 0.6-1.1 ms against 0.25 ms of execution. Named, each pool connection
 * parses the statement once, and PostgreSQL moves to a generic plan once it plans no worse than
 * the custom ones (it keeps planning per execution where the values matter, as for `co`).
 *
 * Only on a PostgreSQL server of our own sessions: the embedded server multiplexes every
 * connection onto one PGlite session, where two pool connections would prepare the same name.
 * At most MAX_STATEMENTS texts are ever named (each pool connection keeps what it prepared until it
 * closes); any text past them runs unnamed, as before.
 */
const MAX_STATEMENTS = 256;
const names = new Map<string, string>();
const enabled = new WeakSet<DataSource>();

/** Lets `preparedQuery` name statements on this data source (a server whose sessions are its own). */
export function usePreparedStatements(dataSource: DataSource): void {
  enabled.add(dataSource);
}

function nameOf(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_STATEMENTS) {
    name = `idp_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

interface PgClient {
  query(config: { name: string; text: string; values: readonly unknown[] }): Promise<{ rows: unknown[] }>;
}

/** `em.query(text, values)`, as a named prepared statement where that is safe (see above). */
export async function preparedQuery<T>(em: EntityManager, text: string, values: readonly unknown[]): Promise<T[]> {
  const name = enabled.has(em.connection) ? nameOf(text) : undefined;
  if (name === undefined) return em.query(text, values as unknown[]);
  // Inside a transaction the manager has its runner (and its connection); otherwise one is lent by the pool.
  const runner = em.queryRunner ?? em.connection.createQueryRunner();
  try {
    const client = (await runner.connect()) as PgClient;
    const result = await client.query({ name, text, values });
    return result.rows as T[];
  } catch (error) {
    // As em.query fails: callers read the SQLSTATE from QueryFailedError (its `code`, `driverError`).
    throw error instanceof Error && 'code' in error ? new QueryFailedError(text, values as unknown[], error) : error;
  } finally {
    if (runner !== em.queryRunner) await runner.release();
  }
}
