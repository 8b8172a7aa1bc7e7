import { URN_ENTERPRISE_USER, URN_GROUP, URN_PATCH_OP, URN_USER } from '../schemas/scim.urns';
import { ScimDocument } from '../schemas/schema.types';
import { ScimError, ScimType } from '../scim.errors';
import { applyPatch, parsePatchBody, PatchResult } from './patch';

const patch = (...Operations: unknown[]) => ({ schemas: [URN_PATCH_OP], Operations });

function user(extra: ScimDocument = {}): ScimDocument {
  return {
    schemas: [URN_USER, URN_ENTERPRISE_USER],
    id: 'u-1',
    externalId: 'ext-1',
    userName: 'ada@example.com',
    name: { givenName: 'Ada', familyName: 'Lovelace' },
    displayName: 'Ada Lovelace',
    emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
    active: true,
    [URN_ENTERPRISE_USER]: { employeeNumber: '1', manager: { value: 'm-1', displayName: 'Boss' } },
    meta: { resourceType: 'User' },
    ...extra,
  };
}

const group = (extra: ScimDocument = {}): ScimDocument => ({
  schemas: [URN_GROUP],
  id: 'g-1',
  displayName: 'Engineering',
  ...extra,
});

const patchUser = (document: ScimDocument, ...operations: unknown[]): ScimDocument =>
  applyPatch('User', document, patch(...operations)).document;

const patchGroup = (document: ScimDocument, ...operations: unknown[]): PatchResult =>
  applyPatch('Group', document, patch(...operations));

