// `npm run migration:run`: applies pending migrations to DATABASE_URL's database, or to the
// embedded one under DATA_DIR when DATABASE_URL is unset, and exits.
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';
import { EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';
import { runMigrations } from './migrations';

async function main(): Promise<void> {
  // Migrations touch no key, so they run before the operator has set one up (the key export needs them).
  const config = loadConfig(process.env, { requireServerKey: false });
  let embedded: EmbeddedPostgres | null = null;
  if (!config.databaseUrl) embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, maxConnections: 4 });
  const dataSource = await new DataSource(dataSourceOptions(config.databaseUrl ?? embedded!.url)).initialize();
  try {
    const applied = await runMigrations(dataSource);
    console.log(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'No pending migrations.');
  } finally {
    await dataSource.destroy();
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
