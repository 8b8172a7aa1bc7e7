import { URN_ENTERPRISE_USER, URN_GROUP, URN_USER } from '../schemas/scim.urns';
import { ScimError, ScimType } from '../scim.errors';
import { normaliseResource } from './normalise';

const normaliseUser = (body: Record<string, unknown>) =>
  normaliseResource('User', { schemas: [URN_USER], userName: 'ada@example.com', ...body }, { requireSchemas: true })
    .document;

function expectScimError(action: () => unknown, scimType: ScimType): void {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ScimError);
  expect({ status: (caught as ScimError).status, scimType: (caught as ScimError).scimType }).toEqual({
    status: 400,
    scimType,
  });
}

describe('normaliseResource: User', () => {
  it('maps attribute names to the schema case, folds dotted sub-attribute keys, keeps unknown attributes as sent', () => {
    const body = {
      SCHEMAS: [URN_USER.toLowerCase()],
      USERNAME: 'ada@example.com',
      Name: { GIVENNAME: 'Ada', familyname: 'Lovelace', Nickname2: 'Addie' },
      Emails: [{ Value: 'ada@example.com', TYPE: 'work', Primary: 'True' }],
      ExternalID: 'e-1',
      favouriteColour: 'green',
      'name.MiddleName': 'King',
      'foo.bar': 'kept',
      'userName.x': 'kept',
      nested: { Anything: [1, 2] },
    };
    expect(normaliseResource('User', body, { requireSchemas: true })).toEqual({
      document: {
        schemas: [URN_USER],
        userName: 'ada@example.com',
        name: { givenName: 'Ada', familyName: 'Lovelace', Nickname2: 'Addie', middleName: 'King' },
        emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
        externalId: 'e-1',
        favouriteColour: 'green',
        'foo.bar': 'kept',
        'userName.x': 'kept',
        nested: { Anything: [1, 2] },
      },
    });
  });

  it('nests the enterprise extension under its exact URN, folding flat URN keys in', () => {
    const document = normaliseUser({
      schemas: [URN_USER, URN_ENTERPRISE_USER],
      [URN_ENTERPRISE_USER.toUpperCase()]: { EmployeeNumber: '7', Manager: { Value: 'm-1' } },
      [`${URN_ENTERPRISE_USER}:department`]: 'R&D',
      [`${URN_ENTERPRISE_USER}:manager.displayName`]: 'ignored: read-only',
      [`${URN_USER}:title`]: 'Dr',
    });
    expect(document).toEqual({
      schemas: [URN_USER, URN_ENTERPRISE_USER],
      userName: 'ada@example.com',
      title: 'Dr',
      [URN_ENTERPRISE_USER]: { employeeNumber: '7', manager: { value: 'm-1' }, department: 'R&D' },
    });
  });

  it('lists the extension URN only when the document holds extension data, and keeps unknown URNs', () => {
    const listedOnly = normaliseUser({ schemas: [URN_USER, URN_ENTERPRISE_USER, 'urn:example:custom'] });
    expect(listedOnly.schemas).toEqual([URN_USER, 'urn:example:custom']);
    const unlisted = normaliseUser({ [URN_ENTERPRISE_USER]: { costCenter: 'CC' } });
    expect(unlisted.schemas).toEqual([URN_USER, URN_ENTERPRISE_USER]);
    expect(normaliseUser({ [URN_ENTERPRISE_USER]: {} })).not.toHaveProperty(URN_ENTERPRISE_USER);
    expect(normaliseUser({ [URN_ENTERPRISE_USER]: null })).not.toHaveProperty(URN_ENTERPRISE_USER);
  });

  it.each([
    ['an object', { value: 'm-1', displayName: 'Boss' }],
    ['an array', [{ value: 'm-1' }]],
    ['a bare string', 'm-1'],
  ])('accepts manager given as %s', (_, manager) => {
    const document = normaliseUser({ [URN_ENTERPRISE_USER]: { manager } });
    expect(document[URN_ENTERPRISE_USER]).toEqual({ manager: { value: 'm-1' } });
  });

  it('refuses a manager array of several', () => {
    expectScimError(
      () => normaliseUser({ [URN_ENTERPRISE_USER]: { manager: [{ value: 'a' }, { value: 'b' }] } }),
      'invalidValue',
    );
  });

  it.each([
    [true, true],
    ['true', true],
    ['True', true],
    ['FALSE', false],
    [false, false],
  ])('reads active %j as %j', (active, expected) => {
    expect(normaliseUser({ active }).active).toBe(expected);
  });

  it.each([
    ['a non-boolean active', { active: 'yes' }],
    ['a number as active', { active: 1 }],
    ['a string where the schema says complex', { name: 'Ada Lovelace' }],
    ['an object where the schema says string', { displayName: { text: 'Ada' } }],
    ['an array where the schema says string', { title: ['a', 'b'] }],
    ['a string element of a complex multi-valued attribute', { emails: ['ada@example.com'] }],
    ['nested arrays', { emails: [[{ value: 'a' }]] }],
    ['a non-boolean primary', { emails: [{ value: 'a', primary: 'sometimes' }] }],
    ['an extension that is not an object', { [URN_ENTERPRISE_USER]: 'x' }],
  ])('refuses %s with invalidValue', (_, body) => {
    expectScimError(() => normaliseUser(body), 'invalidValue');
  });

  it('accepts numbers where the schema says string', () => {
    const document = normaliseUser({ [URN_ENTERPRISE_USER]: { employeeNumber: 42 } });
    expect(document[URN_ENTERPRISE_USER]).toEqual({ employeeNumber: '42' });
  });

  it('wraps a single object given for a multi-valued attribute', () => {
    expect(normaliseUser({ phoneNumbers: { value: '+1', type: 'work' } }).phoneNumbers).toEqual([
      { value: '+1', type: 'work' },
    ]);
  });

  it('keeps primary true on one element only', () => {
    const emails = [
      { value: 'a', primary: true },
      { value: 'b', primary: true },
    ];
    expect(normaliseUser({ emails }).emails).toEqual([
      { value: 'a', primary: true },
      { value: 'b', primary: false },
    ]);
  });

  it('drops null values, empty arrays and empty complex values as unassigned', () => {
    const document = normaliseUser({
      displayName: null,
      emails: [],
      name: { givenName: null },
      addresses: [null, { type: 'work', locality: null }],
      custom: null,
    });
    expect(document).toEqual({
      schemas: [URN_USER],
      userName: 'ada@example.com',
      addresses: [{ type: 'work' }],
    });
  });

  it('drops read-only attributes and keeps password', () => {
    const document = normaliseUser({
      id: 'u-1',
      Meta: { resourceType: 'User', version: 'W/"1"' },
      groups: [{ value: 'g-1' }],
      password: 'secret',
    });
    expect(document).toEqual({ schemas: [URN_USER], userName: 'ada@example.com', password: 'secret' });
  });

  it.each([
    ['no userName', {}],
    ['a blank userName', { userName: '  ' }],
    ['a null userName', { userName: null }],
  ])('refuses %s with invalidValue', (_, body) => {
    expectScimError(
      () => normaliseResource('User', { schemas: [URN_USER], ...body }, { requireSchemas: true }),
      'invalidValue',
    );
  });

  it.each([
    ['a body that is not an object', 'userName'],
    ['a body that is an array', [{ userName: 'x' }]],
    ['a null body', null],
  ])('refuses %s with invalidSyntax', (_, body) => {
    expectScimError(() => normaliseResource('User', body, { requireSchemas: false }), 'invalidSyntax');
  });

  it.each([
    ['missing schemas', { userName: 'x' }],
    ['schemas that is not an array', { schemas: URN_USER, userName: 'x' }],
    ['schemas without the core URN', { schemas: [URN_ENTERPRISE_USER], userName: 'x' }],
    ['the Group schema', { schemas: [URN_GROUP], userName: 'x' }],
  ])('refuses %s with invalidSyntax when schemas are required', (_, body) => {
    expectScimError(() => normaliseResource('User', body, { requireSchemas: true }), 'invalidSyntax');
    expect(normaliseResource('User', body, { requireSchemas: false }).document.userName).toBe('x');
  });

  it('accepts the core URN in any case', () => {
    const body = { schemas: [URN_USER.toUpperCase()], userName: 'x' };
    expect(normaliseResource('User', body, { requireSchemas: true }).document.schemas).toEqual([URN_USER]);
  });

  it('does not change the body', () => {
    const body = {
      schemas: [URN_USER],
      USERNAME: 'x',
      emails: { value: 'a' },
      [`${URN_ENTERPRISE_USER}:division`]: 'D',
    };
    const snapshot = structuredClone(body);
    normaliseResource('User', body, { requireSchemas: true });
    expect(body).toEqual(snapshot);
  });
});

