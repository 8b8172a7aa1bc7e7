import {
  attributeInfo,
  COMMON_ATTRIBUTES,
  AttributeDefinition,
  coreSchemaUrn,
  ENTERPRISE_USER_SCHEMA,
  extensionSchemaUrns,
  findAttribute,
  GROUP_RESOURCE_TYPE,
  GROUP_SCHEMA,
  RESOURCE_TYPES,
  resolveSchemaUrn,
  SCHEMAS,
  serviceProviderConfig,
  URN_ENTERPRISE_USER,
  URN_GROUP,
  URN_RESOURCE_TYPE,
  URN_SCHEMA,
  URN_SERVICE_PROVIDER_CONFIG,
  URN_SERVICE_PROVIDER_LIMITS,
  URN_USER,
  USER_RESOURCE_TYPE,
  USER_SCHEMA,
} from './index';

const TYPES = ['string', 'boolean', 'decimal', 'integer', 'dateTime', 'binary', 'reference', 'complex'];

function byName(attributes: AttributeDefinition[] | undefined, name: string): AttributeDefinition {
  const found = attributes?.find((attribute) => attribute.name === name);
  if (!found) throw new Error(`no attribute ${name}`);
  return found;
}

describe('schema documents (RFC 7643 §8.7.1)', () => {
  it('serves the User, Enterprise User, Group and ServiceProviderConfig schemas as Schema resources', () => {
    expect(SCHEMAS.map((schema) => schema.id)).toEqual([
      URN_USER,
      URN_ENTERPRISE_USER,
      URN_GROUP,
      URN_SERVICE_PROVIDER_CONFIG,
    ]);
    for (const schema of SCHEMAS) expect(schema.schemas).toEqual([URN_SCHEMA]);
    expect(JSON.parse(JSON.stringify(SCHEMAS))).toEqual(SCHEMAS);
  });

  it('gives every attribute all its characteristics, and sub-attributes only to complex ones', () => {
    const check = (attribute: AttributeDefinition, isSub: boolean): void => {
      expect(TYPES).toContain(attribute.type);
      expect(typeof attribute.multiValued).toBe('boolean');
      expect(typeof attribute.required).toBe('boolean');
      expect(typeof attribute.caseExact).toBe('boolean');
      expect(attribute.description.length).toBeGreaterThan(0);
      expect(['readOnly', 'readWrite', 'immutable', 'writeOnly']).toContain(attribute.mutability);
      expect(['always', 'never', 'default', 'request']).toContain(attribute.returned);
      expect(['none', 'server', 'global']).toContain(attribute.uniqueness);
      if (isSub) expect(attribute.type).not.toBe('complex');
      expect(attribute.subAttributes !== undefined).toBe(attribute.type === 'complex');
      for (const sub of attribute.subAttributes ?? []) check(sub, true);
    };
    for (const schema of SCHEMAS) for (const attribute of schema.attributes) check(attribute, false);
  });

  it('marks what a filter may not name "filterable": false, and nothing else', () => {
    const marked: string[] = [];
    const walk = (schema: string, attributes: readonly AttributeDefinition[], parent = ''): void => {
      for (const attribute of attributes) {
        expect([undefined, false]).toContain(attribute.filterable);
        if (attribute.filterable === false) marked.push(`${schema}:${parent}${attribute.name}`);
        walk(schema, attribute.subAttributes ?? [], `${attribute.name}.`);
      }
    };
    for (const schema of SCHEMAS) walk(schema.name, schema.attributes);
    walk('common', COMMON_ATTRIBUTES);
    expect(marked).toEqual([
      'User:name',
      'User:password',
      'User:groups.$ref',
      'User:groups.type',
      'EnterpriseUser:manager',
      'Group:members.$ref',
      'Group:members.display',
      'common:meta',
      'common:meta.location',
      'common:meta.version',
    ]);
  });

  it('lists the core User attributes of the RFC', () => {
    expect(USER_SCHEMA.attributes.map((attribute) => attribute.name)).toEqual([
      'userName',
      'name',
      'displayName',
      'nickName',
      'profileUrl',
      'title',
      'userType',
      'preferredLanguage',
      'locale',
      'timezone',
      'active',
      'password',
      'emails',
      'phoneNumbers',
      'ims',
      'photos',
      'addresses',
      'groups',
      'entitlements',
      'roles',
      'x509Certificates',
    ]);
  });

  it('describes the characteristics clients rely on', () => {
    expect(byName(USER_SCHEMA.attributes, 'userName')).toMatchObject({
      required: true,
      caseExact: false,
      uniqueness: 'server',
    });
    expect(byName(USER_SCHEMA.attributes, 'password')).toMatchObject({ mutability: 'writeOnly', returned: 'never' });
    expect(byName(USER_SCHEMA.attributes, 'active').type).toBe('boolean');
    expect(byName(USER_SCHEMA.attributes, 'groups')).toMatchObject({ mutability: 'readOnly', multiValued: true });
    const emails = byName(USER_SCHEMA.attributes, 'emails');
    expect(emails.subAttributes?.map((sub) => sub.name)).toEqual(['value', 'display', 'type', 'primary']);
    expect(byName(emails.subAttributes, 'primary').type).toBe('boolean');
    expect(byName(USER_SCHEMA.attributes, 'addresses').subAttributes?.map((sub) => sub.name)).toEqual([
      'formatted',
      'streetAddress',
      'locality',
      'region',
      'postalCode',
      'country',
      'type',
      'primary',
    ]);
    const manager = byName(ENTERPRISE_USER_SCHEMA.attributes, 'manager');
    expect(manager.subAttributes?.map((sub) => sub.name)).toEqual(['value', '$ref', 'displayName']);
    expect(byName(manager.subAttributes, 'displayName').mutability).toBe('readOnly');
    expect(byName(GROUP_SCHEMA.attributes, 'displayName').required).toBe(true);
    const members = byName(GROUP_SCHEMA.attributes, 'members');
    expect(byName(members.subAttributes, 'value').mutability).toBe('immutable');
    expect(byName(members.subAttributes, 'type').canonicalValues).toEqual(['User', 'Group']);
  });
});

