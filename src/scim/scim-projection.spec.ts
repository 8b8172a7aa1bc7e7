import { Projection } from './scim-projection';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

const document = {
  schemas: [USER, ENTERPRISE],
  id: '1',
  userName: 'ann',
  name: { givenName: 'Ann', familyName: 'Lee' },
  emails: [
    { value: 'a@x.org', type: 'work' },
    { value: 'b@x.org', type: 'home' },
  ],
  [ENTERPRISE]: { department: 'R&D', employeeNumber: '7' },
  meta: { resourceType: 'User' },
};

describe('Projection', () => {
  it('keeps everything when nothing is named', () => {
    expect(new Projection().apply(document)).toBe(document);
  });

  it('answers id, schemas and the named attributes, names in any case, sub-attributes and extensions', () => {
    const picked = new Projection(['USERNAME', 'name.familyName', 'emails.value', `${ENTERPRISE}:department`]).apply(
      document,
    );
    expect(picked).toEqual({
      schemas: [USER, ENTERPRISE],
      id: '1',
      userName: 'ann',
      name: { familyName: 'Lee' },
      emails: [{ value: 'a@x.org' }, { value: 'b@x.org' }],
      [ENTERPRISE]: { department: 'R&D' },
    });
  });

  it('treats a value filter in a name as the whole attribute', () => {
    expect(new Projection(['emails[type eq "work"]']).apply(document)).toEqual({
      schemas: [USER],
      id: '1',
      emails: document.emails,
    });
  });

  it('drops excluded attributes but never id or schemas, and lists only extensions still present', () => {
    const dropped = new Projection(undefined, ['id', 'emails', ENTERPRISE, 'name.givenName']).apply(document);
    expect(dropped).toEqual({
      schemas: [USER],
      id: '1',
      userName: 'ann',
      name: { familyName: 'Lee' },
      meta: { resourceType: 'User' },
    });
    expect(document.name).toEqual({ givenName: 'Ann', familyName: 'Lee' });
  });

  it('leaves the document it was given as it was, however deep the exclusions reach', () => {
    const before = structuredClone(document);
    const exclusions = [
      ['emails.type'],
      ['emails.type', 'emails.value', 'name.givenName'],
      [`${ENTERPRISE}:department`],
      [`${ENTERPRISE}:department`, `${ENTERPRISE}:employeeNumber`, 'meta'],
      ['EMAILS.TYPE', 'name', 'schemas'],
    ];
    expect(new Projection(undefined, exclusions[0]).apply(document)).toEqual({
      ...before,
      emails: [{ value: 'a@x.org' }, { value: 'b@x.org' }],
    });
    expect(new Projection(undefined, exclusions[2]).apply(document)).toEqual({
      ...before,
      [ENTERPRISE]: { employeeNumber: '7' },
    });
    expect(new Projection(undefined, exclusions[3]).apply(document)).toEqual({
      schemas: [USER],
      id: '1',
      userName: 'ann',
      name: before.name,
      emails: before.emails,
      [ENTERPRISE]: {},
    });
    for (const excluded of exclusions) new Projection(undefined, excluded).apply(document);
    expect(document).toEqual(before);
  });

  it('tells the services which derived attributes to read', () => {
    expect(new Projection().wants('members')).toBe(true);
    expect(new Projection(undefined, ['Members']).wants('members')).toBe(false);
    expect(new Projection(undefined, ['members.display']).wants('members')).toBe(true);
    expect(new Projection(['displayName']).wants('members')).toBe(false);
    expect(new Projection(['members.value']).wants('members')).toBe(true);
  });
});
