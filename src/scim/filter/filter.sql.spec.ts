import { Client } from 'pg';
import { createTestDatabase, serverUrl, TestDatabase } from '../../../test/support/test-database';
import { matchesFilter } from './filter.evaluate';
import { parseFilter } from './filter.parser';
import { compileFilter } from './filter.sql';
import {
  AttributeInfo,
  AttributePath,
  Filter,
  MultiTarget,
  ScalarTarget,
  ScimFilterError,
  SqlResolver,
} from './filter.types';

// ---- a resource type for the tests: the columns of table `r` ---------------------------------

const scalar = (sql: string, type: ScalarTarget['type'], caseExact = false, uuid = false): ScalarTarget =>
  uuid ? { kind: 'scalar', sql, type, caseExact, uuid } : { kind: 'scalar', sql, type, caseExact };

const emailSub: Record<string, (alias: string) => ScalarTarget> = {
  value: (e) => scalar(`(${e}.v->>'value')`, 'string'),
  type: (e) => scalar(`(${e}.v->>'type')`, 'string'),
  primary: (e) => scalar(`((${e}.v->>'primary')::boolean)`, 'boolean'),
};

const emails: MultiTarget = {
  kind: 'multi',
  from: (alias) => `jsonb_array_elements(r.emails) AS ${alias}(v)`,
  sub: (name, alias) => emailSub[name]?.(alias),
};

const scalars: Record<string, ScalarTarget> = {
  id: scalar('r.id', 'string', false, true),
  username: scalar('r.user_name', 'string'),
  title: scalar('r.title', 'string', true),
  active: scalar('r.active', 'boolean'),
  'meta.created': scalar('r.created', 'dateTime'),
  count: scalar('r.n', 'decimal'),
  'name.givenname': scalar('r.given_name', 'string'),
};

const keyOf = (path: AttributePath) => [path.name, path.subAttr].filter(Boolean).join('.').toLowerCase();

const resolve: SqlResolver = (path) => {
  if (path.uri !== undefined && !path.uri.toLowerCase().startsWith('urn:ietf:params:scim:schemas:core:2.0:')) {
    return undefined;
  }
  if (path.name.toLowerCase() === 'emails' && path.subAttr === undefined) return emails;
  return scalars[keyOf(path)];
};

/** The same types for the evaluator: what `resolve` says, as AttributeInfo. */
const describeAttribute = (path: AttributePath): AttributeInfo | undefined => {
  if (path.name.toLowerCase() === 'emails') {
    const sub = emailSub[(path.subAttr ?? 'value').toLowerCase()]?.('e');
    return sub && { type: sub.type, caseExact: sub.caseExact };
  }
  const target = scalars[keyOf(path)];
  return target && { type: target.type, caseExact: target.caseExact };
};

const compile = (filter: string, params: unknown[] = []) => {
  const sql = compileFilter(parseFilter(filter), resolve, params);
  return { sql, params };
};

const ID1 = '2819c223-7f76-453a-919d-413861904646';