describe('resource types and service provider config', () => {
  it('describes Users with the optional enterprise extension, and Groups', () => {
    expect(RESOURCE_TYPES).toEqual([USER_RESOURCE_TYPE, GROUP_RESOURCE_TYPE]);
    expect(USER_RESOURCE_TYPE).toEqual({
      schemas: [URN_RESOURCE_TYPE],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: URN_USER,
      schemaExtensions: [{ schema: URN_ENTERPRISE_USER, required: false }],
    });
    expect(GROUP_RESOURCE_TYPE).toMatchObject({ id: 'Group', endpoint: '/Groups', schema: URN_GROUP });
  });

  it('says what the service supports', () => {
    const bulk = { maxOperations: 1000, maxPayloadSize: 4194304 };
    const eventUris = ['urn:ietf:params:scim:event:prov:create:notice', 'urn:ietf:params:scim:event:prov:delete'];
    const config = serviceProviderConfig({ bulk, eventUris });
    expect(config).toMatchObject({
      schemas: [URN_SERVICE_PROVIDER_CONFIG, URN_SERVICE_PROVIDER_LIMITS],
      patch: { supported: true },
      bulk: { supported: true, maxOperations: 1000, maxPayloadSize: 4194304 },
      filter: { supported: true, maxResults: 1000 },
      pagination: {
        cursor: true,
        index: true,
        defaultPaginationMethod: 'index',
        defaultPageSize: 100,
        maxPageSize: 1000,
        cursorTimeout: 3600,
      },
      changePassword: { supported: false },
      sort: { supported: true },
      etag: { supported: true },
      securityEvents: { asyncRequest: 'none', eventUris },
    });
    expect(config[URN_SERVICE_PROVIDER_LIMITS]).toMatchObject({ patchOperations: 1000, valuesPerPatch: 10000 });
    expect(config.authenticationSchemes.map((scheme) => scheme.type)).toEqual(['oauthbearertoken']);
    expect(config).not.toHaveProperty('documentationUri');
    expect(
      serviceProviderConfig({ bulk, eventUris, documentationUri: 'https://docs.example.com' }).documentationUri,
    ).toBe('https://docs.example.com');
  });
});

describe('the ServiceProviderConfig schema', () => {
  it('describes every attribute the ServiceProviderConfig serves, securityEvents included, all read-only', () => {
    const config = serviceProviderConfig({ bulk: { maxOperations: 1, maxPayloadSize: 1 }, eventUris: [] });
    const schema = SCHEMAS.find((candidate) => candidate.id === URN_SERVICE_PROVIDER_CONFIG)!;
    const described = schema.attributes.map((attribute) => attribute.name);
    for (const key of Object.keys(config).filter((key) => key !== 'schemas' && !key.startsWith('urn:'))) {
      expect(described).toContain(key);
    }
    const walk = (attributes: readonly AttributeDefinition[]): void => {
      for (const attribute of attributes) {
        expect(attribute.mutability).toBe('readOnly');
        walk(attribute.subAttributes ?? []);
      }
    };
    walk(schema.attributes);
    const events = schema.attributes.find((attribute) => attribute.name === 'securityEvents')!;
    expect(events).toMatchObject({ type: 'complex', multiValued: false, required: false });
    expect(events.subAttributes).toEqual([
      expect.objectContaining({ name: 'asyncRequest', type: 'string', canonicalValues: ['none', 'long', 'request'] }),
      expect.objectContaining({ name: 'eventUris', type: 'string', multiValued: true, caseExact: true }),
    ]);
  });
});