function scimErrorOf(action: () => unknown): ScimError {
  try {
    action();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
  throw new Error('expected a ScimError');
}

function expectScimError(action: () => unknown, scimType: ScimType, status = 400): void {
  const error = scimErrorOf(action);
  expect({ status: error.status, scimType: error.scimType }).toEqual({ status, scimType });
}

describe('parsePatchBody', () => {
  it('accepts any casing of op and of the Operations key', () => {
    const body = {
      schemas: [URN_PATCH_OP.toUpperCase()],
      operations: [{ op: 'Add' }, { OP: 'REPLACE' }, { op: 'Remove' }],
    };
    expect(parsePatchBody(body).map((operation) => operation.op)).toEqual(['add', 'replace', 'remove']);
  });

  it.each([
    ['a non-object body', []],
    ['a missing schemas', { Operations: [{ op: 'add', value: {} }] }],
    ['another schema', { schemas: [URN_USER], Operations: [{ op: 'add', value: {} }] }],
    ['schemas that is not an array', { schemas: URN_PATCH_OP, Operations: [{ op: 'add', value: {} }] }],
    ['missing Operations', { schemas: [URN_PATCH_OP] }],
    ['empty Operations', { schemas: [URN_PATCH_OP], Operations: [] }],
    ['an operation that is not an object', { schemas: [URN_PATCH_OP], Operations: ['add'] }],
    ['an unknown op', { schemas: [URN_PATCH_OP], Operations: [{ op: 'merge', value: {} }] }],
    ['a missing op', { schemas: [URN_PATCH_OP], Operations: [{ path: 'active', value: true }] }],
  ])('refuses %s with invalidSyntax', (_, body) => {
    expectScimError(() => applyPatch('User', user(), body), 'invalidSyntax');
  });

  it('refuses a path that is not a string with invalidPath', () => {
    expectScimError(() => parsePatchBody(patch({ op: 'remove', path: 42 })), 'invalidPath');
  });

  it('treats a blank path as no path', () => {
    expect(parsePatchBody(patch({ op: 'add', path: ' ', value: { title: 'x' } }))).toEqual([
      { op: 'add', value: { title: 'x' } },
    ]);
  });
});

describe('applyPatch on a User: singular attributes', () => {
  it('does not change the input document', () => {
    const input = user();
    const snapshot = structuredClone(input);
    patchUser(
      input,
      { op: 'replace', path: 'name.givenName', value: 'Augusta' },
      { op: 'add', path: 'emails', value: [{ value: 'home@example.com', type: 'home', primary: true }] },
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'new@example.com' },
      { op: 'remove', path: `${URN_ENTERPRISE_USER}:manager` },
      { op: 'replace', value: { active: false, displayName: 'A' } },
    );
    expect(input).toEqual(snapshot);
  });

  it('coerces string booleans by the schema type (Entra ID: "False")', () => {
    expect(patchUser(user(), { op: 'Replace', path: 'active', value: 'False' }).active).toBe(false);
    expect(patchUser(user({ active: false }), { op: 'replace', path: 'ACTIVE', value: 'True' }).active).toBe(true);
  });

  it("applies Okta's no-path replace of active", () => {
    expect(patchUser(user(), { op: 'replace', value: { active: false } }).active).toBe(false);
  });

  it('refuses a value of the wrong type with invalidValue', () => {
    expectScimError(() => patchUser(user(), { op: 'replace', path: 'active', value: 'maybe' }), 'invalidValue');
    expectScimError(() => patchUser(user(), { op: 'replace', path: 'name', value: 'Ada' }), 'invalidValue');
    expectScimError(() => patchUser(user(), { op: 'replace', path: 'userName', value: { a: 1 } }), 'invalidValue');
    expectScimError(() => patchUser(user(), { op: 'add', path: 'emails', value: 'a@b.c' }), 'invalidValue');
    expectScimError(
      () => patchUser(user(), { op: 'replace', path: 'emails[type eq "work"]', value: 'x' }),
      'invalidValue',
    );
  });

  it('names attributes in the schema case', () => {
    const result = patchUser(
      user(),
      { op: 'add', path: 'NICKNAME', value: 'Countess' },
      { op: 'replace', path: 'Name.GivenName', value: 'A' },
    );
    expect(result.nickName).toBe('Countess');
    expect(result.name).toEqual({ givenName: 'A', familyName: 'Lovelace' });
  });

  it('replaces and removes a sub-attribute of a complex attribute', () => {
    expect(patchUser(user(), { op: 'replace', path: 'name.givenName', value: 'Augusta' }).name).toEqual({
      givenName: 'Augusta',
      familyName: 'Lovelace',
    });
    expect(patchUser(user(), { op: 'remove', path: 'name.givenName' }).name).toEqual({ familyName: 'Lovelace' });
    expect(
      patchUser(user(), { op: 'remove', path: 'name.givenName' }, { op: 'remove', path: 'name.familyName' }),
    ).not.toHaveProperty('name');
  });

  it('merges a complex value on add and replace, leaving sub-attributes it does not name', () => {
    const added = patchUser(user(), { op: 'add', path: 'name', value: { middleName: 'King' } });
    expect(added.name).toEqual({ givenName: 'Ada', familyName: 'Lovelace', middleName: 'King' });
    const replaced = patchUser(user(), { op: 'replace', value: { name: { givenName: 'A' } } });
    expect(replaced.name).toEqual({ givenName: 'A', familyName: 'Lovelace' });
  });

  it('removes a singular attribute, and treats a null value as removal', () => {
    expect(patchUser(user(), { op: 'remove', path: 'displayName' })).not.toHaveProperty('displayName');
    expect(patchUser(user(), { op: 'replace', path: 'displayName', value: null })).not.toHaveProperty('displayName');
    expect(patchUser(user(), { op: 'replace', value: { externalId: null } })).not.toHaveProperty('externalId');
  });

  it('refuses a remove without a path with noTarget', () => {
    expectScimError(() => patchUser(user(), { op: 'remove' }), 'noTarget');
    expectScimError(() => patchUser(user(), { op: 'remove', value: { active: true } }), 'noTarget');
  });

  it('refuses add/replace without a value', () => {
    expectScimError(() => patchUser(user(), { op: 'replace', path: 'title' }), 'invalidValue');
    expectScimError(() => patchUser(user(), { op: 'add' }), 'invalidValue');
    expectScimError(() => patchUser(user(), { op: 'add', value: ['x'] }), 'invalidValue');
  });

  it('refuses paths that do not parse with invalidPath', () => {
    expectScimError(
      () => patchUser(user(), { op: 'replace', path: 'emails[type eq "work"', value: 'x' }),
      'invalidPath',
    );
    expectScimError(() => patchUser(user(), { op: 'replace', path: 'a b c', value: 'x' }), 'invalidPath');
    expectScimError(() => patchUser(user(), { op: 'replace', path: 'userName.first', value: 'x' }), 'invalidPath');
    expectScimError(() => patchUser(user(), { op: 'replace', path: 'title[value eq "x"]', value: 'x' }), 'invalidPath');
    expectScimError(
      () => patchUser(user(), { op: 'replace', path: `${URN_GROUP}:displayName`, value: 'x' }),
      'invalidPath',
    );
    expectScimError(() => patchUser(user(), { op: 'remove', path: 'emails[primary gt true]' }), 'invalidPath');
  });

  it.each(['id', 'meta', 'meta.lastModified', 'groups', 'schemas', `${URN_ENTERPRISE_USER}:manager.displayName`])(
    'refuses %s as a path target with mutability',
    (path) => {
      expectScimError(() => patchUser(user(), { op: 'replace', path, value: 'x' }), 'mutability');
      expectScimError(() => patchUser(user(), { op: 'remove', path }), 'mutability');
    },
  );

  it('ignores a no-path id equal to the resource id, and refuses a different one with mutability', () => {
    const result = patchUser(user(), { op: 'replace', value: { id: 'u-1', userName: 'lovelace@example.com' } });
    expect(result).toMatchObject({ id: 'u-1', userName: 'lovelace@example.com' });
    expectScimError(() => patchUser(user(), { op: 'replace', value: { id: 'u-2' } }), 'mutability');
  });

  it('ignores schemas and meta echoed in a no-path value', () => {
    const result = patchUser(user(), {
      op: 'replace',
      value: { schemas: ['x'], meta: { version: 'W/"1"' }, title: 'Dr' },
    });
    expect(result.meta).toEqual({ resourceType: 'User' });
    expect(result.schemas).toEqual([URN_USER, URN_ENTERPRISE_USER]);
    expect(result.title).toBe('Dr');
  });

  it('refuses removing userName with invalidValue', () => {
    expectScimError(() => patchUser(user(), { op: 'remove', path: 'userName' }), 'invalidValue');
    expectScimError(() => patchUser(user(), { op: 'replace', path: 'userName', value: '  ' }), 'invalidValue');
  });

  it('keeps attributes the schema does not know, as given', () => {
    const result = patchUser(
      user({ tags: ['a'] }),
      { op: 'add', path: 'favouriteColour', value: 'green' },
      { op: 'add', value: { 'some key': { nested: true } } },
      { op: 'add', path: 'tags', value: 'b' },
      { op: 'replace', path: 'name.nickname2', value: 'Addie' },
    );
    expect(result).toMatchObject({
      favouriteColour: 'green',
      'some key': { nested: true },
      tags: ['a', 'b'],
      name: { givenName: 'Ada', familyName: 'Lovelace', nickname2: 'Addie' },
    });
    expect(patchUser(result, { op: 'remove', path: 'FavouriteColour' })).not.toHaveProperty('favouriteColour');
  });

  it('keeps attributes of schemas that are not ours under their full name', () => {
    const result = patchUser(user(), { op: 'add', path: 'urn:example:custom:2.0:User:badge', value: 'B7' });
    expect(result['urn:example:custom:2.0:User:badge']).toBe('B7');
    const noPath = patchUser(user(), { op: 'add', value: { 'urn:example:custom:2.0:User': { badge: 'B8' } } });
    expect(noPath['urn:example:custom:2.0:User']).toEqual({ badge: 'B8' });
  });

  it('leaves an unknown attribute alone when a value filter on it matches nothing', () => {
    expect(patchUser(user({ note: 'x' }), { op: 'remove', path: 'note[value eq "y"]' }).note).toBe('x');
  });

  it('keeps password in the document (the caller strips it)', () => {
    expect(patchUser(user(), { op: 'replace', path: 'password', value: 'secret' }).password).toBe('secret');
  });
});

