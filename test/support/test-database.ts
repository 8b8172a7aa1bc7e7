import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { runMigrations } from '../../src/database/migrations';

/** Refuses to touch any database whose name does not say it is a test database. */
export function assertTestDatabaseName(name: string): void {
  if (!/(^|_)test(_|$)/.test(name)) {
    throw new Error(`Refusing to use database "${name}": test databases are named *_test_*`);
  }
}

export function serverUrl(): string | undefined {
  return process.env.DATABASE_URL || undefined;
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export function runId(): string {
  const id = process.env.IDP_TEST_RUN_ID;
  if (!id) throw new Error('IDP_TEST_RUN_ID is not set: run the tests through jest (globalSetup)');
  return id;
}

export const templateDatabaseName = (id: string): string => `idp_test_${id}_template`;

export async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The run's migrated embedded `pgdata` (global-setup.ts), when the run has no DATABASE_URL. */
export const EMBEDDED_TEMPLATE_ENV = 'IDP_TEST_EMBEDDED_TEMPLATE';

/**
 * Gives an embedded DATA_DIR a copy of the run's migrated template database, so that opening it
 * skips initdb (3 to 17 s) and the migrations. Without a template (a single file run without the
 * global setup) the folder stays empty and the embedded database initialises it as on a first start.
 */
export function seedEmbeddedDataDir(dataDir: string): void {
  const template = process.env[EMBEDDED_TEMPLATE_ENV];
  if (template && fs.existsSync(template)) fs.cpSync(template, path.join(dataDir, 'pgdata'), { recursive: true });
}

export interface TestDatabase {
  /** Connection string of a fresh database with every migration applied. */
  url: string;
  /** DATA_DIR for an app in embedded mode (unused when a server is configured). */
  dataDir: string;
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database of its own for one test file: a copy of the run's template
 * database on the configured server, or, with no DATABASE_URL, an embedded one in a temp folder.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-test-'));
  const server = serverUrl();
  if (!server) {
    seedEmbeddedDataDir(dataDir);
    const embedded = await startEmbeddedPostgres({ dataDir, maxConnections: 20 });
    const dataSource = await new DataSource(
      dataSourceOptions(embedded.url, { size: 2, statementTimeoutMs: 30_000 }),
    ).initialize();
    await runMigrations(dataSource);
    await dataSource.destroy();
    return {
      url: embedded.url,
      dataDir,
      drop: async () => {
        await embedded.stop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const name = `idp_test_${runId()}_${randomBytes(4).toString('hex')}`;
  assertTestDatabaseName(name);
  await createFromTemplate(server, name, templateDatabaseName(runId()));
  return {
    url: withDatabase(server, name),
    dataDir,
    drop: async () => {
      await adminQuery(server, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** An empty database of its own (no migrations), for migration tests. Server mode only. */
export async function createEmptyTestDatabase(server: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `idp_test_${runId()}_${randomBytes(4).toString('hex')}`;
  assertTestDatabaseName(name);
  await adminQuery(server, `CREATE DATABASE "${name}"`);
  return {
    url: withDatabase(server, name),
    drop: () => adminQuery(server, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

async function createFromTemplate(server: string, name: string, template: string): Promise<void> {
  // Two CREATE DATABASE ... TEMPLATE at once fail with "source database is being accessed".
  for (let attempt = 0; ; attempt++) {
    try {
      await adminQuery(server, `CREATE DATABASE "${name}" TEMPLATE "${template}"`);
      return;
    } catch (error) {
      if (attempt >= 50 || !/being accessed by other users/.test(String(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
    }
  }
}

/** A migrated data source on a fresh test database, for repository and service tests. */
export async function openTestDataSource(): Promise<{ dataSource: DataSource; close(): Promise<void> }> {
  const database = await createTestDatabase();
  const dataSource = await new DataSource(
    dataSourceOptions(database.url, { size: 4, statementTimeoutMs: 30_000 }),
  ).initialize();
  return {
    dataSource,
    close: async () => {
      await dataSource.destroy();
      await database.drop();
    },
  };
}
