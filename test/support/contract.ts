import type { INestApplication, Type } from '@nestjs/common';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { NextFunction, Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppModule } from '../../src/app.module';
import { loadConfig } from '../../src/config/app-config';
import { OpenApiDocumentController } from '../../src/openapi/api-docs.controller';
import { ApiReferenceController } from '../../src/openapi/api-reference.controller';
import { ERROR_SCHEMAS, INVALID_ITEMS } from '../../src/openapi/components';
import { controllersOf, openApiPath, routesOf } from '../../src/openapi/document.builder';
import { OPENAPI_CONTROLLER } from '../../src/openapi/openapi.decorators';
import { openApiDocument } from '../../src/openapi/openapi.document';
import type {
  Header,
  HttpMethod,
  MediaType,
  OpenApiDocument,
  Operation,
  Ref,
  Response as OaResponse,
} from '../../src/openapi/openapi.types';

/**
 * Every exchange an in-process test app answers is checked against the OpenAPI document (issue 16,
 * "the document is proved against the running service"): a status, header or body the document
 * does not describe is a violation, and `contract-setup.ts` fails the test file that saw it.
 */

/** Env var naming the run directory where each test file leaves the operationIds it exercised. */
export const CONTRACT_RUN_DIR_ENV = 'IDP_CONTRACT_RUN_DIR';

/** The largest answer body kept for validation; a larger one is checked for all but its body. */
const BODY_CAP = 4 * 1024 * 1024;
/** How many kinds of violation a failing file lists (unless IDP_CONTRACT_LIST_ALL is set). */
const MAX_LISTED = 25;

/** One request and its answer, as the recorder saw them. */
export interface Exchange {
  method: string;
  /** The URL asked for (for the report only). */
  url: string;
  /** The Express route that matched (`/scim/v2/Users/:id`), or undefined when none did. */
  route?: string;
  requestContentType?: string;
  /** What the body parser left on `req.body` (undefined: no body). */
  requestBody?: unknown;
  query?: Record<string, unknown>;
  requestHeaders?: Record<string, string | string[] | undefined>;
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string | number | string[] | undefined>;
  body: Buffer;
  /** False when the body was larger than the cap, or the answer never finished (a closed stream). */
  bodyComplete: boolean;
}

export interface Violation {
  method: string;
  url: string;
  /** The OpenAPI path (or the URL when no route matched): what repeated violations are grouped by. */
  where: string;
  status: number;
  operationId?: string;
  problem: string;
  errors?: string[];
  body?: string;
}

export interface CheckResult {
  operationId?: string;
  violations: Violation[];
}

type Ignore = (method: string, route: string) => boolean;

const SCHEMA_BASE = 'https://contract.test/components/schemas/';
const ERROR_NAMES = ['ProvisioningError', 'ScimError', 'PartnerError', 'OAuthError'];

const mediaOf = (contentType: unknown): string | undefined =>
  typeof contentType === 'string' && contentType.trim() !== ''
    ? contentType.split(';')[0].trim().toLowerCase()
    : undefined;
const isJsonMedia = (media: string) => media === 'application/json' || media.endsWith('+json');

/** Rewrites `#/components/schemas/X` references to the ids the component schemas are registered under. */
function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  // An array the service checks item by item answers each bad item as a failed one: only the array is checked.
  const perItem = INVALID_ITEMS in value;
  for (const [key, inner] of Object.entries(value)) {
    if (perItem && key === 'items') continue;
    if (key === '$ref' && typeof inner === 'string' && inner.startsWith('#/components/schemas/')) {
      const [name, ...rest] = inner.slice('#/components/schemas/'.length).split('/');
      out[key] = SCHEMA_BASE + name + (rest.length ? `#/${rest.join('/')}` : '');
    } else out[key] = rewriteRefs(inner);
  }
  return out;
}

const formatErrors = (errors: ErrorObject[] | null | undefined): string[] =>
  (errors ?? []).slice(0, 10).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);

/** Checks exchanges against one document; compiled validators are cached per (operation, status, media). */
export class ContractChecker {
  private readonly ajv: Ajv2020;
  private readonly validators = new Map<string, ValidateFunction>();
  /** Express route → operation, per method. */
  private readonly operations = new Map<string, Operation>();
  readonly operationIds: string[] = [];