describe('compileFilter (SQL text)', () => {
  describe('strings', () => {
    it('lower-cases both sides of a case-insensitive eq, after pre-filled params', () => {
      expect(compile('userName eq "BJensen"', ['tenant-1'])).toEqual({
        sql: '(lower(r.user_name) = $2)',
        params: ['tenant-1', 'bjensen'],
      });
    });

    it('compares a caseExact attribute as is', () => {
      expect(compile('title eq "Boss"')).toEqual({ sql: '(r.title = $1)', params: ['Boss'] });
    });

    it('counts a missing value as not equal', () => {
      expect(compile('userName ne "x"')).toEqual({
        sql: '(r.user_name IS NULL OR lower(r.user_name) <> $1)',
        params: ['x'],
      });
    });

    it.each([
      ['co', '%50\\%\\_off\\\\%'],
      ['sw', '50\\%\\_off\\\\%'],
      ['ew', '%50\\%\\_off\\\\'],
    ])('%s uses LIKE with %%, _ and \\ escaped', (op, pattern) => {
      expect(compile(`userName ${op} "50%_Off\\\\"`)).toEqual({
        sql: "(lower(r.user_name) LIKE $1 ESCAPE '\\')",
        params: [pattern],
      });
    });

    it.each([
      ['gt', '>'],
      ['ge', '>='],
      ['lt', '<'],
      ['le', '<='],
    ])('%s orders by code point', (op, symbol) => {
      expect(compile(`userName ${op} "M"`)).toEqual({
        sql: `((lower(r.user_name) COLLATE "C") ${symbol} $1)`,
        params: ['m'],
      });
      expect(compile(`title ${op} "M"`).sql).toBe(`((r.title COLLATE "C") ${symbol} $1)`);
    });

    it('stringifies a number or boolean compared with a string attribute', () => {
      expect(compile('userName eq 123').params).toEqual(['123']);
      expect(compile('userName eq True').params).toEqual(['true']);
    });

    it('requires a non-empty string for pr', () => {
      expect(compile('userName pr')).toEqual({ sql: "(r.user_name IS NOT NULL AND r.user_name <> '')", params: [] });
    });

    it('keeps values out of the SQL text', () => {
      const { sql, params } = compile(`userName eq "x'); DROP TABLE r; --" or title co "'"`);
      expect(sql).toBe("((lower(r.user_name) = $1) OR (r.title LIKE $2 ESCAPE '\\'))");
      expect(params).toEqual(["x'); drop table r; --", "%'%"]);
    });
  });

  describe('null', () => {
    it('compiles eq null and ne null to IS [NOT] NULL', () => {
      expect(compile('userName eq null')).toEqual({ sql: '(r.user_name IS NULL)', params: [] });
      expect(compile('active ne null')).toEqual({ sql: '(r.active IS NOT NULL)', params: [] });
    });

    it('rejects null with any other operator', () => {
      expect(() => compile('userName gt null')).toThrow(ScimFilterError);
    });
  });

  describe('booleans, dates and numbers', () => {
    it('compares booleans as booleans', () => {
      expect(compile('active eq "False"')).toEqual({ sql: '(r.active = $1::boolean)', params: [false] });
      expect(compile('active ne true')).toEqual({
        sql: '(r.active IS NULL OR r.active <> $1::boolean)',
        params: [true],
      });
      expect(compile('active pr')).toEqual({ sql: '(r.active IS NOT NULL)', params: [] });
    });

    it('sends a dateTime as the UTC instant it denotes', () => {
      expect(compile('meta.created gt "2024-03-01T12:00:00+02:00"')).toEqual({
        sql: "(r.created >= $1::timestamptz + interval '1 millisecond')",
        params: ['2024-03-01T10:00:00.000Z'],
      });
    });

    it('compares a dateTime as the millisecond SCIM shows, keeping the column bare for its index', () => {
      const next = "$1::timestamptz + interval '1 millisecond'";
      expect(compile('meta.created eq "2024-03-01T10:00:00.123Z"').sql).toBe(
        `(r.created >= $1::timestamptz AND r.created < ${next})`,
      );
      expect(compile('meta.created le "2024-03-01T10:00:00.123Z"').sql).toBe(`(r.created < ${next})`);
      expect(compile('meta.created ge "2024-03-01T10:00:00.123Z"').sql).toBe('(r.created >= $1::timestamptz)');
    });

    it('sends a number as numeric text, keeping a long numeric string whole', () => {
      expect(compile('count ge 1.5')).toEqual({ sql: '(r.n >= $1::numeric)', params: ['1.5'] });
      expect(compile('count eq "12"').params).toEqual(['12']);
      expect(compile('count eq 123456789012345678901').params).toEqual(['123456789012345678901']);
      expect(compile('count ne 2').sql).toBe('(r.n IS NULL OR r.n <> $1::numeric)');
    });

    it.each([
      ['active gt true', /cannot be applied to 'active'/],
      ['active eq "yes"', /compare it with true or false/],
      ['active co "t"', /cannot be applied/],
      ['meta.created sw "2024"', /cannot be applied/],
      ['meta.created eq "last tuesday"', /not a date and time/],
      ['count co "1"', /cannot be applied/],
      ['count eq "ten"', /not a number/],
    ])('rejects %s', (filter, message) => {
      expect(() => compile(filter)).toThrow(ScimFilterError);
      expect(() => compile(filter)).toThrow(message);
    });

    it('rejects a value of the wrong kind', () => {
      const filter = { kind: 'compare', op: 'eq', path: { name: 'userName' }, value: {}, quoted: false } as unknown;
      expect(() => compileFilter(filter as Filter, resolve, [])).toThrow(ScimFilterError);
    });
  });

  describe('uuid targets', () => {
    it('compares a UUID as uuid', () => {
      expect(compile(`id eq "${ID1.toUpperCase()}"`)).toEqual({
        sql: '(r.id = $1::uuid)',
        params: [ID1],
      });
      expect(compile(`id ne "${ID1}"`).sql).toBe('(r.id IS NULL OR r.id <> $1::uuid)');
    });

    it('matches nothing for eq with a value that is not a UUID (and everything for ne)', () => {
      expect(compile('id eq "bjensen"')).toEqual({ sql: '(FALSE)', params: [] });
      expect(compile('id ne bjensen')).toEqual({ sql: '(TRUE)', params: [] });
    });

    it('compares other operators on the text form', () => {
      expect(compile('id sw "2819"').sql).toBe("(lower((r.id)::text) LIKE $1 ESCAPE '\\')");
      expect(compile('id pr').sql).toBe('(r.id IS NOT NULL)');
    });
  });

  describe('logic', () => {
    it('parenthesises and/or', () => {
      expect(compile('userName eq "a" or title eq "b" and active eq true').sql).toBe(
        '((lower(r.user_name) = $1) OR ((r.title = $2) AND (r.active = $3::boolean)))',
      );
    });

    it('turns NULL into false under not', () => {
      expect(compile('not (userName eq "a")').sql).toBe('(NOT COALESCE((lower(r.user_name) = $1), false))');
    });

    it('numbers params in the order they appear', () => {
      expect(compile('(count gt 1 and not (title eq "x")) or userName sw "y"', [1, 2])).toEqual({
        sql: "(((r.n > $3::numeric) AND (NOT COALESCE((r.title = $4), false))) OR (lower(r.user_name) LIKE $5 ESCAPE '\\'))",
        params: [1, 2, '1', 'x', 'y%'],
      });
    });
  });

  describe('multi-valued attributes', () => {
    const FROM = 'jsonb_array_elements(r.emails) AS';

    it('compares `value` when no sub-attribute is named', () => {
      expect(compile('emails co "@X"')).toEqual({
        sql: `(EXISTS (SELECT 1 FROM ${FROM} e1(v) WHERE (lower((e1.v->>'value')) LIKE $1 ESCAPE '\\')))`,
        params: ['%@x%'],
      });
    });

    it('compares a named sub-attribute', () => {
      expect(compile('emails.type eq "Work"').sql).toBe(
        `(EXISTS (SELECT 1 FROM ${FROM} e1(v) WHERE (lower((e1.v->>'type')) = $1)))`,
      );
    });

    it('lets no element at all satisfy ne and eq null', () => {
      expect(compile('emails.type ne "work"').sql).toBe(
        `(NOT EXISTS (SELECT 1 FROM ${FROM} e1(v)) OR EXISTS (SELECT 1 FROM ${FROM} e1(v) WHERE ((e1.v->>'type') IS NULL OR lower((e1.v->>'type')) <> $1)))`,
      );
      expect(compile('emails eq null').sql).toBe(
        `(NOT EXISTS (SELECT 1 FROM ${FROM} e1(v)) OR EXISTS (SELECT 1 FROM ${FROM} e1(v) WHERE ((e1.v->>'value') IS NULL)))`,
      );
    });

    it('compiles pr to EXISTS', () => {
      expect(compile('emails pr').sql).toBe(`(EXISTS (SELECT 1 FROM ${FROM} e1(v)))`);
      expect(compile('emails.type pr').sql).toBe(
        `(EXISTS (SELECT 1 FROM ${FROM} e1(v) WHERE ((e1.v->>'type') IS NOT NULL AND (e1.v->>'type') <> '')))`,
      );
    });

    it('compiles a value path to one EXISTS over the same element', () => {
      expect(compile('emails[type eq "work" and value co "@x"]')).toEqual({
        sql: `(EXISTS (SELECT 1 FROM ${FROM} e1(v) WHERE ((lower((e1.v->>'type')) = $1) AND (lower((e1.v->>'value')) LIKE $2 ESCAPE '\\'))))`,
        params: ['work', '%@x%'],
      });
    });

    describe('with an index over the joined values (substringIndex)', () => {
      const JOINED = `(SELECT string_agg(lower(j.v->>'value'), E'\\n') FROM jsonb_array_elements(r.emails) AS j(v))`;
      const indexed: SqlResolver = (path) =>
        path.name.toLowerCase() === 'emails' && path.subAttr === undefined
          ? { ...emails, substringIndex: (sub) => (sub === 'value' ? JOINED : undefined) }
          : resolve(path);
      const compileIndexed = (filter: string) => {
        const params: unknown[] = [];
        return { sql: compileFilter(parseFilter(filter), indexed, params), params };
      };

      it('tests co, sw and ew on the joined values first, with the same escaped value', () => {
        expect(compileIndexed('emails.value sw "A_b"')).toEqual({
          sql: `((${JOINED} LIKE $1 ESCAPE '\\') AND EXISTS (SELECT 1 FROM ${FROM} e1(v) WHERE (lower((e1.v->>'value')) LIKE $2 ESCAPE '\\')))`,
          params: ['%a\\_b%', 'a\\_b%'],
        });
        expect(compileIndexed('emails ew "X.COM"').params).toEqual(['%x.com%', '%x.com']);
      });

      it('has no prefilter for values of under three characters, other operators or other sub-attributes', () => {
        for (const filter of [
          'emails co "ab"',
          'emails.value eq "abc"',
          'emails.type co "abc"',
          'emails.value gt "abc"',
        ]) {
          expect(compileIndexed(filter).sql).not.toContain('string_agg');
        }
      });

      it('selects what the evaluator selects on PostgreSQL', async () => {
        const sql = await openSql();
        try {
          await sql.query(`CREATE TEMP TABLE r (id uuid, emails jsonb)`);
          for (const row of ROWS) {
            const stored = row.emails === undefined || row.emails === null ? null : JSON.stringify(row.emails);
            await sql.query('INSERT INTO r VALUES ($1, $2::jsonb)', [row.id, stored]);
          }
          for (const text of [
            'emails co "example"',
            'emails.value sw "BJE"',
            'emails.value ew ".ORG"',
            'emails co "y@e"',
            'not (emails co "example")',
            'emails co "%_\\\\"',
          ]) {
            const filter = parseFilter(text);
            const params: unknown[] = [];
            const where = compileFilter(filter, indexed, params);
            expect(where).toContain('string_agg');
            const rows = await sql.query(`SELECT id FROM r WHERE ${where} ORDER BY id`, params);
            const expected = ROWS.filter((row) => matchesFilter(filter, row, describeAttribute)).map((row) => row.id);
            expect({ text, ids: rows.map((row) => row.id) }).toEqual({ text, ids: expected.sort() });
          }
        } finally {
          await sql.close();
        }
      });
    });

    it('gives each EXISTS its own alias', () => {
      const { sql } = compile('emails[Type eq "work"] and not (emails[PRIMARY eq true]) or emails co "x"');
      expect(sql).toContain('AS e1(v) WHERE (lower((e1.v');
      expect(sql).toContain('AS e2(v) WHERE (((e2.v');
      expect(sql).toContain('AS e3(v) WHERE (lower((e3.v');
    });
  });

  describe('attribute resolution', () => {
    it('accepts the core schema URN and lets the resolver answer a sub-attribute path', () => {
      expect(compile('urn:ietf:params:scim:schemas:core:2.0:User:name.givenName eq "B"').sql).toBe(
        '(lower(r.given_name) = $1)',
      );
    });

    it.each([
      ['an unknown attribute', 'nickName eq "x"', "Attribute 'nickName' cannot be used in a filter"],
      [
        'an unknown extension',
        'urn:x:ext:1.0:User:title eq "x"',
        "Attribute 'urn:x:ext:1.0:User:title' cannot be used in a filter",
      ],
      ['an unknown sub-attribute', 'emails.display eq "x"', "Attribute 'emails.display' cannot be used in a filter"],
      [
        'an unknown sub-attribute in a value path',
        'emails[display eq "x"]',
        "Attribute 'emails.display' cannot be used in a filter",
      ],
      ['a value path on a scalar', 'userName[value eq "x"]', 'is not multi-valued'],
      ['a sub-attribute of a scalar', 'userName.first eq "x"', "'userName' has no sub-attribute 'first'"],
      ['misuse inside a value path', 'emails[primary gt true]', "cannot be applied to 'emails.primary'"],
    ])('rejects %s', (_name, filter, message) => {
      expect(() => compile(filter)).toThrow(ScimFilterError);
      expect(() => compile(filter)).toThrow(message);
    });
  });
});

