import { Transform, TransformFnParams } from 'class-transformer';
import { IsBoolean, IsIn, IsISO8601, IsOptional, IsString, Length, Matches } from 'class-validator';
import { AUTH_FAILURES } from '../../auth/auth-failure';
import { AdminPageQuery, PageNumber, PageSize } from '../../common/admin-page';

/** `true`/`false` from the query string; anything else is left for @IsBoolean to refuse. */
const toBoolean = ({ value }: TransformFnParams): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

/** The shortest `search` term: a trigram index needs three characters to narrow anything down. */
export const MIN_SEARCH_LENGTH = 3;

/** The filters of `GET /api/admin/logs` and of its live stream. */
export class RequestLogFiltersQuery {
  @IsOptional()
  @Matches(/^[A-Za-z]{1,16}$/, { message: 'method must be an HTTP method such as GET or POST' })
  method?: string;

  @IsOptional()
  @Matches(/^[1-5]([0-9]{2}|xx)$/i, { message: 'status must be a status such as 404 or a class such as 4xx' })
  status?: string;

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'hasError must be true or false' })
  hasError?: boolean;

  @IsOptional()
  @IsIn([...AUTH_FAILURES, 'any'], { message: `authFailure must be any or one of ${AUTH_FAILURES.join(', ')}` })
  authFailure?: string;

  @IsOptional()
  @IsString()
  @Length(1, 500)
  path?: string;

  @IsOptional()
  @IsString()
  @Length(MIN_SEARCH_LENGTH, 500, { message: `search must be ${MIN_SEARCH_LENGTH} to 500 characters long` })
  search?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  until?: string;

  @IsOptional()
  @IsString()
  @Length(1, 64)
  tenant?: string;

  @IsOptional()
  @IsString()
  @Length(1, 128, { message: 'correlationId must be 1 to 128 characters long' })
  correlationId?: string;

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'includeAdmin must be true or false' })
  includeAdmin?: boolean;

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'hideKeepalive must be true or false' })
  hideKeepalive?: boolean;
}

/** `GET /api/admin/logs`: the filters and a page. */
export class RequestLogsQuery extends RequestLogFiltersQuery implements AdminPageQuery {
  @PageNumber()
  page?: number;

  @PageSize()
  pageSize?: number;
}

/** `DELETE /api/admin/logs`: everything, or what came before an instant. */
export class DeleteRequestLogsQuery {
  @IsOptional()
  @IsISO8601({ strict: true })
  before?: string;
}
