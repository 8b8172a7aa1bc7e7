import { Body, Controller, Get, Param, Patch, Post, Req, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { adminScope, requireAllTenants, requireVisibleTenant } from '../auth/admin-scope';
import type { AuthenticatedRequest } from '../auth/principal';
import { TenantsService, TenantView } from '../directory/tenants.service';
import { CreateTenantDto, UpdateTenantDto } from './dto/tenant.dto';
import { RateLimit, RateLimitGuard } from '../common/rate-limit';
import { OpenApiController, OpenApiOperation } from '../openapi/openapi.decorators';
import { TAGS } from '../openapi/tags';
import { adminController, CREATE_TENANT, GET_TENANT, LIST_TENANTS, UPDATE_TENANT } from './admin.openapi';

@OpenApiController(adminController(TAGS.tenants.name))
@UseGuards(AdminAuthGuard, RateLimitGuard)
@RateLimit('admin')
@Controller('api/admin/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Post()
  @OpenApiOperation(CREATE_TENANT)
  create(@Req() req: AuthenticatedRequest, @Body() body: CreateTenantDto): Promise<TenantView> {
    requireAllTenants(adminScope(req));
    return this.tenants.create(body);
  }

  @Get()
  @OpenApiOperation(LIST_TENANTS)
  async list(@Req() req: AuthenticatedRequest): Promise<{ items: TenantView[]; total: number }> {
    const scope = adminScope(req);
    const items = scope.kind === 'all' ? await this.tenants.list() : [await this.tenants.find(scope.tenantId)];
    return { items, total: items.length };
  }

  @Get(':tenantId')
  @OpenApiOperation(GET_TENANT)
  find(@Req() req: AuthenticatedRequest, @Param('tenantId') tenantId: string): Promise<TenantView> {
    requireVisibleTenant(adminScope(req), tenantId);
    return this.tenants.find(tenantId);
  }

  @Patch(':tenantId')
  @OpenApiOperation(UPDATE_TENANT)
  update(
    @Req() req: AuthenticatedRequest,
    @Param('tenantId') tenantId: string,
    @Body() body: UpdateTenantDto,
  ): Promise<TenantView> {
    requireVisibleTenant(adminScope(req), tenantId);
    return this.tenants.update(tenantId, body);
  }
}