describe('applyPatch on a User: Entra ID no-path values with path keys', () => {
  it('applies dotted, URN and value-path keys as paths', () => {
    const result = patchUser(user(), {
      op: 'Add',
      value: {
        'name.givenName': 'x',
        [`${URN_ENTERPRISE_USER}:employeeNumber`]: '7',
        'emails[type eq "work"].value': 'a@b.c',
        'phoneNumbers[type eq "mobile"].value': '+44 1',
      },
    });
    expect(result.name).toEqual({ givenName: 'x', familyName: 'Lovelace' });
    expect(result[URN_ENTERPRISE_USER]).toMatchObject({ employeeNumber: '7' });
    expect(result.emails).toEqual([{ value: 'a@b.c', type: 'work', primary: true }]);
    expect(result.phoneNumbers).toEqual([{ type: 'mobile', value: '+44 1' }]);
  });

  it('refuses a no-path key that looks like a broken value path', () => {
    expectScimError(() => patchUser(user(), { op: 'add', value: { 'emails[type eq': 'x' } }), 'invalidPath');
  });

  it('accepts the extension as a nested object in a no-path value', () => {
    const result = patchUser(user(), {
      op: 'replace',
      value: { [URN_ENTERPRISE_USER]: { department: 'R&D', manager: 'm-2' } },
    });
    expect(result[URN_ENTERPRISE_USER]).toEqual({ employeeNumber: '1', department: 'R&D', manager: { value: 'm-2' } });
  });
});