  constructor(
    private readonly document: OpenApiDocument,
    private readonly ignore: Ignore = () => false,
  ) {
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    const schemas = { ...document.components.schemas };
    for (const name of ERROR_NAMES) schemas[name] ??= ERROR_SCHEMAS[name];
    for (const [name, schema] of Object.entries(schemas)) {
      this.ajv.addSchema(rewriteRefs(schema) as object, SCHEMA_BASE + name);
    }
    for (const [oaPath, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item) as [HttpMethod, Operation][]) {
        this.operations.set(`${method} ${oaPath}`, operation);
        this.operationIds.push(operation.operationId);
      }
    }
  }

  /** Compiles every schema the document's operations use: a schema ajv cannot compile fails here, not mid-run. */
  compileAll(): number {
    let count = 0;
    for (const operation of this.operations.values()) {
      const id = operation.operationId;
      for (const [media, entry] of Object.entries(operation.requestBody?.content ?? {})) {
        this.validator(`${id}|request|${media}`, entry.schema);
        count++;
      }
      for (const key of Object.keys(operation.responses)) {
        const response = this.responseOf(operation, key);
        for (const [media, entry] of Object.entries(response?.response.content ?? {})) {
          this.validator(`${id}|${key}|${media}`, entry.schema);
          count++;
        }
      }
    }
    return count;
  }

  check(exchange: Exchange): CheckResult {
    const violations: Violation[] = [];
    const fail = (problem: string, operationId?: string, errors?: string[]) =>
      violations.push({
        method: exchange.method,
        url: exchange.url,
        where: exchange.route === undefined ? exchange.url : openApiPath(exchange.route),
        status: exchange.status,
        operationId,
        problem,
        errors,
        body: exchange.body.subarray(0, 300).toString('utf8'),
      });
    const method = exchange.method.toUpperCase();
    if (exchange.route === undefined) {
      this.checkUnmatched(exchange, fail);
      return { violations };
    }
    if (this.ignore(method, exchange.route)) return { violations };
    const lookup = (method === 'HEAD' ? 'get' : method.toLowerCase()) as HttpMethod;
    const oaPath = openApiPath(exchange.route);
    const operation = this.operations.get(`${lookup} ${oaPath}`);
    if (!operation) {
      fail(`the route ${method} ${oaPath} is not in the document`);
      return { violations };
    }
    const id = operation.operationId;
    const found = this.responseOf(operation, exchange.status);
    if (!found) {
      fail(`status ${exchange.status} is not declared (declared: ${Object.keys(operation.responses).join(', ')})`, id);
    } else {
      this.checkHeaders(id, found.key, found.response, exchange, fail);
      this.checkBody(id, found.key, found.response, exchange, method === 'HEAD', fail);
    }
    if (exchange.status >= 200 && exchange.status < 300) this.checkRequest(operation, exchange, fail);
    return { operationId: id, violations };
  }

  private deref<T>(value: T | Ref, section: 'responses' | 'headers'): T | undefined {
    if (value && typeof value === 'object' && '$ref' in value) {
      const name = value.$ref.split('/').pop() ?? '';
      return (this.document.components[section] as Record<string, T>)[name];
    }
    return value;
  }

  private responseOf(operation: Operation, status: number | string): { key: string; response: OaResponse } | undefined {
    for (const key of [String(status), `${String(status)[0]}XX`, 'default']) {
      const declared = operation.responses[key];
      if (declared) {
        const response = this.deref<OaResponse>(declared, 'responses');
        if (response) return { key, response };
      }
    }
    return undefined;
  }

  private validator(key: string, schema: unknown): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(rewriteRefs(schema ?? {}) as object);
      this.validators.set(key, validate);
    }
    return validate;
  }

  private checkHeaders(
    id: string,
    statusKey: string,
    response: OaResponse,
    exchange: Exchange,
    fail: (problem: string, operationId?: string, errors?: string[]) => void,
  ): void {
    for (const [name, declared] of Object.entries(response.headers ?? {})) {
      if (name.toLowerCase() === 'content-type') continue;
      const header = this.deref<Header>(declared, 'headers');
      if (!header) continue;
      const raw = exchange.headers[name.toLowerCase()];
      if (raw === undefined) {
        if (header.required) fail(`the required header ${name} is missing`, id);
        continue;
      }
      const value = Array.isArray(raw) ? raw.join(', ') : String(raw);
      const validate = this.validator(`${id}|${statusKey}|header ${name}`, header.schema);
      if (!validate(value))
        fail(`the header ${name}: ${JSON.stringify(value)} does not match`, id, formatErrors(validate.errors));
    }
  }

  private checkBody(
    id: string,
    statusKey: string,
    response: OaResponse,
    exchange: Exchange,
    head: boolean,
    fail: (problem: string, operationId?: string, errors?: string[]) => void,
  ): void {
    const content = response.content ?? {};
    const declared = Object.keys(content);
    const empty = exchange.body.length === 0 && exchange.bodyComplete;
    if (declared.length === 0) {
      if (!empty && !head) fail(`status ${statusKey} declares no content, but the answer has a body`, id);
      return;
    }
    if (head) return;
    if (empty) {
      fail(`status ${statusKey} declares ${declared.join(', ')}, but the answer has no body`, id);
      return;
    }
    const media = mediaOf(exchange.headers['content-type']);
    const entry = media === undefined ? undefined : this.mediaEntry(content, media);
    if (!media || !entry) {
      fail(
        `the content type ${media ?? '(none)'} is not declared for ${statusKey} (declared: ${declared.join(', ')})`,
        id,
      );
      return;
    }
    if (!exchange.bodyComplete || !isJsonMedia(media)) return;
    let body: unknown;
    try {
      body = JSON.parse(exchange.body.toString('utf8'));
    } catch {
      fail(`the ${media} body is not JSON`, id);
      return;
    }
    const validate = this.validator(`${id}|${statusKey}|${media}`, entry.media.schema);
    if (!validate(body))
      fail(`the ${statusKey} ${media} body does not match its schema`, id, formatErrors(validate.errors));
  }

  private mediaEntry(content: Record<string, MediaType>, media: string): { media: MediaType } | undefined {
    // A declared key may carry parameters (`text/plain; version=0.0.4`): its base type is what matches.
    const exact =
      content[media] ?? Object.entries(content).find(([key]) => key.split(';')[0].trim().toLowerCase() === media)?.[1];
    if (exact) return { media: exact };
    const wildcard = content[`${media.split('/')[0]}/*`] ?? content['*/*'];
    return wildcard ? { media: wildcard } : undefined;
  }

  private checkRequest(
    operation: Operation,
    exchange: Exchange,
    fail: (problem: string, operationId?: string, errors?: string[]) => void,
  ): void {
    const id = operation.operationId;
    for (const parameter of operation.parameters ?? []) {
      if (!parameter.required || parameter.in === 'path') continue;
      const present =
        parameter.in === 'query'
          ? exchange.query?.[parameter.name] !== undefined
          : exchange.requestHeaders?.[parameter.name.toLowerCase()] !== undefined;
      if (!present)
        fail(`the required ${parameter.in} parameter ${parameter.name} is missing from an accepted request`, id);
    }
    const requestBody = operation.requestBody;
    const hasBody = exchange.requestBody !== undefined;
    if (!requestBody) return;
    if (!hasBody) {
      if (requestBody.required) fail('the required request body is missing from an accepted request', id);
      return;
    }
    const media = mediaOf(exchange.requestContentType);
    const entry = media === undefined ? undefined : this.mediaEntry(requestBody.content, media);
    if (!media || !entry) {
      const declared = Object.keys(requestBody.content).join(', ');
      fail(`an accepted request of content type ${media ?? '(none)'} is not declared (declared: ${declared})`, id);
      return;
    }
    const validate = this.validator(`${id}|request|${media}`, entry.media.schema);
    if (!validate(exchange.requestBody)) {
      fail(`an accepted ${media} request body does not match its schema`, id, formatErrors(validate.errors));
    }
  }

  /** No route matched (unknown path or method, or refused before the router): a 4xx in a known error format. */
  private checkUnmatched(exchange: Exchange, fail: (problem: string, operationId?: string, errors?: string[]) => void) {
    if (exchange.status < 400 || exchange.status >= 500) {
      fail(`no route matched, yet the answer is ${exchange.status} (expected 4xx)`);
      return;
    }
    const media = mediaOf(exchange.headers['content-type']);
    if (!media || !isJsonMedia(media) || exchange.body.length === 0 || !exchange.bodyComplete) return;
    let body: unknown;
    try {
      body = JSON.parse(exchange.body.toString('utf8'));
    } catch {
      fail(`the ${media} body is not JSON`);
      return;
    }
    const validate = this.validator('unmatched|error', {
      anyOf: ERROR_NAMES.map((name) => ({ $ref: SCHEMA_BASE + name })),
    });
    if (!validate(body)) fail('the error body is none of ProvisioningError, ScimError, PartnerError, OAuthError');
  }
}

