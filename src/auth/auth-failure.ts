import type { Request } from 'express';

/**
 * Why a request was refused authentication or authorisation, as the request log records it
 * (`auth_failure`). The caller's answer never says which: it stays the generic 401 or 403 of its
 * door, so that a caller cannot learn which part of a forged credential was wrong.
 */
export const AUTH_FAILURES = [
  /** No credential at all: no Authorization, auth-token or auth-tenant-id header, no client id or secret. */
  'missing_credentials',
  /** An Authorization header that is not `Bearer <token>`. */
  'malformed_header',
  /** A secret (API token, SCIM secret, admin token) that matches no active credential: unknown or revoked. */
  'unknown_credential',
  /** A JWT that does not decode (or, for partner sync, has no orgCode claim). */
  'malformed_token',
  /** A JWT signed with another key. */
  'bad_signature',
  /** A JWT past its `exp`. */
  'token_expired',
  /** A JWT whose claims are refused: issuer, algorithm, not-before, a partner token's lifetime rules. */
  'invalid_claims',
  /** A JWT of ours whose credential has been revoked (or deleted) since it was issued. */
  'revoked_credential',
  /** A credential of another tenant than the one the request names. */
  'wrong_tenant',
  /** A valid credential without the role the route needs. */
  'insufficient_role',
  /** A partner token whose org code no tenant has, or whose tenant has no partner secret. */
  'unknown_org',
  /** A partner request with a user of another org code than the token's. */
  'org_code_mismatch',
  /** `/oauth/token`: no active client with that id. */
  'unknown_client',
  /** `/oauth/token`: the client exists, the secret is wrong. */
  'bad_client_secret',
] as const;

export type AuthFailure = (typeof AUTH_FAILURES)[number];

interface RequestWithAuthFailure extends Request {
  authFailure?: AuthFailure;
}

/** Called by a guard just before it refuses the request; the request log picks it up. */
export function noteAuthFailure(req: Request, reason: AuthFailure): void {
  (req as RequestWithAuthFailure).authFailure = reason;
}

/** Notes why, then throws the door's usual refusal. */
export function refuse(req: Request, reason: AuthFailure, answer: Error): never {
  noteAuthFailure(req, reason);
  throw answer;
}

export function authFailureOf(req: Request): AuthFailure | undefined {
  return (req as RequestWithAuthFailure).authFailure;
}

/** What `jsonwebtoken` says of a token it refused, as an AuthFailure. */
export function jwtFailure(error: unknown): AuthFailure {
  const { name, message } = error instanceof Error ? error : { name: '', message: String(error) };
  if (name === 'TokenExpiredError') return 'token_expired';
  if (message === 'invalid signature') return 'bad_signature';
  if (message === 'jwt malformed' || message === 'invalid token') return 'malformed_token';
  return 'invalid_claims';
}
