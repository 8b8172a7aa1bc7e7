import { INestApplication, Type } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { createApp } from '../../src/app.factory';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { JsonLogger } from '../../src/common/json-logger';
import { installContractRecorder } from './contract';
import { createTestDatabase, seedEmbeddedDataDir, TestDatabase } from './test-database';

export interface TestApp {
  app: INestApplication;
  http: TestAgent;
  config: AppConfig;
  /** The secrets the app was started with. */
  secrets: {
    apiToken: string;
    scimSecret: string;
    adminToken: string;
    jwtSecret: string;
  };
  close(): Promise<void>;
}

/** A JWT from `/oauth/token` for a client's credentials (client_credentials, form-encoded). */
export async function oauthToken(t: TestApp, clientId: string, secret: string): Promise<string> {
  const res = await t.http
    .post('/oauth/token')
    .type('form')
    .send({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret })
    .expect(200);
  return res.body.access_token as string;
}

// 32 random bytes: enough entropy for a chosen partner secret (CredentialsService).
export const randomSecret = (label: string): string => `${label}-${randomBytes(32).toString('base64url')}`;

/** Where an app keeps its data: a database on the configured server, or an embedded DATA_DIR. */
export interface AppStore {
  databaseUrl?: string;
  dataDir: string;
  drop(): Promise<void>;
}

/**
 * A fresh store: a copy of the migrated template on DATABASE_URL's server, or a DATA_DIR holding a
 * copy of the run's migrated embedded template.
 */
export async function createAppStore(): Promise<AppStore> {
  const database: TestDatabase | null = process.env.DATABASE_URL ? await createTestDatabase() : null;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-app-'));
  if (!database) seedEmbeddedDataDir(dataDir);
  return {
    databaseUrl: database?.url,
    dataDir,
    drop: async () => {
      await database?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The real app on a store of its own (embedded PostgreSQL in DATA_DIR when no DATABASE_URL is
 * configured, which is the app's own default path). REDIS_URL, when set, is passed through.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  extra: Type[] = [],
  logger?: JsonLogger,
): Promise<TestApp> {
  const store = await createAppStore();
  const t = await startAppOn(store, env, extra, logger);
  return {
    ...t,
    close: async () => {
      await t.close();
      await store.drop();
    },
  };
}

/**
 * Starts the app on an existing store; `close` stops the app and keeps the store. `logger` replaces
 * the default (errors only), for tests that read everything the app prints.
 */
export async function startAppOn(
  store: AppStore,
  env: Record<string, string> = {},
  extra: Type[] = [],
  logger: JsonLogger = new JsonLogger(['error', 'fatal']),
): Promise<TestApp> {
  const secrets = {
    apiToken: randomSecret('api'),
    scimSecret: randomSecret('scim'),
    adminToken: randomSecret('admin'),
    jwtSecret: randomSecret('jwt-secret-of-enough-length'),
  };
  const config = loadConfig({
    DATA_DIR: store.dataDir,
    PROVISIONING_API_TOKEN: secrets.apiToken,
    SCIM_SHARED_SECRET: secrets.scimSecret,
    ADMIN_TOKEN: secrets.adminToken,
    JWT_SECRET: secrets.jwtSecret,
    ...(store.databaseUrl ? { DATABASE_URL: store.databaseUrl } : {}),
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...env,
  });
  const app = await createApp(config, {
    extra,
    logger,
  });
  // Ahead of Nest's router: every exchange is checked against the OpenAPI document (contract.ts).
  installContractRecorder(app);
  await app.init();
  return {
    app,
    http: request(app.getHttpServer()),
    config,
    secrets,
    close: () => app.close(),
  };
}
