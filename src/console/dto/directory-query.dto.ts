import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { PageNumber } from '../../common/admin-page';

/** The console's directory pages are screens, not exports: at most this many rows a page. */
export const MAX_DIRECTORY_PAGE_SIZE = 200;
export const DEFAULT_DIRECTORY_PAGE_SIZE = 50;

class DirectoryPageQuery {
  @PageNumber()
  page?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_DIRECTORY_PAGE_SIZE)
  pageSize?: number;
}

/** `GET /api/admin/tenants/{tenantId}/departments` (`ConsoleDepartmentLevel` in console.openapi.ts). */
export class DepartmentLevelQuery extends DirectoryPageQuery {
  @IsOptional()
  @IsUUID('all', { message: 'parentId must be a department id (a UUID)' })
  parentId?: string;
}

/** `GET /api/admin/tenants/{tenantId}/users` (`ConsoleUserPage` in console.openapi.ts). */
export class UserSearchQuery extends DirectoryPageQuery {
  @IsOptional()
  @IsString()
  @Length(1, 200, { message: 'search must be 1 to 200 characters' })
  search?: string;

  @IsOptional()
  @IsString()
  @Length(1, 2000, { message: 'filter must be 1 to 2000 characters' })
  filter?: string;

  @IsOptional()
  @IsUUID('all', { message: 'departmentId must be a department id (a UUID)' })
  departmentId?: string;
}
