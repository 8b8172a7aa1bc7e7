import { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { compileFilter, matchesFilter, parseFilter } from '../src/scim/filter';
import { ScimFilterError } from '../src/scim/filter/filter.types';
import { COMMON_ATTRIBUTES } from '../src/scim/schemas/common.attributes';
import { attributeInfo } from '../src/scim/schemas/schema.lookup';
import { groupResolver, userResolver } from '../src/scim/scim-sql.resolvers';
import { startTestApp, TestApp } from './support/test-app';

// Filter completeness: every attribute and sub-attribute /Schemas advertises for User (core and
// enterprise extension) and Group, plus the common ones (id, externalId, meta), with every
// operator, `not`, `and`/`or` and value paths, compiled to SQL and run on the real database over
// fixtures chosen for their edge cases; the ids must be those the in-memory evaluator selects from
// the documents GET answers. The cases are generated from the served schemas, so an attribute added
// to a schema is covered (or must be marked `"filterable": false`) without touching this file.
// What /Schemas marks `"filterable": false` must answer 400 invalidFilter, and nothing else may.

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const ROOTS = ['/scim/v2', '/scim'];

type Doc = Record<string, any>;
type Resource = 'User' | 'Group';

/** An attribute definition as /Schemas serves it. */
interface SchemaAttribute {
  name: string;
  type: string;
  multiValued: boolean;
  mutability: string;
  caseExact: boolean;
  filterable?: boolean;
  subAttributes?: SchemaAttribute[];
}

/** One name a filter can use: an attribute, or a sub-attribute of a complex one. */
interface Leaf {
  resource: Resource;
  /** As written in a filter: `emails.type`, `urn:...:enterprise:2.0:User:manager.value`. */
  path: string;
  /** The scalar type comparisons use (a multi-valued attribute's `value`), or undefined: `pr` only. */
  type?: string;
  filterable: boolean;
  /** The attribute's definition and, for a sub-attribute, its parent's. */
  attribute: SchemaAttribute;
  parent?: SchemaAttribute;
  /** Where values are read in a document: [container key or undefined, name, sub-attribute]. */
  read: { uri?: string; name: string; sub?: string };
}

/** Where each resource type's rows are, and the resolver list requests use over them. */
const SQL = {
  User: { resolver: userResolver, table: 'users', alias: 'u' },
  Group: { resolver: groupResolver, table: 'departments', alias: 'd' },
} as const;

const OPERATORS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const;

// ---- fixtures generated from the schemas --------------------------------------------------------

/** Strings that differ by case only, are empty, non-ASCII, numeric-looking, or LIKE metacharacters. */
const STRINGS: (string | undefined)[] = [
  'Alpha',
  'alpha',
  'ALPHA beta',
  '',
  'Ærø straße',
  'ΟΔΟΣ',
  '10',
  '9',
  'a%b_c\\d',
  'İstanbul',
  'ẞ ǅ \u212a',
  // Decomposed (NFD): a userName is stored composed (NFC), other strings as sent.
  'Ame\u0301lie',
  undefined,
];
const REFERENCES: (string | undefined)[] = ['https://example.com/Alpha', 'HTTPS://EXAMPLE.COM/alpha', '', undefined];
const BINARIES: (string | undefined)[] = ['QUJD', 'YWJj', undefined];
const BOOLEANS: (boolean | undefined)[] = [true, false, undefined];

function pick<T>(pool: T[], n: number): T {
  return pool[((n % pool.length) + pool.length) % pool.length];
}

function scalarValue(attribute: SchemaAttribute, n: number): unknown {
  switch (attribute.type) {
    case 'boolean':
      return pick(BOOLEANS, n);
    case 'reference':
      return pick(REFERENCES, n);
    case 'binary':
      return pick(BINARIES, n);
    case 'integer':
      return pick([1, 10, -3, undefined], n);
    case 'decimal':
      return pick([1.5, 10, -0.25, undefined], n);
    case 'dateTime':
      return pick(['2024-01-31T12:00:00Z', '2024-01-31T12:00:00.001Z', undefined], n);
    default:
      return pick(STRINGS, n);
  }
}

/** Drops undefined members, as a client would. */
const compact = (record: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));

