import type { UserRow } from '../directory/directory.types';
import { URN_ENTERPRISE_USER, URN_USER } from './schemas';
import { toUserDocument } from './scim-users.mapper';

const created = new Date('2026-01-02T03:04:05.678Z');

function row(overrides: Partial<UserRow> = {}): UserRow {
  return {
    id: 'u1',
    userName: 'ann@example.com',
    externalId: 'ext-1',
    givenName: 'Ann',
    middleName: null,
    familyName: 'Lee',
    displayName: 'Ann Lee',
    emails: [{ value: 'ann@example.com', type: 'work', primary: true }],
    phoneNumber: null,
    active: true,
    attributes: {},
    version: 3,
    createdOn: created,
    updatedOn: created,
    ...overrides,
  } as UserRow;
}

describe('toUserDocument', () => {
  it('answers the members in the order clients see, meta last', () => {
    const document = toUserDocument(row(), 'https://h/scim/v2', [{ id: 'g1', display: 'G1' }]);
    expect(Object.keys(document)).toEqual([
      'schemas',
      'id',
      'externalId',
      'userName',
      'name',
      'displayName',
      'active',
      'emails',
      'groups',
      'meta',
    ]);
    expect(document.meta).toEqual({
      resourceType: 'User',
      created: '2026-01-02T03:04:05.678Z',
      lastModified: '2026-01-02T03:04:05.678Z',
      location: 'https://h/scim/v2/Users/u1',
      version: 'W/"3"',
    });
    expect(document.groups).toEqual([
      { value: 'g1', $ref: 'https://h/scim/v2/Groups/g1', display: 'G1', type: 'direct' },
    ]);
  });

  it('leaves out what the row does not hold, and keeps stored attributes after the columns', () => {
    const updatedOn = new Date('2026-03-04T05:06:07.089Z');
    const document = toUserDocument(
      row({
        externalId: null,
        givenName: null,
        familyName: null,
        displayName: null,
        emails: [],
        phoneNumber: '+1 555',
        updatedOn,
        attributes: { title: 'Boss', [URN_ENTERPRISE_USER]: { department: 'R&D' }, password: 'hidden' },
      }),
      'https://h/scim/v2',
    );
    expect(JSON.stringify(document)).toBe(
      JSON.stringify({
        schemas: [URN_USER, URN_ENTERPRISE_USER],
        id: 'u1',
        userName: 'ann@example.com',
        active: true,
        phoneNumbers: [{ value: '+1 555', type: 'work', primary: true }],
        title: 'Boss',
        [URN_ENTERPRISE_USER]: { department: 'R&D' },
        meta: {
          resourceType: 'User',
          created: '2026-01-02T03:04:05.678Z',
          lastModified: '2026-03-04T05:06:07.089Z',
          location: 'https://h/scim/v2/Users/u1',
          version: 'W/"3"',
        },
      }),
    );
  });

  it('keeps a stored `__proto__` member as data, not as a prototype', () => {
    const attributes = JSON.parse('{"__proto__": {"polluted": true}, "nickName": "A"}') as Record<string, unknown>;
    const document = toUserDocument(row({ attributes }), 'https://h/scim/v2');
    expect(Object.getPrototypeOf(document)).toBe(Object.prototype);
    expect((document as { polluted?: unknown }).polluted).toBeUndefined();
    expect(JSON.stringify(document)).toContain('"__proto__":{"polluted":true},"nickName":"A"');
  });
});
