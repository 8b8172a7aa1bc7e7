import { byCodePoint, restoredContent, StoredChange } from './stored-change';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const USER_ID = '5b0e7a43-96a1-4c59-9d3f-2f7c1f0a8e11';
const DEPARTMENT_ID = 'c2a4f3e1-0d7b-4e55-8a9c-61b2d3e4f5a6';

const row = (fields: Partial<StoredChange>): StoredChange => ({
  resourceType: 'user',
  resourceId: USER_ID,
  memberId: null,
  userTypeId: null,
  externalId: null,
  eventType: 'create',
  attributes: [],
  data: null,
  ...fields,
});

describe('restoredContent', () => {
  it("gives a create back its id, its externalId and its values' keys as attribute names", () => {
    const restored = restoredContent(
      row({
        externalId: 'E-1',
        data: {
          userName: 'ada@example.com',
          active: true,
          emails: [{ value: 'ada@example.com' }],
          attributes: { [ENTERPRISE]: { employeeNumber: '7' }, nickName: 'Ada' },
        },
      }),
    );
    expect(restored.data).toEqual({
      id: USER_ID,
      externalId: 'E-1',
      userName: 'ada@example.com',
      active: true,
      emails: [{ value: 'ada@example.com' }],
      attributes: { [ENTERPRISE]: { employeeNumber: '7' }, nickName: 'Ada' },
    });
    expect(restored.attributes).toEqual(['active', 'emails', 'externalId', 'id', 'nickName', ENTERPRISE, 'userName']);
  });

  it('leaves externalId out of a create that had none', () => {
    const restored = restoredContent(
      row({ resourceType: 'department', resourceId: DEPARTMENT_ID, data: { name: 'Sales', active: true } }),
    );
    expect(restored).toEqual({
      attributes: ['active', 'id', 'name'],
      data: { id: DEPARTMENT_ID, name: 'Sales', active: true },
    });
  });

  it('answers a create written before the migration as it is stored', () => {
    const stored = { id: USER_ID, externalId: 'E-1', userName: 'ada@example.com' };
    const restored = restoredContent(
      row({ externalId: 'E-1', attributes: ['externalId', 'id', 'userName'], data: stored }),
    );
    expect(restored).toEqual({ attributes: ['externalId', 'id', 'userName'], data: stored });
  });

  it('gives an assignment its values from its columns, whether it stored them or not', () => {
    const columns = { resourceType: 'assignment', resourceId: DEPARTMENT_ID, memberId: USER_ID, userTypeId: '1' };
    const values = { userId: USER_ID, departmentId: DEPARTMENT_ID, userTypeId: '1' };
    expect(restoredContent(row({ ...columns, eventType: 'delete' }))).toEqual({ attributes: [], data: values });
    expect(restoredContent(row({ ...columns, data: values }))).toEqual({ attributes: [], data: values });
  });

  it('answers a patch, an activation and a delete as stored', () => {
    const patch = row({ eventType: 'patch', attributes: ['familyName'], data: { familyName: 'King' } });
    expect(restoredContent(patch)).toEqual({ attributes: ['familyName'], data: { familyName: 'King' } });
    expect(restoredContent(row({ eventType: 'delete', attributes: null }))).toEqual({ attributes: [], data: null });
  });
});

describe('byCodePoint', () => {
  it('orders as UTF-8 bytes do (PostgreSQL\'s COLLATE "C")', () => {
    const names = ['é', 'a', 'Z', 'ab', '\u{1F600}', '\uFFFD', 'urn:x', '', '\uE000', 'a\u{10000}', 'a\uFFFF'];
    const bytes = [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect([...names].sort(byCodePoint)).toEqual(bytes);
    expect([...names].sort()).not.toEqual(bytes);
  });
});
