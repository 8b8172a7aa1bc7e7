import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { withLogContext } from './log-context';

export const CORRELATION_HEADER = 'X-Request-Id';
const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The caller's `X-Request-Id` when it is sane, otherwise a new one; echoed on every answer. The
 * rest of the request runs inside its log context, so every line written for it carries the id.
 */
export function correlationIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  const sent = req.header(CORRELATION_HEADER);
  const id = sent && ACCEPTABLE.test(sent) ? sent : randomUUID();
  (req as RequestWithId).correlationId = id;
  res.setHeader(CORRELATION_HEADER, id);
  withLogContext({ correlationId: id }, next);
}

export interface RequestWithId extends Request {
  correlationId?: string;
}

export function correlationIdOf(req: Request): string | undefined {
  return (req as RequestWithId).correlationId;
}
