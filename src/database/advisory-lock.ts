import { DataSource } from 'typeorm';

/** Keys of the cluster-wide advisory locks this service takes (any fixed 64-bit numbers). */
export const ADVISORY_LOCKS = {
  /** Migrations and the start-up bootstrap: several instances may start together. */
  startup: 4_207_310_001,
  /** Request-log retention: one instance of a fleet deletes old rows at a time. */
  requestLogRetention: 4_207_310_002,
  /** Retention of ended transactions and their operations (src/provisioning). */
  transactionRetention: 4_207_310_003,
  /** Retention of finished jobs (src/jobs). */
  jobRetention: 4_207_310_004,
  /** Numbering change events (src/events/feed/event-sequencer.ts): one sequencer at a time. */
  changeSequencer: 4_207_310_005,
  /** Retention of change events (src/events). */
  changeEventRetention: 4_207_310_006,
} as const;

/**
 * Runs `work` while holding a session-level PostgreSQL advisory lock on a dedicated connection.
 * `work` must use its own connections (the lock connection stays idle, outside any transaction,
 * so the embedded database does not block other connections while it is held).
 */
export async function withAdvisoryLock<T>(dataSource: DataSource, key: number, work: () => Promise<T>): Promise<T> {
  return (await holding(dataSource, key, 'wait', work)) as T;
}

/**
 * Like `withAdvisoryLock`, but for periodic work one instance of a fleet does: when another
 * instance holds the lock, answers undefined at once instead of waiting.
 */
export function withAdvisoryLockIfFree<T>(
  dataSource: DataSource,
  key: number,
  work: () => Promise<T>,
): Promise<T | undefined> {
  return holding(dataSource, key, 'if free', work);
}

async function holding<T>(
  dataSource: DataSource,
  key: number,
  mode: 'wait' | 'if free',
  work: () => Promise<T>,
): Promise<T | undefined> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    if (mode === 'wait') {
      await runner.query('SELECT pg_advisory_lock($1)', [key]);
    } else {
      const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [key])) as {
        locked: boolean;
      }[];
      if (!locked) return undefined;
    }
    try {
      return await work();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [key]);
    }
  } finally {
    await runner.release();
  }
}