// ---- the same filters in PostgreSQL and in the evaluator ----------------------------------------

interface Row {
  id: string;
  userName: string | null;
  title?: string | null;
  active?: boolean | null;
  meta?: { created?: string };
  count?: number | null;
  name?: { givenName?: string };
  emails?: { value?: string; type?: string; primary?: boolean }[] | null;
}

const ROWS: Row[] = [
  {
    id: ID1,
    userName: 'BJensen',
    title: 'Boss',
    active: true,
    meta: { created: '2024-01-01T00:00:00.000Z' },
    count: 5,
    name: { givenName: 'Barbara' },
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@home.org', type: 'home' },
    ],
  },
  {
    id: '00000000-0000-4000-8000-000000000002',
    userName: 'jyoung',
    title: 'boss',
    active: false,
    meta: { created: '2024-06-15T12:30:00.123Z' },
    count: 10.5,
    emails: [{ value: 'JY@Example.com', type: 'home' }],
  },
  { id: '00000000-0000-4000-8000-000000000003', userName: 'Test_User_dfeef4c5-5681-4387-b016-bdf221e82081' },
  {
    id: '00000000-0000-4000-8000-000000000004',
    userName: 'a%b_c\\d',
    title: '',
    active: true,
    meta: { created: '2023-12-31T23:59:59.999Z' },
    count: -3,
    emails: [],
  },
  {
    id: '00000000-0000-4000-8000-000000000005',
    userName: '123',
    active: false,
    count: 0,
    name: { givenName: 'x' },
    emails: [{ value: 'x@example.com', type: 'work', primary: false }, { type: 'other' }],
  },
  {
    id: '00000000-0000-4000-8000-000000000006',
    userName: 'émile',
    title: 'Zed',
    meta: { created: '2024-01-01T00:00:00.000Z' },
    count: 1000,
    emails: [{ value: '', type: 'work' }],
  },
  { id: '00000000-0000-4000-8000-000000000007', userName: null, active: null, emails: null },
];

