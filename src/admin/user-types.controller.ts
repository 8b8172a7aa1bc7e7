import { Body, Controller, Get, Param, Patch, Post, Req, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { adminScope, requireVisibleTenant } from '../auth/admin-scope';
import type { AuthenticatedRequest } from '../auth/principal';
import { UserTypesService, UserTypeView } from '../directory/user-types.service';
import { CreateUserTypeDto, RenameUserTypeDto } from './dto/user-type.dto';
import { RateLimit, RateLimitGuard } from '../common/rate-limit';
import { OpenApiController, OpenApiOperation } from '../openapi/openapi.decorators';
import { TAGS } from '../openapi/tags';
import { adminController, CREATE_USER_TYPE, LIST_USER_TYPES, UPDATE_USER_TYPE } from './admin.openapi';

@OpenApiController(adminController(TAGS.userTypes.name))
@UseGuards(AdminAuthGuard, RateLimitGuard)
@RateLimit('admin')
@Controller('api/admin/tenants/:tenantId/user-types')
export class UserTypesController {
  constructor(private readonly userTypes: UserTypesService) {}

  @Get()
  @OpenApiOperation(LIST_USER_TYPES)
  async list(
    @Req() req: AuthenticatedRequest,
    @Param('tenantId') tenantId: string,
  ): Promise<{ items: UserTypeView[]; total: number }> {
    requireVisibleTenant(adminScope(req), tenantId);
    const items = await this.userTypes.list(tenantId);
    return { items, total: items.length };
  }

  @Post()
  @OpenApiOperation(CREATE_USER_TYPE)
  create(
    @Req() req: AuthenticatedRequest,
    @Param('tenantId') tenantId: string,
    @Body() body: CreateUserTypeDto,
  ): Promise<UserTypeView> {
    requireVisibleTenant(adminScope(req), tenantId);
    return this.userTypes.create(tenantId, body.id, body.name);
  }

  @Patch(':userTypeId')
  @OpenApiOperation(UPDATE_USER_TYPE)
  rename(
    @Req() req: AuthenticatedRequest,
    @Param('tenantId') tenantId: string,
    @Param('userTypeId') userTypeId: string,
    @Body() body: RenameUserTypeDto,
  ): Promise<UserTypeView> {
    requireVisibleTenant(adminScope(req), tenantId);
    return this.userTypes.rename(tenantId, userTypeId, body.name);
  }
}
