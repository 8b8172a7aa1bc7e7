import type { Request } from 'express';
import type { AuthFailure } from './auth-failure';

export type BearerResult = { token: string } | { problem: string; failure: AuthFailure };

/** The token of an `Authorization: Bearer <token>` header, or why there is none. */
export function bearerToken(req: Request): BearerResult {
  const header = req.header('authorization');
  if (!header) return { problem: 'No authorization token provided', failure: 'missing_credentials' };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) return { problem: 'Authorization header must use the Bearer scheme', failure: 'malformed_header' };
  return { token: match[1] };
}