function complexValue(attribute: SchemaAttribute, n: number, element = 0): Record<string, unknown> {
  return compact(
    Object.fromEntries(
      (attribute.subAttributes ?? []).map((sub, k) => {
        // At most one primary element (RFC 7643 §2.4).
        if (sub.name === 'primary') return [sub.name, element === 0 ? pick(BOOLEANS, n + k) : undefined];
        const value = scalarValue(sub, n + 3 * k + element);
        // An email is kept by its address: every element has one.
        if (attribute.name === 'emails' && sub.name === 'value')
          return [sub.name, `${typeof value === 'string' ? value : 'x'}${n}@Example.com`];
        return [sub.name, value];
      }),
    ),
  );
}

/** A user body with a value (or none) for every attribute a client may write. */
function userBody(schemas: Record<string, SchemaAttribute[]>, extensionUrn: string, i: number): Doc {
  const body: Doc = { schemas: [USER, extensionUrn] };
  for (const [urn, attributes] of Object.entries(schemas)) {
    const container: Doc = urn === USER ? body : {};
    attributes.forEach((attribute, j) => {
      if (attribute.mutability === 'readOnly' || attribute.mutability === 'writeOnly') return;
      const n = i + 7 * j;
      let value: unknown;
      if (attribute.name === 'userName') value = `user${i}-${pick(STRINGS, n) ?? 'x'}`;
      else if (attribute.type !== 'complex') value = scalarValue(attribute, n);
      else if (!attribute.multiValued) value = n % 4 === 3 ? undefined : complexValue(attribute, n);
      else {
        const length = n % 4;
        value = length === 0 ? undefined : Array.from({ length }, (_, e) => complexValue(attribute, n, e));
      }
      if (value !== undefined) container[attribute.name] = value;
    });
    if (urn !== USER && Object.keys(container).length > 0) body[urn] = container;
  }
  body.externalId = i % 3 === 2 ? undefined : `${pick(['Ext', 'ext', 'ÉXT'], i)}-${i}`;
  return compact(body);
}

// ---- the leaves and the filters over them ---------------------------------------------------------

function leavesOf(resource: Resource, urn: string, attributes: SchemaAttribute[], extension: boolean): Leaf[] {
  const prefix = extension ? `${urn}:` : '';
  const uri = extension ? urn : undefined;
  return attributes.flatMap((attribute) => {
    const value = attribute.subAttributes?.find((sub) => sub.name === 'value');
    const own: Leaf = {
      resource,
      path: `${prefix}${attribute.name}`,
      type: attribute.type !== 'complex' ? attribute.type : attribute.multiValued ? value?.type : undefined,
      filterable: attribute.filterable !== false,
      attribute,
      read: { uri, name: attribute.name },
    };
    const subs = (attribute.subAttributes ?? []).map((sub): Leaf => ({
      resource,
      path: `${prefix}${attribute.name}.${sub.name}`,
      type: sub.type,
      filterable: sub.filterable !== false,
      attribute: sub,
      parent: attribute,
      read: { uri, name: attribute.name, sub: sub.name },
    }));
    return [own, ...subs];
  });
}

/** Every value of a leaf over the documents, as text, distinct, in a stable order. */
function valuesOf(leaf: Leaf, docs: Doc[]): unknown[] {
  const values = docs.flatMap((doc) => {
    const container = leaf.read.uri === undefined ? doc : doc[leaf.read.uri];
    const attribute = container?.[leaf.read.name];
    const items: unknown[] = Array.isArray(attribute) ? attribute : [attribute];
    return items.map((item: any) =>
      leaf.read.sub === undefined ? (Array.isArray(attribute) ? item?.value : item) : item?.[leaf.read.sub],
    );
  });
  const seen = new Map<string, unknown>();
  for (const value of values) if (value !== undefined && value !== null) seen.set(JSON.stringify(value), value);
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, value]) => value);
}

const quote = (value: unknown): string => JSON.stringify(value);

