import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config/app-config';
import { JsonLogger } from './common/json-logger';
import { DataDirLockedError } from './database/embedded-postgres';

async function main(): Promise<void> {
  const logger = new JsonLogger();
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.fatal(error.message, 'Config');
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  try {
    const app = await createApp(config, { logger });
    await app.listen(config.port);
    new Logger('Main').log(
      `Listening on port ${config.port} (database: ${config.databaseUrl ? 'external' : 'embedded'}, queue: ${config.redisUrl ? 'redis' : 'in-process'})`,
    );
  } catch (error) {
    if (error instanceof DataDirLockedError) {
      logger.fatal(error.message, 'EmbeddedPostgres');
      process.exit(73); // EX_CANTCREAT
    }
    logger.fatal(error instanceof Error ? error : String(error), 'Main');
    process.exit(1);
  }
}

void main();
