import { isSecretName, isSecretPath, nameWords, withoutSecrets } from './secret-names';

describe('nameWords', () => {
  it.each([
    ['userPassword', ['user', 'password']],
    ['ClientSecret', ['client', 'secret']],
    ['APIKey', ['api', 'key']],
    ['x-api-key', ['x', 'api', 'key']],
    ['private_key', ['private', 'key']],
    ['sso.clientSecret', ['sso', 'client', 'secret']],
    ['pass1', ['pass', '1']],
    ['x509Cert', ['x', '509', 'cert']],
    ['p\\u0061ssword', ['password']],
    ['p%61ss', ['pass']],
    ['ｐａｓｓｗｏｒｄ', ['password']],
    ['pa\u200Bssword', ['password']],
  ])('%s -> %j', (name, words) => expect(nameWords(name)).toEqual(words));
});

describe('isSecretName', () => {
  it.each([
    'password',
    'Password',
    'PASSWORD',
    'passwords',
    'userPassword',
    'userpassword',
    'newPassword',
    'password2',
    'passwd',
    'pwd',
    'PWD',
    'userPwd',
    'pass',
    'pass_code',
    'passcode',
    'passphrase',
    'PassPhrase',
    'secret',
    'secrets',
    'clientSecret',
    'client_secret',
    'clientsecret',
    'CLIENT_SECRET',
    'secretKey',
    'secret-access-key',
    'token',
    'apiToken',
    'apitoken',
    'api_tokens',
    'access_token',
    'refreshToken',
    'x-csrf-token',
    'privateKey',
    'private_key',
    'PrivateKey',
    'apiKey',
    'api_key',
    'APIKey',
    'x-api-key',
    'signingKey',
    'signing-key',
    'credential',
    'credentials',
    'userCredentials',
    'pin',
    'PIN',
    'pin_code',
    'simPin',
    'otp',
    'totpSeed',
    'passwordHash',
    'passwordhash',
    'password.value',
    'p\\u0061ssword',
    'p%61ssword',
    'ｐａｓｓｗｏｒｄ',
  ])('treats %s as secret', (name) => expect(isSecretName(name)).toBe(true));

  it.each([
    'userName',
    'email',
    'displayName',
    'externalId',
    'publicKey',
    'public_key',
    'shippingAddress',
    'address',
    'passport',
    'passportNumber',
    'pinned',
    'spinner',
    'keyboard',
    'key',
    'tokenType',
    'token_type',
    'tokentype',
    'credentialId',
    'credential_id',
    'credentialid',
    'passwordExpiresAt',
    'password_policy',
    'secretary',
    'tokenizer',
    'compass',
    'bypass',
    'value',
    'path',
    'manager',
    'employeeNumber',
    'orgCode',
    'auth-tenant-id',
    'client_id',
    '',
  ])('leaves %s alone', (name) => expect(isSecretName(name)).toBe(false));
});

describe('isSecretPath', () => {
  it.each([
    'password',
    'name.password',
    'password.value',
    'urn:ietf:params:scim:schemas:core:2.0:User:password',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:pwd',
    'urn:acme:params:scim:schemas:extension:acme:2.0:User:clientSecret',
    'urn:acme:params:scim:schemas:extension:acme:2.0:User:sso.clientSecret',
    'credentials[type eq "api"].value',
    'sso.clientSecret',
    'userPassword',
  ])('%s names a secret', (path) => expect(isSecretPath(path)).toBe(true));

  it.each([
    'userName',
    'emails[type eq "work"].value',
    'emails[value eq "password"].value',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager',
    'members',
    'name.givenName',
  ])('%s does not', (path) => expect(isSecretPath(path)).toBe(false));
});

describe('withoutSecrets', () => {
  it('drops secret members at any depth, in objects and arrays, and keeps the rest', () => {
    const input = {
      userName: 'u',
      password: 'p1',
      name: { givenName: 'g', password: 'p2' },
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { pwd: 'p3', manager: { value: 'm' } },
      'urn:acme:2.0:User:clientSecret': 'p4',
      list: [{ apiToken: 'p5', keep: 1 }, 'plain', [{ pin: 'p6' }]],
      metadata: { sso: { clientSecret: 'p7', issuer: 'i' }, 'sso.clientSecret': 'p8' },
      publicKey: 'pk',
    };
    expect(withoutSecrets(input)).toEqual({
      userName: 'u',
      name: { givenName: 'g' },
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { manager: { value: 'm' } },
      list: [{ keep: 1 }, 'plain', [{}]],
      metadata: { sso: { issuer: 'i' } },
      publicKey: 'pk',
    });
    expect(input.password).toBe('p1');
  });

  it('returns scalars as they are', () => {
    expect(withoutSecrets('x')).toBe('x');
    expect(withoutSecrets(null)).toBeNull();
    expect(withoutSecrets(3)).toBe(3);
  });

  it('walks a body nested far deeper than the stack would allow', () => {
    let deep: unknown = { password: 'p', keep: true };
    for (let i = 0; i < 100_000; i++) deep = { a: [deep] };
    let walked: unknown = withoutSecrets(deep);
    for (let i = 0; i < 100_000; i++) walked = (walked as { a: unknown[] }).a[0];
    expect(walked).toEqual({ keep: true });
  });

  it('keeps a __proto__ key as data without touching the prototype', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "secret": "s"}') as object;
    const copy = withoutSecrets(parsed) as Record<string, unknown>;
    expect(Object.keys(copy)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