const AGREEMENT_FILTERS = [
  // strings: every operator, case-insensitivity, LIKE specials, unquoted values
  'userName eq "bjensen"',
  'userName eq BJENSEN',
  'userName eq jyoung',
  'userName eq Test_User_dfeef4c5-5681-4387-b016-bdf221e82081',
  'userName eq 123',
  'userName ne "jyoung"',
  'userName co "_"',
  'userName co "%"',
  'userName co "\\\\"',
  'userName sw "a%"',
  'userName sw "é"',
  'userName ew "\\\\d"',
  'userName ew "ENSEN"',
  'userName gt "j"',
  'userName ge "jyoung"',
  'userName lt "B"',
  'userName le "bjensen"',
  'userName eq null',
  'userName ne null',
  'userName pr',
  // caseExact
  'title eq "boss"',
  'title ne "Boss"',
  'title co "os"',
  'title gt "B"',
  'title lt "b"',
  'title pr',
  'title eq null',
  'not (title eq "boss")',
  // booleans
  'active eq true',
  'active eq "FALSE"',
  'active ne true',
  'active pr',
  'active eq null',
  'not (active eq true)',
  // dateTime
  'meta.created gt "2024-01-01T00:00:00Z"',
  'meta.created ge "2024-01-01T00:00:00Z"',
  'meta.created eq "2024-06-15T12:30:00.123Z"',
  'meta.created eq "2024-06-15T14:30:00.123+02:00"',
  'meta.created lt "2024-01-01"',
  'meta.created ne "2024-01-01T00:00:00Z"',
  'meta.created pr',
  'not (meta.created le "2024-03-01T00:00:00+02:00")',
  // numbers
  'count gt 4',
  'count eq 10.5',
  'count le "0"',
  'count ne 5',
  'count eq 1e3',
  'count lt -1',
  'not (count gt 1)',
  // uuid
  `id eq "${ID1}"`,
  `id eq "${ID1.toUpperCase()}"`,
  'id eq "not-a-uuid"',
  `id ne "${ID1}"`,
  'id sw "00000000"',
  'id ew "0005"',
  // a sub-attribute the resolver maps itself
  'name.givenName eq "BARBARA"',
  'name.givenName pr',
  'not (name.givenName ne "x")',
  // multi-valued
  'emails co "example.com"',
  'emails eq "jy@example.com"',
  'emails.type eq "work"',
  'emails.type ne "work"',
  'emails.value pr',
  'emails pr',
  'emails eq null',
  'emails.primary eq true',
  'emails.primary ne true',
  'not (emails.type eq "work")',
  // value paths
  'emails[type eq "work" and value co "example"]',
  'emails[type eq "home" and primary eq true]',
  'emails[not (primary eq true)]',
  'emails[value pr]',
  'emails[type eq "work" or value ew ".org"]',
  'not (emails[type eq "work"])',
  // logic
  'userName sw "b" or active eq false',
  'userName sw "j" and count gt 1',
  'not (userName sw "b" or count gt 6)',
  '(active eq true or active eq false) and not (emails pr)',
  'not (not (title pr) and count ne 0)',
  'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "t"',
];