/** A stored scalar as text (values read from documents are strings, numbers or booleans). */
const asText = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** A few stored values (first, middle, last) and what is near them: case, substrings, neighbours. */
function operandsFor(leaf: Leaf, docs: Doc[]): unknown[] {
  const known = valuesOf(leaf, docs);
  const chosen = [...new Set([known[0], known[Math.floor(known.length / 2)], known[known.length - 1]])].filter(
    (value) => value !== undefined,
  );
  switch (leaf.type) {
    case 'boolean':
      return [true, false, 'True'];
    case 'integer':
    case 'decimal':
      return [...chosen, 0, 9.5];
    case 'dateTime':
      return [
        ...chosen.flatMap((iso) => {
          const at = Date.parse(asText(iso));
          return [iso, new Date(at + 1).toISOString(), new Date(at - 1).toISOString()];
        }),
        '2000-01-01',
        '2999-12-31T23:59:59+02:00',
      ];
    default:
      return [
        ...chosen.flatMap((value) => {
          const text = asText(value);
          return [text, text.toUpperCase(), [...text].slice(1, 4).join('')];
        }),
        '',
        'e\u0301',
        'Am\u00e9lie',
        'ß',
        'σ',
        '%',
        'no such value',
      ];
  }
}

function leafFilters(leaf: Leaf, docs: Doc[]): string[] {
  const filters = [`${leaf.path} pr`];
  if (leaf.type === undefined) return filters;
  filters.push(`${leaf.path} eq null`, `${leaf.path} ne null`);
  for (const operand of operandsFor(leaf, docs)) {
    for (const op of OPERATORS) filters.push(`${leaf.path} ${op} ${quote(operand)}`);
  }
  // Bare numbers and booleans against any type; the path in other spellings (RFC 7643 §2.1, §3.10).
  for (const op of OPERATORS) filters.push(`${leaf.path} ${op} 10`, `${leaf.path} ${op} true`);
  const [first] = operandsFor(leaf, docs);
  const core = leaf.resource === 'User' ? USER : GROUP;
  filters.push(`${leaf.path.toUpperCase()} eq ${quote(first)}`, `${leaf.path.toLowerCase()} pr`);
  if (!leaf.path.startsWith('urn:')) filters.push(`${core}:${leaf.path} eq ${quote(first)}`);
  return filters;
}

/** `attr[sub op v and other pr]`, `attr[not (sub op v) or other eq w]` over a multi-valued attribute. */
function valuePathFilters(leaves: Leaf[], docs: Doc[]): string[] {
  const filters: string[] = [];
  const parents = new Set(leaves.filter((leaf) => leaf.parent?.multiValued && leaf.filterable).map((l) => l.parent));
  for (const parent of parents) {
    const subs = leaves.filter((leaf) => leaf.parent === parent && leaf.filterable && leaf.type !== undefined);
    const outer = subs[0].path.slice(0, subs[0].path.lastIndexOf('.'));
    subs.forEach((sub, k) => {
      const other = subs[(k + 1) % subs.length];
      const [value] = operandsFor(sub, docs);
      const [otherValue] = operandsFor(other, docs);
      const op = sub.type === 'boolean' ? 'eq' : 'sw';
      filters.push(
        `${outer}[${sub.attribute.name} eq ${quote(value)} and ${other.attribute.name} pr]`,
        `${outer}[${sub.attribute.name} ${op} ${quote(value)} or not (${other.attribute.name} eq ${quote(otherValue)})]`,
        `not (${outer}[${sub.attribute.name} ne ${quote(value)}])`,
      );
    });
  }
  return filters;
}

// ---- running a filter both ways -----------------------------------------------------------------

type Outcome = { ok: true; ids: string[] } | { ok: false; message: string };

function evaluateAll(resource: Resource, text: string, docs: Doc[]): Outcome {
  try {
    const filter = parseFilter(text);
    const describe = (path: Parameters<typeof attributeInfo>[1]) => attributeInfo(resource, path);
    return {
      ok: true,
      ids: docs
        .filter((doc) => matchesFilter(filter, doc, describe))
        .map((doc) => String(doc.id))
        .sort(),
    };
  } catch (error) {
    if (error instanceof ScimFilterError) return { ok: false, message: error.message };
    throw error;
  }
}

