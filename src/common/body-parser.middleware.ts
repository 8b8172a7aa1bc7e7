import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import * as express from 'express';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { ApiError } from './api-error';
import {
  findTextFault,
  isWellFormedUtf8,
  jsonTooDeep,
  MAX_JSON_DEPTH,
  percentDecodingFault,
  TextFault,
} from './input-safety';

const JSON_TYPES = ['application/json', 'application/scim+json', 'application/*+json'];

/**
 * The routes whose body is an array of provisioning items: there a NUL or an unpaired surrogate
 * fails its own item (a failed operation), and the valid items of the request are still queued.
 */
const ITEM_ROUTE =
  /^\/api\/provisioning\/iam\/(?:[^/]+\/(?:department|user)|(?:department|user)(?:\/sync\/[^/]+)?)\/?$/;

type Verify = (req: unknown, res: unknown, body: Buffer, encoding: string) => void;

/**
 * Parses JSON (including `application/scim+json`) and form bodies up to BODY_LIMIT, and refuses
 * what no door can store: JSON nested deeper than MAX_JSON_DEPTH, bytes that are not UTF-8, NUL
 * and unpaired surrogates, in the body, the URL or a header. It runs as a Nest middleware, not
 * `app.use`, so its failures reach the global filter and get the door's envelope.
 */
@Injectable()
export class BodyParserMiddleware implements NestMiddleware {
  private readonly parsers: RequestHandler[];

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const limit = config.bodyLimitBytes;
    // The request log stores the body as received; `verify` sees it before parsing, so a body
    // that fails to parse is kept too.
    const keep = config.requestLog.enabled;
    const verify =
      (check: (body: Buffer, encoding: string) => void): Verify =>
      (req, _res, body, encoding) => {
        if (keep) keepRawBody(req, body);
        check(body, encoding);
      };
    this.parsers = [
      express.json({ limit, type: JSON_TYPES, strict: false, verify: verify(checkJsonBytes) }),
      express.urlencoded({ limit, extended: false, verify: verify(checkFormBytes) }),
    ];
  }

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    checkUrlAndHeaders(req);
    if (hasBody(req)) {
      for (const parser of this.parsers) {
        await new Promise<void>((resolve, reject) =>
          parser(req, res, (error?: unknown) => (error ? reject(toApiError(error)) : resolve())),
        );
      }
      checkParsedBody(req);
    } else if (!('body' in req)) {
      // What the parsers do for a request without a body (a GET), minus two promises per request.
      (req as { body?: unknown }).body = undefined;
    }
    next();
  }
}

/** Whether the request carries a body at all: the parsers' own test (`type-is`' hasBody). */
function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || !isNaN(req.headers['content-length'] as unknown as number);
}

function checkJsonBytes(body: Buffer, encoding: string): void {
  // Other charsets are decoded by the parser; the walk over the parsed body bounds their depth.
  if (!isUtf8Charset(encoding)) return;
  if (!isWellFormedUtf8(body)) throw notUtf8('Request body');
  if (jsonTooDeep(body)) throw tooDeep();
}

function checkFormBytes(body: Buffer, encoding: string): void {
  if (!isUtf8Charset(encoding)) return;
  if (!isWellFormedUtf8(body)) throw notUtf8('Request body');
  // `%ff` in a form would otherwise be decoded to U+FFFD; `%00` is left to the walk over the
  // parsed body, which names the field.
  if (percentDecodingFault(body.toString('latin1')) === 'utf8') throw notUtf8('Request body');
}

function isUtf8Charset(encoding: string | undefined): boolean {
  return !encoding || /^utf-?8$/i.test(encoding);
}

const HIGH_BYTE = /[\x80-\xff]/;

function checkUrlAndHeaders(req: Request): void {
  const fault = percentDecodingFault(req.originalUrl ?? req.url);
  if (fault === 'utf8') throw notUtf8('Request URL');
  if (fault === 'nul') throw unstorable('Request URL contains a NUL character (%00)');
  // Node refuses NUL and other controls in headers; bytes above 0x7f must still be UTF-8.
  const { headers } = req;
  for (const name in headers) {
    const value = headers[name];
    for (const text of Array.isArray(value) ? value : [value ?? '']) {
      if (HIGH_BYTE.test(text) && !isWellFormedUtf8(Buffer.from(text, 'latin1'))) throw notUtf8(`Header '${name}'`);
    }
  }
}

function checkParsedBody(req: Request): void {
  const body: unknown = req.body;
  const fault = findTextFault(body);
  if (fault === null) return;
  if (fault.kind === 'depth') throw tooDeep();
  if (Array.isArray(body) && req.method === 'POST' && ITEM_ROUTE.test(pathOf(req))) return;
  throw unstorable(describeFault(fault));
}

function describeFault(fault: Extract<TextFault, { kind: 'unstorable' }>): string {
  const where = fault.path === '' ? 'The request body' : `Field '${fault.path}'`;
  return `${where} contains a NUL character or an unpaired UTF-16 surrogate`;
}

/** The path as the client sent it (inside a middleware Express has cut the mount path off `req.path`). */
function pathOf(req: Request): string {
  return (req.originalUrl ?? req.url).split('?')[0];
}

function tooDeep(): ApiError {
  const error = `Request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`;
  return new ApiError(400, 'Bad request', error, [], 'invalidSyntax');
}

function notUtf8(what: string): ApiError {
  return new ApiError(400, 'Bad request', `${what} is not valid UTF-8`, [], 'invalidSyntax');
}

function unstorable(error: string): ApiError {
  return new ApiError(400, 'Bad request', error, [], 'invalidValue');
}

const RAW_BODY = Symbol('rawBody');

interface RequestWithRawBody {
  [RAW_BODY]?: Buffer;
}

function keepRawBody(req: unknown, body: Buffer): void {
  (req as RequestWithRawBody)[RAW_BODY] = body;
}

/** The bytes of a JSON or form body as received (when the request log is on). */
export function rawBodyOf(req: Request): Buffer | undefined {
  return (req as RequestWithRawBody)[RAW_BODY];
}

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

function toApiError(error: unknown): ApiError {
  // A refusal thrown by a `verify` check above, wrapped by the parser.
  if (error instanceof ApiError) return error;
  const { type, limit } = error as BodyParserError;
  switch (type) {
    case 'entity.too.large':
      return new ApiError(413, 'Payload too large', `Request body is larger than the limit of ${limit} bytes`);
    case 'entity.parse.failed':
      // scimType only shows on SCIM routes; the other envelopes have no such field.
      return new ApiError(400, 'Bad request', 'Request body is not valid JSON', [], 'invalidSyntax');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError(415, 'Unsupported media type', 'Unsupported request body encoding or charset');
    default:
      return ApiError.badRequest('Request body could not be read');
  }
}
