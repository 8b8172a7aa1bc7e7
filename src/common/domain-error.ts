/** Stable error codes of the domain; each transport maps them to its own envelope. */
export const ERROR_CODES = [
  'VALIDATION',
  'DATA_FORMAT',
  'DUPLICATE',
  'NOT_FOUND',
  'CONFLICT',
  'PERMISSION',
  'SYSTEM',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorDetail {
  /** Where in the input, e.g. `departments.0.parentExternalId`. */
  path?: string;
  field?: string;
  message: string;
  /** A stable message key for clients that translate, e.g. `directory.department.parent.notfound`. */
  key?: string;
}

/** A failure the caller can act on. Domain code throws or returns these, never HTTP exceptions. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }

  static notFound(message: string, detail?: ErrorDetail): DomainError {
    return new DomainError('NOT_FOUND', message, detail ? [detail] : []);
  }

  static validation(message: string, detail?: ErrorDetail): DomainError {
    return new DomainError('VALIDATION', message, detail ? [detail] : []);
  }

  static duplicate(message: string, detail?: ErrorDetail): DomainError {
    return new DomainError('DUPLICATE', message, detail ? [detail] : []);
  }
}
