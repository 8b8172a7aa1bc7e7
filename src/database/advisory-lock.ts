import { DataSource } from 'typeorm';

/** Keys of the cluster-wide advisory locks this service takes (any fixed 64-bit numbers). */
export const ADVISORY_LOCKS = {
  /** Migrations and the start-up bootstrap: several instances may start together. */
  startup: 4_207_310_001,
} as const;

/**
 * Runs `work` while holding a session-level PostgreSQL advisory lock on a dedicated connection.
 * `work` must use its own connections (the lock connection stays idle, outside any transaction,
 * so the embedded database does not block other connections while it is held).
 */
export async function withAdvisoryLock<T>(dataSource: DataSource, key: number, work: () => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [key]);
    try {
      return await work();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [key]);
    }
  } finally {
    await runner.release();
  }
}
