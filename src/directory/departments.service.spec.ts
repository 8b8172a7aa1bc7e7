import { DataSource } from 'typeorm';
import { openTestDataSource, serverUrl } from '../../test/support/test-database';
import { DomainError } from '../common/domain-error';
import { DepartmentsRepository } from './departments.repository';
import { DepartmentsService } from './departments.service';
import { DepartmentInput, DepartmentRecord, ItemResult } from './directory.types';

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

describe('DepartmentsService (real PostgreSQL)', () => {
  let db: { dataSource: DataSource; close(): Promise<void> };
  const service = new DepartmentsService(new DepartmentsRepository());

  const upsert = (tenantId: string, items: DepartmentInput[]) =>
    db.dataSource.transaction((em) => service.upsertMany(em, tenantId, items));

  async function stored(tenantId: string, externalId: string) {
    const rows: {
      id: string;
      name: string;
      parent_id: string | null;
      active: boolean;
      updated_on: Date;
    }[] = await db.dataSource.query(
      'SELECT id, name, parent_id, active, updated_on FROM departments WHERE tenant_id = $1 AND external_id = $2',
      [tenantId, externalId],
    );
    return rows[0];
  }

  beforeAll(async () => {
    db = await openTestDataSource();
    await db.dataSource.query(`INSERT INTO tenants (id, name) VALUES ('t1', 'One'), ('t2', 'Two')`);
    await db.dataSource.query(
      `INSERT INTO user_types (tenant_id, id, name) VALUES ('t1', '1', 'Member'), ('t2', '1', 'Member')`,
    );
  });

  afterAll(async () => {
    await db?.close();
  });

  it('creates, then updates keeping absent fields', async () => {
    const [created] = await upsert('t1', [{ externalId: 'basic', name: 'Basic' }]);
    expect(created).toMatchObject({ ok: true, action: 'CREATE' });
    expect(value(created)).toMatchObject({
      externalId: 'basic',
      name: 'Basic',
      active: true,
      parentId: null,
      parentExternalId: null,
    });

    const [updated] = await upsert('t1', [{ externalId: 'basic', active: false }]);
    expect(updated).toMatchObject({ ok: true, action: 'UPDATE' });
    expect(value(updated)).toMatchObject({ id: value(created).id, name: 'Basic', active: false });
    expect(value(updated).updatedOn.getTime()).toBeGreaterThanOrEqual(value(created).updatedOn.getTime());
  });

  it('works without a caller transaction by opening its own', async () => {
    const [result] = await service.upsertMany(db.dataSource.manager, 't1', [{ externalId: 'no-tx', name: 'No tx' }]);
    expect(result.ok).toBe(true);
    expect(await stored('t1', 'no-tx')).toBeDefined();
  });

  it('fails a create without a name and writes the others', async () => {
    const results = await upsert('t1', [
      { externalId: 'named-1', name: 'Named' },
      { externalId: 'nameless' },
      { externalId: 'named-2', name: 'Named too' },
    ]);
    expect(results.map((result) => result.ok)).toEqual([true, false, true]);
    expect(failure(results[1])).toMatchObject({ code: 'VALIDATION', details: [{ field: 'name' }] });
    expect(await stored('t1', 'nameless')).toBeUndefined();
    expect(await stored('t1', 'named-2')).toBeDefined();
  });

  it('writes parents before children whatever the input order', async () => {
    const results = await upsert('t1', [
      { externalId: 'rev-c', name: 'C', parentExternalId: 'rev-b' },
      { externalId: 'rev-b', name: 'B', parentExternalId: 'rev-a' },
      { externalId: 'rev-a', name: 'A', parentExternalId: null },
    ]);
    const [c, b, a] = results.map(value);
    expect(a.parentId).toBeNull();
    expect(b).toMatchObject({ parentId: a.id, parentExternalId: 'rev-a' });
    expect(c).toMatchObject({ parentId: b.id, parentExternalId: 'rev-b' });
  });

  it('keeps the parent when parentExternalId is absent and makes a root on null', async () => {
    await upsert('t1', [
      { externalId: 'keep-p', name: 'P' },
      { externalId: 'keep-c', name: 'C', parentExternalId: 'keep-p' },
    ]);
    const [kept] = await upsert('t1', [{ externalId: 'keep-c', name: 'C renamed' }]);
    expect(value(kept)).toMatchObject({ name: 'C renamed', parentExternalId: 'keep-p' });
    const [root] = await upsert('t1', [{ externalId: 'keep-c', parentExternalId: null }]);
    expect(value(root)).toMatchObject({
      name: 'C renamed',
      parentId: null,
      parentExternalId: null,
    });
  });

  it('answers NOT_FOUND for an unknown parent, and for a child of that failed item', async () => {
    const results = await upsert('t1', [
      { externalId: 'orphan', name: 'Orphan', parentExternalId: 'nowhere' },
      { externalId: 'orphan-child', name: 'Child', parentExternalId: 'orphan' },
      { externalId: 'fine', name: 'Fine' },
    ]);
    expect(failure(results[0])).toMatchObject({
      code: 'NOT_FOUND',
      message: 'Parent department not found: nowhere',
      details: [{ field: 'parentExternalId', path: 'parentExternalId' }],
    });
    expect(failure(results[1]).message).toBe('Parent department not found: orphan');
    expect(results[2].ok).toBe(true);
    expect(await stored('t1', 'orphan')).toBeUndefined();
  });

  it('fails the items of a cycle with VALIDATION and writes the rest', async () => {
    const results = await upsert('t1', [
      { externalId: 'self', name: 'Self', parentExternalId: 'self' },
      { externalId: 'cyc-a', name: 'A', parentExternalId: 'cyc-b' },
      { externalId: 'cyc-b', name: 'B', parentExternalId: 'cyc-a' },
      { externalId: 'cyc-ok', name: 'Ok', parentExternalId: null },
    ]);
    expect(results.map((result) => (result.ok ? 'ok' : result.error.code))).toEqual([
      'VALIDATION',
      'VALIDATION',
      'VALIDATION',
      'ok',
    ]);
    expect(failure(results[0]).message).toContain('own parent');
    expect(await stored('t1', 'cyc-a')).toBeUndefined();
  });

  it('refuses a cycle made together with the stored tree', async () => {
    await upsert('t1', [
      { externalId: 'tree-r', name: 'R' },
      { externalId: 'tree-s', name: 'S', parentExternalId: 'tree-r' },
      { externalId: 'tree-t', name: 'T', parentExternalId: 'tree-s' },
    ]);
    const results = await upsert('t1', [
      { externalId: 'tree-r', parentExternalId: 'tree-t' },
      { externalId: 'tree-new', name: 'New', parentExternalId: 'tree-t' },
    ]);
    expect(failure(results[0])).toMatchObject({
      code: 'VALIDATION',
      details: [{ field: 'parentExternalId' }],
    });
    expect(value(results[1]).parentExternalId).toBe('tree-t');
    expect((await stored('t1', 'tree-r')).parent_id).toBeNull();
  });

  it('cascades active to every descendant, both ways, and stops at a nested cascade', async () => {
    await upsert('t1', [
      { externalId: 'cas-1', name: 'L1' },
      { externalId: 'cas-2', name: 'L2', parentExternalId: 'cas-1' },
      { externalId: 'cas-3', name: 'L3', parentExternalId: 'cas-2' },
      { externalId: 'cas-4', name: 'L4', parentExternalId: 'cas-3' },
      { externalId: 'cas-side', name: 'Side' },
    ]);
    const before = await stored('t1', 'cas-4');
    await upsert('t1', [{ externalId: 'cas-1', active: false, cascadeToChildren: true }]);
    for (const level of ['cas-1', 'cas-2', 'cas-3', 'cas-4']) {
      expect((await stored('t1', level)).active).toBe(false);
    }
    expect((await stored('t1', 'cas-side')).active).toBe(true);
    expect((await stored('t1', 'cas-4')).updated_on.getTime()).toBeGreaterThan(before.updated_on.getTime());

    const results = await upsert('t1', [
      { externalId: 'cas-1', active: true, cascadeToChildren: true },
      { externalId: 'cas-3', active: false, cascadeToChildren: true },
    ]);
    expect((await stored('t1', 'cas-2')).active).toBe(true);
    expect((await stored('t1', 'cas-3')).active).toBe(false);
    expect((await stored('t1', 'cas-4')).active).toBe(false);
    expect(results.map((result) => value(result).active)).toEqual([true, false]);

    await upsert('t1', [{ externalId: 'cas-1', active: true, cascadeToChildren: true }]);
    expect((await stored('t1', 'cas-4')).active).toBe(true);
  });

  it('applies a repeated externalId after the earlier item, as if one by one', async () => {
    const results = await upsert('t1', [
      { externalId: 'rep', name: 'First' },
      { externalId: 'rep-child', name: 'Child', parentExternalId: 'rep' },
      { externalId: 'rep', name: 'Second', active: false },
    ]);
    expect(results.map((result) => result.ok && result.action)).toEqual(['CREATE', 'CREATE', 'UPDATE']);
    expect(value(results[2]).id).toBe(value(results[0]).id);
    expect(await stored('t1', 'rep')).toMatchObject({ name: 'Second', active: false });
  });

  it('writes a tree larger than one statement, children listed first', async () => {
    const count = 1200;
    const items: DepartmentInput[] = Array.from({ length: count }, (_, i) => ({
      externalId: `big-${i}`,
      name: `Big ${i}`,
      parentExternalId: i === 0 ? null : `big-${Math.floor((i - 1) / 2)}`,
    })).reverse();
    const results = await upsert('t1', items);
    expect(results.every((result) => result.ok)).toBe(true);
    const byExternalId = new Map(results.map((result) => [value(result).externalId, value(result)]));
    expect(byExternalId.get('big-1199')?.parentId).toBe(byExternalId.get('big-599')?.id);
    const [{ count: linked }] = await db.dataSource.query(
      `SELECT count(*)::int AS count FROM departments c JOIN departments p ON p.id = c.parent_id
        WHERE c.tenant_id = 't1' AND c.external_id LIKE 'big-%' AND p.external_id LIKE 'big-%'`,
    );
    expect(linked).toBe(count - 1);
  });

  it('keeps tenants apart', async () => {
    const [one] = await upsert('t1', [{ externalId: 'shared', name: 'One' }]);
    const [two] = await upsert('t2', [{ externalId: 'shared', name: 'Two' }]);
    expect(two).toMatchObject({ ok: true, action: 'CREATE' });
    expect(value(two).id).not.toBe(value(one).id);
    const [child] = await upsert('t2', [{ externalId: 'x', name: 'X', parentExternalId: 'rev-a' }]);
    expect(failure(child).code).toBe('NOT_FOUND');
    const [reused] = await upsert('t2', [{ externalId: 'shared', name: 'Two again' }]);
    expect(value(reused).id).toBe(value(two).id);
    expect((await stored('t1', 'shared')).name).toBe('One');
  });

  it('deletes: missing is NOT_FOUND, children become roots, assignments go', async () => {
    const [parent] = await upsert('t1', [
      { externalId: 'del-p', name: 'P' },
      { externalId: 'del-c', name: 'C', parentExternalId: 'del-p' },
    ]);
    await db.dataSource.query(
      `INSERT INTO users (id, tenant_id, user_name, created_by, changed_by)
       VALUES ('00000000-0000-4000-8000-000000000001', 't1', 'del-user', 'batch', 'batch')`,
    );
    await db.dataSource.query(
      `INSERT INTO assignments (user_id, department_id, user_type_id, tenant_id)
       VALUES ('00000000-0000-4000-8000-000000000001', $1, '1', 't1')`,
      [value(parent).id],
    );
    const results = await db.dataSource.transaction((em) =>
      service.deleteMany(em, 't1', ['del-p', 'missing', 'del-p']),
    );
    expect(results[0]).toEqual({
      ok: true,
      action: 'DELETE',
      value: { id: value(parent).id, externalId: 'del-p' },
    });
    expect(failure(results[1])).toMatchObject({
      code: 'NOT_FOUND',
      message: 'Department not found: missing',
    });
    expect(failure(results[2]).code).toBe('NOT_FOUND');
    expect((await stored('t1', 'del-c')).parent_id).toBeNull();
    const [{ count }] = await db.dataSource.query(
      `SELECT count(*)::int AS count FROM assignments WHERE department_id = $1`,
      [value(parent).id],
    );
    expect(count).toBe(0);
  });

  it('never deletes another tenant’s department', async () => {
    await upsert('t2', [{ externalId: 'only-t2', name: 'T2' }]);
    const [result] = await db.dataSource.transaction((em) => service.deleteMany(em, 't1', ['only-t2']));
    expect(failure(result).code).toBe('NOT_FOUND');
    expect(await stored('t2', 'only-t2')).toBeDefined();
  });

  withServer('updates a department a concurrent writer created meanwhile, and links its new child to it', async () => {
    const other = db.dataSource.createQueryRunner();
    await other.connect();
    await other.startTransaction();
    const [winner]: { id: string }[] = await other.query(
      `INSERT INTO departments (tenant_id, external_id, name) VALUES ('t1', 'race', 'Other writer') RETURNING id`,
    );
    // Reads nothing yet, so it plans a create; its insert waits on the winner's externalId.
    const racing = upsert('t1', [
      { externalId: 'race-ok-1', name: 'Ok' },
      { externalId: 'race', name: 'Mine' },
      { externalId: 'race-child', name: 'Child', parentExternalId: 'race' },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await other.commitTransaction();
    await other.release();
    const results = await racing;
    expect(results.map((result) => (result.ok ? result.action : result.error.code))).toEqual([
      'CREATE',
      'UPDATE',
      'CREATE',
    ]);
    expect(value(results[1]).id).toBe(winner.id);
    expect(await stored('t1', 'race')).toMatchObject({ id: winner.id, name: 'Mine' });
    expect(await stored('t1', 'race-child')).toMatchObject({ parent_id: winner.id });
    expect(await stored('t1', 'race-ok-1')).toBeDefined();
  });

  it('fails only the row whose value does not fit its column, children of it included', async () => {
    const results = await upsert('t1', [
      { externalId: 'wide-ok', name: 'Ok' },
      { externalId: 'wide', name: 'x'.repeat(300) },
      { externalId: 'wide-child', name: 'Child', parentExternalId: 'wide' },
    ]);
    expect(results.map((result) => (result.ok ? 'ok' : result.error.code))).toEqual(['ok', 'VALIDATION', 'NOT_FOUND']);
    expect(await stored('t1', 'wide')).toBeUndefined();
    expect(await stored('t1', 'wide-child')).toBeUndefined();
    expect(await stored('t1', 'wide-ok')).toBeDefined();
  });

  it('records what was applied: a result per item, in input order', async () => {
    const results: ItemResult<DepartmentRecord>[] = await upsert('t1', [
      { externalId: 'order-b', name: 'B', parentExternalId: 'order-a' },
      { externalId: 'order-a', name: 'A' },
    ]);
    expect(results.map((result) => value(result).externalId)).toEqual(['order-b', 'order-a']);
  });
});
