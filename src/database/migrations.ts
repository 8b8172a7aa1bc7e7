import { DataSource } from 'typeorm';
import { ADVISORY_LOCKS, withAdvisoryLock } from './advisory-lock';

/** Applies pending migrations, each in its own transaction, under the start-up advisory lock. */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  return withAdvisoryLock(dataSource, ADVISORY_LOCKS.startup, async () => {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  });
}

/** SQL the entities would need that the migrations have not created: empty when they agree. */
export async function pendingSchemaChanges(dataSource: DataSource): Promise<string[]> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return sql.upQueries.map((query) => query.query);
}
