import type { AppConfig } from '../config/app-config';

export interface PoolSettings {
  size: number;
  /** Bounds every statement, so a stuck query cannot hold a connection (and, embedded, the database) forever. */
  statementTimeoutMs: number;
}

export const EXTERNAL_POOL: PoolSettings = { size: 10, statementTimeoutMs: 60_000 };
// Embedded: one connection's open transaction makes the others wait, so keep the pool small and
// statements bounded; the server accepts a few more connections than the pool for tools and tests.
export const EMBEDDED_POOL: PoolSettings = { size: 5, statementTimeoutMs: 30_000 };

/** The pool this configuration gets: PostgreSQL at DATABASE_URL, or the embedded one. */
export function poolSettingsFor(config: Pick<AppConfig, 'databaseUrl'>): PoolSettings {
  return config.databaseUrl ? EXTERNAL_POOL : EMBEDDED_POOL;
}
