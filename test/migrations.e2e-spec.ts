import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options';
import { EmbeddedPostgres, startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { pendingSchemaChanges, runMigrations } from '../src/database/migrations';
import { MIGRATIONS } from '../migrations';
import { createEmptyTestDatabase } from './support/test-database';

/** An empty database: on DATABASE_URL's server, or an embedded one in a temp folder. */
async function emptyDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const server = process.env.DATABASE_URL;
  if (server) return createEmptyTestDatabase(server);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-migrate-'));
  const embedded: EmbeddedPostgres = await startEmbeddedPostgres({ dataDir, maxConnections: 20 });
  return {
    url: embedded.url,
    drop: async () => {
      await embedded.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const open = (url: string): Promise<DataSource> =>
  new DataSource(dataSourceOptions(url, { size: 3, statementTimeoutMs: 30_000 })).initialize();

describe('migrations', () => {
  let database: { url: string; drop(): Promise<void> };
  const sources: DataSource[] = [];

  beforeEach(async () => {
    database = await emptyDatabase();
  });
  afterEach(async () => {
    await Promise.all(sources.splice(0).map((source) => source.destroy()));
    await database.drop();
  });

  it('build the whole schema from an empty database, matching the entities exactly', async () => {
    const source = await open(database.url);
    sources.push(source);
    expect(await runMigrations(source)).toEqual(MIGRATIONS.map((migration) => new migration().name ?? migration.name));
    expect(await pendingSchemaChanges(source)).toEqual([]);
    expect(await runMigrations(source)).toEqual([]);
    const indexes = await source.query(`SELECT indexname FROM pg_indexes WHERE schemaname = 'public'`);
    expect(indexes.map((row: { indexname: string }) => row.indexname)).toEqual(
      expect.arrayContaining([
        'UQ_users_tenant_lower_user_name',
        'IDX_users_tenant_lower_email',
        'IDX_users_emails',
        'IDX_departments_tenant_lower_name',
      ]),
    );
  });

  // Several instances share one database only on a PostgreSQL server: an embedded data folder
  // belongs to one process (and its connections share one session, so the lock cannot exclude).
  const onServer = process.env.DATABASE_URL ? it : it.skip;

  onServer('apply once when several instances start together (advisory lock)', async () => {
    const [a, b, c] = await Promise.all([open(database.url), open(database.url), open(database.url)]);
    sources.push(a, b, c);
    const applied = await Promise.all([runMigrations(a), runMigrations(b), runMigrations(c)]);
    expect(applied.flat()).toHaveLength(MIGRATIONS.length);
    const rows = await a.query('SELECT name FROM migrations');
    expect(rows).toHaveLength(MIGRATIONS.length);
  });

  it('revert to an empty schema', async () => {
    const source = await open(database.url);
    sources.push(source);
    await runMigrations(source);
    for (let i = 0; i < MIGRATIONS.length; i++) await source.undoLastMigration({ transaction: 'each' });
    const tables = await source.query(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations'`,
    );
    expect(tables).toEqual([]);
  });
});