/** The human-readable list a failing test file prints: repeats of one problem are counted, not listed. */
export function formatViolations(violations: Violation[]): string {
  const groups = new Map<string, { first: Violation; count: number }>();
  for (const v of violations) {
    // An undocumented route is one problem whatever it answered.
    const key = v.problem.startsWith('the route ')
      ? v.problem
      : `${v.method} ${v.where} ${v.status} ${v.problem} ${(v.errors ?? []).join(';')}`;
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { first: v, count: 1 });
  }
  // Wrong answers of documented routes first; undocumented routes (one line each) after them.
  const ordered = [...groups.values()].sort(
    (a, b) => Number(a.first.problem.startsWith('the route ')) - Number(b.first.problem.startsWith('the route ')),
  );
  const cap = process.env.IDP_CONTRACT_LIST_ALL ? Infinity : MAX_LISTED;
  const listed = ordered.slice(0, cap).map(({ first: v, count }) => {
    const times = count > 1 ? ` (${count} times)` : '';
    const head = `${v.method} ${v.url} → ${v.status}${v.operationId ? ` (${v.operationId})` : ''}: ${v.problem}${times}`;
    const errors = (v.errors ?? []).map((e) => `\n      ${e}`).join('');
    const body = v.body ? `\n      body: ${v.body.replace(/\s+/g, ' ')}` : '';
    return `  - ${head}${errors}${body}`;
  });
  const more =
    groups.size > cap ? `\n  ... and ${groups.size - cap} more kinds (IDP_CONTRACT_LIST_ALL=1 lists them all)` : '';
  return `${violations.length} exchange(s) the OpenAPI document does not describe:\n${listed.join('\n')}${more}`;
}

