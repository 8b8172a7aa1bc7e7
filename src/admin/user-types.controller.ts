import { Body, Controller, Get, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { UserTypesService, UserTypeView } from '../directory/user-types.service';
import { CreateUserTypeDto, RenameUserTypeDto } from './dto/user-type.dto';
import { RateLimit, RateLimitGuard } from '../common/rate-limit';

@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminAuthGuard, RateLimitGuard)
@RateLimit('admin')
@Controller('api/admin/tenants/:tenantId/user-types')
export class UserTypesController {
  constructor(private readonly userTypes: UserTypesService) {}

  @Get()
  async list(@Param('tenantId') tenantId: string): Promise<{ items: UserTypeView[]; total: number }> {
    const items = await this.userTypes.list(tenantId);
    return { items, total: items.length };
  }

  @Post()
  create(@Param('tenantId') tenantId: string, @Body() body: CreateUserTypeDto): Promise<UserTypeView> {
    return this.userTypes.create(tenantId, body.id, body.name);
  }

  @Patch(':userTypeId')
  rename(
    @Param('tenantId') tenantId: string,
    @Param('userTypeId') userTypeId: string,
    @Body() body: RenameUserTypeDto,
  ): Promise<UserTypeView> {
    return this.userTypes.rename(tenantId, userTypeId, body.name);
  }
}
