import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import * as bodyParser from '../common/body-parser.middleware';
import type { AppConfig } from '../config/app-config';
import { logRowOf, NewRequestLog, PendingLog } from './capture';
import { RequestCaptureMiddleware } from './request-capture.middleware';
import type { BufferedLog, RequestLogWriter } from './request-log.writer';

/** The middleware with a writer that keeps what it is given, and the rows the real writer would build of it. */
function capture(): { middleware: RequestCaptureMiddleware; entries: BufferedLog[]; rows: NewRequestLog[] } {
  const entries: BufferedLog[] = [];
  const writer = { add: (entry: BufferedLog) => entries.push(entry) } as unknown as RequestLogWriter;
  const config = { requestLog: { enabled: true, bodyLimitBytes: 4096, bodyRateBytes: 1 << 30 } } as AppConfig;
  return {
    middleware: new RequestCaptureMiddleware(config, writer),
    entries,
    get rows() {
      return entries.map((entry) => ('exchange' in entry ? logRowOf(entry) : entry));
    },
  };
}

/** Just enough of Express's response for the tap: it is written to, then finishes. */
function response(): Response & EventEmitter {
  const res = new EventEmitter() as Response & EventEmitter;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  Object.assign(res, {
    statusCode: 200,
    headersSent: true,
    writableFinished: true,
    getHeader: (name: string) => headers[name],
    getHeaders: () => headers,
    write: () => true,
    end: () => res,
  });
  return res;
}

function middleware(capture: RequestCaptureMiddleware, req: Request, res: Response): void {
  capture.use(req, res, () => undefined);
}

describe('RequestCaptureMiddleware', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']));
  afterEach(() => jest.restoreAllMocks());

  it('records a request whose full row cannot be built, without its details and marked', () => {
    const captured = capture();
    const { middleware } = captured;
    const req = { method: 'POST', originalUrl: '/scim/v2/Users?access_token=abc', body: {} } as Request;
    Object.defineProperty(req, 'headers', {
      get: () => {
        throw new RangeError('Maximum call stack size exceeded');
      },
    });
    const res = response();
    const next = jest.fn() as NextFunction;
    middleware.use(req, res, next);
    res.end('{"ok":true}');
    res.emit('finish');
    res.emit('close');
    expect(next).toHaveBeenCalled();
    expect(captured.rows).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/scim/v2/Users?access_token=[REDACTED]',
        status: 200,
        requestHeaders: {},
        requestBody: null,
        responseBody: null,
        detailsOmitted: true,
      }),
    ]);
  });

  it('hands the writer a bounded copy of the exchange, not a row, and the row is built from it later', () => {
    const captured = capture();
    const raw = Buffer.from(JSON.stringify({ userName: 'bjensen', password: 'hunter2', pad: 'x'.repeat(10_000) }));
    const req = {
      method: 'POST',
      originalUrl: '/scim/v2/Users',
      headers: { authorization: 'Bearer secret-2', 'content-type': 'application/scim+json' },
      body: JSON.parse(raw.toString()) as unknown,
    } as unknown as Request;
    // The raw bytes as the body parser keeps them for the log.
    jest.spyOn(bodyParser, 'rawBodyOf').mockImplementation((of) => (of === req ? raw : undefined));
    const res = response();
    middleware(captured.middleware, req, res);
    res.end('{"id":"1","userName":"bjensen"}');
    res.emit('finish');
    expect(captured.entries).toHaveLength(1);
    const entry = captured.entries[0] as PendingLog;
    // Nothing is redacted yet, and the body is cut to the limit: the request paid for a copy only.
    expect(entry.exchange.requestBody?.length).toBe(4096);
    expect(entry.exchange.requestBytes).toBe(raw.length);
    expect(entry.exchange.requestIdentifier).toBe('bjensen');
    expect(entry.exchange).not.toHaveProperty('parsedRequestBody');
    expect(entry.bodyLimit).toBe(4096);
    const [row] = captured.rows;
    expect(row).toMatchObject({ identifier: 'bjensen', requestBodyTruncated: true, detailsOmitted: false });
    expect(row.requestHeaders.authorization).not.toContain('secret-2');
    expect(row.requestBody).not.toContain('hunter2');
  });

  it("answers and records a request Node's parser refused, without its headers", () => {
    const captured = capture();
    const { middleware } = captured;
    const socket = new PassThrough();
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    const raw = Buffer.from('GET /api/x\u0000y?token=abc HTTP/1.1\r\nAuthorization: Bearer secret-1\r\n\r\n');
    middleware.clientError(Object.assign(new Error('Invalid'), { code: 'HPE_INVALID_URL', rawPacket: raw }), socket);
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    const { rows } = captured;
    expect(rows).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: '/api/x\uFFFDy?token=[REDACTED]',
        status: 400,
        requestHeaders: {},
        errorMessage: 'Refused by the HTTP parser: HPE_INVALID_URL',
      }),
    ]);
    expect(JSON.stringify(rows)).not.toContain('secret-1');
  });
});