describe('applyPatch on a User: the enterprise extension', () => {
  const ext = (document: ScimDocument) => document[URN_ENTERPRISE_USER];

  it('sets and removes attributes by URN path', () => {
    const result = patchUser(user(), { op: 'replace', path: `${URN_ENTERPRISE_USER}:employeeNumber`, value: '42' });
    expect(ext(result)).toMatchObject({ employeeNumber: '42' });
    const removed = patchUser(user(), { op: 'remove', path: `${URN_ENTERPRISE_USER.toLowerCase()}:EmployeeNumber` });
    expect(ext(removed)).toEqual({ manager: { value: 'm-1', displayName: 'Boss' } });
  });

  it.each([
    ['an object', { value: 'm-2' }],
    ['an array', [{ value: 'm-2' }]],
    ['a bare string', 'm-2'],
  ])('sets manager given as %s', (_, value) => {
    const result = patchUser(user(), { op: 'replace', path: `${URN_ENTERPRISE_USER}:manager`, value });
    expect(ext(result)).toEqual({ employeeNumber: '1', manager: { value: 'm-2' } });
  });

  it('sets manager.value, dropping the stale displayName of the previous manager', () => {
    const result = patchUser(user(), { op: 'add', path: `${URN_ENTERPRISE_USER}:manager.value`, value: 'm-3' });
    expect(ext(result)).toEqual({ employeeNumber: '1', manager: { value: 'm-3' } });
  });

  it('removes manager, and the extension object and its schema URN once it is empty', () => {
    const result = patchUser(
      user(),
      { op: 'remove', path: `${URN_ENTERPRISE_USER}:manager` },
      { op: 'remove', path: `${URN_ENTERPRISE_USER}:employeeNumber` },
    );
    expect(result).not.toHaveProperty(URN_ENTERPRISE_USER);
    expect(result.schemas).toEqual([URN_USER]);
  });

  it.each([[''], [{ value: '' }], [null], [[]]])('treats manager %j as unassigned', (value) => {
    const result = patchUser(user(), { op: 'replace', path: `${URN_ENTERPRISE_USER}:manager`, value });
    expect(ext(result)).toEqual({ employeeNumber: '1' });
  });

  it('leaves manager alone on an empty complex value', () => {
    const result = patchUser(user(), { op: 'replace', path: `${URN_ENTERPRISE_USER}:manager`, value: {} });
    expect(ext(result)).toEqual(user()[URN_ENTERPRISE_USER]);
  });

  it('adds the extension and its URN to a user that had none', () => {
    const plain = user();
    delete plain[URN_ENTERPRISE_USER];
    plain.schemas = [URN_USER];
    const result = patchUser(plain, { op: 'add', path: `${URN_ENTERPRISE_USER}:department`, value: 'Sales' });
    expect(result.schemas).toEqual([URN_USER, URN_ENTERPRISE_USER]);
    expect(ext(result)).toEqual({ department: 'Sales' });
    expect(patchUser(plain, { op: 'add', path: `${URN_ENTERPRISE_USER}:manager`, value: '' })).not.toHaveProperty(
      URN_ENTERPRISE_USER,
    );
  });

  it('takes the extension URN itself as a path', () => {
    const replaced = patchUser(user(), { op: 'replace', path: URN_ENTERPRISE_USER, value: { costCenter: 'CC1' } });
    expect(ext(replaced)).toMatchObject({ employeeNumber: '1', costCenter: 'CC1' });
    expect(patchUser(user(), { op: 'remove', path: URN_ENTERPRISE_USER })).not.toHaveProperty(URN_ENTERPRISE_USER);
    expectScimError(() => patchUser(user(), { op: 'add', path: URN_ENTERPRISE_USER, value: 'x' }), 'invalidValue');
  });
});

