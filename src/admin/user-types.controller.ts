import { Body, Controller, Get, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
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
  async list(@Param('tenantId') tenantId: string): Promise<{ items: UserTypeView[]; total: number }> {
    const items = await this.userTypes.list(tenantId);
    return { items, total: items.length };
  }

  @Post()
  @OpenApiOperation(CREATE_USER_TYPE)
  create(@Param('tenantId') tenantId: string, @Body() body: CreateUserTypeDto): Promise<UserTypeView> {
    return this.userTypes.create(tenantId, body.id, body.name);
  }

  @Patch(':userTypeId')
  @OpenApiOperation(UPDATE_USER_TYPE)
  rename(
    @Param('tenantId') tenantId: string,
    @Param('userTypeId') userTypeId: string,
    @Body() body: RenameUserTypeDto,
  ): Promise<UserTypeView> {
    return this.userTypes.rename(tenantId, userTypeId, body.name);
  }
}
