import { Body, Controller, Get, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { TenantsService, TenantView } from '../directory/tenants.service';
import { CreateTenantDto, UpdateTenantDto } from './dto/tenant.dto';
import { RateLimit, RateLimitGuard } from '../common/rate-limit';

@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminAuthGuard, RateLimitGuard)
@RateLimit('admin')
@Controller('api/admin/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a tenant (with its default user type "1")' })
  create(@Body() body: CreateTenantDto): Promise<TenantView> {
    return this.tenants.create(body);
  }

  @Get()
  async list(): Promise<{ items: TenantView[]; total: number }> {
    const items = await this.tenants.list();
    return { items, total: items.length };
  }

  @Get(':tenantId')
  find(@Param('tenantId') tenantId: string): Promise<TenantView> {
    return this.tenants.find(tenantId);
  }

  @Patch(':tenantId')
  @ApiOperation({ summary: 'Change name, org code, locale or time zone' })
  update(@Param('tenantId') tenantId: string, @Body() body: UpdateTenantDto): Promise<TenantView> {
    return this.tenants.update(tenantId, body);
  }
}