describe('applyPatch on a User: multi-valued attributes', () => {
  const twoEmails = () =>
    user({
      emails: [
        { value: 'work@example.com', type: 'work', primary: true },
        { value: 'home@example.com', type: 'home' },
      ],
    });

  it('appends on add, wrapping a single object', () => {
    const result = patchUser(user(), { op: 'add', path: 'emails', value: { value: 'home@example.com', type: 'home' } });
    expect(result.emails).toEqual([
      { value: 'ada@example.com', type: 'work', primary: true },
      { value: 'home@example.com', type: 'home' },
    ]);
  });

  it('does not duplicate an element equal by value (any case) and type; the new value wins', () => {
    const result = patchUser(user(), {
      op: 'add',
      path: 'emails',
      value: [{ value: 'ADA@example.com', type: 'work' }],
    });
    expect(result.emails).toEqual([{ value: 'ADA@example.com', type: 'work', primary: true }]);
    const otherType = patchUser(user(), {
      op: 'add',
      path: 'emails',
      value: [{ value: 'ada@example.com', type: 'home' }],
    });
    expect(otherType.emails).toHaveLength(2);
  });

  it('gives primary to the element that claims it and takes it from the others', () => {
    const added = patchUser(user(), {
      op: 'add',
      path: 'emails',
      value: [{ value: 'home@example.com', type: 'home', primary: 'true' }],
    });
    expect(added.emails).toEqual([
      { value: 'ada@example.com', type: 'work', primary: false },
      { value: 'home@example.com', type: 'home', primary: true },
    ]);
    const viaPath = patchUser(twoEmails(), { op: 'replace', path: 'emails[type eq "home"].primary', value: true });
    expect(viaPath.emails).toEqual([
      { value: 'work@example.com', type: 'work', primary: false },
      { value: 'home@example.com', type: 'home', primary: true },
    ]);
  });

  it('replaces the whole attribute without a filter', () => {
    const result = patchUser(twoEmails(), { op: 'replace', path: 'emails', value: [{ value: 'only@example.com' }] });
    expect(result.emails).toEqual([{ value: 'only@example.com' }]);
    expect(patchUser(twoEmails(), { op: 'replace', path: 'emails', value: [] })).not.toHaveProperty('emails');
  });

  it('replaces a sub-attribute on every matching element', () => {
    const document = user({
      emails: [
        { value: 'a@example.com', type: 'work' },
        { value: 'b@example.com', type: 'WORK' },
        { value: 'c@example.com', type: 'home' },
      ],
    });
    const result = patchUser(document, { op: 'replace', path: 'emails[type eq "work"].display', value: 'Work' });
    expect(result.emails).toEqual([
      { value: 'a@example.com', type: 'work', display: 'Work' },
      { value: 'b@example.com', type: 'WORK', display: 'Work' },
      { value: 'c@example.com', type: 'home' },
    ]);
  });

  it('adds an element when a value path with `sub eq "v"` matches nothing (Entra ID)', () => {
    const result = patchUser(twoEmails(), {
      op: 'Replace',
      path: 'emails[type eq "other"].value',
      value: 'other@example.com',
    });
    expect(result.emails).toEqual([
      { value: 'work@example.com', type: 'work', primary: true },
      { value: 'home@example.com', type: 'home' },
      { type: 'other', value: 'other@example.com' },
    ]);
    const noEmails = user();
    delete noEmails.emails;
    expect(patchUser(noEmails, { op: 'replace', path: 'emails[type eq "work"].value', value: 'x@y.z' }).emails).toEqual(
      [{ type: 'work', value: 'x@y.z' }],
    );
  });

  it('builds the new element from `and`-joined eq conditions, typed by the schema', () => {
    const result = patchUser(user(), {
      op: 'add',
      path: 'phoneNumbers[type eq "work" and primary eq "true"].value',
      value: '+1',
    });
    expect(result.phoneNumbers).toEqual([{ type: 'work', primary: true, value: '+1' }]);
  });

  it('refuses with noTarget a value path that matches nothing and is not a plain eq', () => {
    expectScimError(
      () => patchUser(user(), { op: 'replace', path: 'emails[type ne "work"].value', value: 'x' }),
      'noTarget',
    );
    expectScimError(
      () => patchUser(user(), { op: 'replace', path: 'emails[type eq "x" or type eq "y"].value', value: 'x' }),
      'noTarget',
    );
  });

  it('replaces matching elements whole with a value path without sub-attribute, and add merges into them', () => {
    const replaced = patchUser(twoEmails(), {
      op: 'replace',
      path: 'emails[type eq "home"]',
      value: { value: 'new@example.com', type: 'home' },
    });
    expect(replaced.emails).toEqual([
      { value: 'work@example.com', type: 'work', primary: true },
      { value: 'new@example.com', type: 'home' },
    ]);
    const added = patchUser(twoEmails(), { op: 'add', path: 'emails[type eq "home"]', value: { display: 'Home' } });
    expect((added.emails as unknown[])[1]).toEqual({ value: 'home@example.com', type: 'home', display: 'Home' });
  });

  it('sets a sub-attribute of a complex multi-valued attribute (addresses)', () => {
    const result = patchUser(user(), {
      op: 'replace',
      path: 'addresses[type eq "work"].streetAddress',
      value: '1 Main St',
    });
    expect(result.addresses).toEqual([{ type: 'work', streetAddress: '1 Main St' }]);
    const again = patchUser(result, { op: 'add', path: 'Addresses[Type eq "WORK"].Locality', value: 'London' });
    expect(again.addresses).toEqual([{ type: 'work', streetAddress: '1 Main St', locality: 'London' }]);
  });

  it('removes the matching elements, and is a no-op when nothing matches', () => {
    expect(patchUser(twoEmails(), { op: 'remove', path: 'emails[type eq "home"]' }).emails).toEqual([
      { value: 'work@example.com', type: 'work', primary: true },
    ]);
    expect(patchUser(twoEmails(), { op: 'remove', path: 'emails[type eq "other"]' }).emails).toEqual(
      twoEmails().emails,
    );
    expect(patchUser(twoEmails(), { op: 'remove', path: 'emails[type eq "other"].value' }).emails).toEqual(
      twoEmails().emails,
    );
    const all = patchUser(twoEmails(), { op: 'remove', path: 'emails[value co "@example.com"]' });
    expect(all).not.toHaveProperty('emails');
  });

  it('removes a sub-attribute of the matching elements', () => {
    expect(patchUser(twoEmails(), { op: 'remove', path: 'emails[type eq "work"].primary' }).emails).toEqual([
      { value: 'work@example.com', type: 'work' },
      { value: 'home@example.com', type: 'home' },
    ]);
  });

  it('removes the listed values when a remove names values', () => {
    const result = patchUser(twoEmails(), { op: 'remove', path: 'emails', value: [{ value: 'HOME@example.com' }] });
    expect(result.emails).toEqual([{ value: 'work@example.com', type: 'work', primary: true }]);
  });

  it('removes the whole attribute without filter or value', () => {
    expect(patchUser(twoEmails(), { op: 'remove', path: 'emails' })).not.toHaveProperty('emails');
  });

  it('matches value filters by the schema case rules', () => {
    const result = patchUser(twoEmails(), { op: 'remove', path: 'emails[value eq "HOME@EXAMPLE.COM"]' });
    expect(result.emails).toHaveLength(1);
  });
});

