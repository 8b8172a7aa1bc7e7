import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';

/**
 * The Redis key prefix of the job queue: one per database. Every node of a fleet shares its
 * database and so its queue, while deployments (or test databases) that share one Redis never
 * take each other's messages: a worker could not find those jobs and would drop them.
 */
export async function queuePrefix(dataSource: DataSource): Promise<string> {
  const [row] = await dataSource.query<{ database: string }[]>('SELECT current_database() AS database');
  let cluster = '';
  try {
    // Tells apart same-named databases on different servers; unavailable on some managed services.
    const sql = 'SELECT system_identifier::text AS id FROM pg_control_system()';
    const [control] = await dataSource.query<{ id: string }[]>(sql);
    cluster = control?.id ?? '';
  } catch {
    // The database name alone then identifies the fleet.
  }
  const digest = createHash('sha256').update(`${cluster}/${row.database}`).digest('hex').slice(0, 12);
  return `idp:${digest}`;
}
