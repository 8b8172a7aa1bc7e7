import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';
import { EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';
import { usePreparedStatements } from './prepared-statements';
import { runMigrations } from './migrations';
import { PeriodicTasks } from './periodic-tasks';
import { PoolSettings, poolSettingsFor } from './pool-settings';
import { TransactionRunner } from './transaction-runner';

export const EMBEDDED_POSTGRES = Symbol('EMBEDDED_POSTGRES');

const EMBEDDED_MAX_CONNECTIONS = 16;
const CONNECT_ATTEMPTS = 10;

/** Closes the pool first, then the embedded server it talks to. */
@Injectable()
class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(EMBEDDED_POSTGRES) private readonly embedded: EmbeddedPostgres | null,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.embedded?.stop();
  }
}

@Global()
@Module({
  providers: [
    {
      provide: EMBEDDED_POSTGRES,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig): Promise<EmbeddedPostgres | null> => {
        if (config.databaseUrl) return null;
        const logger = new Logger('EmbeddedPostgres');
        const embedded = await startEmbeddedPostgres({
          dataDir: config.dataDir,
          maxConnections: EMBEDDED_MAX_CONNECTIONS,
          log: (message) => logger.log(message),
        });
        logger.log(`Embedded PostgreSQL serving ${config.dataDir}`);
        return embedded;
      },
    },
    {
      provide: DataSource,
      inject: [APP_CONFIG, EMBEDDED_POSTGRES],
      useFactory: async (config: AppConfig, embedded: EmbeddedPostgres | null): Promise<DataSource> => {
        const url = config.databaseUrl ?? embedded!.url;
        const pool = poolSettingsFor(config);
        try {
          const dataSource = await connect(url, pool);
          const migrating = Date.now();
          const applied = await runMigrations(dataSource);
          if (applied.length > 0) {
            const took = `${applied.length} migration(s) in ${Date.now() - migrating} ms`;
            new Logger('Migrations').log(`Applied ${took}: ${applied.join(', ')}`);
          }
          if (!embedded) usePreparedStatements(dataSource);
          return dataSource;
        } catch (error) {
          await embedded?.stop();
          throw error;
        }
      },
    },
    DatabaseLifecycle,
    TransactionRunner,
    PeriodicTasks,
  ],
  exports: [DataSource, TransactionRunner, PeriodicTasks],
})
export class DatabaseModule {}

/** Waits a little for a PostgreSQL that is still starting (containers start together). */
async function connect(url: string, pool: PoolSettings): Promise<DataSource> {
  const logger = new Logger('Database');
  for (let attempt = 1; ; attempt++) {
    try {
      return await new DataSource(dataSourceOptions(url, pool)).initialize();
    } catch (error) {
      if (attempt >= CONNECT_ATTEMPTS) {
        throw new Error(`PostgreSQL at ${redact(url)} does not answer: ${(error as Error).message}`);
      }
      logger.warn(`PostgreSQL at ${redact(url)} not answering (attempt ${attempt}/${CONNECT_ATTEMPTS}); retrying`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(500 * attempt, 3000)));
    }
  }
}

/** A connection string without its password, for messages. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
