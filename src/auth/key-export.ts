// `npm run key:export -- --out FILE`: the upgrade path from versions that kept the generated server
// key in server_settings. Writes that key to FILE (created with mode 0600, never over an existing
// file), then deletes it from the database, and says which variable to set. Touches nothing else.
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from '../config/app-config';
import { dataSourceOptions } from '../database/data-source-options';
import { EmbeddedPostgres, startEmbeddedPostgres } from '../database/embedded-postgres';
import { deleteStoredKey, findStoredKey, writeKeyFile } from './server-key.store';

export async function exportStoredKey(dataSource: DataSource, out: string): Promise<boolean> {
  const stored = await findStoredKey(dataSource);
  if (stored === null) return false;
  writeKeyFile(out, stored);
  await deleteStoredKey(dataSource, stored);
  return true;
}

function outArgument(argv: string[]): string {
  const at = argv.indexOf('--out');
  const out = at >= 0 ? argv[at + 1] : undefined;
  if (!out) throw new Error('Usage: npm run key:export -- --out FILE   (FILE must not exist yet)');
  return path.resolve(out);
}

async function main(): Promise<void> {
  const out = outArgument(process.argv.slice(2));
  const config = loadConfig(process.env, { requireServerKey: false });
  let embedded: EmbeddedPostgres | null = null;
  if (!config.databaseUrl) embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, maxConnections: 4 });
  const dataSource = await new DataSource(dataSourceOptions(config.databaseUrl ?? embedded!.url)).initialize();
  try {
    if (await exportStoredKey(dataSource, out)) {
      console.log(
        `Wrote the stored server key to ${out} (mode 600) and deleted it from the database.\n` +
          `Start every instance with JWT_SECRET_FILE=${out} (or JWT_SECRET set to its content); to rotate at the same ` +
          `time, give your new key as JWT_SECRET and this file as JWT_SECRET_PREVIOUS_FILE. Keep a backup of it.`,
      );
    } else {
      console.log('No server key is stored in the database: nothing to export.');
    }
  } finally {
    await dataSource.destroy();
    await embedded?.stop();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