describe('applyPatch on a Group', () => {
  it('does not change the input document', () => {
    const input = group({ externalId: 'e-1' });
    const snapshot = structuredClone(input);
    patchGroup(
      input,
      { op: 'replace', value: { displayName: 'x', externalId: null, members: [{ value: 'a' }] } },
      { op: 'add', path: 'members', value: [{ value: 'b' }] },
    );
    expect(input).toEqual(snapshot);
  });

  it('replaces displayName (Entra ID)', () => {
    const result = patchGroup(group(), { op: 'Replace', path: 'displayName', value: 'Research' });
    expect(result).toEqual({ document: { schemas: [URN_GROUP], id: 'g-1', displayName: 'Research' }, members: [] });
  });

  it('reports member additions in every accepted shape', () => {
    const result = patchGroup(
      group(),
      { op: 'Add', path: 'members', value: [{ value: 'id1' }, { value: 'id2', display: 'Two', type: 'User' }] },
      { op: 'add', path: 'members', value: ['id3'] },
      { op: 'add', path: 'members', value: { value: 'id4' } },
      { op: 'add', path: 'members', value: [] },
    );
    expect(result.members).toEqual([
      { op: 'add', values: ['id1', 'id2'] },
      { op: 'add', values: ['id3'] },
      { op: 'add', values: ['id4'] },
    ]);
    expect(result.document).toEqual(group());
  });

  it('reports removals by filter, by value, and remove-all, in request order', () => {
    const result = patchGroup(
      group(),
      { op: 'Remove', path: 'members[value eq "id1"]' },
      { op: 'Remove', path: 'members', value: [{ value: 'id2' }] },
      { op: 'remove', path: 'members[value eq "id3" or value eq "id4"]' },
      { op: 'Remove', path: 'members' },
    );
    expect(result.members).toEqual([
      { op: 'remove', values: ['id1'] },
      { op: 'remove', values: ['id2'] },
      { op: 'remove', values: ['id3', 'id4'] },
      { op: 'removeAll' },
    ]);
  });

  it('reports a replace, with or without a path', () => {
    expect(patchGroup(group(), { op: 'Replace', path: 'members', value: [{ value: 'a' }] }).members).toEqual([
      { op: 'replace', values: ['a'] },
    ]);
    const result = patchGroup(group(), { op: 'replace', value: { members: [{ value: 'b' }], displayName: 'x' } });
    expect(result.members).toEqual([{ op: 'replace', values: ['b'] }]);
    expect(result.document.displayName).toBe('x');
    expect(patchGroup(group(), { op: 'replace', path: 'members', value: [] }).members).toEqual([
      { op: 'replace', values: [] },
    ]);
  });

  it('reports a no-path add of members', () => {
    expect(patchGroup(group(), { op: 'add', value: { members: [{ value: 'c' }] } }).members).toEqual([
      { op: 'add', values: ['c'] },
    ]);
  });

  it.each([[[{ value: '' }]], [[{ display: 'x' }]], [[42]], [[{ value: 7 }]], [['  ']]])(
    'refuses member value %j with invalidValue',
    (value) => {
      expectScimError(() => patchGroup(group(), { op: 'add', path: 'members', value }), 'invalidValue');
    },
  );

  it('refuses member operations it cannot express', () => {
    expectScimError(() => patchGroup(group(), { op: 'add', path: 'members' }), 'invalidValue');
    expectScimError(() => patchGroup(group(), { op: 'remove', path: 'members[display eq "x"]' }), 'invalidFilter');
    expectScimError(
      () => patchGroup(group(), { op: 'replace', path: 'members[value eq "x"]', value: {} }),
      'invalidPath',
    );
    expectScimError(
      () => patchGroup(group(), { op: 'replace', path: 'members[value eq "x"].display', value: 'y' }),
      'invalidPath',
    );
  });

  it('refuses removing displayName with invalidValue', () => {
    expectScimError(() => patchGroup(group(), { op: 'remove', path: 'displayName' }), 'invalidValue');
  });

  it('refuses the id as a path with mutability', () => {
    expectScimError(() => patchGroup(group(), { op: 'replace', path: 'id', value: 'g-2' }), 'mutability');
  });
});
