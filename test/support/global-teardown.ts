import { Client } from 'pg';

/** Drops every database this run created (copies and the template). */
export default async function globalTeardown(): Promise<void> {
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
