import 'reflect-metadata';
import type { Server } from 'node:http';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config/app-config';
import { JsonLogger, levelsFrom } from './common/json-logger';
import { DataDirLockedError } from './database/embedded-postgres';
import { HttpDrain } from './lifecycle/http-drain';
import { Lifecycle } from './lifecycle/lifecycle';

/** How long in-flight requests get to finish on SIGTERM before their connections are cut. */
const DRAIN_TIMEOUT_MS = 10_000;

async function main(): Promise<void> {
  // Made before the configuration is read, so that a configuration error is printed too.
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
  logger.setLogLevels(levelsFrom(config.logLevel));
  try {
    const app = await createApp(config, { logger });
    const http = new HttpDrain(app.getHttpServer() as Server);
    await app.listen(config.port);
    const lifecycle = app.get(Lifecycle);
    stopOnSignals(async (signal) => {
      lifecycle.beginStopping();
      // SIGTERM comes from an orchestrator: keep serving, /health/ready at 503, until the load
      // balancers have seen that. Ctrl-C (SIGINT) drains at once, and so does a worker: no
      // balancer sends it traffic.
      const delayMs = signal === 'SIGTERM' && config.appRole !== 'worker' ? config.shutdownDelayMs : 0;
      if (delayMs > 0) {
        logger.log(`Not ready (/health/ready answers 503); draining in ${delayMs} ms`, 'Main');
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
      await http.drain(DRAIN_TIMEOUT_MS);
      await app.close();
    }, logger);
    new Logger('Main').log(
      `Listening on port ${config.port} (role: ${config.appRole}, database: ${config.databaseUrl ? 'external' : 'embedded'}, queue: ${config.redisUrl ? 'redis' : 'in-process'})`,
    );
  } catch (error) {
    // A server key that cannot be set up safely (see ServerKey) is a configuration problem too.
    if (error instanceof ConfigError) {
      logger.fatal(error.message, 'Config');
      process.exit(78);
    }
    if (error instanceof DataDirLockedError) {
      logger.fatal(error.message, 'EmbeddedPostgres');
      process.exit(73); // EX_CANTCREAT
    }
    logger.fatal(error instanceof Error ? error : String(error), 'Main');
    process.exit(1);
  }
}

/**
 * SIGTERM/SIGINT: /health/ready and /health turn 503; after SIGTERM the instance goes on serving for
 * SHUTDOWN_DELAY_MS. Then new connections are refused, requests on open connections are answered
 * (with `Connection: close`) until none is left (HttpDrain); then Nest's shutdown hooks hand running
 * jobs back, flush the request log and close the pools and the embedded database; exit 0. A second
 * signal exits at once.
 */
function stopOnSignals(close: (signal: NodeJS.Signals) => Promise<void>, logger: JsonLogger): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(130);
    stopping = true;
    logger.log(`${signal} received: shutting down`, 'Main');
    close(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(error instanceof Error ? error : String(error), 'Main');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
