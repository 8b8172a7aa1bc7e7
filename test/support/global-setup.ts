import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { runMigrations } from '../../src/database/migrations';
import {
  adminQuery,
  assertTestDatabaseName,
  EMBEDDED_TEMPLATE_ENV,
  templateDatabaseName,
  withDatabase,
} from './test-database';
import { assertRedisAnswers } from './redis';
import { CONTRACT_RUN_DIR_ENV } from './contract';

/**
 * Once per run: with DATABASE_URL, check the server answers (a test told to use a server that
 * does not answer fails loudly, it never skips) and build a migrated template database that
 * every test file copies; without it, a migrated embedded data directory that every embedded test
 * store copies instead of running initdb and the migrations again. With REDIS_URL, check Redis answers. The contract run directory collects
 * the operationIds each test file exercised (contract.ts; counted by the global teardown).
 */
export default async function globalSetup(): Promise<void> {
  const id = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  process.env.IDP_TEST_RUN_ID = id;
  process.env[CONTRACT_RUN_DIR_ENV] = fs.mkdtempSync(path.join(os.tmpdir(), `idp-contract-${id}-`));
  const server = process.env.DATABASE_URL;
  if (process.env.REDIS_URL) await assertRedisAnswers(process.env.REDIS_URL);
  if (!server) {
    process.env[EMBEDDED_TEMPLATE_ENV] = await embeddedTemplate(id);
    return;
  }

  const probe = new Client({ connectionString: server, connectionTimeoutMillis: 5000 });
  try {
    await probe.connect();
    await probe.query('SELECT 1');
  } catch (error) {
    throw new Error(`DATABASE_URL is set but PostgreSQL does not answer: ${String(error)}`);
  } finally {
    await probe.end().catch(() => undefined);
  }

  const template = templateDatabaseName(id);
  assertTestDatabaseName(template);
  await adminQuery(server, `CREATE DATABASE "${template}"`);
  const dataSource = await new DataSource(dataSourceOptions(withDatabase(server, template))).initialize();
  try {
    await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

/** A migrated embedded data directory, closed cleanly; answers its `pgdata` folder. */
async function embeddedTemplate(id: string): Promise<string> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `idp-embedded-template-${id}-`));
  const embedded = await startEmbeddedPostgres({ dataDir, maxConnections: 4 });
  try {
    const dataSource = await new DataSource(
      dataSourceOptions(embedded.url, { size: 2, statementTimeoutMs: 60_000 }),
    ).initialize();
    try {
      await runMigrations(dataSource);
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await embedded.stop();
  }
  return path.join(dataDir, 'pgdata');
}
