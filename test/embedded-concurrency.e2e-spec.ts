import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Pool } from 'pg';
import { EmbeddedPostgres, startEmbeddedPostgres } from '../src/database/embedded-postgres';

/**
 * The embedded server shares one PGlite session between connections. Under concurrent traffic
 * (extended-protocol queries on some connections while others run transactions) every query
 * must get its own result.
 */
describe('the embedded database under concurrent connections', () => {
  let dataDir: string;
  let embedded: EmbeddedPostgres;
  let pool: Pool;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-concurrency-'));
    embedded = await startEmbeddedPostgres({ dataDir, maxConnections: 8 });
    pool = new Pool({ connectionString: embedded.url, max: 6 });
    await pool.query('CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)');
    await pool.query('INSERT INTO counter VALUES (1, 0)');
  });
  afterAll(async () => {
    await pool.end();
    await embedded.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers every query with its own rows, and loses no transaction', async () => {
    const mismatches: string[] = [];
    // Each query has its own SQL text (and every third returns no row), so a connection that
    // executed another connection's unnamed statement would read rows that are not its own.
    const reads = Array.from({ length: 900 }, async (_, i) => {
      const sql = `SELECT $1::int AS v, 'q${i}'::text AS tag WHERE ${i % 3 === 0 ? 'false' : 'true'}`;
      const { rows } = await pool.query<{ v: number; tag: string }>(sql, [i]);
      const expected = i % 3 === 0 ? [] : [{ v: i, tag: `q${i}` }];
      if (JSON.stringify(rows) !== JSON.stringify(expected)) mismatches.push(`${i}: ${JSON.stringify(rows)}`);
    });
    const writes = Array.from({ length: 60 }, async () => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('UPDATE counter SET n = n + 1 WHERE id = $1', [1]);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    });
    await Promise.all([...reads, ...writes]);
    expect(mismatches).toEqual([]);
    const { rows } = await pool.query<{ n: number }>('SELECT n FROM counter WHERE id = 1');
    expect(rows[0].n).toBe(60);
  }, 60_000);
});
