import {
  CapturedExchange,
  errorMessageOf,
  identifierOf,
  isAdminRequest,
  isKeepalive,
  isLogged,
  listSummary,
  minimalLogRow,
  NewRequestLog,
  SEARCHED_BODY_CHARS,
  searchedBody,
  storable,
  storedBody,
  toLogRow,
  truncateUtf8,
} from './capture';
import { MASK } from './redaction';

const GUID = '8a8e0d3c-7b6f-4c1e-9d2a-3f4b5c6d7e8f';

describe('isKeepalive', () => {
  it.each([
    `/scim/v2/Users?filter=userName eq "${GUID}"`,
    `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${GUID}"`)}`,
    `/scim/v2/Users?filter=userName+eq+%22${GUID.toUpperCase()}%22`,
    `/scim/Users?filter=userName%20eq%20${GUID}`,
    `/scim/endpoints/acme/Users?filter=USERNAME EQ "${GUID}"`,
    `/scim/v2/Users/?filter=userName eq "${GUID}"&startIndex=1`,
  ])('recognises the probe %s', (url) => expect(isKeepalive('GET', url)).toBe(true));

  it.each([
    ['POST', `/scim/v2/Users?filter=userName eq "${GUID}"`],
    ['GET', '/scim/v2/Users?filter=userName eq "alice@example.com"'],
    ['GET', `/scim/v2/Users?filter=externalId eq "${GUID}"`],
    ['GET', `/scim/v2/Groups?filter=userName eq "${GUID}"`],
    ['GET', `/scim/v2/Users?filter=userName eq "${GUID}" and active eq true`],
    ['GET', '/scim/v2/Users'],
    ['GET', `/api/provisioning/iam/user?filter=userName eq "${GUID}"`],
  ])('not %s %s', (method, url) => expect(isKeepalive(method, url)).toBe(false));
});

describe('which requests are logged', () => {
  it.each([
    '/health',
    '/health/',
    '/health/live',
    '/health/ready',
    '/api/docs',
    '/api/docs/openapi.json',
    '/admin',
    '/admin/assets/app.js',
    '/favicon.ico',
    '/HEALTH',
  ])('not %s', (url) => expect(isLogged(url)).toBe(false));
  it.each(['/scim/v2/Users', '/api/admin/logs', '/oauth/token', '/api/nope', '/healthz', '/administrator', '/'])(
    '%s',
    (url) => expect(isLogged(url)).toBe(true),
  );

  it('flags the admin API, not partner sync under it', () => {
    expect(isAdminRequest('/api/admin/logs?page=2')).toBe(true);
    expect(isAdminRequest('/api/admin/tenants/acme/credentials')).toBe(true);
    expect(isAdminRequest('/API/Admin/logs')).toBe(true);
    expect(isAdminRequest('/api/admin/users/sync')).toBe(false);
    expect(isAdminRequest('/api/admin/users/sync/')).toBe(false);
    expect(isAdminRequest('/api/user/job/1')).toBe(false);
  });
});

describe('identifierOf', () => {
  it('takes userName, then email, displayName, name, externalId', () => {
    expect(identifierOf({ userName: 'alice@example.com', email: 'x', externalId: 'e' })).toBe('alice@example.com');
    expect(identifierOf({ email: 'bob@example.com', externalId: 'e' })).toBe('bob@example.com');
    expect(identifierOf({ displayName: 'Sales', externalId: 'e' })).toBe('Sales');
    expect(identifierOf({ name: 'Engineering', externalId: 'e' })).toBe('Engineering');
    expect(identifierOf({ externalId: 'ext-1' })).toBe('ext-1');
    expect(identifierOf({ UserName: 'Case@Example.com' })).toBe('Case@Example.com');
  });

  it('names the first item of a batch and how many more', () => {
    expect(identifierOf([{ email: 'a@x.com' }, { email: 'b@x.com' }, { email: 'c@x.com' }])).toBe('a@x.com (+2 more)');
    expect(identifierOf({ mode: 'upsert', users: [{ email: 'p@x.com' }] })).toBe('p@x.com');
  });

  it('finds nothing in what has no identifier', () => {
    expect(identifierOf(undefined)).toBeNull();
    expect(identifierOf({ Operations: [{ op: 'replace', path: 'active', value: false }] })).toBeNull();
    expect(identifierOf({ name: { givenName: 'A' } })).toBeNull();
    expect(identifierOf({ Resources: [{ userName: 'a' }] })).toBeNull();
  });
});

describe('errorMessageOf', () => {
  it('reads every envelope', () => {
    expect(errorMessageOf(401, { status: false, message: 'Authentication failed', error: 'Invalid' }, null)).toBe(
      'Invalid',
    );
    expect(errorMessageOf(404, { schemas: [], status: '404', detail: 'User not found' }, null)).toBe('User not found');
    expect(
      errorMessageOf(401, { error: 'invalid_client', error_description: 'Client authentication failed' }, null),
    ).toBe('Client authentication failed');
    expect(errorMessageOf(502, undefined, 'Bad gateway')).toBe('Bad gateway');
    expect(errorMessageOf(500, undefined, null)).toBe('HTTP 500');
    expect(errorMessageOf(200, { error: 'x' }, null)).toBeNull();
  });
});

describe('truncateUtf8', () => {
  it('cuts at a byte limit, never inside a character', () => {
    expect(truncateUtf8('abc', 3)).toEqual({ text: 'abc', truncated: false });
    expect(truncateUtf8('abcd', 3)).toEqual({ text: 'abc', truncated: true });
    // "é" is two bytes, "😀" four.
    expect(truncateUtf8('aé', 2)).toEqual({ text: 'a', truncated: true });
    expect(truncateUtf8('😀😀', 6)).toEqual({ text: '😀', truncated: true });
  });
});

describe('storedBody', () => {
  it('keeps a body under the limit whole, redacted', () => {
    const body = Buffer.from('{"userName":"a","password":"p"}');
    expect(storedBody(body, body.length, 'application/json', 1024)).toEqual({
      text: `{"userName":"a","password":"${MASK}"}`,
      truncated: false,
    });
  });

  it('cuts a body over the limit and marks it; a secret at the cut is still masked', () => {
    const body = Buffer.from(`{"a":"${'x'.repeat(1000)}","password":"${'s'.repeat(100)}"}`);
    const stored = storedBody(body, body.length, 'application/json', 1030);
    expect(stored.truncated).toBe(true);
    expect(Buffer.byteLength(stored.text!)).toBeLessThanOrEqual(1030);
    expect(stored.text).not.toContain('sss');
  });

  it('counts the bytes not kept when marking a response truncated', () => {
    expect(storedBody(Buffer.from('abc'), 5000, 'text/plain', 1024).truncated).toBe(true);
  });

  it('stores no binary and no empty body', () => {
    expect(storedBody(Buffer.from([0, 1, 2]), 3, 'application/octet-stream', 1024)).toEqual({
      text: null,
      truncated: false,
    });
    expect(storedBody(undefined, 0, 'application/json', 1024)).toEqual({ text: null, truncated: false });
  });
});

describe('toLogRow', () => {
  const exchange = (overrides: Partial<CapturedExchange> = {}): CapturedExchange => ({
    time: new Date('2030-01-01T00:00:00Z'),
    durationMs: 12.6,
    method: 'post',
    url: '/scim/v2/Users?access_token=abc',
    status: 201,
    aborted: false,
    requestHeaders: { authorization: 'Bearer abc', 'content-type': 'application/scim+json' },
    requestBody: Buffer.from('{"userName":"Alice@Example.com","password":"pw-1"}'),
    requestIdentifier: identifierOf({ userName: 'Alice@Example.com', password: 'pw-1' }),
    responseHeaders: { 'content-type': 'application/scim+json; charset=utf-8', 'x-request-id': 'r-1' },
    responseBody: Buffer.from('{"id":"u1","userName":"Alice@Example.com"}'),
    responseBytes: 41,
    tenantId: 'acme',
    credentialId: 'c-1',
    correlationId: 'r-1',
    authFailure: 'token_expired',
    clientAddress: '203.0.113.7',
    ...overrides,
  });

  it('writes an IPv4 client of a dual-stack socket without its ::ffff: prefix, and keeps IPv6 as it is', () => {
    expect(toLogRow(exchange({ clientAddress: '::ffff:198.51.100.23' }), 65536).clientAddress).toBe('198.51.100.23');
    expect(toLogRow(exchange({ clientAddress: '::1' }), 65536).clientAddress).toBe('::1');
    expect(toLogRow(exchange({ clientAddress: '2001:db8::ffff:1' }), 65536).clientAddress).toBe('2001:db8::ffff:1');
    expect(toLogRow(exchange({ clientAddress: undefined }), 65536).clientAddress).toBeNull();
  });

  it('builds a redacted row with every field', () => {
    const row = toLogRow(exchange(), 65536);
    expect(row).toEqual({
      time: new Date('2030-01-01T00:00:00Z'),
      method: 'POST',
      path: `/scim/v2/Users?access_token=${MASK}`,
      status: 201,
      durationMs: 13,
      tenantId: 'acme',
      credentialId: 'c-1',
      correlationId: 'r-1',
      identifier: 'Alice@Example.com',
      errorMessage: null,
      authFailure: 'token_expired',
      clientAddress: '203.0.113.7',
      admin: false,
      keepalive: false,
      requestHeaders: { authorization: `Bearer ${MASK}`, 'content-type': 'application/scim+json' },
      requestBody: `{"userName":"Alice@Example.com","password":"${MASK}"}`,
      requestBodyTruncated: false,
      responseHeaders: { 'content-type': 'application/scim+json; charset=utf-8', 'x-request-id': 'r-1' },
      responseBody: '{"id":"u1","userName":"Alice@Example.com"}',
      responseBodyTruncated: false,
      detailsOmitted: false,
      searchText: expect.stringContaining('alice@example.com'),
    });
    expect(row.searchText).not.toContain('pw-1');
    expect(row.searchText).not.toContain('abc');
  });

  it('takes the identifier and the error from the answer when the request has none', () => {
    const row = toLogRow(
      exchange({
        method: 'GET',
        url: '/scim/v2/Users/u1',
        status: 404,
        requestBody: undefined,
        requestIdentifier: null,
        responseBody: Buffer.from('{"status":"404","detail":"User u1 not found"}'),
      }),
      65536,
    );
    expect(row).toMatchObject({ identifier: null, errorMessage: 'User u1 not found', requestBody: null });
    const found = toLogRow(exchange({ method: 'GET', requestBody: undefined, requestIdentifier: null }), 65536);
    expect(found.identifier).toBe('Alice@Example.com');
  });

  it('records a client that went away, and keeps no event-stream body', () => {
    expect(toLogRow(exchange({ aborted: true, status: 499 }), 65536).errorMessage).toMatch(/client closed/);
    const stream = toLogRow(
      exchange({
        aborted: true,
        responseHeaders: { 'content-type': 'text/event-stream' },
        responseBody: Buffer.from('event: log\n'),
      }),
      65536,
    );
    expect(stream).toMatchObject({ responseBody: null, errorMessage: null });
  });

  it('flags keepalive probes and admin requests', () => {
    const probe = toLogRow(exchange({ method: 'GET', url: `/scim/v2/Users?filter=userName eq "${GUID}"` }), 65536);
    expect(probe.keepalive).toBe(true);
    expect(toLogRow(exchange({ url: '/api/admin/tenants' }), 65536).admin).toBe(true);
  });

  it('replaces NUL, which PostgreSQL text cannot hold', () => {
    const row = toLogRow(exchange({ requestBody: Buffer.from('{"a":"x\u0000y"}') }), 65536);
    expect(row.requestBody).toBe('{"a":"x\uFFFDy"}');
  });

  /** Every text of the row, as the INSERT sends it (headers as jsonb text). */
  const texts = (row: NewRequestLog): string[] =>
    Object.values(row).flatMap((value) =>
      typeof value === 'string'
        ? [value]
        : value && typeof value === 'object' && !(value instanceof Date)
          ? [JSON.stringify(value)]
          : [],
    );
  /** What jsonb refuses, raw or escaped. */
  const unstorable = new RegExp(
    String.raw`\u0000|\\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\\ud[89a-f]`,
    'i',
  );

  it('leaves nothing PostgreSQL refuses in any text: NUL and lone surrogates, escaped or raw, anywhere', () => {
    const hostile = 'a\u0000b\ud800c\udfffd';
    const row = toLogRow(
      exchange({
        method: 'POST',
        url: `/scim/v2/Users/${hostile}?q=${hostile}`,
        requestHeaders: { 'content-type': 'application/json', [`x-${hostile}`]: hostile },
        requestBody: Buffer.from(JSON.stringify({ userName: hostile, nested: [hostile, { k: '\\u0000' }] })),
        requestIdentifier: identifierOf({ userName: hostile }),
        responseHeaders: { 'content-type': 'application/json', 'x-request-id': hostile },
        responseBody: Buffer.from(`{"detail":${JSON.stringify(hostile)},"raw":"\\u0000\\ud800"}`),
        responseBytes: 64,
        status: 400,
        tenantId: hostile,
        credentialId: hostile,
        correlationId: hostile,
      }),
      65536,
    );
    // An escaped `\u0000` in a text column is six harmless characters; in jsonb it would be refused.
    for (const jsonb of [row.requestHeaders, row.responseHeaders])
      expect(JSON.stringify(jsonb)).not.toMatch(unstorable);
    for (const text of texts(row)) expect(storable(text)).toBe(text);
    expect(row.identifier).toBe('a\uFFFDb\uFFFDc\uFFFDd');
    expect(row.errorMessage).toBe('a\uFFFDb\uFFFDc\uFFFDd');
    expect(row.searchText).toContain('a\uFFFDb\uFFFDc\uFFFDd');
  });

  it('keeps surrogate pairs, and mends one cut in two by a length bound', () => {
    expect(storable('\u{1F600}')).toBe('\u{1F600}');
    const row = toLogRow(
      exchange({
        requestBody: undefined,
        requestIdentifier: identifierOf({ userName: `${'x'.repeat(319)}\u{1F600}` }),
      }),
      65536,
    );
    expect(row.identifier).toBe(`${'x'.repeat(319)}\uFFFD`);
  });

  it('stores a body 10,000 levels deep, whole or cut, without recursing through it', () => {
    const depth = 10_000;
    const valid = `${'{"a":'.repeat(depth)}"deep-value"${'}'.repeat(depth)}`;
    const arrays = `${'['.repeat(depth)}"deep-item"${']'.repeat(depth)}`;
    for (const text of [valid, arrays, valid.slice(0, 30_000), `{"password":${valid}}`]) {
      const row = toLogRow(
        exchange({
          requestBody: Buffer.from(text),
          requestIdentifier: null,
          responseBody: Buffer.from(text),
          responseBytes: text.length,
        }),
        65536,
      );
      expect(row.requestBody?.length).toBeGreaterThan(0);
    }
    expect(searchedBody(valid)).toBe('deep-value');
    expect(searchedBody(arrays)).toBe('deep-item');
    const masked = toLogRow(
      exchange({ requestBody: Buffer.from(`{"password":${valid}}`), requestIdentifier: null }),
      65536,
    );
    expect(masked.requestBody).toBe(`{"password":"${MASK}"}`);
  });

  it('builds a row without bodies, marked, from what the request line and caller say', () => {
    const row = minimalLogRow(exchange({ url: '/scim/v2/Users?access_token=abc\u0000', status: 500 }));
    expect(row).toMatchObject({
      method: 'POST',
      path: `/scim/v2/Users?access_token=${MASK}`,
      status: 500,
      tenantId: 'acme',
      credentialId: 'c-1',
      requestHeaders: { authorization: `Bearer ${MASK}`, 'content-type': 'application/scim+json' },
      requestBody: null,
      responseBody: null,
      detailsOmitted: true,
      errorMessage: 'HTTP 500',
    });
  });

  it('searches the start of each body only', () => {
    const long = `{"a":"${'x'.repeat(SEARCHED_BODY_CHARS)}needle"}`;
    const row = toLogRow(exchange({ requestBody: Buffer.from(long), requestIdentifier: null }), 65536);
    expect(row.requestBody).toContain('needle');
    expect(row.searchText).not.toContain('needle');
  });

  it("searches a JSON body's distinct values, not its keys or SCIM's boilerplate", () => {
    const answer = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      id: '2819c223-7f76-453a-919d-413861904646',
      userName: 'Bjensen@Example.com',
      emails: [{ value: 'bjensen@example.com', type: 'work' }, { value: 'bjensen@example.com' }],
      active: true,
      meta: { resourceType: 'User', created: '2026-12-05T10:00:00Z', location: 'https://h/scim/v2/Users/x' },
    };
    const row = toLogRow(exchange({ responseBody: Buffer.from(JSON.stringify(answer)) }), 65536);
    const body = row.searchText.split('\n').at(-1);
    expect(body).toBe('2819c223-7f76-453a-919d-413861904646 bjensen@example.com work');
    expect(row.responseBody).toBe(JSON.stringify(answer));
  });

  it('searches a body that is not JSON as text', () => {
    const row = toLogRow(
      exchange({ requestBody: Buffer.from('plain words'), requestHeaders: { 'content-type': 'text/plain' } }),
      65536,
    );
    expect(row.searchText).toContain('\nplain words\n');
  });
});

describe('listSummary (what search finds of a list answer)', () => {
  const user = (n: number) => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    id: `0000000${n}-7f76-453a-919d-413861904646`,
    externalId: `ext-${n}`,
    userName: `User${n}@Example.com`,
    name: { givenName: `Given${n}`, familyName: `Family${n}` },
    displayName: `Given${n} Family${n}`,
    emails: [{ value: `user${n}@example.com`, type: 'work' }],
    meta: { resourceType: 'User', location: `https://h/scim/v2/Users/${n}` },
  });
  const list = (resources: unknown[], total: number) => ({
    schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
    totalResults: total,
    startIndex: 1,
    itemsPerPage: resources.length,
    Resources: resources,
  });

  it("holds a ListResponse's total and its resources' identifiers, not their other values", () => {
    expect(listSummary(list([user(1), user(2)], 111))).toBe(
      'total 111 user1@example.com user2@example.com given1 family1 given2 family2 ext-1 ext-2 ' +
        '00000001-7f76-453a-919d-413861904646 00000002-7f76-453a-919d-413861904646',
    );
    expect(listSummary({ totalResults: 0, Resources: [] })).toBe('total 0');
  });

  it('puts every userName of a page before any id, within SEARCHED_BODY_CHARS', () => {
    const page = list(
      Array.from({ length: 100 }, (_, i) => user(i + 1)),
      100_000,
    );
    const summary = listSummary(page)!;
    expect(summary.length).toBeLessThanOrEqual(SEARCHED_BODY_CHARS);
    for (let n = 1; n <= 100; n++) expect(summary).toContain(`user${n}@example.com`);
    expect(summary).not.toContain('given1 family1 given1');
  });

  it("summarises the admin API's lists too, and nothing else", () => {
    expect(listSummary({ items: [{ id: 'acme', name: 'Acme' }], total: 1 })).toBe('total 1 acme');
    expect(listSummary(user(1))).toBeNull();
    expect(listSummary([user(1)])).toBeNull();
    expect(listSummary('text')).toBeNull();
  });

  it('is the search text of a list answer, while its stored body stays whole', () => {
    const answer = JSON.stringify(list([user(7)], 1));
    const row = toLogRow(
      {
        time: new Date(0),
        durationMs: 1,
        method: 'GET',
        url: '/scim/v2/Users?filter=userName%20eq%20%22user7%40example.com%22',
        status: 200,
        aborted: false,
        requestHeaders: {},
        responseHeaders: { 'content-type': 'application/scim+json' },
        responseBody: Buffer.from(answer),
        responseBytes: answer.length,
      },
      65536,
    );
    expect(row.responseBody).toBe(answer);
    expect(row.searchText.split('\n').at(-1)).toBe(
      'total 1 user7@example.com given7 family7 ext-7 00000007-7f76-453a-919d-413861904646',
    );
    expect(row.searchText).not.toContain('https://h/');
  });
});
