import type { DataSource } from 'typeorm';

/** The connections of this process's pool to PostgreSQL (external or embedded). */
export interface PoolStats {
  total: number;
  idle: number;
  /** Queries waiting for a connection: the pool is saturated while this is above 0. */
  waiting: number;
}

/** What node-postgres's Pool counts; TypeORM's postgres driver keeps that pool as `master`. */
interface PgPoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/** The pool's counts, or null before the data source is initialised (or after it is destroyed). */
export function poolStatsOf(dataSource: DataSource): PoolStats | null {
  const pool = (dataSource.driver as unknown as { master?: Partial<PgPoolCounts> }).master;
  if (!dataSource.isInitialized || typeof pool?.totalCount !== 'number') return null;
  return { total: pool.totalCount, idle: pool.idleCount ?? 0, waiting: pool.waitingCount ?? 0 };
}