describe('normaliseResource: Group', () => {
  const normaliseGroup = (body: Record<string, unknown>) =>
    normaliseResource('Group', { schemas: [URN_GROUP], displayName: 'Engineering', ...body }, { requireSchemas: true });

  it('returns members separately, from objects or bare ids', () => {
    const result = normaliseGroup({
      id: 'g-1',
      Members: [{ value: 'u-1', display: 'Ada', type: 'User' }, 'u-2', { VALUE: 'g-2', type: 'Group' }, 'u-1'],
    });
    expect(result).toEqual({
      document: { schemas: [URN_GROUP], displayName: 'Engineering' },
      members: ['u-1', 'u-2', 'g-2'],
    });
  });

  it('answers no members when the body has none, and an empty list for null or []', () => {
    expect(normaliseGroup({}).members).toBeUndefined();
    expect(normaliseGroup({ members: null }).members).toEqual([]);
    expect(normaliseGroup({ members: [] }).members).toEqual([]);
    expect(normaliseGroup({ members: { value: 'u-1' } }).members).toEqual(['u-1']);
  });

  it.each([[[{ value: '' }]], [[{ display: 'x' }]], [[42]], [[null]]])(
    'refuses members %j with invalidValue',
    (members) => {
      expectScimError(() => normaliseGroup({ members }), 'invalidValue');
    },
  );

  it('requires displayName', () => {
    expectScimError(
      () => normaliseResource('Group', { schemas: [URN_GROUP] }, { requireSchemas: true }),
      'invalidValue',
    );
  });

  it('refuses a body that lists only the User schema', () => {
    expectScimError(
      () => normaliseResource('Group', { schemas: [URN_USER], displayName: 'x' }, { requireSchemas: true }),
      'invalidSyntax',
    );
  });

  it('keeps externalId and unknown attributes', () => {
    expect(normaliseGroup({ EXTERNALID: 'e-9', note: 'x' }).document).toEqual({
      schemas: [URN_GROUP],
      displayName: 'Engineering',
      externalId: 'e-9',
      note: 'x',
    });
  });
});
