import { Controller, Get, Query, Req, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { adminScope, requireVisibleTenant, scopedTenantFilter } from '../auth/admin-scope';
import { AuthenticatedRequest } from '../auth/principal';
import { RateLimit, RateLimitGuard } from '../common/rate-limit';
import { adminController } from '../admin/admin.openapi';
import { OpenApiController, OpenApiOperation } from '../openapi/openapi.decorators';
import { TAGS } from '../openapi/tags';
import { OverviewQuery } from './dto/overview.query';
import { GET_OVERVIEW } from './overview.openapi';
import { Overview, OverviewService } from './overview.service';

@OpenApiController(adminController(TAGS.overview.name))
@UseGuards(AdminAuthGuard, RateLimitGuard)
@RateLimit('admin')
@Controller('api/admin/overview')
export class OverviewController {
  constructor(private readonly overview: OverviewService) {}

  @Get()
  @OpenApiOperation(GET_OVERVIEW)
  get(@Req() req: AuthenticatedRequest, @Query() query: OverviewQuery): Promise<Overview> {
    return this.overview.overview(this.visibleTenant(req, query.tenant));
  }

  /**
   * The tenant filter the caller may use: a TENANT_ADMIN sees its own tenant only, and another
   * tenant's id answers the 404 of a missing one.
   */
  private visibleTenant(req: AuthenticatedRequest, requested?: string): string | undefined {
    const scope = adminScope(req);
    if (requested !== undefined && requested !== '') requireVisibleTenant(scope, requested);
    return scopedTenantFilter(scope, requested);
  }
}
