import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const MAX_ADMIN_PAGE_SIZE = 1000;
export const DEFAULT_ADMIN_PAGE_SIZE = 50;

/**
 * The rules of `page` (1-based) and `pageSize`, as decorators: a query class that extends another
 * (the request log's filters) takes them without a mixin.
 */
export const PageNumber = (): PropertyDecorator =>
  applyDecorators(
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
  );
export const PageSize = (): PropertyDecorator =>
  applyDecorators(
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(MAX_ADMIN_PAGE_SIZE),
  );

/** `page` and `pageSize` of the admin listings. */
export class AdminPageQuery {
  @PageNumber()
  page?: number;

  @PageSize()
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
