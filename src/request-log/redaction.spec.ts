import {
  isLoggedSecretName,
  isLoggedSecretPath,
  isSecretParameterName,
  MASK,
  maskFilterValues,
  redactBody,
  redactForm,
  redactHeaders,
  redactJsonText,
  redactUrl,
  scrubText,
} from './redaction';

const S = 'hunter2-Secret-Value';
const mask = (value: unknown): string => JSON.stringify(value);

describe('isLoggedSecretName', () => {
  it.each([
    'password',
    'Password',
    'PASSWORD',
    'newPassword',
    'passwd',
    'pwd',
    'secret',
    'client_secret',
    'clientSecret',
    'token',
    'auth-token',
    'access_token',
    'refresh_token',
    'id_token',
    'x-csrf-token',
    'apiKey',
    'api_key',
    'x-api-key',
    'authorization',
    'proxy-authorization',
    'credential',
    'credentials',
    'cookie',
    'set-cookie',
    'private_key',
    'client_assertion',
    'sessionId',
    'jwt',
  ])('treats %s as secret', (name) => expect(isLoggedSecretName(name)).toBe(true));

  it.each([
    'userName',
    'email',
    'displayName',
    'externalId',
    'client_id',
    'token_type',
    'credentialId',
    'content-type',
    'auth-tenant-id',
    'x-request-id',
    'value',
    'path',
  ])('leaves %s alone', (name) => expect(isLoggedSecretName(name)).toBe(false));
});

describe('isLoggedSecretPath', () => {
  it.each([
    'password',
    'Password',
    'urn:ietf:params:scim:schemas:core:2.0:User:password',
    'credentials[type eq "api"].value',
    'x509Secret',
    'extension.apiKey',
  ])('%s names a secret', (path) => expect(isLoggedSecretPath(path)).toBe(true));

  it.each([
    'userName',
    'emails[type eq "work"].value',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager',
    'members',
    'name.givenName',
  ])('%s does not', (path) => expect(isLoggedSecretPath(path)).toBe(false));
});

describe('redactHeaders', () => {
  it('masks credentials and keeps the authorization scheme', () => {
    expect(
      redactHeaders({
        Authorization: `Bearer ${S}`,
        'proxy-authorization': `Basic ${Buffer.from(`u:${S}`).toString('base64')}`,
        'auth-token': S,
        'auth-tenant-id': 'acme',
        cookie: `session=${S}; theme=dark`,
        'set-cookie': [`sid=${S}; HttpOnly`, 'theme=dark'],
        'x-api-key': S,
        'x-session-token': S,
        'content-type': 'application/json',
        'content-length': 42,
        absent: undefined,
      }),
    ).toEqual({
      authorization: `Bearer ${MASK}`,
      'proxy-authorization': `Basic ${MASK}`,
      'auth-token': MASK,
      'auth-tenant-id': 'acme',
      cookie: MASK,
      'set-cookie': MASK,
      'x-api-key': MASK,
      'x-session-token': MASK,
      'content-type': 'application/json',
      'content-length': '42',
    });
  });

  it('masks a bare credential whole, scheme or not', () => {
    expect(redactHeaders({ authorization: S })).toEqual({ authorization: MASK });
    expect(redactHeaders({ authorization: `${S} more` })).toEqual({ authorization: MASK });
  });
});

describe('redactUrl', () => {
  it('masks secret-looking parameters and keeps the rest as sent', () => {
    expect(
      redactUrl(`/scim/v2/Users?filter=userName%20eq%20%22a%22&access_token=${S}&count=10&client_secret=${S}`),
    ).toBe(`/scim/v2/Users?filter=userName%20eq%20%22a%22&access_token=${MASK}&count=10&client_secret=${MASK}`);
    expect(redactUrl(`/x?token=${S}`)).toBe(`/x?token=${MASK}`);
    expect(redactUrl(`/x?Api-Key=${S}&a=1`)).toBe(`/x?Api-Key=${MASK}&a=1`);
  });

  it('masks a parameter whose name is encoded, or does not decode', () => {
    expect(redactUrl(`/x?%61ccess_token=${S}`)).toBe(`/x?%61ccess_token=${MASK}`);
    expect(redactUrl(`/x?%E0%A4%A=${S}`)).toBe(`/x?%E0%A4%A=${MASK}`);
    expect(redactUrl(`/x?user[password]=${S}`)).toBe(`/x?user[password]=${MASK}`);
  });

  it('leaves paths without a query and harmless queries alone', () => {
    expect(redactUrl('/scim/v2/Users/abc')).toBe('/scim/v2/Users/abc');
    expect(redactUrl('/x?a=1&b&c=')).toBe('/x?a=1&b&c=');
  });
});