/** One way to run SQL: the configured server (a test database of its own) or PGlite in-process. */
interface Sql {
  query(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

async function openSql(): Promise<Sql> {
  if (serverUrl()) {
    const database: TestDatabase = await createTestDatabase();
    const client = new Client({ connectionString: database.url });
    await client.connect();
    return {
      query: async (text, params) => (await client.query<Record<string, unknown>>(text, params)).rows,
      close: async () => {
        await client.end();
        await database.drop();
      },
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const db = new PGlite();
  return {
    query: async (text, params) => (await db.query<Record<string, unknown>>(text, params)).rows,
    close: () => db.close(),
  };
}

describe('compileFilter agrees with matchesFilter on real PostgreSQL', () => {
  let sql: Sql;

  beforeAll(async () => {
    sql = await openSql();
    await sql.query(
      `CREATE TEMP TABLE r (id uuid, user_name text, title text, active boolean, created timestamptz,
                            n numeric, given_name text, emails jsonb)`,
    );
    for (const row of ROWS) {
      await sql.query('INSERT INTO r VALUES ($1, $2, $3, $4, $5::timestamptz, $6::numeric, $7, $8::jsonb)', [
        row.id,
        row.userName,
        row.title ?? null,
        row.active ?? null,
        row.meta?.created ?? null,
        row.count ?? null,
        row.name?.givenName ?? null,
        row.emails === undefined || row.emails === null ? null : JSON.stringify(row.emails),
      ]);
    }
  });

  afterAll(async () => {
    await sql?.close();
  });

  it.each(AGREEMENT_FILTERS)('%s', async (text) => {
    const filter = parseFilter(text);
    const params: unknown[] = ['pre-filled'];
    const where = compileFilter(filter, resolve, params);
    // `$1 = $1` keeps the pre-filled parameter referenced, as a caller's tenant id would be.
    const rows = await sql.query(`SELECT id FROM r WHERE $1::text = $1::text AND ${where} ORDER BY id`, params);
    const expected = ROWS.filter((row) => matchesFilter(filter, row, describeAttribute)).map((row) => row.id);
    expect(rows.map((row) => row.id)).toEqual(expected.sort());
  });

  it('selects something and leaves something out for most filters', async () => {
    // Guards the agreement test against filters that trivially match all rows or none.
    let discriminating = 0;
    for (const text of AGREEMENT_FILTERS) {
      const count = ROWS.filter((row) => matchesFilter(parseFilter(text), row, describeAttribute)).length;
      if (count > 0 && count < ROWS.length) discriminating++;
    }
    expect(discriminating).toBeGreaterThan(AGREEMENT_FILTERS.length * 0.9);
    expect(await sql.query('SELECT count(*)::int AS n FROM r')).toEqual([{ n: ROWS.length }]);
  });
});
