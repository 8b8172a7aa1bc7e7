import { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from './entities';
import { SnakeNamingStrategy } from './snake-naming.strategy';

import type { PoolSettings } from './pool-settings';

export const DEFAULT_POOL: PoolSettings = { size: 10, statementTimeoutMs: 60_000 };

export function dataSourceOptions(url: string, pool: PoolSettings = DEFAULT_POOL): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    // gen_random_uuid() is built into PostgreSQL 13+ (and PGlite): no extension to install.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: {
      max: pool.size,
      connectionTimeoutMillis: 5_000,
      statement_timeout: pool.statementTimeoutMs,
      application_name: 'identity-provisioning-hub',
    },
  };
}
