import {
  ArgumentsHost,
  BadRequestException,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiError } from './api-error';
import { correlationIdOf } from './correlation-id';
import { isDatabaseUnavailable } from './database-errors';
import { DomainError, ErrorCode } from './domain-error';
import { Failure, oauthError, partnerError, provisioningEnvelope, scimError } from './error-envelope';

/**
 * Every failure leaves through here: typed errors keep their status and message, connection
 * failures become 503, anything unexpected a 500 that leaks nothing but the correlation id.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const failure = { ...this.toFailure(exception, req), correlationId: correlationIdOf(req) };
    if (res.headersSent) return;
    // Inside a middleware (the body parser) Express has cut the mount path off `req.path`.
    const path = routePath(req);
    if (path.startsWith('/scim')) {
      if (failure.httpStatus === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="SCIM"');
      res
        .status(failure.httpStatus)
        .type('application/scim+json')
        .send(JSON.stringify(scimError(failure)));
    } else if (path === '/api/admin/users/sync') {
      res.status(failure.httpStatus).json(partnerError(failure));
    } else if (path === '/oauth/token') {
      if (failure.httpStatus === 401) res.setHeader('WWW-Authenticate', 'Basic realm="oauth"');
      res.setHeader('Cache-Control', 'no-store');
      res.status(failure.httpStatus).json(oauthError(failure));
    } else {
      res.status(failure.httpStatus).json(provisioningEnvelope(failure));
    }
  }

  private toFailure(exception: unknown, req: Request): Failure {
    if (exception instanceof ApiError) {
      return {
        httpStatus: exception.httpStatus,
        code: apiErrorCode(exception.httpStatus),
        message: exception.message,
        error: exception.error,
        details: exception.details,
        scimType: exception.scimType,
      };
    }
    if (isUndecodablePath(exception)) {
      return {
        httpStatus: HttpStatus.BAD_REQUEST,
        code: 'VALIDATION',
        message: 'Bad request',
        error: 'Request URL is not valid UTF-8',
        details: [],
        scimType: 'invalidSyntax',
      };
    }
    if (exception instanceof DomainError) {
      return {
        httpStatus: DOMAIN_STATUS[exception.code],
        code: exception.code,
        message: DOMAIN_SUMMARY[exception.code],
        error: exception.message,
        details: exception.details,
        scimType:
          exception.code === 'DUPLICATE' ? 'uniqueness' : exception.code === 'VALIDATION' ? 'invalidValue' : undefined,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return {
        httpStatus: status,
        code: apiErrorCode(status),
        message: exception.message,
        error: httpErrorText(exception),
        details: [],
      };
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn({
        message: 'Database unavailable',
        method: req.method,
        path: routePath(req),
        cause: String(exception),
      });
      return {
        httpStatus: HttpStatus.SERVICE_UNAVAILABLE,
        code: 'UNAVAILABLE',
        message: 'Service unavailable',
        error: 'The database is not reachable at the moment; retry shortly',
        details: [],
      };
    }
    this.logger.error({
      message: 'Unhandled error',
      method: req.method,
      path: routePath(req),
      correlationId: correlationIdOf(req),
      error: exception instanceof Error ? exception.message : String(exception),
      stack: exception instanceof Error ? exception.stack : undefined,
    });
    return {
      httpStatus: HttpStatus.INTERNAL_SERVER_ERROR,
      code: 'SYSTEM',
      message: 'Internal server error',
      error: 'An unexpected error occurred; quote the correlation id when reporting it',
      details: [],
    };
  }
}

const DOMAIN_STATUS: Record<ErrorCode, number> = {
  VALIDATION: 400,
  DATA_FORMAT: 400,
  NOT_FOUND: 404,
  DUPLICATE: 409,
  CONFLICT: 409,
  PERMISSION: 403,
  SYSTEM: 500,
};

const DOMAIN_SUMMARY: Record<ErrorCode, string> = {
  VALIDATION: 'Validation failed',
  DATA_FORMAT: 'Validation failed',
  NOT_FOUND: 'Not found',
  DUPLICATE: 'Conflict',
  CONFLICT: 'Conflict',
  PERMISSION: 'Access denied',
  SYSTEM: 'Internal server error',
};

/**
 * The router decodes path parameters before any middleware sees the request (`/Users/%ff`), and
 * Nest turns its URIError into this BadRequestException.
 */
function isUndecodablePath(exception: unknown): boolean {
  return exception instanceof BadRequestException && exception.message.startsWith('Failed to decode param');
}

function apiErrorCode(status: number): Failure['code'] {
  if (status === 401) return 'AUTHENTICATION';
  if (status === 403) return 'AUTHORIZATION';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 503) return 'UNAVAILABLE';
  if (status >= 500) return 'SYSTEM';
  return 'VALIDATION';
}

function httpErrorText(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/** The request's path without its query, as the client sent it. */
function routePath(req: Request): string {
  return (req.originalUrl ?? req.url).split('?')[0];
}
