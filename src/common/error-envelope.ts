import { ErrorCode, ErrorDetail } from './domain-error';

/** A failure reduced to what every transport needs to render it. */
export interface Failure {
  httpStatus: number;
  code: ErrorCode | 'AUTHENTICATION' | 'AUTHORIZATION' | 'UNAVAILABLE' | 'RATE_LIMITED';
  message: string;
  error: string;
  details: ErrorDetail[];
  scimType?: string;
  correlationId?: string;
}

/** The provisioning envelope: a superset of what the clients of seeds 001 and 004 read. */
export function provisioningEnvelope(failure: Failure): Record<string, unknown> {
  const details = failure.details.length > 0 ? failure.details : [{ message: failure.error }];
  return {
    status: false,
    message: failure.message,
    error: failure.error,
    errors: details.map((detail) => ({
      code: failure.code,
      type: failure.code,
      paths: detail.path ? [detail.path] : [],
      field: detail.field ? [detail.field] : [],
      message: detail.message,
      messages: [{ locale: 'US', message: detail.message, key: detail.key ?? messageKey(failure.code) }],
    })),
    correlationId: failure.correlationId,
  };
}

/** RFC 7644 §3.12 error resource. */
export function scimError(failure: Failure): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
    status: String(failure.httpStatus),
    ...(failure.scimType ? { scimType: failure.scimType } : {}),
    detail: failure.error,
  };
}

/**
 * Seed 002's shape for the partner sync endpoint: exactly `{success, error}` (the contract's 401
 * and 403 bodies). A 500 says what the seed says and nothing internal.
 */
export function partnerError(failure: Failure): Record<string, unknown> {
  const error = failure.httpStatus === 500 ? 'Internal server error during sync' : failure.error;
  return { success: false, error };
}

/** RFC 6749 §5.2 for the token endpoint. */
export function oauthError(failure: Failure): Record<string, unknown> {
  // `slow_down` (RFC 8628 §3.5, registered for the token endpoint): the one OAuth error that says "wait".
  const error =
    failure.httpStatus === 401
      ? 'invalid_client'
      : failure.httpStatus === 429
        ? 'slow_down'
        : failure.scimType === 'unsupported_grant_type'
          ? 'unsupported_grant_type'
          : 'invalid_request';
  return { error, error_description: failure.error };
}

function messageKey(code: Failure['code']): string {
  return `error.${code.toLowerCase()}`;
}
