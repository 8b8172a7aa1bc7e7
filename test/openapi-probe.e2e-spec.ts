// Every operation of the OpenAPI document, driven from outside the way a schema-driven checker
// would: without credentials, with them, with the document's own example body, with bodies and
// queries that are wrong in every common way, with ids that are not ours, and with conditional
// headers. The contract recorder (test/support/contract.ts) checks every answer against the
// document, so an answer it does not describe fails this file; here we also ask for no 500.
import { randomUUID } from 'node:crypto';
import type { Test } from 'supertest';
import { openApiDocument } from '../src/openapi/openapi.document';
import type { HttpMethod, Operation } from '../src/openapi/openapi.types';
import { startTestApp, TestApp } from './support/test-app';

let t: TestApp;
const METRICS_TOKEN = 'metrics-token-of-the-probe';
beforeAll(async () => {
  t = await startTestApp({ RATE_LIMITS: 'off', METRICS_TOKEN: METRICS_TOKEN });
});
afterAll(() => t?.close());

/** Ids for every path parameter: a well-formed unknown one, one that is not a UUID, and an odd one. */
const ID_VARIANTS = [randomUUID(), 'not-a-uuid-%F0%9F%98%80', '0'];
/** Never answers on its own: an event stream open until the client leaves. */
const ENDLESS = new Set(['streamRequestLogs']);

type Variant = (request: Test) => Test;

function variantsOf(operation: Operation, authenticate: Variant): Variant[] {
  const [media, content] = Object.entries(operation.requestBody?.content ?? {})[0] ?? ['application/json', undefined];
  const example = Object.values(content?.examples ?? {})[0]?.value ?? {};
  const queries = (value: unknown) =>
    Object.fromEntries((operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => [p.name, value]));
  const json =
    (body: string): Variant =>
    (r) =>
      authenticate(r).set('Content-Type', 'application/json').send(body);
  return [
    (r) => r,
    authenticate,
    (r) => authenticate(r).set('Content-Type', media).send(JSON.stringify(example)),
    json('{"a":'),
    json('[]'),
    json('null'),
    json('"text"'),
    json('{"a":{"b":[1,{"c":null}]}}'),
    (r) => authenticate(r).set('Content-Type', 'text/plain').send('hello'),
    (r) => authenticate(r).query(queries('-1')),
    (r) => authenticate(r).query(queries('zz%zz')),
    (r) => authenticate(r).query(queries(['a', 'b'])),
    (r) => authenticate(r).set('If-Match', 'W/"stale"').set('If-None-Match', '*'),
  ];
}

it('answers every operation, however it is called, as the document says and never with a 500', async () => {
  const tenant = t.config.defaultTenantId;
  const credentials: Record<string, Variant> = {
    authToken: (r) => r.set('auth-tenant-id', tenant).set('auth-token', t.secrets.apiToken),
    scimBearer: (r) => r.set('Authorization', `Bearer ${t.secrets.scimSecret}`),
    adminBearer: (r) => r.set('Authorization', `Bearer ${t.secrets.adminToken}`),
    partnerJwt: (r) => r.set('Authorization', 'Bearer not.a.jwt'),
    metricsBearer: (r) => r.set('Authorization', `Bearer ${METRICS_TOKEN}`),
  };
  const failures: string[] = [];
  let requests = 0;
  for (const [path, item] of Object.entries(openApiDocument().paths)) {
    for (const [method, operation] of Object.entries(item) as [HttpMethod, Operation][]) {
      if (ENDLESS.has(operation.operationId)) continue;
      const scheme = Object.keys(credentials).find((name) => operation.security.some((s) => name in s));
      const authenticate: Variant = scheme ? credentials[scheme] : (r) => r;
      const ids = path.includes('{') ? ID_VARIANTS : [''];
      for (const id of ids) {
        const url = path.replace('{tenantId}', tenant).replace(/\{[^}]+\}/g, id);
        for (const variant of variantsOf(operation, authenticate)) {
          const res = await variant(t.http[method](url));
          requests += 1;
          if (res.status >= 500)
            failures.push(`${method.toUpperCase()} ${url} → ${res.status} (${operation.operationId})`);
        }
      }
    }
  }
  expect(requests).toBeGreaterThan(1000);
  expect(failures).toEqual([]);
}, 600_000);
