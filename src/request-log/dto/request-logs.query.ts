import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Transform, TransformFnParams } from 'class-transformer';
import { IsBoolean, IsISO8601, IsOptional, IsString, Length, Matches } from 'class-validator';
import { AdminPageQuery } from '../../common/admin-page';

/** `true`/`false` from the query string; anything else is left for @IsBoolean to refuse. */
const toBoolean = ({ value }: TransformFnParams): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

/** The shortest `search` term: a trigram index needs three characters to narrow anything down. */
export const MIN_SEARCH_LENGTH = 3;

/** The filters of `GET /api/admin/logs` and of its live stream. */
export class RequestLogFiltersQuery {
  @ApiPropertyOptional({ example: 'POST' })
  @IsOptional()
  @Matches(/^[A-Za-z]{1,16}$/, { message: 'method must be an HTTP method such as GET or POST' })
  method?: string;

  @ApiPropertyOptional({ description: 'an exact status (404) or a class (4xx)', example: '4xx' })
  @IsOptional()
  @Matches(/^[1-5]([0-9]{2}|xx)$/i, { message: 'status must be a status such as 404 or a class such as 4xx' })
  status?: string;

  @ApiPropertyOptional({ description: 'true: only requests with an error message; false: only without' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'hasError must be true or false' })
  hasError?: boolean;

  @ApiPropertyOptional({ description: 'substring of the path and query string, ignoring case' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  path?: string;

  @ApiPropertyOptional({
    description: `substring (at least ${MIN_SEARCH_LENGTH} characters, ignoring case) of the path and query, the identifier, the correlation id and the first 2,000 characters of each body`,
  })
  @IsOptional()
  @IsString()
  @Length(MIN_SEARCH_LENGTH, 500, { message: `search must be ${MIN_SEARCH_LENGTH} to 500 characters long` })
  search?: string;

  @ApiPropertyOptional({ description: 'requests at or after this instant (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;

  @ApiPropertyOptional({ description: 'requests before this instant (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  until?: string;

  @ApiPropertyOptional({ description: 'tenant id' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  tenant?: string;

  @ApiPropertyOptional({ default: false, description: 'also show requests to the admin API itself' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'includeAdmin must be true or false' })
  includeAdmin?: boolean;

  @ApiPropertyOptional({ default: false, description: "hide Entra ID's keepalive probe" })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'hideKeepalive must be true or false' })
  hideKeepalive?: boolean;
}

/** `GET /api/admin/logs`: the filters and a page. */
export class RequestLogsQuery extends IntersectionType(AdminPageQuery, RequestLogFiltersQuery) {}

/** `DELETE /api/admin/logs`: everything, or what came before an instant. */
export class DeleteRequestLogsQuery {
  @ApiPropertyOptional({ description: 'delete the requests before this instant (ISO 8601); absent: delete all' })
  @IsOptional()
  @IsISO8601({ strict: true })
  before?: string;
}
