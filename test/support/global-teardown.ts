import type { Config } from '@jest/types';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { openApiDocument } from '../../src/openapi/openapi.document';
import { CONTRACT_RUN_DIR_ENV } from './contract';
import { EMBEDDED_TEMPLATE_ENV } from './test-database';

/**
 * Counts the document's operations the run exercised through validated exchanges, then drops every
 * database this run created (copies and the template) and the embedded template's folder. A full run (no path, name or change filter)
 * fails when an operation was never exercised; a partial run only prints the list.
 */
export default async function globalTeardown(globalConfig?: Config.GlobalConfig): Promise<void> {
  let coverage: Error | undefined;
  try {
    coverage = contractCoverage(globalConfig);
  } finally {
    const embeddedTemplate = process.env[EMBEDDED_TEMPLATE_ENV];
    if (embeddedTemplate) fs.rmSync(path.dirname(embeddedTemplate), { recursive: true, force: true });
    await dropDatabases();
  }
  if (coverage) throw coverage;
}

/** True when jest was asked for every test file and every test. */
function isFullRun(config?: Config.GlobalConfig): boolean {
  if (!config) return false;
  return !(
    config.testPathPatterns.isSet() ||
    config.testNamePattern ||
    config.onlyChanged ||
    config.onlyFailures ||
    config.findRelatedTests ||
    config.lastCommit ||
    config.changedSince ||
    config.shard ||
    config.listTests
  );
}

function contractCoverage(config?: Config.GlobalConfig): Error | undefined {
  const dir = process.env[CONTRACT_RUN_DIR_ENV];
  if (!dir || !fs.existsSync(dir)) return undefined;
  const exercised = new Set<string>();
  for (const file of fs.readdirSync(dir)) {
    for (const id of JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as string[]) exercised.add(id);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const ids = Object.values(openApiDocument().paths).flatMap((item) =>
    Object.values(item).map((operation) => operation.operationId),
  );
  const missing = ids.filter((id) => !exercised.has(id)).sort();
  const done = ids.length - missing.length;
  console.log(`\nopenapi: ${ids.length} operations, ${done} exercised by validated exchanges`);
  if (missing.length > 0) console.log(`openapi: not exercised: ${missing.join(', ')}`);
  if (missing.length > 0 && isFullRun(config)) {
    return new Error(`${missing.length} operation(s) of the OpenAPI document were never exercised by a test`);
  }
  return undefined;
}

async function dropDatabases(): Promise<void> {
  const server = process.env.DATABASE_URL;
  const id = process.env.IDP_TEST_RUN_ID;
  if (!server || !id) return;
  const client = new Client({ connectionString: server });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
      `idp\\_test\\_${id}\\_%`,
    ]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