describe('redactForm', () => {
  it('masks secret fields of a form body', () => {
    expect(redactForm(`grant_type=client_credentials&client_id=app&client_secret=${encodeURIComponent(S)}`)).toBe(
      `grant_type=client_credentials&client_id=app&client_secret=${MASK}`,
    );
    expect(redactForm(`username=bob&password=${S}&scope=a+b`)).toBe(`username=bob&password=${MASK}&scope=a+b`);
    expect(redactForm(`client%5Fsecret=${S}`)).toBe(`client%5Fsecret=${MASK}`);
  });

  it('masks a form that cannot be parsed whole', () => {
    expect(redactForm(`client_secret=%E0%A4%A${S}`)).toBe(MASK);
    expect(redactForm(`{"client_secret":"${S}","a":"b=c"}`)).toBe(MASK);
    expect(redactForm('')).toBe('');
  });
});

describe('redactJsonText', () => {
  it('masks values under secret keys at any depth, in objects and arrays, whatever their type', () => {
    const body = {
      userName: 'bob',
      password: S,
      nested: { deeper: [{ client_secret: S, keep: 'me' }, { Token: 12345 }] },
      credentials: { id: 'x', value: S },
      apiKeys: [S, S],
      api_key: null,
      refresh_token: true,
    };
    const redacted = JSON.parse(redactJsonText(JSON.stringify(body, null, 2)));
    expect(redacted).toEqual({
      userName: 'bob',
      password: MASK,
      nested: { deeper: [{ client_secret: MASK, keep: 'me' }, { Token: MASK }] },
      credentials: MASK,
      apiKeys: MASK,
      api_key: MASK,
      refresh_token: MASK,
    });
  });

  it('keeps the formatting of what it does not mask', () => {
    const text = '{ "userName" : "bob",\n  "password":"x" }';
    expect(redactJsonText(text)).toBe(`{ "userName" : "bob",\n  "password":${mask(MASK)} }`);
  });

  it('masks the value of a SCIM PATCH operation whose path names a secret, and only that one', () => {
    const patch = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'replace', path: 'displayName', value: 'Bob' },
        { op: 'replace', path: 'password', value: S },
        { op: 'Replace', Path: 'urn:ietf:params:scim:schemas:core:2.0:User:password', Value: S },
        { value: S, op: 'add', path: 'password' },
        { op: 'replace', path: 'credentials[type eq "x"]', value: [{ v: S }] },
        { op: 'replace', value: { password: S, active: true } },
      ],
    };
    expect(JSON.parse(redactJsonText(JSON.stringify(patch)))).toEqual({
      schemas: patch.schemas,
      Operations: [
        { op: 'replace', path: 'displayName', value: 'Bob' },
        { op: 'replace', path: 'password', value: MASK },
        { op: 'Replace', Path: 'urn:ietf:params:scim:schemas:core:2.0:User:password', Value: MASK },
        { value: MASK, op: 'add', path: 'password' },
        { op: 'replace', path: 'credentials[type eq "x"]', value: MASK },
        { op: 'replace', value: { password: MASK, active: true } },
      ],
    });
  });

  it('reads keys with escapes as JSON does', () => {
    expect(JSON.parse(redactJsonText(`{"pass\\u0077ord":"${S}","a\\"b":"c"}`))).toEqual({
      password: MASK,
      'a"b': 'c',
    });
  });

  it('masks secrets in text that is not valid JSON', () => {
    expect(redactJsonText(`{"password": "${S}",, "x": }`)).not.toContain(S);
    expect(redactJsonText(`{"password": ${S}}`)).not.toContain(S);
    expect(redactJsonText(`["password": "${S}"]`)).not.toContain(S);
  });

  it('masks a secret cut short at the end of a truncated body', () => {
    expect(redactJsonText(`{"a":"b","password":"${S.slice(0, 8)}`)).toBe(`{"a":"b","password":${mask(MASK)}`);
    expect(redactJsonText(`{"credentials":{"value":"${S.slice(0, 8)}`)).toBe(`{"credentials":${mask(MASK)}`);
    expect(redactJsonText(`{"Operations":[{"op":"replace","path":"password","value":"${S.slice(0, 5)}`)).not.toContain(
      S.slice(0, 5),
    );
  });

  it('is linear on deeply nested input', () => {
    const deep = '{"path":"password","a":'.repeat(5000) + '1' + '}'.repeat(5000);
    const started = Date.now();
    redactJsonText(deep);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('leaves JSON without secrets unchanged', () => {
    const text = JSON.stringify({ userName: 'a@b.c', emails: [{ value: 'a@b.c' }], note: 'token-free "quotes" \\' });
    expect(redactJsonText(text)).toBe(text);
  });
});

