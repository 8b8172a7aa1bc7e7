import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from '../config/app-config';
import type { NewRequestLog } from './capture';
import { RequestCaptureMiddleware } from './request-capture.middleware';
import type { RequestLogWriter } from './request-log.writer';

function capture(): { middleware: RequestCaptureMiddleware; rows: NewRequestLog[] } {
  const rows: NewRequestLog[] = [];
  const writer = { add: (row: NewRequestLog) => rows.push(row) } as unknown as RequestLogWriter;
  const config = { requestLog: { enabled: true, bodyLimitBytes: 4096 } } as AppConfig;
  return { middleware: new RequestCaptureMiddleware(config, writer), rows };
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

describe('RequestCaptureMiddleware', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']));

  it('records a request whose full row cannot be built, without its details and marked', () => {
    const { middleware, rows } = capture();
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
    expect(rows).toEqual([
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

  it("answers and records a request Node's parser refused, without its headers", () => {
    const { middleware, rows } = capture();
    const socket = new PassThrough();
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    const raw = Buffer.from('GET /api/x\u0000y?token=abc HTTP/1.1\r\nAuthorization: Bearer secret-1\r\n\r\n');
    middleware.clientError(Object.assign(new Error('Invalid'), { code: 'HPE_INVALID_URL', rawPacket: raw }), socket);
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
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
