import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import * as express from 'express';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { ApiError } from './api-error';

const JSON_TYPES = ['application/json', 'application/scim+json', 'application/*+json'];

/**
 * Parses JSON (including `application/scim+json`) and form bodies up to BODY_LIMIT. It runs as a
 * Nest middleware, not `app.use`, so its failures reach the global filter and get the envelope.
 */
@Injectable()
export class BodyParserMiddleware implements NestMiddleware {
  private readonly parsers: RequestHandler[];

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const limit = config.bodyLimitBytes;
    // The request log stores the body as received; `verify` sees it before parsing, so a body
    // that fails to parse is kept too.
    const verify = config.requestLog.enabled ? keepRawBody : undefined;
    this.parsers = [
      express.json({ limit, type: JSON_TYPES, strict: false, verify }),
      express.urlencoded({ limit, extended: false, verify }),
    ];
  }

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    for (const parser of this.parsers) {
      await new Promise<void>((resolve, reject) =>
        parser(req, res, (error?: unknown) => (error ? reject(toApiError(error)) : resolve())),
      );
    }
    next();
  }
}

const RAW_BODY = Symbol('rawBody');

interface RequestWithRawBody {
  [RAW_BODY]?: Buffer;
}

function keepRawBody(req: unknown, _res: unknown, body: Buffer): void {
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
