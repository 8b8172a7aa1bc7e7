import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { AllExceptionsFilter } from '../common/all-exceptions.filter';
import { ApiError } from '../common/api-error';
import { DomainError } from '../common/domain-error';
import { sqlStateOf } from '../directory/batch';
import { ScimFilterError } from './filter';
import { ScimError } from './scim.errors';

/**
 * The SCIM transport's mapping of typed errors to SCIM Error resources (RFC 7644 §3.12);
 * the global filter renders them (and anything unexpected) in the SCIM envelope.
 */
@Catch()
export class ScimExceptionFilter implements ExceptionFilter {
  private readonly global = new AllExceptionsFilter();

  catch(exception: unknown, host: ArgumentsHost): void {
    this.global.catch(toScim(exception), host);
  }
}

export function toScim(exception: unknown): unknown {
  if (exception instanceof ScimError) {
    return new ApiError(exception.status, 'SCIM request refused', exception.message, [], exception.scimType);
  }
  if (exception instanceof ScimFilterError) {
    return new ApiError(400, 'SCIM request refused', exception.message, [], 'invalidFilter');
  }
  if (exception instanceof DomainError) return fromDomain(exception);
  // A data exception (class 22: a NUL character, a number out of range) comes from a value of the
  // request that PostgreSQL refuses to store or compare; it is the caller's to fix, never a 500.
  if (sqlStateOf(exception)?.startsWith('22')) {
    return new ApiError(
      400,
      'SCIM request refused',
      'A value of the request cannot be stored or compared',
      [],
      'invalidValue',
    );
  }
  return exception;
}

function fromDomain(error: DomainError): unknown {
  switch (error.code) {
    case 'DUPLICATE':
      return new ApiError(409, 'Conflict', error.message, error.details, 'uniqueness');
    case 'NOT_FOUND':
      return new ApiError(404, 'Not found', error.message, error.details);
    case 'VALIDATION':
    case 'DATA_FORMAT':
      return new ApiError(400, 'SCIM request refused', error.message, error.details, 'invalidValue');
    case 'CONFLICT':
      return new ApiError(409, 'Conflict', error.message, error.details);
    case 'PERMISSION':
      return new ApiError(403, 'Access denied', error.message, error.details);
    case 'SYSTEM':
      return error;
  }
}
