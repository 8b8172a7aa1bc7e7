import { Body, Controller, Get, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
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
  create(@Body() body: CreateTenantDto): Promise<TenantView> {
    return this.tenants.create(body);
  }

  @Get()
  @OpenApiOperation(LIST_TENANTS)
  async list(): Promise<{ items: TenantView[]; total: number }> {
    const items = await this.tenants.list();
    return { items, total: items.length };
  }

  @Get(':tenantId')
  @OpenApiOperation(GET_TENANT)
  find(@Param('tenantId') tenantId: string): Promise<TenantView> {
    return this.tenants.find(tenantId);
  }

  @Patch(':tenantId')
  @OpenApiOperation(UPDATE_TENANT)
  update(@Param('tenantId') tenantId: string, @Body() body: UpdateTenantDto): Promise<TenantView> {
    return this.tenants.update(tenantId, body);
  }
}
