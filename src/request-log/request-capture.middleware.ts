import { Inject, Injectable, Logger, NestMiddleware } from '@nestjs/common';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { NextFunction, Request, Response } from 'express';
import { authFailureOf } from '../auth/auth-failure';
import type { AuthenticatedRequest } from '../auth/principal';
import { rawBodyOf } from '../common/body-parser.middleware';
import { correlationIdOf } from '../common/correlation-id';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import type { PartnerCaller } from '../partner-sync/partner-auth.guard';
import { CapturedExchange, identifierOf, isLogged } from './capture';
import { BodyBudget } from './body-budget';
import { RequestLogWriter } from './request-log.writer';

/**
 * Records every request with its answer. Installed first (createApp), ahead of Nest's router and
 * the body parser, so requests refused early (401, 400 bad JSON or an undecodable path, 413, 404
 * even for `/`, 429) are recorded like the others, and so are requests Node's HTTP parser refuses
 * before any route sees them (`clientError`). For the rest it only watches the answer go out
 * (`res.write`/`res.end`), keeping a bounded copy of it, and once it has, hands what it saw to
 * the writer's buffer. The row itself (redaction, search text, cuts) is built by the writer when
 * it writes the batch: the request pays for a copy and a push. Nothing here waits for the database.
 */
@Injectable()
export class RequestCaptureMiddleware implements NestMiddleware {
  private readonly logger = new Logger('RequestLog');
  private readonly enabled: boolean;
  private readonly bodyLimit: number;
  private readonly bodyBudget: BodyBudget;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly writer: RequestLogWriter,
  ) {
    this.enabled = config.requestLog.enabled;
    this.bodyLimit = config.requestLog.bodyLimitBytes;
    this.bodyBudget = new BodyBudget(config.requestLog.bodyRateBytes);
  }

  /** REQUEST_LOG_BODY_LIMIT, or less for a tenant that has spent its body budget (BodyBudget). */
  private bodyLimitOf(exchange: CapturedExchange): number {
    const wanted =
      Math.min(exchange.requestBody?.length ?? 0, this.bodyLimit) + Math.min(exchange.responseBytes, this.bodyLimit);
    return this.bodyBudget.limitFor(exchange.tenantId, wanted, this.bodyLimit);
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
        const requestBody = rawBodyOf(req);
        exchange = {
          time,
          durationMs: Number(process.hrtime.bigint() - started) / 1e6,
          method: req.method,
          url,
          status: aborted && !res.headersSent ? CLIENT_CLOSED : res.statusCode,
          aborted,
          requestHeaders: req.headers,
          requestBody: bounded(requestBody, this.bodyLimit),
          requestBytes: requestBody?.length ?? 0,
          // The parsed body is not kept: only the little the row needs of it.
          requestIdentifier: identifierOf(req.body),
          responseHeaders: res.getHeaders(),
          responseBody: answer.body(),
          responseBytes: answer.bytes(),
          ...callerOf(req),
          correlationId: correlationIdOf(req),
          authFailure: authFailureOf(req),
          clientAddress: req.ip,
        };
        // The row (redaction, search text, cuts) is built by the writer, off the request.
        this.writer.add({ exchange, bodyLimit: this.bodyLimitOf(exchange) });
      } catch (error) {
        // A request never goes unrecorded, and a log row is never worth a failed request or a
        // crashed process: what the full row could not hold is left out, and the row is marked.
        this.logger.warn(`Request ${req.method} logged without details: ${describe(error)}`);
        // Whatever failed, the request line and the status are always there to record.
        this.writer.add({
          exchange: exchange ?? {
            time,
            durationMs: Number(process.hrtime.bigint() - started) / 1e6,
            method: String(req.method),
            url,
            status: res.statusCode,
            aborted,
            requestHeaders: {},
            responseHeaders: {},
            responseBytes: 0,
            clientAddress: req.ip,
          },
          bodyLimit: 0,
          minimal: true,
        });
      }
    };
    res.once('finish', () => record(false));
    res.once('close', () => record(!res.writableFinished));
    next();
  }

  /**
   * A request Node's HTTP parser refused (a NUL or a control character in the request line or a
   * header, a header too large): answered as Node would, and recorded from its request line.
   * Its headers are not kept: unparsed, there is no telling which of them are secret.
   */
  clientError(error: Error & { code?: string; rawPacket?: Buffer }, socket: Duplex): void {
    // No request at all (a client that connected and left): nothing to answer or record.
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const { status, reason } = parserRefusal(error.code);
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    const { method, url } = requestLineOf(error.rawPacket);
    if (!this.enabled || !isLogged(url)) return;
    this.writer.add({
      exchange: {
        time: new Date(),
        durationMs: 0,
        method,
        url,
        status,
        aborted: false,
        requestHeaders: {},
        responseHeaders: { connection: 'close' },
        responseBytes: 0,
        // Unparsed, so no forwarded header: the socket's address.
        clientAddress: (socket as Partial<Socket>).remoteAddress,
      },
      bodyLimit: this.bodyLimit,
      errorMessage: `Refused by the HTTP parser: ${error.code ?? error.message}`,
    });
  }
}

/** At most `limit` bytes of `body`: copied when cut, so the whole body is not kept alive by the slice. */
function bounded(body: Buffer | undefined, limit: number): Buffer | undefined {
  return body && body.length > limit ? Buffer.from(body.subarray(0, limit)) : body;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What Node answers to a request its parser refuses, by the parser's error code. */
function parserRefusal(code: string | undefined): { status: number; reason: string } {
  if (code === 'HPE_HEADER_OVERFLOW') return { status: 431, reason: 'Request Header Fields Too Large' };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, reason: 'Request Timeout' };
  return { status: 400, reason: 'Bad Request' };
}

/** The method and target of the request line the parser choked on, as far as they can be read. */
function requestLineOf(raw: Buffer | undefined): { method: string; url: string } {
  const line = (raw ?? Buffer.alloc(0)).subarray(0, 8192).toString('utf8').split(/\r?\n/)[0];
  const [method, target] = line.split(' ');
  return {
    method: /^[A-Za-z]{1,16}$/.test(method ?? '') ? method : '-',
    url: target?.startsWith('/') ? target : '/',
  };
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
