// CI's migration-drift check: builds a fresh database from `migrations/` on DATABASE_URL's server
// and fails if the entities would need any further schema change.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options';
import { pendingSchemaChanges, runMigrations } from '../src/database/migrations';

async function admin(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function main(): Promise<number> {
  const server = process.env.DATABASE_URL;
  if (!server) throw new Error('DATABASE_URL must name a PostgreSQL server for the drift check');
  const name = `idp_drift_test_${randomBytes(4).toString('hex')}`;
  const url = new URL(server);
  url.pathname = `/${name}`;
  await admin(server, `CREATE DATABASE "${name}"`);
  try {
    const dataSource = await new DataSource(dataSourceOptions(url.toString())).initialize();
    try {
      await runMigrations(dataSource);
      const changes = await pendingSchemaChanges(dataSource);
      if (changes.length === 0) {
        console.log('Migrations and entities agree.');
        return 0;
      }
      console.error('Entities and migrations have drifted; a new migration needs:\n' + changes.join(';\n'));
      return 1;
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await admin(server, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