/** Whether each route of the app's own controllers is documented (`false`: an `@OpenApiExcluded` page). */
function appRoutes(controllers: Type[]): Map<string, boolean> {
  const routes = new Map<string, boolean>();
  for (const controller of controllers) {
    const doc = Reflect.getMetadata(OPENAPI_CONTROLLER, controller) as { excluded?: string } | undefined;
    for (const route of routesOf(controller)) routes.set(route, !doc?.excluded);
  }
  return routes;
}

// One checker and one list of violations per test file (jest gives each file its own modules).
let checker: ContractChecker | undefined;
const violations: Violation[] = [];
const exercised = new Set<string>();

function contractChecker(): ContractChecker {
  if (!checker) {
    // The document's controllers are mounted by createApp beside AppModule's (ApiDocsModule).
    const routes = appRoutes([
      ...controllersOf(AppModule.forRoot(loadConfig({}))),
      OpenApiDocumentController,
      ApiReferenceController,
    ]);
    // Checked: the app's own API routes. Not checked: its web pages, and the routes a test mounts
    // itself (probe modules such as `_probe` and `_rate-limit`), which are not the service's.
    checker = new ContractChecker(openApiDocument(), (method, route) => {
      return routes.get(`${method === 'HEAD' ? 'GET' : method} ${route}`) !== true;
    });
  }
  return checker;
}

export function recordExchange(exchange: Exchange): void {
  const result = contractChecker().check(exchange);
  violations.push(...result.violations);
  if (result.operationId && result.violations.length === 0) exercised.add(result.operationId);
}

/** Hands over (and forgets) what this test file saw. */
export function takeContractResults(): { violations: Violation[]; exercised: string[] } {
  const taken = { violations: violations.splice(0), exercised: [...exercised] };
  exercised.clear();
  return taken;
}

/** Leaves this file's exercised operationIds in the run directory, for the global teardown. */
export function writeCoverage(ids: string[]): void {
  const dir = process.env[CONTRACT_RUN_DIR_ENV];
  if (!dir || ids.length === 0) return;
  const file = path.join(dir, `${process.pid}-${randomBytes(4).toString('hex')}.json`);
  fs.writeFileSync(file, JSON.stringify(ids));
}

/**
 * The recorder: put ahead of Nest's router (`app.use` before `app.init()`), it copies each answer
 * (up to BODY_CAP) and, once it has finished, hands the exchange to the checker.
 */
export function installContractRecorder(app: INestApplication, record: (exchange: Exchange) => void = recordExchange) {
  app.use((req: Request, res: Response, next: NextFunction) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let overflow = false;
    const keep = (chunk: unknown, encoding: unknown) => {
      if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) return;
      if (overflow) return;
      const buffer =
        typeof chunk === 'string'
          ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (kept + buffer.length > BODY_CAP) {
        overflow = true;
        return;
      }
      chunks.push(Buffer.from(buffer));
      kept += buffer.length;
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    res.write = ((...args: unknown[]) => {
      keep(args[0], args[1]);
      return write(...args);
    }) as Response['write'];
    res.end = ((...args: unknown[]) => {
      keep(args[0], args[1]);
      return end(...args);
    }) as Response['end'];
    let done = false;
    const finish = (finished: boolean) => {
      if (done || !res.headersSent) return;
      done = true;
      const route = (req.route as { path?: unknown } | undefined)?.path;
      const headers: Exchange['headers'] = {};
      for (const [name, value] of Object.entries(res.getHeaders())) headers[name.toLowerCase()] = value;
      record({
        method: req.method,
        url: req.originalUrl,
        route: typeof route === 'string' ? route : undefined,
        requestContentType: req.headers['content-type'],
        requestBody: (req as { body?: unknown }).body,
        query: req.query,
        requestHeaders: req.headers,
        status: res.statusCode,
        headers,
        body: Buffer.concat(chunks),
        bodyComplete: finished && !overflow,
      });
    };
    res.once('finish', () => finish(true));
    res.once('close', () => finish(false));
    next();
  });
}
