import { ContractChecker, type Exchange, formatViolations } from './contract';
import { openApiDocument } from '../../src/openapi/openapi.document';
import { checkedPerItem } from '../../src/openapi/components';
import type { OpenApiDocument } from '../../src/openapi/openapi.types';

/** A small hand-made document: one JSON read with a 429, one write with a request body, one 204. */
const document: OpenApiDocument = {
  openapi: '3.1.0',
  info: { title: 't', version: '1' },
  servers: [],
  tags: [],
  'x-tagGroups': [],
  paths: {
    '/things/{id}': {
      get: {
        operationId: 'getThing',
        summary: 's',
        description: 'd',
        tags: [],
        security: [],
        parameters: [{ name: 'id', in: 'path', required: true, description: 'd', schema: { type: 'string' } }],
        responses: {
          '200': {
            description: 'ok',
            headers: { ETag: { description: 'v', required: true, schema: { type: 'string', pattern: '^W/' } } },
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
          },
          '429': { $ref: '#/components/responses/TooMany' },
        },
      },
      delete: {
        operationId: 'deleteThing',
        summary: 's',
        description: 'd',
        tags: [],
        security: [],
        responses: { '204': { description: 'gone' } },
      },
    },
    '/things': {
      post: {
        operationId: 'createThing',
        summary: 's',
        description: 'd',
        tags: [],
        security: [],
        parameters: [{ name: 'mode', in: 'query', required: true, description: 'd', schema: { type: 'string' } }],
        requestBody: {
          description: 'd',
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
        },
        responses: {
          '201': {
            description: 'made',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
          },
          '400': { $ref: '#/components/responses/TooMany' },
        },
      },
    },
  },
  components: {
    securitySchemes: {},
    schemas: {
      Thing: {
        type: 'object',
        required: ['id', 'name'],
        properties: { id: { type: 'string' }, name: { type: 'string' }, note: { type: ['string', 'null'] } },
      },
    },
    responses: {
      TooMany: {
        description: 'slow down',
        headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } },
        content: { 'application/json': { schema: { $ref: '#/components/schemas/ProvisioningError' } } },
      },
    },
    headers: { RetryAfter: { description: 's', required: true, schema: { type: 'string', pattern: '^[0-9]+$' } } },
  },
};

const thing = { id: 't1', name: 'Thing', note: null };
const providerError = { status: false, message: 'm', error: 'e', errors: [] };
const json = (status: number, body: unknown, headers: Record<string, string> = {}): Partial<Exchange> => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: Buffer.from(JSON.stringify(body)),
});
const exchange = (over: Partial<Exchange>): Exchange => ({
  method: 'GET',
  url: '/things/t1',
  route: '/things/:id',
  status: 200,
  headers: {},
  body: Buffer.alloc(0),
  bodyComplete: true,
  ...over,
});

