import { Controller, Get, Param, Query, Req, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { adminScope, requireVisibleTenant } from '../auth/admin-scope';
import { AuthenticatedRequest } from '../auth/principal';
import { AdminPage } from '../common/admin-page';
import { RateLimit, RateLimitGuard } from '../common/rate-limit';
import { TenantsService } from '../directory/tenants.service';
import { OpenApiController, OpenApiOperation } from '../openapi/openapi.decorators';
import { TAGS } from '../openapi/tags';
import { adminController } from '../admin/admin.openapi';
import { GET_DIRECTORY_USER, LIST_DEPARTMENT_LEVEL, SEARCH_DIRECTORY_USERS } from './console.openapi';
import {
  DepartmentNodeView,
  DirectoryBrowserService,
  UserDetailView,
  UserSummaryView,
} from './directory-browser.service';
import { DepartmentLevelQuery, UserSearchQuery } from './dto/directory-query.dto';

/** The console's directory browser: one tenant's tree, its users, one user. Read only. */
@OpenApiController(adminController(TAGS.directoryBrowser.name))
@UseGuards(AdminAuthGuard, RateLimitGuard)
@RateLimit('admin')
@Controller('api/admin/tenants/:tenantId')
export class DirectoryBrowserController {
  constructor(
    private readonly browser: DirectoryBrowserService,
    private readonly tenants: TenantsService,
  ) {}

  @Get('departments')
  @OpenApiOperation(LIST_DEPARTMENT_LEVEL)
  async departments(
    @Req() req: AuthenticatedRequest,
    @Param('tenantId') tenantId: string,
    @Query() query: DepartmentLevelQuery,
  ): Promise<AdminPage<DepartmentNodeView>> {
    await this.visibleTenant(req, tenantId);
    return this.browser.departments(tenantId, query);
  }

  @Get('users')
  @OpenApiOperation(SEARCH_DIRECTORY_USERS)
  async users(
    @Req() req: AuthenticatedRequest,
    @Param('tenantId') tenantId: string,
    @Query() query: UserSearchQuery,
  ): Promise<AdminPage<UserSummaryView>> {
    await this.visibleTenant(req, tenantId);
    return this.browser.users(tenantId, query);
  }

  @Get('users/:userId')
  @OpenApiOperation(GET_DIRECTORY_USER)
  async user(
    @Req() req: AuthenticatedRequest,
    @Param('tenantId') tenantId: string,
    @Param('userId') userId: string,
  ): Promise<UserDetailView> {
    await this.visibleTenant(req, tenantId);
    return this.browser.user(tenantId, userId);
  }

  /** 404 for a tenant that does not exist, and alike for one a TENANT_ADMIN does not administer. */
  private async visibleTenant(req: AuthenticatedRequest, tenantId: string): Promise<void> {
    requireVisibleTenant(adminScope(req), tenantId);
    await this.tenants.find(tenantId);
  }
}