describe('scrubText', () => {
  it('masks name=value pairs, bearer and basic credentials, and JWTs in free text', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXZhbHVl';
    const text = `client_secret=${S}&a=1 Authorization: Bearer abc.${S} and Basic dXNlcjpwYXNzd29yZA== then ${jwt} password = ${S}`;
    const scrubbed = scrubText(text);
    expect(scrubbed).not.toContain(S);
    expect(scrubbed).not.toContain(jwt);
    expect(scrubbed).not.toContain('dXNlcjpwYXNzd29yZA');
    expect(scrubbed).toContain('a=1');
  });

  it('leaves ordinary prose alone', () => {
    const text = 'Basic information about the Bearer of this userName=bob';
    expect(scrubText(text)).toBe(text);
  });
});

describe('redactBody', () => {
  it('masks a form body field by field', () => {
    expect(redactBody(`client_id=a&client_secret=${S}`, 'application/x-www-form-urlencoded; charset=utf-8')).toBe(
      `client_id=a&client_secret=${MASK}`,
    );
  });

  it('masks JSON and the free text inside it', () => {
    const body = JSON.stringify({ password: S, next: `https://x/cb?access_token=${S}` });
    const redacted = redactBody(body, 'application/scim+json');
    expect(redacted).not.toContain(S);
    expect(JSON.parse(redacted)).toEqual({ password: MASK, next: `https://x/cb?access_token=${MASK}` });
  });

  it('masks a form sent as JSON and JSON sent as text', () => {
    expect(redactBody(`client_secret=${S}`, 'application/json')).not.toContain(S);
    expect(redactBody(`{"token":"${S}"}`, 'text/plain')).not.toContain(S);
  });
});