describe('ContractChecker', () => {
  const checker = new ContractChecker(document, (_method, route) => route.includes('/_probe'));
  const problems = (over: Partial<Exchange>) => checker.check(exchange(over)).violations.map((v) => v.problem);

  it('accepts an exchange the document describes, and names its operation', () => {
    const result = checker.check(exchange(json(200, thing, { etag: 'W/"1"' })));
    expect(result).toEqual({ operationId: 'getThing', violations: [] });
    expect(problems({ ...json(429, providerError, { 'retry-after': '3' }) })).toEqual([]);
    expect(problems({ method: 'DELETE', status: 204 })).toEqual([]);
    expect(
      problems({ method: 'HEAD', status: 200, headers: { etag: 'W/"1"', 'content-type': 'application/json' } }),
    ).toEqual([]);
  });

  it('refuses a status the operation does not declare', () => {
    expect(problems(json(404, providerError))).toEqual([expect.stringContaining('status 404 is not declared')]);
  });

  it('refuses a body without a required field', () => {
    const result = checker.check(exchange(json(200, { id: 't1' }, { etag: 'W/"1"' })));
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0].errors).toEqual([expect.stringContaining("must have required property 'name'")]);
    expect(formatViolations(result.violations)).toContain('GET /things/t1 → 200 (getThing)');
    expect(formatViolations([...result.violations, ...result.violations])).toContain('(2 times)');
  });

  it('refuses a content type the status does not declare, and a body where none is declared', () => {
    expect(
      problems({ ...json(200, thing, { etag: 'W/"1"' }), headers: { 'content-type': 'text/html', etag: 'W/"1"' } }),
    ).toEqual([expect.stringContaining('the content type text/html is not declared')]);
    expect(problems({ method: 'DELETE', ...json(204, thing) })).toEqual([
      expect.stringContaining('declares no content'),
    ]);
    expect(problems({ status: 200, headers: { etag: 'W/"1"' } })).toEqual([
      expect.stringContaining('the answer has no body'),
    ]);
  });

  it('refuses a 429 without Retry-After, and a header that does not match its schema', () => {
    expect(problems(json(429, providerError))).toEqual(['the required header Retry-After is missing']);
    expect(problems(json(429, providerError, { 'retry-after': 'soon' }))).toEqual([
      expect.stringContaining('the header Retry-After'),
    ]);
  });

  it('refuses an undocumented route, but not a test probe', () => {
    expect(problems({ route: '/elsewhere', ...json(200, {}) })).toEqual([
      'the route GET /elsewhere is not in the document',
    ]);
    expect(problems({ route: '/api/_probe/echo', ...json(200, {}) })).toEqual([]);
  });

  it('checks the request of an accepted answer only', () => {
    const post = { method: 'POST', url: '/things?mode=a', route: '/things', query: { mode: 'a' } };
    const ok = { ...post, ...json(201, thing), requestContentType: 'application/json' };
    expect(problems({ ...ok, requestBody: thing })).toEqual([]);
    expect(problems({ ...ok, requestBody: { id: 1 } })).toEqual([
      expect.stringContaining('an accepted application/json request body does not match'),
    ]);
    expect(problems({ ...ok, requestBody: thing, query: {} })).toEqual([
      expect.stringContaining('the required query parameter mode is missing'),
    ]);
    expect(problems({ ...ok, requestBody: thing, requestContentType: 'text/plain' })).toEqual([
      expect.stringContaining('content type text/plain is not declared'),
    ]);
    expect(problems({ ...post, ...json(400, providerError, { 'retry-after': '1' }), requestBody: { id: 1 } })).toEqual(
      [],
    );
  });

  it('checks only the array of an accepted request whose items the service answers one by one', () => {
    const batch: OpenApiDocument = {
      ...document,
      paths: {
        '/batch': {
          post: {
            operationId: 'batch',
            summary: 's',
            description: 'd',
            tags: [],
            security: [],
            requestBody: {
              description: 'd',
              required: true,
              content: {
                'application/json': {
                  schema: checkedPerItem({ type: 'array', items: { $ref: '#/components/schemas/Thing' } }),
                },
              },
            },
            responses: { '200': { description: 'ok', content: { 'application/json': { schema: {} } } } },
          },
        },
      },
    };
    const checker = new ContractChecker(batch);
    const post = (requestBody: unknown) =>
      checker
        .check(
          exchange({
            method: 'POST',
            url: '/batch',
            route: '/batch',
            requestContentType: 'application/json',
            requestBody,
            ...json(200, { failed: 1 }),
          }),
        )
        .violations.map((v) => v.problem);
    expect(post([thing, { id: 1 }, 'not an item'])).toEqual([]);
    expect(post({ id: 't1' })).toEqual([expect.stringContaining('request body does not match')]);
  });

  it('wants a 4xx in a known error format when no route matched', () => {
    expect(problems({ route: undefined, ...json(404, providerError) })).toEqual([]);
    expect(problems({ route: undefined, ...json(404, { oops: true }) })).toEqual([
      expect.stringContaining('the error body is none of'),
    ]);
    expect(problems({ route: undefined, ...json(200, thing) })).toEqual([expect.stringContaining('expected 4xx')]);
  });
});

describe('the real document', () => {
  it('compiles: every request and answer schema of every operation', () => {
    const checker = new ContractChecker(openApiDocument());
    expect(checker.compileAll()).toBeGreaterThan(0);
  });
});
