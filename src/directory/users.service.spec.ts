import { DataSource } from 'typeorm';
import { openTestDataSource, serverUrl } from '../../test/support/test-database';
import { DomainError } from '../common/domain-error';
import { AssignmentsRepository } from './assignments.repository';
import { DepartmentsRepository } from './departments.repository';
import { DepartmentsService } from './departments.service';
import { ItemResult, UserInput, UserKey, UserRecord, UserState } from './directory.types';
import { UserRow, UsersRepository } from './users.repository';
import { UsersService } from './users.service';

// The embedded database serialises connections (a second one waits for the open transaction),
// so a concurrent writer can only be staged against a real server.
const withServer = serverUrl() ? it : it.skip;

function value<T>(result: ItemResult<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

function failure<T>(result: ItemResult<T>): DomainError {
  if (result.ok) throw new Error(`expected a failure, got ${result.action}`);
  return result.error;
}

describe('UsersService (real PostgreSQL)', () => {
  let db: { dataSource: DataSource; close(): Promise<void> };
  const departmentsRepository = new DepartmentsRepository();
  const service = new UsersService(new UsersRepository(), departmentsRepository, new AssignmentsRepository());
  const departments = new DepartmentsService(departmentsRepository);

  const upsert = (tenantId: string, items: UserInput[], frontDoor: 'batch' | 'scim' | 'partner' = 'batch') =>
    db.dataSource.transaction((em) => service.upsertMany(em, tenantId, items, frontDoor));
  const remove = (tenantId: string, keys: UserKey[]) =>
    db.dataSource.transaction((em) => service.deleteMany(em, tenantId, keys));

  async function storedUser(tenantId: string, userName: string) {
    const rows: {
      id: string;
      given_name: string | null;
      external_id: string | null;
      version: number;
    }[] = await db.dataSource.query(
      'SELECT id, given_name, external_id, version FROM users WHERE tenant_id = $1 AND lower(user_name) = lower($2)',
      [tenantId, userName],
    );
    return rows[0];
  }

  async function assignmentsOf(userId: string): Promise<string[]> {
    const rows: { external_id: string; user_type_id: string }[] = await db.dataSource.query(
      `SELECT d.external_id, a.user_type_id FROM assignments a JOIN departments d ON d.id = a.department_id
        WHERE a.user_id = $1 ORDER BY 1, 2`,
      [userId],
    );
    return rows.map((row) => `${row.external_id}/${row.user_type_id}`);
  }

  beforeAll(async () => {
    db = await openTestDataSource();
    await db.dataSource.query(`INSERT INTO tenants (id, name) VALUES ('t1', 'One'), ('t2', 'Two')`);
    await db.dataSource.query(
      `INSERT INTO user_types (tenant_id, id, name)
       VALUES ('t1', '1', 'Member'), ('t1', '2', 'Manager'), ('t2', '1', 'Member')`,
    );
    await db.dataSource.transaction((em) =>
      departments.upsertMany(em, 't1', [
        { externalId: 'sales', name: 'Sales' },
        { externalId: 'ops', name: 'Ops' },
      ]),
    );
  });

  afterAll(async () => {
    await db?.close();
  });

  describe('matching', () => {
    it('creates then updates by EXTERNAL_ID, keeping absent fields and clearing nulls', async () => {
      const [created] = await upsert('t1', [
        {
          externalId: 'ext-1',
          email: 'Ext.One@example.com',
          givenName: 'Ext',
          familyName: 'One',
          phoneNumber: '1',
        },
      ]);
      expect(created).toMatchObject({ ok: true, action: 'CREATE' });
      expect(value(created)).toMatchObject({
        userName: 'Ext.One@example.com',
        email: 'Ext.One@example.com',
        emails: [{ value: 'Ext.One@example.com', type: 'work', primary: true }],
        active: true,
        createdBy: 'batch',
        changedBy: 'batch',
        version: 1,
      });
      expect(value(created).assignments).toBeUndefined();

      const [updated] = await upsert(
        't1',
        [{ externalId: 'ext-1', givenName: 'Changed', phoneNumber: null }],
        'partner',
      );
      expect(updated).toMatchObject({ ok: true, action: 'UPDATE' });
      expect(value(updated)).toMatchObject({
        id: value(created).id,
        userName: 'Ext.One@example.com',
        givenName: 'Changed',
        familyName: 'One',
        phoneNumber: null,
        createdBy: 'batch',
        changedBy: 'partner',
        version: 2,
      });
      expect(value(updated).updatedOn.getTime()).toBeGreaterThan(value(created).updatedOn.getTime());
    });

    it('creates then updates by EMAIL, ignoring case', async () => {
      const [created] = await upsert('t1', [{ matchOnField: 'EMAIL', email: 'mail.match@example.com' }]);
      const [updated] = await upsert('t1', [
        {
          matchOnField: 'EMAIL',
          email: 'MAIL.MATCH@example.com',
          externalId: 'mail-ext',
          givenName: 'Mail',
        },
      ]);
      expect(updated).toMatchObject({ ok: true, action: 'UPDATE' });
      expect(value(updated)).toMatchObject({
        id: value(created).id,
        userName: 'mail.match@example.com',
        externalId: 'mail-ext',
        email: 'MAIL.MATCH@example.com',
        emails: [{ value: 'MAIL.MATCH@example.com', type: 'work', primary: true }],
      });
    });

    it('creates then updates by USERNAME (userName, else email), ignoring case', async () => {
      const [created] = await upsert('t1', [{ matchOnField: 'USERNAME', userName: 'Name.Match' }]);
      expect(value(created)).toMatchObject({ userName: 'Name.Match', email: null, emails: [] });
      const [byName] = await upsert('t1', [{ matchOnField: 'USERNAME', userName: 'name.match', givenName: 'N' }]);
      expect(value(byName)).toMatchObject({
        id: value(created).id,
        userName: 'name.match',
        givenName: 'N',
      });
      const [byEmail] = await upsert('t1', [{ matchOnField: 'USERNAME', email: 'NAME.MATCH', familyName: 'M' }]);
      expect(byEmail).toMatchObject({ ok: true, action: 'UPDATE' });
      expect(value(byEmail)).toMatchObject({
        id: value(created).id,
        userName: 'name.match',
        familyName: 'M',
      });
    });

    it('requires the value of the match field', async () => {
      const results = await upsert('t1', [
        { email: 'no.external@example.com' },
        { matchOnField: 'EMAIL', externalId: 'x' },
        { matchOnField: 'USERNAME', externalId: 'y' },
      ]);
      expect(failure(results[0])).toMatchObject({
        code: 'VALIDATION',
        message: 'externalId is required when matchOnField is EXTERNAL_ID',
      });
      expect(failure(results[1]).code).toBe('VALIDATION');
      expect(failure(results[2]).code).toBe('VALIDATION');
    });

    it('refuses to create a user with neither userName nor email', async () => {
      const [result] = await upsert('t1', [{ externalId: 'nameless', givenName: 'Nobody' }]);
      expect(failure(result)).toMatchObject({
        code: 'VALIDATION',
        details: [{ field: 'userName' }],
      });
    });

    it('answers DUPLICATE when an email matches several users', async () => {
      await upsert('t1', [
        { externalId: 'twin-1', userName: 'twin-1', email: 'twin@example.com' },
        { externalId: 'twin-2', userName: 'twin-2', email: 'TWIN@example.com' },
      ]);
      const [result] = await upsert('t1', [{ matchOnField: 'EMAIL', email: 'twin@example.com', givenName: 'x' }]);
      expect(failure(result).code).toBe('DUPLICATE');
    });
  });

  describe('uniqueness', () => {
    it("refuses a create whose email is another user's userName", async () => {
      await upsert('t1', [{ externalId: 'holder', userName: 'Taken@example.com', email: 'other@example.com' }]);
      const [result] = await upsert('t1', [{ externalId: 'newcomer', email: 'taken@EXAMPLE.com' }]);
      expect(failure(result)).toMatchObject({
        code: 'DUPLICATE',
        message: "userName 'taken@EXAMPLE.com' is already taken by another user",
        details: [{ field: 'userName' }],
      });
      expect(await storedUser('t1', 'taken@example.com')).toMatchObject({ external_id: 'holder' });
    });

    it('refuses an externalId held by another user', async () => {
      await upsert('t1', [{ externalId: 'ext-held', userName: 'held' }]);
      await upsert('t1', [{ matchOnField: 'USERNAME', userName: 'grabber' }]);
      const [result] = await upsert('t1', [{ matchOnField: 'USERNAME', userName: 'grabber', externalId: 'ext-held' }]);
      expect(failure(result)).toMatchObject({
        code: 'DUPLICATE',
        message: "externalId 'ext-held' is already taken by another user",
      });
      expect((await storedUser('t1', 'grabber')).external_id).toBeNull();
    });

    it('writes the good rows around a bad one', async () => {
      const results = await upsert('t1', [
        { externalId: 'good-1', email: 'good1@example.com' },
        { externalId: 'bad', email: 'held' },
        { externalId: 'good-2', email: 'good2@example.com' },
      ]);
      expect(results.map((result) => result.ok)).toEqual([true, false, true]);
      expect(await storedUser('t1', 'good2@example.com')).toBeDefined();
      const [{ count }] = await db.dataSource.query(
        `SELECT count(*)::int AS count FROM users WHERE tenant_id = 't1' AND external_id = 'bad'`,
      );
      expect(count).toBe(0);
    });

    withServer('isolates a row a concurrent writer took: DUPLICATE for it, the rest written', async () => {
      const other = db.dataSource.createQueryRunner();
      await other.connect();
      await other.startTransaction();
      await other.query(
        `INSERT INTO users (tenant_id, user_name, created_by, changed_by) VALUES ('t1', 'racer', 'scim', 'scim')`,
      );
      const racing = upsert('t1', [
        { externalId: 'race-1', email: 'race1@example.com' },
        { externalId: 'race-2', email: 'RACER' },
        { externalId: 'race-3', email: 'race3@example.com' },
      ]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await other.commitTransaction();
      await other.release();
      const results = await racing;
      expect(results.map((result) => result.ok)).toEqual([true, false, true]);
      expect(failure(results[1])).toMatchObject({
        code: 'DUPLICATE',
        message: "userName 'RACER' is already taken by another user",
      });
      expect(await storedUser('t1', 'race3@example.com')).toBeDefined();
    });

    withServer('updates the user a concurrent writer created meanwhile, instead of failing DUPLICATE', async () => {
      const other = db.dataSource.createQueryRunner();
      await other.connect();
      await other.startTransaction();
      const [winner]: { id: string }[] = await other.query(
        `INSERT INTO users (tenant_id, user_name, external_id, given_name, created_by, changed_by)
         VALUES ('t1', 'won@example.com', 'won', 'Winner', 'partner', 'partner') RETURNING id`,
      );
      // Reads nothing yet, so it plans a create and its insert waits on the winner's unique keys.
      const racing = upsert('t1', [
        { externalId: 'won', email: 'WON@example.com', givenName: 'Loser' },
        { externalId: 'beside-won', email: 'beside-won@example.com' },
      ]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await other.commitTransaction();
      await other.release();
      const results = await racing;
      expect(results.map((result) => (result.ok ? result.action : result.error.code))).toEqual(['UPDATE', 'CREATE']);
      expect(value(results[0])).toMatchObject({ id: winner.id, givenName: 'Loser', createdBy: 'partner' });
      expect(await storedUser('t1', 'won@example.com')).toMatchObject({
        id: winner.id,
        given_name: 'Loser',
        version: 2,
      });
    });

    it('fails only the row whose value does not fit its column', async () => {
      const results = await upsert('t1', [
        { externalId: 'fit-1', email: 'fit1@example.com' },
        { externalId: 'too-long', email: 'long@example.com', givenName: 'x'.repeat(300) },
        { externalId: 'fit-2', email: 'fit2@example.com' },
      ]);
      expect(results.map((result) => (result.ok ? 'ok' : result.error.code))).toEqual(['ok', 'VALIDATION', 'ok']);
      expect(await storedUser('t1', 'long@example.com')).toBeUndefined();
      expect(await storedUser('t1', 'fit2@example.com')).toBeDefined();
    });
  });

  describe('repeated keys in one call', () => {
    it('applies a later item after the earlier one that created the user', async () => {
      const results = await upsert('t1', [
        { externalId: 'rep-1', email: 'rep1@example.com', givenName: 'First' },
        { externalId: 'rep-2', email: 'rep2@example.com' },
        { externalId: 'rep-1', givenName: 'Second' },
        { matchOnField: 'EMAIL', email: 'REP1@example.com', familyName: 'Third' },
      ]);
      expect(results.map((result) => result.ok && result.action)).toEqual(['CREATE', 'CREATE', 'UPDATE', 'UPDATE']);
      expect(value(results[3])).toMatchObject({
        id: value(results[0]).id,
        givenName: 'Second',
        familyName: 'Third',
        version: 3,
      });
    });

    it('lets a user take a userName an earlier item frees', async () => {
      await upsert('t1', [{ externalId: 'freer', userName: 'wanted-name' }]);
      const results = await upsert('t1', [
        { externalId: 'freer', userName: 'other-name' },
        { externalId: 'taker', userName: 'WANTED-name' },
      ]);
      expect(results.map((result) => result.ok && result.action)).toEqual(['UPDATE', 'CREATE']);
      const swap = await upsert('t1', [
        { externalId: 'taker', userName: 'other-name' },
        { externalId: 'freer', userName: 'wanted-name' },
      ]);
      expect(swap.map((result) => (result.ok ? result.action : result.error.code))).toEqual(['DUPLICATE', 'DUPLICATE']);
    });

    it('matches two fields naming the same stored user one after the other', async () => {
      const [created] = await upsert('t1', [{ externalId: 'two-keys', email: 'two.keys@example.com' }]);
      const results = await upsert('t1', [
        { externalId: 'two-keys', givenName: 'A' },
        { matchOnField: 'USERNAME', userName: 'two.keys@example.com', familyName: 'B' },
      ]);
      expect(results.map((result) => value(result).id)).toEqual([value(created).id, value(created).id]);
      expect(value(results[1])).toMatchObject({ givenName: 'A', familyName: 'B', version: 3 });
    });
  });

  describe('fields', () => {
    it('keeps other addresses as non-primary when the email changes; merges metadata', async () => {
      const [created] = await upsert('t1', [
        { externalId: 'fields', email: 'old@example.com', role: 'admin', metadata: { a: 1, b: 2 } },
      ]);
      const [updated] = await upsert('t1', [
        { externalId: 'fields', email: 'new@example.com', metadata: { b: 3, c: 4 }, active: false },
      ]);
      expect(value(updated)).toMatchObject({
        userName: 'old@example.com',
        email: 'new@example.com',
        emails: [
          { value: 'new@example.com', type: 'work', primary: true },
          { value: 'old@example.com', type: 'work', primary: false },
        ],
        role: 'admin',
        metadata: { a: 1, b: 3, c: 4 },
        active: false,
      });
      const [cleared] = await upsert('t1', [{ externalId: 'fields', email: null, role: null }]);
      expect(value(cleared)).toMatchObject({
        email: null,
        role: null,
        userName: 'old@example.com',
      });
      expect(value(cleared).emails.some((entry) => entry.primary)).toBe(false);
      expect(value(created).id).toBe(value(cleared).id);
    });
  });

  describe('assignments', () => {
    it('replaces when userTypes is present, keeps when absent, fails unknown names without writing', async () => {
      const [created] = await upsert('t1', [
        {
          externalId: 'assigned',
          email: 'assigned@example.com',
          userTypes: [
            { departmentExternalId: 'sales', userTypeId: '1' },
            { departmentExternalId: 'ops', userTypeId: '2' },
            { departmentExternalId: 'sales', userTypeId: '1' },
          ],
        },
      ]);
      const id = value(created).id;
      expect(value(created).assignments).toEqual([
        {
          departmentId: expect.any(String),
          departmentExternalId: 'sales',
          departmentName: 'Sales',
          userTypeId: '1',
          userTypeName: 'Member',
        },
        {
          departmentId: expect.any(String),
          departmentExternalId: 'ops',
          departmentName: 'Ops',
          userTypeId: '2',
          userTypeName: 'Manager',
        },
      ]);
      expect(await assignmentsOf(id)).toEqual(['ops/2', 'sales/1']);

      await upsert('t1', [{ externalId: 'assigned', givenName: 'Kept' }]);
      expect(await assignmentsOf(id)).toEqual(['ops/2', 'sales/1']);

      const [replaced] = await upsert('t1', [
        { externalId: 'assigned', userTypes: [{ departmentExternalId: 'ops', userTypeId: '1' }] },
      ]);
      expect(value(replaced).assignments).toHaveLength(1);
      expect(await assignmentsOf(id)).toEqual(['ops/1']);

      const unknown = await upsert('t1', [
        {
          externalId: 'assigned',
          givenName: 'Nope',
          userTypes: [{ departmentExternalId: 'nowhere', userTypeId: '1' }],
        },
        {
          externalId: 'assigned-2',
          email: 'a2@example.com',
          userTypes: [{ departmentExternalId: 'ops', userTypeId: '9' }],
        },
      ]);
      expect(failure(unknown[0])).toMatchObject({
        code: 'NOT_FOUND',
        message: 'Department not found: nowhere',
        details: [{ path: 'userTypes.0.departmentExternalId' }],
      });
      expect(failure(unknown[1])).toMatchObject({
        code: 'NOT_FOUND',
        message: 'User type not found: 9',
      });
      expect((await storedUser('t1', 'assigned@example.com')).given_name).toBe('Kept');
      expect(await storedUser('t1', 'a2@example.com')).toBeUndefined();
      expect(await assignmentsOf(id)).toEqual(['ops/1']);

      await upsert('t1', [{ externalId: 'assigned', userTypes: [] }]);
      expect(await assignmentsOf(id)).toEqual([]);
    });

    it('finds assignments by user', async () => {
      const [created] = await upsert('t1', [
        {
          externalId: 'finder',
          email: 'finder@example.com',
          userTypes: [{ departmentExternalId: 'sales', userTypeId: '2' }],
        },
      ]);
      const found = await service.findAssignments(db.dataSource.manager, 't1', [value(created).id]);
      expect(found.get(value(created).id)).toEqual([
        expect.objectContaining({ departmentExternalId: 'sales', userTypeName: 'Manager' }),
      ]);
      expect(
        (await service.findAssignments(db.dataSource.manager, 't2', [value(created).id])).get(value(created).id),
      ).toEqual([]);
    });
  });

  describe('tenants', () => {
    it('keeps tenants apart: same externalId, userName and email are distinct users', async () => {
      const [one] = await upsert('t1', [{ externalId: 'iso', email: 'iso@example.com' }]);
      const [two] = await upsert('t2', [{ externalId: 'iso', email: 'iso@example.com' }]);
      expect(two).toMatchObject({ ok: true, action: 'CREATE' });
      expect(value(two).id).not.toBe(value(one).id);
      const [byEmail] = await upsert('t2', [{ matchOnField: 'EMAIL', email: 'good1@example.com' }]);
      expect(byEmail).toMatchObject({ ok: true, action: 'CREATE' });
      const [assigned] = await upsert('t2', [
        { externalId: 'iso', userTypes: [{ departmentExternalId: 'sales', userTypeId: '1' }] },
      ]);
      expect(failure(assigned).message).toBe('Department not found: sales');
    });
  });

  describe('deleteMany', () => {
    it('deletes by each field; missing and repeated keys are NOT_FOUND; assignments go', async () => {
      const created = await upsert('t1', [
        {
          externalId: 'del-1',
          email: 'del1@example.com',
          userTypes: [{ departmentExternalId: 'sales', userTypeId: '1' }],
        },
        { externalId: 'del-2', email: 'del2@example.com' },
        { externalId: 'del-3', userName: 'del-3-name', email: 'del3@example.com' },
      ]);
      const results = await remove('t1', [
        { matchOnField: 'EXTERNAL_ID', value: 'del-1' },
        { matchOnField: 'EMAIL', value: 'DEL2@example.com' },
        { matchOnField: 'USERNAME', value: 'DEL-3-NAME' },
        { matchOnField: 'EXTERNAL_ID', value: 'missing' },
        { matchOnField: 'EMAIL', value: 'del1@example.com' },
      ]);
      expect(results.slice(0, 3).map(value)).toEqual([
        { id: value(created[0]).id, userName: 'del1@example.com' },
        { id: value(created[1]).id, userName: 'del2@example.com' },
        { id: value(created[2]).id, userName: 'del-3-name' },
      ]);
      expect(failure(results[3]).code).toBe('NOT_FOUND');
      expect(failure(results[4]).code).toBe('NOT_FOUND');
      expect(await assignmentsOf(value(created[0]).id)).toEqual([]);
    });

    it("never deletes another tenant's user", async () => {
      await upsert('t2', [{ externalId: 'keep-me', email: 'keep@example.com' }]);
      const [result] = await remove('t1', [{ matchOnField: 'EXTERNAL_ID', value: 'keep-me' }]);
      expect(failure(result).code).toBe('NOT_FOUND');
      expect(await storedUser('t2', 'keep@example.com')).toBeDefined();
    });
  });

  describe('volume', () => {
    const users = (count: number, prefix: string, extra: Partial<UserInput> = {}): UserInput[] =>
      Array.from({ length: count }, (_, i) => ({
        externalId: `${prefix}-${i}`,
        email: `${prefix}.${i}@example.com`,
        givenName: `Given ${i}`,
        familyName: `Family ${i}`,
        ...extra,
      }));

    it('handles 1,200 users with assignments, more than one statement', async () => {
      const items = users(1200, 'chunked', {
        userTypes: [{ departmentExternalId: 'sales', userTypeId: '1' }],
      });
      const created = await upsert('t1', items);
      expect(created.every((result) => result.ok && result.action === 'CREATE')).toBe(true);
      const updated = await upsert('t1', users(1200, 'chunked', { givenName: 'Again' }));
      expect(updated.every((result) => result.ok && result.action === 'UPDATE')).toBe(true);
      const [{ count }] = await db.dataSource.query(
        `SELECT count(*)::int AS count FROM assignments a JOIN users u ON u.id = a.user_id
          WHERE u.tenant_id = 't1' AND u.external_id LIKE 'chunked-%'`,
      );
      expect(count).toBe(1200);
    });

    it('upserts 10,000 users in one call, then updates them all (timing: bench/directory-upsert.bench.ts)', async () => {
      const created: ItemResult<UserRecord>[] = await upsert('t2', users(10_000, 'bulk'));
      const updated = await upsert('t2', users(10_000, 'bulk', { givenName: 'Updated', active: false }));
      expect(created.every((result) => result.ok && result.action === 'CREATE')).toBe(true);
      expect(updated.every((result) => result.ok && result.action === 'UPDATE')).toBe(true);
      const [{ count }] = await db.dataSource.query(
        `SELECT count(*)::int AS count FROM users WHERE tenant_id = 't2' AND given_name = 'Updated' AND NOT active`,
      );
      expect(count).toBe(10_000);
    });
  });

  describe('createMany', () => {
    const state = (userName: string, extra: Partial<UserState> = {}): UserState => ({
      userName,
      externalId: null,
      givenName: null,
      middleName: null,
      familyName: null,
      displayName: null,
      emails: [],
      phoneNumber: null,
      active: true,
      attributes: {},
      ...extra,
    });
    const createMany = (tenantId: string, states: UserState[]) =>
      service.createMany(db.dataSource.manager, tenantId, states, 'scim');
    /** createOne for each state in turn, each error caught: what createMany must answer. */
    async function oneByOne(tenantId: string, states: UserState[]): Promise<(UserRow | DomainError)[]> {
      const results: (UserRow | DomainError)[] = [];
      for (const each of states) {
        results.push(
          await service.createOne(db.dataSource.manager, tenantId, each, 'scim').catch((error: DomainError) => error),
        );
      }
      return results;
    }
    /** A result without what differs between two creates of the same state: id and times. */
    const comparable = (result: UserRow | DomainError) =>
      result instanceof DomainError
        ? { error: result.code, message: result.message, details: result.details }
        : { ...result, id: undefined, createdOn: undefined, updatedOn: undefined };
    const outcome = (result: UserRow | DomainError) =>
      result instanceof DomainError ? `${result.code}:${result.details[0]?.field}` : 'ok';

    let tenants = 0;
    /** A fresh tenant holding a user 'stored' (externalId 'stored-ext'), for each test. */
    async function tenant(): Promise<string> {
      const id = `cm${++tenants}`;
      await db.dataSource.query(`INSERT INTO tenants (id, name) VALUES ($1, $1)`, [id]);
      await service.createOne(db.dataSource.manager, id, state('Stored', { externalId: 'stored-ext' }), 'batch');
      return id;
    }

    it('creates each state as createOne would: same rows, one result per state in order', async () => {
      const states = [
        state('Ann@example.com', {
          externalId: 'ann',
          givenName: 'Ann',
          familyName: 'Lee',
          displayName: 'Ann Lee',
          emails: [
            { value: 'ann.home@example.com', type: 'home', primary: false },
            { value: 'Ann@example.com', type: 'work', primary: true },
          ],
          phoneNumber: '+1 555',
          active: false,
          attributes: {
            title: 'Boss',
            'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { costCenter: '7' },
          },
        }),
        state('bob'),
        // Not NFC: stored in NFC, as createOne does.
        state('Zoe\u0301'),
      ];
      const [expected, actual] = [await oneByOne(await tenant(), states), await createMany(await tenant(), states)];
      expect(actual.map(comparable)).toEqual(expected.map(comparable));
      expect(actual.map(outcome)).toEqual(['ok', 'ok', 'ok']);
      expect(actual[0]).toMatchObject({ email: 'Ann@example.com', createdBy: 'scim', changedBy: 'scim', version: 1 });
      expect((actual[2] as UserRow).userName).toBe('Zo\u00e9');
    });

    it('answers DUPLICATE for values stored or taken by an earlier state of the call, the first winning', async () => {
      const states = [
        state('stored@x', { externalId: 'STORED-EXT' }), // externalId compares exactly: free
        state('STORED'), // userName ignores case: taken
        state('new-1', { externalId: 'stored-ext' }), // externalId taken
        state('Stored', { externalId: 'stored-ext' }), // both taken: createOne meets the externalId first
        state('twin', { externalId: 't-1' }),
        state('TWIN', { externalId: 't-2' }), // userName taken by the state before
        state('other', { externalId: 't-1' }), // externalId taken by the state before
        state('TWIN', { externalId: 't-1' }), // both
        state('free'),
      ];
      const [expected, actual] = [await oneByOne(await tenant(), states), await createMany(await tenant(), states)];
      expect(actual.map(comparable)).toEqual(expected.map(comparable));
      expect(actual.map(outcome)).toEqual([
        'ok',
        'DUPLICATE:userName',
        'DUPLICATE:externalId',
        'DUPLICATE:externalId',
        'ok',
        'DUPLICATE:userName',
        'DUPLICATE:externalId',
        'DUPLICATE:externalId',
        'ok',
      ]);
      expect(actual[1]).toMatchObject({ message: "userName 'STORED' is already taken by another user" });
    });

    it('lets a later state take a value an earlier one failed to store, as one by one would', async () => {
      const states = [
        state('claimed', { externalId: 'stored-ext' }), // fails: externalId taken
        state('CLAIMED'), // so this userName is still free
        state('claimed'), // but not any more
        state('bad\u202Ename'), // refused by the rules
        state('after-bad'),
      ];
      const [expected, actual] = [await oneByOne(await tenant(), states), await createMany(await tenant(), states)];
      expect(actual.map(comparable)).toEqual(expected.map(comparable));
      expect(actual.map(outcome)).toEqual([
        'DUPLICATE:externalId',
        'ok',
        'DUPLICATE:userName',
        expect.stringMatching(/^VALIDATION/),
        'ok',
      ]);
    });

    it('fails only the row the database refuses, writing the others', async () => {
      const tenantId = await tenant();
      // jsonb cannot hold a NUL character: the INSERT fails for this row alone.
      const states = [state('nul-1'), state('nul-2', { attributes: { note: 'a\u0000b' } }), state('nul-3')];
      const actual = await createMany(tenantId, states);
      expect(actual.map(outcome)).toEqual(['ok', 'VALIDATION:undefined', 'ok']);
      expect((actual[1] as DomainError).message).toBe(
        "User 'nul-2' could not be stored: a value is too long or malformed",
      );
      const expected = await oneByOne(await tenant(), states);
      expect(actual.map(comparable)).toEqual(expected.map(comparable));
      expect(await storedUser(tenantId, 'nul-3')).toBeDefined();
      expect(await storedUser(tenantId, 'nul-2')).toBeUndefined();
    });

    it('writes 1,200 users with a fixed number of statements per chunk of 500', async () => {
      const tenantId = await tenant();
      const states = Array.from({ length: 1200 }, (_, i) =>
        state(`chunk-${i}@example.com`, { externalId: i === 700 ? 'stored-ext' : `chunk-${i}` }),
      );
      const statements: string[] = [];
      const results = await db.dataSource.transaction(async (em) => {
        const query = em.query.bind(em);
        jest.spyOn(em, 'query').mockImplementation((sql: string, parameters?: Parameters<typeof query>[1]) => {
          statements.push(sql.trim().split(/\s+/)[0]);
          return query(sql, parameters);
        });
        return service.createMany(em, tenantId, states, 'scim');
      });
      expect(results.filter((result) => result instanceof DomainError)).toHaveLength(1);
      expect(outcome(results[700])).toBe('DUPLICATE:externalId');
      // Per chunk (rows 0-499, 500-999, 1000-1199): SAVEPOINT, INSERT, RELEASE; the chunk with a skipped row looks up what took it.
      expect(statements).toEqual([
        ...['SAVEPOINT', 'INSERT', 'RELEASE'],
        ...['SAVEPOINT', 'INSERT', 'RELEASE', 'SELECT'],
        ...['SAVEPOINT', 'INSERT', 'RELEASE'],
      ]);
      const [{ count }] = await db.dataSource.query(
        `SELECT count(*)::int AS count FROM users WHERE tenant_id = $1 AND user_name LIKE 'chunk-%'`,
        [tenantId],
      );
      expect(count).toBe(1199);
    });

    it('answers an empty call, and a call of invalid states only', async () => {
      const tenantId = await tenant();
      expect(await createMany(tenantId, [])).toEqual([]);
      const [result] = await createMany(tenantId, [state('bad\u202Ename')]);
      expect(result).toBeInstanceOf(DomainError);
    });

    withServer('ends a race with a concurrent writer as DUPLICATE for the loser, the rest written', async () => {
      const tenantId = await tenant();
      const other = db.dataSource.createQueryRunner();
      await other.connect();
      await other.startTransaction();
      await other.query(
        `INSERT INTO users (tenant_id, user_name, external_id, created_by, changed_by)
         VALUES ($1, 'racer', NULL, 'scim', 'scim'), ($1, 'racer-ext-holder', 'racer-ext', 'scim', 'scim')`,
        [tenantId],
      );
      const racing = createMany(tenantId, [
        state('race-1'),
        state('RACER'),
        state('race-2', { externalId: 'racer-ext' }),
        state('race-3'),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await other.commitTransaction();
      await other.release();
      const results = await racing;
      expect(results.map(outcome)).toEqual(['ok', 'DUPLICATE:userName', 'DUPLICATE:externalId', 'ok']);
      expect(await storedUser(tenantId, 'race-3')).toBeDefined();
    });

    withServer('creates the value a concurrent writer held but rolled back', async () => {
      const tenantId = await tenant();
      const other = db.dataSource.createQueryRunner();
      await other.connect();
      await other.startTransaction();
      await other.query(
        `INSERT INTO users (tenant_id, user_name, created_by, changed_by) VALUES ($1, 'undone', 'scim', 'scim')`,
        [tenantId],
      );
      const racing = createMany(tenantId, [state('UNDONE'), state('beside-undone')]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await other.rollbackTransaction();
      await other.release();
      expect((await racing).map(outcome)).toEqual(['ok', 'ok']);
    });

    withServer('survives a deadlock with another creator: each value ends with one owner, never an error', async () => {
      const tenantId = await tenant();
      const other = db.dataSource.createQueryRunner();
      await other.connect();
      await other.startTransaction();
      // The other transaction holds 'dl-b', then wants the externalId createMany holds with 'dl-a'.
      await other.query(
        `INSERT INTO users (tenant_id, user_name, created_by, changed_by) VALUES ($1, 'dl-b', 'scim', 'scim')`,
        [tenantId],
      );
      const racing = createMany(tenantId, [state('dl-a', { externalId: 'dl-x' }), state('dl-b')]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const crossing = other
        .query(
          `INSERT INTO users (tenant_id, user_name, external_id, created_by, changed_by)
           VALUES ($1, 'dl-c', 'dl-x', 'scim', 'scim')`,
          [tenantId],
        )
        .then(
          () => 'inserted',
          () => 'victim',
        );
      const otherFate = await Promise.race([crossing, racing.then(() => 'createMany done first')]);
      // Either PostgreSQL made the other transaction the victim, or createMany (which then ran again).
      if ((await crossing) === 'victim') await other.rollbackTransaction();
      else await other.commitTransaction();
      await other.release();
      const results = await racing;
      const [{ owners }] = await db.dataSource.query(
        `SELECT count(*)::int AS owners FROM users WHERE tenant_id = $1 AND external_id = 'dl-x'`,
        [tenantId],
      );
      expect(owners).toBe(1);
      expect(['victim', 'inserted', 'createMany done first']).toContain(otherFate);
      if ((await crossing) === 'victim') expect(results.map(outcome)).toEqual(['ok', 'ok']);
      else expect(results.map(outcome)).toEqual(['DUPLICATE:externalId', 'DUPLICATE:userName']);
    });
  });
});
