import { compileFilter, parseFilter } from './filter';
import { userResolver } from './scim-sql.resolvers';

// The resolvers against the documents GET answers, on PGlite (in-process PostgreSQL) over a table
// with the columns they read. The full agreement runs in test/scim-filter-completeness.e2e-spec.ts.

interface Row {
  id: string;
  attributes: Record<string, unknown>;
  phone_number: string | null;
}

describe('userResolver phoneNumbers', () => {
  // Found by test/scim-filter-completeness.e2e-spec.ts: an empty stored list hid the phone_number
  // column (the provisioning API writes it), which GET answers as a work phone (scim-users.mapper.ts).
  const rows: Row[] = [
    { id: '00000000-0000-4000-8000-000000000001', attributes: { phoneNumbers: [] }, phone_number: '+1 555 0100' },
    { id: '00000000-0000-4000-8000-000000000002', attributes: {}, phone_number: '+1 555 0200' },
    {
      id: '00000000-0000-4000-8000-000000000003',
      attributes: { phoneNumbers: [{ value: '+1 555 0300', type: 'home' }] },
      phone_number: '+1 555 0300',
    },
    { id: '00000000-0000-4000-8000-000000000004', attributes: { phoneNumbers: [] }, phone_number: null },
  ];
  let db: {
    query: (text: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;
    close(): Promise<void>;
  };

  beforeAll(async () => {
    const { PGlite } = await import('@electric-sql/pglite');
    db = new PGlite();
    await db.query('CREATE TEMP TABLE users (id uuid, attributes jsonb, phone_number text)');
    for (const row of rows) {
      await db.query('INSERT INTO users VALUES ($1, $2::jsonb, $3)', [
        row.id,
        JSON.stringify(row.attributes),
        row.phone_number,
      ]);
    }
  });

  afterAll(async () => {
    await db?.close();
  });

  const select = async (filter: string): Promise<string[]> => {
    const params: unknown[] = [];
    const where = compileFilter(parseFilter(filter), userResolver, params);
    const result = await db.query(`SELECT u.id::text AS id FROM users u WHERE ${where} ORDER BY u.id`, params);
    return result.rows.map((row) => String(row.id).slice(-1));
  };

  it.each([
    ['phoneNumbers eq "+1 555 0100"', ['1']],
    ['phoneNumbers pr', ['1', '2', '3']],
    ['phoneNumbers[type eq "work" and primary eq true]', ['1', '2']],
    ['phoneNumbers.type eq "home"', ['3']],
    ['not (phoneNumbers pr)', ['4']],
  ])('reads the column when the stored list is empty or absent: %s', async (filter, ids) => {
    expect(await select(filter)).toEqual(ids);
  });
});
