// Scratch databases: each benchmark run makes its own on the server it is given and drops it after.
import { Client } from 'pg';
import { withCleanup } from './cleanup';

/** The URL of database `name` on the server `serverUrl` names. */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Creates database `name`, runs `work` on its URL and drops it after, however `work` ends
 * (`keep` leaves it there, e.g. for EXPLAIN ANALYZE, and says how to drop it).
 */
export async function withScratchDatabase<T>(
  serverUrl: string,
  name: string,
  work: (url: string) => Promise<T>,
  options: { keep?: boolean } = {},
): Promise<T> {
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  const drop = async (): Promise<void> => {
    try {
      if (options.keep) console.log(`Kept database ${name}: drop it with DROP DATABASE "${name}"`);
      else await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  };
  // The drop is in place before the database exists: interrupted during the CREATE, it runs after it.
  return withCleanup(drop, async () => {
    await admin.query(`CREATE DATABASE "${name}"`);
    return work(databaseUrl(serverUrl, name));
  });
}
