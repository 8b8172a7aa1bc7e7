import { URN_PATCH_OP } from './schemas/scim.urns';
import { ScimError } from './scim.errors';
import { withoutSecretAttributes, withoutSecretOperations } from './scim-secrets';

const patch = (...Operations: unknown[]) => ({ schemas: [URN_PATCH_OP], Operations });

describe('withoutSecretOperations', () => {
  it.each([
    'password',
    'name.password',
    'password.value',
    'userPassword',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:pwd',
    'urn:acme:params:scim:schemas:extension:acme:2.0:User:clientSecret',
    'credentials[type eq "api"].value',
  ])('drops an operation on %s', (path) => {
    const result = withoutSecretOperations(
      patch({ op: 'replace', path, value: 's3cr3t' }, { op: 'replace', path: 'displayName', value: 'D' }),
    );
    expect(result).toEqual(patch({ op: 'replace', path: 'displayName', value: 'D' }));
  });

  it('drops secret members from values, with or without a path', () => {
    const result = withoutSecretOperations(
      patch(
        { op: 'add', value: { password: 'a', 'urn:acme:2.0:User:apiToken': 'b', nickName: 'n' } },
        {
          op: 'Replace',
          path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
          value: { pwd: 'c', department: 'D', manager: { value: 'm', secret: 'd' } },
        },
        { op: 'add', path: 'name', value: { givenName: 'g', password: 'e' } },
      ),
    );
    expect(JSON.stringify(result)).not.toMatch(/"[abcde]"/);
    expect(result?.Operations).toEqual([
      { op: 'add', value: { nickName: 'n' } },
      {
        op: 'replace',
        path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
        value: { department: 'D', manager: { value: 'm' } },
      },
      { op: 'add', path: 'name', value: { givenName: 'g' } },
    ]);
  });

  it('answers null when only secrets were sent', () => {
    expect(withoutSecretOperations(patch({ op: 'replace', path: 'password', value: 'x' }))).toBeNull();
  });

  it('still refuses a malformed body', () => {
    expect(() => withoutSecretOperations(patch({ op: 'upsert', path: 'password', value: 'x' }))).toThrow(ScimError);
    expect(() => withoutSecretOperations({ Operations: [] })).toThrow(ScimError);
  });
});

describe('withoutSecretAttributes', () => {
  it('drops secret attributes of a resource at any depth and in any extension', () => {
    expect(
      withoutSecretAttributes({
        userName: 'u',
        password: 'a',
        userPassword: 'b',
        name: { givenName: 'g', password: 'c' },
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { pwd: 'd', employeeNumber: '7' },
        'urn:acme:2.0:User:clientSecret': 'e',
      }),
    ).toEqual({
      userName: 'u',
      name: { givenName: 'g' },
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: '7' },
    });
  });
});