describe('findAttribute', () => {
  it('finds attributes case-insensitively, with or without the schema URN', () => {
    expect(findAttribute('User', { name: 'USERNAME' })).toMatchObject({
      schema: URN_USER,
      definition: { name: 'userName' },
    });
    expect(findAttribute('User', { uri: URN_USER.toLowerCase(), name: 'userName' })?.definition.name).toBe('userName');
    expect(findAttribute('User', { name: 'Name', subAttr: 'GivenName' })).toMatchObject({
      schema: URN_USER,
      definition: { name: 'name' },
      sub: { name: 'givenName' },
    });
    expect(findAttribute('User', { uri: URN_ENTERPRISE_USER, name: 'manager', subAttr: 'value' })).toMatchObject({
      schema: URN_ENTERPRISE_USER,
      definition: { name: 'manager' },
      sub: { name: 'value' },
    });
    expect(findAttribute('User', { name: `${URN_ENTERPRISE_USER}:employeeNumber` })?.schema).toBe(URN_ENTERPRISE_USER);
  });

  it('finds the common attributes on both resource types', () => {
    for (const resource of ['User', 'Group'] as const) {
      expect(findAttribute(resource, { name: 'id' })?.definition).toMatchObject({
        mutability: 'readOnly',
        caseExact: true,
      });
      expect(findAttribute(resource, { name: 'externalId' })?.definition.caseExact).toBe(true);
      expect(findAttribute(resource, { name: 'meta', subAttr: 'lastModified' })?.sub?.type).toBe('dateTime');
    }
  });

  it('answers undefined for what the schemas do not define', () => {
    expect(findAttribute('User', { name: 'favouriteColour' })).toBeUndefined();
    expect(findAttribute('User', { name: 'name', subAttr: 'nickname' })).toBeUndefined();
    expect(findAttribute('User', { name: 'employeeNumber' })).toBeUndefined();
    expect(findAttribute('User', { uri: 'urn:example:custom', name: 'userName' })).toBeUndefined();
    expect(findAttribute('Group', { name: 'userName' })).toBeUndefined();
    expect(findAttribute('Group', { uri: URN_ENTERPRISE_USER, name: 'employeeNumber' })).toBeUndefined();
    expect(findAttribute('Group', { name: 'members', subAttr: 'value' })?.sub?.name).toBe('value');
  });

  it('resolves schema URNs per resource type', () => {
    expect(coreSchemaUrn('User')).toBe(URN_USER);
    expect(coreSchemaUrn('Group')).toBe(URN_GROUP);
    expect(extensionSchemaUrns('User')).toEqual([URN_ENTERPRISE_USER]);
    expect(extensionSchemaUrns('Group')).toEqual([]);
    expect(resolveSchemaUrn('User', URN_ENTERPRISE_USER.toUpperCase())).toBe(URN_ENTERPRISE_USER);
    expect(resolveSchemaUrn('Group', URN_USER)).toBeUndefined();
  });
});

describe('attributeInfo', () => {
  it('gives the type and case-exactness filters need', () => {
    // Stored composed (NFC): filters compose the value they compare with it.
    expect(attributeInfo('User', { name: 'userName' })).toEqual({ type: 'string', caseExact: false, nfc: true });
    expect(attributeInfo('User', { uri: URN_USER, name: 'USERNAME' })?.nfc).toBe(true);
    expect(attributeInfo('User', { name: 'displayName' })?.nfc).toBeUndefined();
    expect(attributeInfo('User', { name: 'emails', subAttr: 'value' })).toEqual({ type: 'string', caseExact: false });
    expect(attributeInfo('User', { name: 'id' })).toEqual({ type: 'string', caseExact: true });
    expect(attributeInfo('User', { name: 'externalId' })).toEqual({ type: 'string', caseExact: true });
    expect(attributeInfo('Group', { name: 'externalId' })).toEqual({ type: 'string', caseExact: true });
    expect(attributeInfo('User', { name: 'ACTIVE' })).toEqual({ type: 'boolean', caseExact: false });
    expect(attributeInfo('User', { name: 'meta', subAttr: 'lastModified' })).toEqual({
      type: 'dateTime',
      caseExact: false,
    });
    expect(attributeInfo('User', { uri: URN_ENTERPRISE_USER, name: 'manager', subAttr: 'value' })).toEqual({
      type: 'string',
      caseExact: false,
    });
  });

  it('describes a multi-valued attribute named alone by its value sub-attribute', () => {
    expect(attributeInfo('User', { name: 'emails' })).toEqual({ type: 'string', caseExact: false });
    expect(attributeInfo('User', { name: 'photos' })).toEqual({ type: 'reference', caseExact: false });
    expect(attributeInfo('Group', { name: 'members' })).toEqual({ type: 'string', caseExact: false });
  });

  it('answers undefined for complex attributes without a value and for unknown attributes', () => {
    expect(attributeInfo('User', { name: 'name' })).toBeUndefined();
    expect(attributeInfo('User', { name: 'addresses' })).toBeUndefined();
    expect(attributeInfo('User', { name: 'nope' })).toBeUndefined();
  });
});
