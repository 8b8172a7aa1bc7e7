import * as fs from 'node:fs';
import { DataSource } from 'typeorm';
import { ServerSettingEntity } from '../database/server-setting.entity';

/** The row where versions before the key ring kept the generated server key, in clear. */
const STORED_KEY = 'server_key';

/** The embedded default's generated key, beside the data it protects but not inside the database. */
export const KEY_FILE_NAME = 'server.key';

export async function findStoredKey(dataSource: DataSource): Promise<string | null> {
  return (await dataSource.manager.findOneBy(ServerSettingEntity, { key: STORED_KEY }))?.value ?? null;
}

/** Deletes the stored key only if it is still the value the caller moved out (another start may race). */
export async function deleteStoredKey(dataSource: DataSource, value: string): Promise<void> {
  await dataSource.manager.delete(ServerSettingEntity, { key: STORED_KEY, value });
}

/**
 * The key in `file`, or null when there is none. A key file that group or others could read is
 * narrowed to 0600 (and the caller told): this service created it so, something widened it since.
 */
export function readKeyFile(file: string, warn: (message: string) => void): string | null {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  if (!stat.isFile()) throw new Error(`${file} is not a regular file`);
  if ((stat.mode & 0o077) !== 0) {
    fs.chmodSync(file, 0o600);
    warn(`${file} was readable by group or others (mode ${(stat.mode & 0o777).toString(8)}); narrowed to 600`);
  }
  const key = fs.readFileSync(file, 'utf8').trim();
  if (key.length < 32) throw new Error(`${file} holds no usable server key (fewer than 32 characters)`);
  return key;
}

/**
 * Creates the key file with mode 0600 from the first byte (O_EXCL: never over an existing file,
 * never through a planted symlink).
 */
export function writeKeyFile(file: string, key: string): void {
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
  try {
    fs.writeSync(fd, `${key}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
