import { Logger, Provider } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig, ConfigError } from '../config/app-config';
import { ServerKey } from './server-key';
import { deleteStoredKey, findStoredKey, KEY_FILE_NAME, readKeyFile, writeKeyFile } from './server-key.store';

export const SERVER_KEY = Symbol('SERVER_KEY');

/**
 * JWT_SECRET (or its file) with JWT_SECRET_PREVIOUS during a rotation; on the embedded default
 * without one, the key file under DATA_DIR, generated at first start. Never a key in the database:
 * one left there by an earlier version is moved out and deleted.
 */
export const serverKeyProvider: Provider = {
  provide: SERVER_KEY,
  inject: [APP_CONFIG, DataSource],
  useFactory: (config: AppConfig, dataSource: DataSource): Promise<ServerKey> => loadServerKey(config, dataSource),
};

export async function loadServerKey(config: AppConfig, dataSource: DataSource): Promise<ServerKey> {
  const logger = new Logger('ServerKey');
  for (const warning of config.serverKeyWarnings) logger.warn(warning);
  const stored = await findStoredKey(dataSource);
  if (config.jwtSecret) {
    if (stored !== null) {
      // A stored key that is neither of ours would either keep a key from a database dump alive or
      // silently orphan every credential made under it: the operator decides, not this start.
      if (stored !== config.jwtSecret && stored !== config.jwtSecretPrevious) {
        throw new ConfigError(
          'JWT_SECRET',
          'differs from the server key an earlier version stored in server_settings. Run `npm run key:export -- --out FILE` ' +
            '(it writes that key to FILE and deletes it from the database), then set JWT_SECRET_FILE=FILE to keep it, ' +
            'or JWT_SECRET_PREVIOUS_FILE=FILE next to your new JWT_SECRET to rotate without re-issuing credentials.',
        );
      }
      await deleteStoredKey(dataSource, stored);
      logger.warn('Deleted the server key an earlier version stored in server_settings: it now comes from outside');
    }
    return new ServerKey(config.jwtSecret, config.jwtSecretPrevious);
  }
  if (config.databaseUrl) throw new ConfigError('JWT_SECRET', 'must be set when DATABASE_URL is set');
  return new ServerKey(await embeddedKey(config.dataDir, stored, dataSource, logger));
}

async function embeddedKey(
  dataDir: string,
  stored: string | null,
  dataSource: DataSource,
  logger: Logger,
): Promise<string> {
  const file = path.join(dataDir, KEY_FILE_NAME);
  let key = readKeyFile(file, (message) => logger.warn(message));
  if (stored !== null) {
    if (key === null) {
      writeKeyFile(file, stored);
      key = stored;
      logger.log(`Moved the server key from server_settings to ${file}`);
    } else if (key !== stored) {
      throw new ConfigError(
        'DATA_DIR',
        `holds ${file} and the database a different stored server key: keep the one your credentials were made under and remove the other`,
      );
    }
    // Written (and synced) before this delete, so a crash in between leaves both, never neither.
    await deleteStoredKey(dataSource, stored);
  }
  if (key === null) {
    key = randomBytes(48).toString('base64url');
    writeKeyFile(file, key);
    logger.log(`Generated the server key in ${file} (mode 600): back it up with DATA_DIR`);
  }
  return key;
}
