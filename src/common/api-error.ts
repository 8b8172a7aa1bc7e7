import { ErrorDetail } from './domain-error';

/**
 * A failure with a fixed HTTP status that is not a domain rule: authentication, authorisation,
 * malformed requests. The global filter renders it in the envelope of the route's transport.
 */
export class ApiError extends Error {
  constructor(
    readonly httpStatus: number,
    /** Short summary (`Authentication failed`). */
    message: string,
    /** What exactly went wrong (`Invalid or missing auth-token`). */
    readonly error: string,
    readonly details: ErrorDetail[] = [],
    /** SCIM's `scimType` (RFC 7644 §3.12), when the failure has one. */
    readonly scimType?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static unauthorized(error: string): ApiError {
    return new ApiError(401, 'Authentication failed', error);
  }

  static forbidden(error: string): ApiError {
    return new ApiError(403, 'Access denied', error);
  }

  static badRequest(error: string, details: ErrorDetail[] = []): ApiError {
    return new ApiError(400, 'Bad request', error, details);
  }

  static notFound(error: string): ApiError {
    return new ApiError(404, 'Not found', error);
  }
}
