import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { ERROR_SCHEMAS } from '../openapi/components';
import { COMMON_ATTRIBUTES, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, URN_ENTERPRISE_USER, USER_SCHEMA } from './schemas';
import { SCIM_GROUPS_DOC, SCIM_SCHEMAS, SCIM_USERS_DOC, ScimResourceDoc } from './scim.openapi';

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'scim', components: { schemas: { ...ERROR_SCHEMAS, ...SCIM_SCHEMAS } } });
const valid = (schema: string, value: unknown): string[] => {
  const validate = ajv.getSchema(`scim#/components/schemas/${schema}`);
  if (!validate) throw new Error(`no schema ${schema}`);
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
};
const propertiesOf = (schema: string) => Object.keys(SCIM_SCHEMAS[schema].properties as object);

describe('the SCIM schemas of the OpenAPI document', () => {
  it('answer every attribute /Schemas defines, and take every one a client may write', () => {
    const names = (attributes: { name: string; mutability: string }[], writable = false) =>
      attributes.filter((a) => !writable || a.mutability !== 'readOnly').map((a) => a.name);
    expect(propertiesOf('ScimUser')).toEqual(expect.arrayContaining([...names(USER_SCHEMA.attributes), 'id', 'meta']));
    expect(propertiesOf('ScimEnterpriseUser')).toEqual(names(ENTERPRISE_USER_SCHEMA.attributes));
    expect(propertiesOf('ScimGroup')).toEqual(
      expect.arrayContaining([...names(GROUP_SCHEMA.attributes), 'id', 'meta']),
    );
    const userRequest = propertiesOf('ScimUserRequest');
    expect(userRequest).toEqual(
      expect.arrayContaining([...names(USER_SCHEMA.attributes, true), ...names([...COMMON_ATTRIBUTES], true)]),
    );
    expect(userRequest).not.toContain('groups');
    expect(userRequest).not.toContain('meta');
  });

  it('take what identity providers send, which the RFC shape alone would refuse', () => {
    const entra = {
      schemas: [USER_SCHEMA.id],
      USERNAME: 'x@example.com',
      active: 'True',
      emails: { value: 'x@example.com', Primary: 'false' },
      title: 5,
      [URN_ENTERPRISE_USER]: { manager: 'boss-id', employeeNumber: 42 },
      nickName: null,
    };
    expect(valid('ScimUserRequest', entra)).toEqual([]);
    expect(valid('ScimUserRequest', { ...entra, active: 'yes' })).not.toEqual([]);
    expect(
      valid('ScimPatchOp', {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'Replace' }],
      }),
    ).toEqual([]);
    expect(
      valid('ScimPatchOp', {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'move' }],
      }),
    ).not.toEqual([]);
  });

  it.each([SCIM_USERS_DOC, SCIM_GROUPS_DOC])('have examples that fit them ($name)', (doc: ScimResourceDoc) => {
    const cases: [string, Record<string, { value: unknown }>][] = [
      [doc.requestSchema, doc.createExamples],
      [doc.requestSchema, doc.replaceExamples],
      [doc.schema, doc.createdExamples],
      [doc.schema, doc.replacedExamples],
      [doc.schema, doc.patchedExamples],
      [doc.schema, doc.getExamples],
      ['ScimPatchOp', doc.patchExamples],
      ['ScimSearchRequest', doc.searchExamples],
      [doc.listSchema, doc.listExamples],
    ];
    for (const [schema, examples] of cases) {
      for (const [name, example] of Object.entries(examples)) {
        expect({ schema, name, errors: valid(schema, example.value) }).toEqual({ schema, name, errors: [] });
      }
    }
  });
});
