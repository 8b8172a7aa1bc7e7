import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const MAX_ADMIN_PAGE_SIZE = 1000;
export const DEFAULT_ADMIN_PAGE_SIZE = 50;

/** `page` (1-based) and `pageSize` of the admin listings. */
export class AdminPageQuery {
  @ApiPropertyOptional({ default: 1, minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page?: number;

  @ApiPropertyOptional({ default: DEFAULT_ADMIN_PAGE_SIZE, minimum: 1, maximum: MAX_ADMIN_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ADMIN_PAGE_SIZE)
  pageSize?: number;
}

/** The answer of every admin listing. */
export interface AdminPage<T> {
  total: number;
  page: number;
  pageSize: number;
  items: T[];
  hasNext: boolean;
}

export interface PageWindow {
  page: number;
  pageSize: number;
  offset: number;
}

export function pageWindow(query: AdminPageQuery): PageWindow {
  const page = query.page ?? 1;
  const pageSize = query.pageSize ?? DEFAULT_ADMIN_PAGE_SIZE;
  return { page, pageSize, offset: (page - 1) * pageSize };
}

export function adminPage<T>(window: PageWindow, total: number, items: T[]): AdminPage<T> {
  return {
    total,
    page: window.page,
    pageSize: window.pageSize,
    items,
    hasNext: window.offset + items.length < total,
  };
}