describe('the gaps of issue 14', () => {
  describe('isSecretParameterName: the wider rule of headers, query parameters and form fields', () => {
    it.each([
      'key',
      'pass',
      'pw',
      'sig',
      'signature',
      'code',
      'auth_code',
      'device_code',
      'session',
      'session_id',
      'JSESSIONID',
      'X-Auth',
      'X-Access-Key',
      'Ocp-Apim-Subscription-Key',
      'X-Session',
      'X-Hub-Signature',
      'X-Hub-Signature-256',
      'X-Signature',
      'X-Key',
      'X-Functions-Key',
      'X-PSK',
      'X-Shared-Key',
      'X-Amz-Security-Token',
      'code_verifier',
      'x-api-key',
      'pin',
      'password',
      'authorization',
      'cookie',
    ])('treats %s as secret', (name) => expect(isSecretParameterName(name)).toBe(true));

    it.each([
      'filter',
      'count',
      'startIndex',
      'countryCode',
      'statusCode',
      'postalCode',
      'auth-tenant-id',
      'content-type',
      'x-request-id',
      'Idempotency-Key',
      'publicKey',
      'X-Key-Id',
      'passport',
      'keyboard',
      'attributes',
    ])('leaves %s alone', (name) => expect(isSecretParameterName(name)).toBe(false));
  });

  it('masks the headers of the issue, whatever their case', () => {
    const headers = Object.fromEntries(
      [
        'X-Auth',
        'X-Access-Key',
        'Ocp-Apim-Subscription-Key',
        'X-Session',
        'X-Hub-Signature',
        'X-Signature',
        'X-Key',
        'X-Functions-Key',
        'X-PSK',
        'X-Shared-Key',
      ].map((name) => [name, S]),
    );
    const redacted = redactHeaders({ ...headers, 'auth-tenant-id': 't1' });
    expect(JSON.stringify(redacted)).not.toContain(S);
    expect(redacted['auth-tenant-id']).toBe('t1');
  });

  it('masks the query names of the issue', () => {
    for (const name of ['key', 'pass', 'pw', 'sig', 'signature', 'code', 'session']) {
      expect(redactUrl(`/scim/v2/Users?count=2&${name}=${S}`)).toBe(`/scim/v2/Users?count=2&${name}=${MASK}`);
    }
  });

  it('masks values after ";" or after a second "?", and ";" parameters in the path', () => {
    expect(redactUrl(`/a?x=1;password=${S}`)).toBe(`/a?x=1;password=${MASK}`);
    expect(redactUrl(`/a?x=1?token=${S}&y=2`)).toBe(`/a?x=1?token=${MASK}&y=2`);
    expect(redactUrl(`/a?token=${S}?y=2`)).toBe(`/a?token=${MASK}?y=2`);
    expect(redactUrl(`/a;jsessionid=${S}/b?c=1`)).toBe(`/a;jsessionid=${MASK}/b?c=1`);
    expect(redactUrl('/a;v=1?c=1')).toBe('/a;v=1?c=1');
  });

  it('masks the value compared to a secret attribute in a query filter, and keeps the rest', () => {
    const url = `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "bob" and password eq "${S}"`)}&count=1`;
    const redacted = redactUrl(url);
    expect(redacted).not.toContain(S);
    expect(decodeURIComponent(redacted)).toContain(`userName eq "bob" and password eq "${MASK}"`);
    expect(redactUrl('/scim/v2/Users?filter=userName%20eq%20%22bob%22')).toBe(
      '/scim/v2/Users?filter=userName%20eq%20%22bob%22',
    );
  });

  it.each([
    `password eq "${S}"`,
    `PASSWORD EQ "${S}"`,
    `password eq ${S}`,
    `not (password sw "${S}")`,
    `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:pwd eq "${S}"`,
    `urn:acme:2.0:User:clientSecret co "${S}"`,
    `credentials[value eq "${S}"]`,
    `name.password eq "${S}"`,
    `userName eq "a" or (apiToken eq "${S}" and active eq true)`,
    `password eq "${S}\\" and x eq \\"y"`,
  ])('masks the compared value in %s', (filter) => {
    expect(maskFilterValues(filter)).not.toContain(S.slice(0, 7));
    expect(maskFilterValues(filter)).toContain(MASK);
  });

  it('leaves filters on ordinary attributes alone', () => {
    for (const filter of ['userName eq "password"', 'emails[type eq "work"]', 'displayName co "token"']) {
      expect(maskFilterValues(filter)).toBe(filter);
    }
  });

  it('masks a filter in a .search body and in an error message quoting it', () => {
    const search = redactJsonText(JSON.stringify({ filter: `password eq "${S}"`, count: 1 }));
    expect(search).not.toContain(S);
    expect(JSON.parse(search)).toEqual({ filter: `password eq "${MASK}"`, count: 1 });
    const answer = redactBody(JSON.stringify({ detail: `Unsupported filter: password eq "${S}"` }), 'application/json');
    expect(answer).not.toContain(S);
  });

  it('masks the value of a PATCH operation whose "path" key or value is JSON-escaped', () => {
    const text = `{"Operations":[{"op":"replace","p\\u0061th":"password","value":"${S}"},{"op":"add","path":"p\\u0061ssword","value":"${S}"}]}`;
    const redacted = redactJsonText(text);
    expect(redacted).not.toContain(S);
    expect(redactJsonText(`{"p\\u0061ssword": "${S}", "pa\\u0073s": "${S}"}`)).not.toContain(S);
  });

  it('masks the item fields pass and pin, and secret names at any depth of metadata', () => {
    const items = [{ email: 'a@x.io', pass: S, pin: '4711' }, { metadata: { sso: { clientSecret: S } } }];
    const redacted = redactJsonText(JSON.stringify(items));
    expect(redacted).not.toContain(S);
    expect(redacted).not.toContain('4711');
    expect(redacted).toContain('a@x.io');
  });

  it('masks form fields after ";" and under the wider names', () => {
    expect(redactForm(`grant_type=client_credentials;client_secret=${S}`)).toBe(
      `grant_type=client_credentials;client_secret=${MASK}`,
    );
    expect(redactForm(`code=${S}&code_verifier=${S}&client_id=c`)).toBe(
      `code=${MASK}&code_verifier=${MASK}&client_id=c`,
    );
    expect(redactBody(`x=1&pw=${S}`, 'Application/X-WWW-Form-Urlencoded; charset=utf-8')).toBe(`x=1&pw=${MASK}`);
  });
});

describe('work bounded by the text', () => {
  const fast = (run: () => unknown): void => {
    const start = Date.now();
    run();
    expect(Date.now() - start).toBeLessThan(1500);
  };

  it('judges a long upper-case or glued name in linear time', () => {
    fast(() => expect(isSecretParameterName('A'.repeat(200_000))).toBe(false));
    fast(() => expect(isLoggedSecretName(`${'a'.repeat(200_000)}Password`)).toBe(true));
  });

  it('masks filters and name=value pairs in long unbroken text in linear time', () => {
    fast(() => maskFilterValues(`${'a'.repeat(200_000)} eq x`));
    fast(() => scrubText(`${'a'.repeat(200_000)} eq x`));
    fast(() => scrubText(`${'b'.repeat(200_000)}=`));
    fast(() => maskFilterValues(`x[${'y eq 1 and '.repeat(20_000)}]`));
  });
});
