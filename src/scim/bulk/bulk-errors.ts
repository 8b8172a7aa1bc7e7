import { Logger } from '@nestjs/common';
import { ApiError } from '../../common/api-error';
import { isDatabaseUnavailable } from '../../common/database-errors';
import { DomainError } from '../../common/domain-error';
import { URN_ERROR } from '../schemas';
import { toScim } from '../scim-exception.filter';

const logger = new Logger('ScimBulk');

export interface BulkError {
  status: number;
  response: Record<string, unknown>;
}

/**
 * An operation's failure as its SCIM Error resource (RFC 7644 §3.12): the same status, scimType and
 * detail the same request alone would have answered (through the SCIM transport's `toScim`).
 * Anything unexpected is a 500 that says nothing internal. A database that cannot be reached
 * fails the whole request instead (503), as every other operation would fail too.
 */
export function bulkError(error: unknown): BulkError {
  if (isDatabaseUnavailable(error)) throw error;
  const mapped = toScim(error);
  if (mapped instanceof ApiError) {
    const body: Record<string, unknown> = {
      schemas: [URN_ERROR],
      status: String(mapped.httpStatus),
      ...(mapped.scimType ? { scimType: mapped.scimType } : {}),
      detail: mapped.error,
    };
    return { status: mapped.httpStatus, response: body };
  }
  if (!(mapped instanceof DomainError)) {
    logger.error({
      message: 'Unhandled error in a bulk operation',
      error: error instanceof Error ? error.message : String(error),
      stack: error instanceof Error ? error.stack : undefined,
    });
  }
  return {
    status: 500,
    response: {
      schemas: [URN_ERROR],
      status: '500',
      detail: 'An unexpected error occurred; quote the correlation id when reporting it',
    },
  };
}
