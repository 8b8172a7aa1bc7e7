import { Controller, Get, Param, Query, Req, UseGuards } from '@nestjs/common';
import { adminController } from '../../admin/admin.openapi';
import { AdminAuthGuard } from '../../auth/admin-auth.guard';
import { adminScope, requireVisibleTenant } from '../../auth/admin-scope';
import type { AuthenticatedRequest } from '../../auth/principal';
import { AdminPage, AdminPageQuery } from '../../common/admin-page';
import { RateLimit, RateLimitGuard } from '../../common/rate-limit';
import { TenantsService } from '../../directory/tenants.service';
import { OpenApiController, OpenApiOperation } from '../../openapi/openapi.decorators';
import { TAGS } from '../../openapi/tags';
import type { ChangeView } from './change-view';
import { GET_DEPARTMENT_HISTORY, GET_USER_HISTORY } from './feed.openapi';
import { HistoryService } from './history.service';

/** The change history of one user or department, for operators (ADMIN, or that tenant's TENANT_ADMIN). */
@OpenApiController(adminController(TAGS.history.name))
@UseGuards(AdminAuthGuard, RateLimitGuard)
@RateLimit('admin')
@Controller('api/admin/tenants/:tenantId')
export class HistoryController {
  constructor(
    private readonly history: HistoryService,
    private readonly tenants: TenantsService,
  ) {}

  @Get('users/:userId/history')
  @OpenApiOperation(GET_USER_HISTORY)
  async user(
    @Req() req: AuthenticatedRequest,
    @Param('tenantId') tenantId: string,
    @Param('userId') userId: string,
    @Query() query: AdminPageQuery,
  ): Promise<AdminPage<ChangeView>> {
    await this.visibleTenant(req, tenantId);
    return this.history.history(tenantId, { kind: 'user', id: userId }, query);
  }

  @Get('departments/:departmentId/history')
  @OpenApiOperation(GET_DEPARTMENT_HISTORY)
  async department(
    @Req() req: AuthenticatedRequest,
    @Param('tenantId') tenantId: string,
    @Param('departmentId') departmentId: string,
    @Query() query: AdminPageQuery,
  ): Promise<AdminPage<ChangeView>> {
    await this.visibleTenant(req, tenantId);
    return this.history.history(tenantId, { kind: 'department', id: departmentId }, query);
  }

  /** Another tenant's id answers as a missing one. */
  private async visibleTenant(req: AuthenticatedRequest, tenantId: string): Promise<void> {
    requireVisibleTenant(adminScope(req), tenantId);
    await this.tenants.find(tenantId);
  }
}