describe('SCIM filter completeness: every filterable attribute, SQL against the evaluator', () => {
  let t: TestApp;
  let db: DataSource;
  let tenantId: string;
  const docs: Record<Resource, Doc[]> = { User: [], Group: [] };
  const leaves: Leaf[] = [];
  const bearer = (): Record<string, string> => ({ Authorization: `Bearer ${t.secrets.scimSecret}` });
  const post = (path: string, body: unknown): Promise<Response> =>
    t.http
      .post(`/scim/v2${path}`)
      .set(bearer())
      .set('Content-Type', 'application/scim+json')
      .send(JSON.stringify(body));
  const list = (root: string, resource: Resource, filter?: string): Promise<Response> =>
    t.http
      .get(`${root}/${resource === 'User' ? 'Users' : 'Groups'}`)
      .set(bearer())
      .query({ ...(filter === undefined ? {} : { filter }), count: 1000 });

  /**
   * Runs compiled filters on the database: one statement per batch, one boolean column per filter,
   * each exactly the WHERE condition a list request would use (a row is selected when it is true).
   */
  async function runSql(resource: Resource, texts: string[]): Promise<Outcome[]> {
    const { resolver, table, alias } = SQL[resource];
    const outcomes: Outcome[] = [];
    for (let start = 0; start < texts.length; start += 200) {
      const batch = texts.slice(start, start + 200);
      const params: unknown[] = [tenantId];
      const columns: (string | undefined)[] = batch.map((text) => {
        const mark = params.length;
        try {
          return compileFilter(parseFilter(text), resolver, params);
        } catch (error) {
          params.length = mark;
          if (error instanceof ScimFilterError) return undefined;
          throw error;
        }
      });
      const selected = columns.flatMap((condition, k) =>
        condition === undefined ? [] : [`COALESCE(${condition}, false) AS f${k}`],
      );
      const rows: Record<string, unknown>[] = await db.query(
        `SELECT ${alias}.id::text AS id${selected.length > 0 ? ', ' : ''}${selected.join(', ')}
           FROM ${table} ${alias} WHERE ${alias}.tenant_id = $1`,
        params,
      );
      batch.forEach((text, k) => {
        if (columns[k] === undefined) {
          try {
            compileFilter(parseFilter(text), resolver, []);
            outcomes.push({ ok: false, message: 'unexpected' });
          } catch (error) {
            outcomes.push({ ok: false, message: (error as Error).message });
          }
          return;
        }
        outcomes.push({
          ok: true,
          ids: rows
            .filter((row) => row[`f${k}`] === true)
            .map((row) => String(row.id))
            .sort(),
        });
      });
    }
    return outcomes;
  }

  /** Every filter gives the evaluator's ids on the database; returns the disagreements. */
  async function disagreements(resource: Resource, texts: string[]): Promise<unknown[]> {
    const sql = await runSql(resource, texts);
    return texts.flatMap((text, k) => {
      const expected = evaluateAll(resource, text, docs[resource]);
      const actual = sql[k];
      const same = expected.ok && actual.ok ? expected.ids.join() === actual.ids.join() : expected.ok === actual.ok;
      return same ? [] : [{ resource, filter: text, evaluator: expected, sql: actual }];
    });
  }

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMITS: 'off' });
    db = t.app.get(DataSource);
    // The schemas each resource type uses, as served.
    const types = await t.http.get('/scim/v2/ResourceTypes').set(bearer());
    const served = await t.http.get('/scim/v2/Schemas').set(bearer());
    expect([types.status, served.status]).toEqual([200, 200]);
    const byUrn = new Map<string, SchemaAttribute[]>(
      (served.body.Resources as { id: string; attributes: SchemaAttribute[] }[]).map((schema) => [
        schema.id,
        schema.attributes,
      ]),
    );
    const userSchemas: Record<string, SchemaAttribute[]> = {};
    for (const type of types.body.Resources as {
      name: Resource;
      schema: string;
      schemaExtensions: { schema: string }[];
    }[]) {
      const core = byUrn.get(type.schema) as SchemaAttribute[];
      // RFC 7643 §3.1: id, externalId and meta belong to every resource, outside any schema.
      const common = JSON.parse(JSON.stringify(COMMON_ATTRIBUTES)) as SchemaAttribute[];
      leaves.push(...leavesOf(type.name, type.schema, [...common, ...core], false));
      for (const { schema } of type.schemaExtensions) {
        leaves.push(...leavesOf(type.name, schema, byUrn.get(schema) as SchemaAttribute[], true));
      }
      if (type.name === 'User') {
        userSchemas[type.schema] = core;
        for (const { schema } of type.schemaExtensions) userSchemas[schema] = byUrn.get(schema) as SchemaAttribute[];
      }
    }
    const extensionUrn = Object.keys(userSchemas).find((urn) => urn !== USER) as string;

    const userIds: string[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await post('/Users', userBody(userSchemas, extensionUrn, i));
      expect({ i, status: res.status, body: res.status === 201 ? 'created' : res.body }).toEqual({
        i,
        status: 201,
        body: 'created',
      });
      userIds.push(res.body.id);
    }
    // Values of another JSON type than the schema's, as clients send them: kept or refused, but
    // whatever GET then answers, filters must read it the same way on both sides.
    const odd = await post('/Users', {
      schemas: [USER, extensionUrn],
      userName: 'odd-types',
      title: 10,
      nickName: true,
      active: 'True',
      emails: [{ value: 'Odd@Example.com', primary: 'true', type: 7 }],
      [extensionUrn]: { employeeNumber: 42, manager: 'bare-id' },
    });
    expect(odd.status).toBe(201);
    // A phone number the provisioning API wrote into its column while SCIM's stored list is empty:
    // GET answers it from the column (scim-users.mapper.ts), so filters must find it there.
    await db.query(
      `UPDATE users SET phone_number = '+1 555 0100',
         attributes = jsonb_set(attributes, '{phoneNumbers}', '[]'::jsonb) WHERE id = $1`,
      [userIds[4]],
    );
    // A manager that is a user of the tenant, written in capitals.
    const managed = await t.http
      .patch(`/scim/v2/Users/${userIds[1]}`)
      .set(bearer())
      .set('Content-Type', 'application/scim+json')
      .send(
        JSON.stringify({
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'add', path: `${extensionUrn}:manager`, value: { value: userIds[0].toUpperCase() } }],
        }),
      );
    expect([200, 204]).toContain(managed.status);
    // Groups: several members, none, a nested group, names that differ by case, non-ASCII.
    const groups: [string, string | undefined, { value: string; type?: string }[]][] = [
      ['Engineering', 'G-1', userIds.slice(0, 4).map((value) => ({ value }))],
      ['engineering ops', 'g-1', [{ value: userIds[3] }, { value: userIds[5] }]],
      ['Ærø straße', undefined, []],
      ['ΟΔΟΣ', 'Ω', userIds.slice(6).map((value) => ({ value }))],
    ];
    const groupIds: string[] = [];
    for (const [displayName, externalId, members] of groups) {
      const res = await post('/Groups', compact({ schemas: [GROUP], displayName, externalId, members }));
      expect({ displayName, status: res.status, body: res.status === 201 ? 'created' : res.body }).toMatchObject({
        status: 201,
      });
      groupIds.push(res.body.id);
    }
    const parent = await post('/Groups', {
      schemas: [GROUP],
      displayName: 'Parent',
      members: [{ value: groupIds[0], type: 'Group' }, { value: userIds[2] }],
    });
    expect(parent.status).toBe(201);

    for (const resource of ['User', 'Group'] as const) {
      const res = await list('/scim/v2', resource);
      expect(res.status).toBe(200);
      docs[resource] = res.body.Resources;
    }
    expect(docs.User.length).toBeGreaterThanOrEqual(12);
    expect(docs.Group).toHaveLength(5);
    const rows: { tenant_id: string }[] = await db.query('SELECT DISTINCT tenant_id::text FROM users WHERE id = $1', [
      userIds[0],
    ]);
    tenantId = rows[0].tenant_id;
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('covers every attribute and sub-attribute of the served schemas, the enterprise extension and the common ones', () => {
    const paths = leaves.map((leaf) => `${leaf.resource} ${leaf.path.replace(/^urn:.*:/, 'ext:')}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'User id',
        'User externalId',
        'User meta.created',
        'User meta.lastModified',
        'User meta.resourceType',
        'User userName',
        'User emails.value',
        'User groups.value',
        'User groups.display',
        'User addresses.country',
        'User x509Certificates.value',
        'User ext:employeeNumber',
        'User ext:manager.value',
        'User ext:costCenter',
        'User ext:organization',
        'User ext:division',
        'User ext:department',
        'Group id',
        'Group displayName',
        'Group members.value',
        'Group members.type',
      ]),
    );
    // The fixtures give every writable filterable leaf a value on some user and none on another.
    for (const leaf of leaves.filter((l) => l.filterable && l.resource === 'User' && l.type !== undefined)) {
      const writable =
        (leaf.parent ?? leaf.attribute).mutability !== 'readOnly' && leaf.attribute.mutability !== 'readOnly';
      if (writable)
        expect({ path: leaf.path, values: valuesOf(leaf, docs.User).length > 0 }).toEqual({
          path: leaf.path,
          values: true,
        });
    }
  });

  it.each(['User', 'Group'] as const)(
    'selects on the database exactly what the evaluator selects, for every filterable %s attribute and operator',
    async (resource) => {
      const own = leaves.filter((leaf) => leaf.resource === resource && leaf.filterable);
      const texts = own.flatMap((leaf) => leafFilters(leaf, docs[resource]));
      // `not` of each, and each with its neighbour through `and` / `or`.
      const combined = texts.flatMap((text, k) => {
        const next = texts[(k * 7 + 3) % texts.length];
        return [`not (${text})`, `(${text}) and (${next})`, `(${text}) or not (${next})`];
      });
      const all = [...texts, ...combined, ...valuePathFilters(own, docs[resource])];
      expect(all.length).toBeGreaterThan(resource === 'User' ? 5000 : 500);
      expect(await disagreements(resource, all)).toEqual([]);
      // Guards against fixtures or operands that match everyone or no one.
      const discriminating = all.filter((text) => {
        const outcome = evaluateAll(resource, text, docs[resource]);
        return outcome.ok && outcome.ids.length > 0 && outcome.ids.length < docs[resource].length;
      });
      expect(discriminating.length).toBeGreaterThan(all.length * 0.3);
      // Every filterable leaf compiles with the operators its type allows.
      const sql = await runSql(
        resource,
        own.map((leaf) => `${leaf.path} pr`),
      );
      expect(own.filter((_, k) => !sql[k].ok).map((leaf) => leaf.path)).toEqual([]);
    },
    600_000,
  );

  it('answers the same through HTTP (GET and the other roots) for one comparison of each filterable leaf', async () => {
    for (const leaf of leaves.filter((l) => l.filterable)) {
      const [operand] = leaf.type === undefined ? [undefined] : operandsFor(leaf, docs[leaf.resource]);
      const text = operand === undefined ? `${leaf.path} pr` : `${leaf.path} eq ${quote(operand)}`;
      const expected = evaluateAll(leaf.resource, text, docs[leaf.resource]);
      const root = ROOTS[leaves.indexOf(leaf) % ROOTS.length];
      const res = await list(root, leaf.resource, text);
      const ids = res.status === 200 ? (res.body.Resources as Doc[]).map((doc) => doc.id).sort() : res.body;
      expect({ filter: text, status: res.status, ids }).toEqual({
        filter: text,
        status: 200,
        ids: expected.ok ? expected.ids : 'evaluator refused',
      });
    }
  });

  it('answers 400 invalidFilter for everything /Schemas marks "filterable": false, whatever the operator', async () => {
    const refused = leaves.filter((leaf) => !leaf.filterable);
    expect(refused.map((leaf) => `${leaf.resource} ${leaf.path}`).sort()).toEqual([
      'Group members.$ref',
      'Group members.display',
      'Group meta',
      'Group meta.location',
      'Group meta.version',
      'User groups.$ref',
      'User groups.type',
      'User meta',
      'User meta.location',
      'User meta.version',
      'User name',
      'User password',
      'User urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager',
    ]);
    for (const leaf of refused) {
      const texts = [`${leaf.path} pr`, `${leaf.path} eq "x"`, `${leaf.path} ne null`, `not (${leaf.path} co "x")`];
      if (leaf.parent?.multiValued) {
        const outer = leaf.path.slice(0, leaf.path.lastIndexOf('.'));
        texts.push(`${outer}[${leaf.attribute.name} eq "x"]`);
      }
      for (const [k, text] of texts.entries()) {
        const res = await list(ROOTS[k % ROOTS.length], leaf.resource, text);
        expect({ filter: text, status: res.status, body: res.body }).toMatchObject({
          filter: text,
          status: 400,
          body: { schemas: [ERROR], status: '400', scimType: 'invalidFilter' },
        });
      }
    }
  });
});
