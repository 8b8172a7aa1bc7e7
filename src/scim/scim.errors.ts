/** RFC 7644 §3.12 `scimType` values. */
export type ScimType =
  | 'invalidFilter'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'uniqueness'
  | 'mutability'
  | 'tooMany'
  | 'invalidVers'
  | 'sensitive'
  // RFC 9865 §2.2 (cursor pagination)
  | 'invalidCursor'
  | 'expiredCursor'
  | 'invalidCount';

/**
 * A SCIM request the service refuses, with the HTTP status and `scimType` of its SCIM Error
 * resource. Thrown by the SCIM schema and PATCH code; the SCIM transport renders it.
 */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly scimType: ScimType | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'ScimError';
  }

  static invalidSyntax(message: string): ScimError {
    return new ScimError(400, 'invalidSyntax', message);
  }

  static invalidValue(message: string): ScimError {
    return new ScimError(400, 'invalidValue', message);
  }

  static invalidPath(message: string): ScimError {
    return new ScimError(400, 'invalidPath', message);
  }

  static invalidFilter(message: string): ScimError {
    return new ScimError(400, 'invalidFilter', message);
  }

  static noTarget(message: string): ScimError {
    return new ScimError(400, 'noTarget', message);
  }

  static mutability(message: string): ScimError {
    return new ScimError(400, 'mutability', message);
  }

  static tooMany(message: string): ScimError {
    return new ScimError(400, 'tooMany', message);
  }

  static uniqueness(message: string): ScimError {
    return new ScimError(409, 'uniqueness', message);
  }

  /** RFC 9865: a cursor this service did not issue, or issued for another query. */
  static invalidCursor(message: string): ScimError {
    return new ScimError(400, 'invalidCursor', message);
  }

  /** RFC 9865: a cursor older than `pagination.cursorTimeout`. */
  static expiredCursor(message: string): ScimError {
    return new ScimError(400, 'expiredCursor', message);
  }

  static notFound(message: string): ScimError {
    return new ScimError(404, undefined, message);
  }
}
