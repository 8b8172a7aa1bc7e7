import { Inject, Injectable, Logger, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { AuthenticatedRequest } from '../auth/principal';
import { rawBodyOf } from '../common/body-parser.middleware';
import { correlationIdOf } from '../common/correlation-id';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import type { PartnerCaller } from '../partner-sync/partner-auth.guard';
import { CapturedExchange, isLogged, minimalLogRow, toLogRow } from './capture';
import { RequestLogWriter } from './request-log.writer';

/**
 * Records every request with its answer. Registered first, before the body parser, so requests
 * refused early (401, 400 bad JSON, 413, 404, 429) are recorded like the others: it only watches
 * the answer go out (`res.write`/`res.end`) and, once it has, builds the row (redacting
 * everything) and hands it to the writer's buffer. Nothing here waits for the database.
 */
@Injectable()
export class RequestCaptureMiddleware implements NestMiddleware {
  private readonly logger = new Logger('RequestLog');
  private readonly enabled: boolean;
  private readonly bodyLimit: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly writer: RequestLogWriter,
  ) {
    this.enabled = config.requestLog.enabled;
    this.bodyLimit = config.requestLog.bodyLimitBytes;
  }

  use(req: Request, res: Response, next: NextFunction): void {
    const url = req.originalUrl ?? req.url;
    if (!this.enabled || !isLogged(url)) return next();
    const time = new Date();
    const started = process.hrtime.bigint();
    const answer = tapResponse(res, this.bodyLimit);
    let recorded = false;
    const record = (aborted: boolean): void => {
      if (recorded) return;
      recorded = true;
      let exchange: CapturedExchange | undefined;
      try {
        exchange = {
          time,
          durationMs: Number(process.hrtime.bigint() - started) / 1e6,
          method: req.method,
          url,
          status: aborted && !res.headersSent ? CLIENT_CLOSED : res.statusCode,
          aborted,
          requestHeaders: req.headers,
          requestBody: rawBodyOf(req),
          parsedRequestBody: req.body as unknown,
          responseHeaders: res.getHeaders(),
          responseBody: answer.body(),
          responseBytes: answer.bytes(),
          ...callerOf(req),
          correlationId: correlationIdOf(req),
        };
        this.writer.add(toLogRow(exchange, this.bodyLimit));
      } catch (error) {
        // A request never goes unrecorded, and a log row is never worth a failed request or a
        // crashed process: what the full row could not hold is left out, and the row is marked.
        this.logger.warn(`Request ${req.method} logged without details: ${describe(error)}`);
        try {
          if (exchange) this.writer.add(minimalLogRow(exchange));
        } catch (fallback) {
          this.logger.warn(`Request ${req.method} not logged: ${describe(fallback)}`);
        }
      }
    };
    res.once('finish', () => record(false));
    res.once('close', () => record(!res.writableFinished));
    next();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** nginx's "client closed request": the client left before any answer was sent. */
const CLIENT_CLOSED = 499;

function callerOf(req: Request): Pick<CapturedExchange, 'tenantId' | 'credentialId'> {
  const principal = (req as AuthenticatedRequest).principal;
  if (principal) return { tenantId: principal.tenantId, credentialId: principal.credentialId };
  const partner = (req as Request & { partner?: PartnerCaller }).partner;
  return partner ? { tenantId: partner.tenantId, credentialId: partner.credentialId } : {};
}

interface ResponseTap {
  /** The first `limit` bytes written (none for an event stream). */
  body(): Buffer | undefined;
  bytes(): number;
}

/** Copies what the answer writes, up to `limit` bytes, and passes everything through unchanged. */
function tapResponse(res: Response, limit: number): ResponseTap {
  const chunks: Buffer[] = [];
  let kept = 0;
  let total = 0;
  const keep = (chunk: unknown, encoding: unknown): void => {
    if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) return;
    // An event stream never ends on its own: its events are not kept.
    if (/^text\/event-stream/i.test(String(res.getHeader('content-type') ?? ''))) return;
    const buffer = Buffer.isBuffer(chunk)
      ? chunk
      : chunk instanceof Uint8Array
        ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
        : Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
    total += buffer.length;
    if (kept < limit) {
      const part = buffer.subarray(0, limit - kept);
      chunks.push(Buffer.from(part));
      kept += part.length;
    }
  };
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  const safelyKeep = (chunk: unknown, encoding: unknown): void => {
    try {
      keep(chunk, encoding);
    } catch {
      // Whatever the chunk, the answer goes out as written; only its copy is lost.
    }
  };
  res.write = ((...args: unknown[]) => {
    safelyKeep(args[0], args[1]);
    return write(...args);
  }) as Response['write'];
  res.end = ((...args: unknown[]) => {
    safelyKeep(args[0], args[1]);
    return end(...args);
  }) as Response['end'];
  return {
    body: () => (chunks.length ? Buffer.concat(chunks) : undefined),
    bytes: () => total,
  };
}
