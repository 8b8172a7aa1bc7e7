import { DataSource } from 'typeorm';
import { openTestDataSource } from '../../test/support/test-database';
import { TransactionRunner } from '../database/transaction-runner';
import { AssignmentsRepository } from '../directory/assignments.repository';
import { DepartmentsRepository } from '../directory/departments.repository';
import { GroupsService } from '../directory/groups.service';
import { UsersRepository } from '../directory/users.repository';
import { UsersService } from '../directory/users.service';
import { ScimDocument } from './schemas';
import { Projection } from './scim-projection';
import { ScimUsersService } from './scim-users.service';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** What a caller can compare between two creates of the same body: not the id, not the times. */
function comparable(result: ScimDocument | Error): unknown {
  if (result instanceof Error) return { error: result.constructor.name, ...result, message: result.message };
  const { id, meta, ...rest } = result;
  const { resourceType } = meta as { resourceType: string };
  return { hasId: typeof id === 'string', resourceType, ...rest };
}

const outcome = (result: ScimDocument | Error): string =>
  result instanceof Error
    ? `${result.constructor.name}:${(result as { status?: number; code?: string }).status ?? (result as { code?: string }).code}`
    : 'created';

describe('ScimUsersService.createMany (real PostgreSQL)', () => {
  let db: { dataSource: DataSource; close(): Promise<void> };
  let scim: ScimUsersService;
  let tenants = 0;

  beforeAll(async () => {
    db = await openTestDataSource();
    const departments = new DepartmentsRepository();
    const assignments = new AssignmentsRepository();
    scim = new ScimUsersService(
      new TransactionRunner(db.dataSource),
      new UsersService(new UsersRepository(), departments, assignments),
      new GroupsService(departments, assignments),
    );
  });

  afterAll(async () => {
    await db?.close();
  });

  /** A fresh tenant holding one user, 'stored' with externalId 'stored-ext'. */
  async function tenant() {
    const tenantId = `scim${++tenants}`;
    await db.dataSource.query(`INSERT INTO tenants (id, name) VALUES ($1, $1)`, [tenantId]);
    const context = { tenantId, base: `https://idp.example/scim/v2` };
    await scim.create(context, { schemas: [USER], userName: 'stored', externalId: 'stored-ext' });
    return context;
  }

  /** `create` for each body in turn, each error caught: what createMany must answer, body for body. */
  async function oneByOne(bodies: unknown[]): Promise<(ScimDocument | Error)[]> {
    const context = await tenant();
    const results: (ScimDocument | Error)[] = [];
    for (const body of bodies) results.push(await scim.create(context, body).catch((error: Error) => error));
    return results;
  }

  const user = (userName: string, extra: Record<string, unknown> = {}) => ({ schemas: [USER], userName, ...extra });

  const bodies: unknown[] = [
    user('Ann@example.com', {
      schemas: [USER, ENTERPRISE],
      externalId: 'ann',
      name: { givenName: 'Ann', familyName: 'Lee', honorificPrefix: 'Dr' },
      displayName: 'Ann Lee',
      emails: [
        { value: 'ann.home@example.com', type: 'home' },
        { value: 'Ann@example.com', type: 'work', primary: true },
      ],
      phoneNumbers: [{ value: '+1 555 0100', type: 'work' }],
      active: false,
      title: 'Boss',
      password: 'Secret-1234!',
      [ENTERPRISE]: { employeeNumber: '42', manager: { value: 'someone' } },
      'urn:example:unknown': { kept: true },
    }),
    user('STORED'), // taken by the stored user, ignoring case
    user('new-1', { externalId: 'stored-ext' }), // externalId taken by the stored user
    user('twin', { externalId: 'twin-1' }),
    user('TWIN'), // taken by the body before, ignoring case
    user('other', { externalId: 'twin-1' }), // externalId taken by a body before
    { userName: 'no-schemas' }, // schemas required
    user('', {}), // userName blank
    { schemas: [USER] }, // userName missing
    user('typed', { active: 'yes' }), // wrong type
    'not an object',
    null,
    [],
    user('bad\u202Ename'), // a bidi override in an identifier
    user('free', { externalId: 'stored-ext' }), // fails: externalId taken...
    user('FREE'), // ...so this userName is still free
    user('Zoe\u0301'), // stored in NFC
    user('x'.repeat(321)), // too long
  ];

  it('answers what create() answers, body for body: same documents but ids and times, same errors', async () => {
    const expected = await oneByOne(bodies);
    const actual = await scim.createMany(await tenant(), bodies);
    expect(actual).toHaveLength(bodies.length);
    expect(actual.map(comparable)).toEqual(expected.map(comparable));
    // The cases above are what they say they are.
    expect(actual.map(outcome)).toEqual([
      'created',
      'DomainError:DUPLICATE',
      'DomainError:DUPLICATE',
      'created',
      'DomainError:DUPLICATE',
      'DomainError:DUPLICATE',
      'ScimError:400',
      'ScimError:400',
      'ScimError:400',
      'ScimError:400',
      'ScimError:400',
      'ScimError:400',
      'ScimError:400',
      'DomainError:VALIDATION',
      'DomainError:DUPLICATE',
      'created',
      'created',
      'DomainError:VALIDATION',
    ]);
  });

  it('answers documents whose ids and locations are the stored users, and stores no password', async () => {
    const context = await tenant();
    const [first, second] = (await scim.createMany(context, [
      user('located', { password: 'Secret-1234!' }),
      user('also-located'),
    ])) as ScimDocument[];
    expect(first).not.toHaveProperty('password');
    for (const document of [first, second]) {
      expect((document.meta as { location: string }).location).toBe(`${context.base}/Users/${String(document.id)}`);
      expect(await scim.get(context, String(document.id), new Projection())).toEqual(document);
    }
    const rows: { attributes: Record<string, unknown> }[] = await db.dataSource.query(
      `SELECT attributes FROM users WHERE tenant_id = $1 AND user_name = 'located'`,
      [context.tenantId],
    );
    expect(JSON.stringify(rows)).not.toContain('Secret-1234!');
  });

  it('answers an empty list for no bodies', async () => {
    expect(await scim.createMany(await tenant(), [])).toEqual([]);
  });
});
