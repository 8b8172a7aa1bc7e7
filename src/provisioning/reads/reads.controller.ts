import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import type { TenantPrincipal } from '../../auth/principal';
import { ProvisioningAuthGuard } from '../../auth/provisioning-auth.guard';
import { CurrentPrincipal, RequireRoles } from '../../auth/roles.decorator';
import { SECURITY } from '../../openapi/components';
import { OpenApiController, OpenApiOperation } from '../../openapi/openapi.decorators';
import { TAGS } from '../../openapi/tags';
import { LIST_DEPARTMENTS, LIST_USERS, PROVISIONING_ERRORS } from '../provisioning.openapi';
import type { DepartmentsPageDto, UsersPageDto } from './reads.dto';
import { parseReadQuery } from './read-query';
import { ReadsService } from './reads.service';

@OpenApiController({
  tag: TAGS.reads.name,
  door: 'provisioning',
  errors: PROVISIONING_ERRORS,
  security: SECURITY.provisioning,
})
@UseGuards(ProvisioningAuthGuard)
@RequireRoles('PROVISIONING_SEARCH')
@Controller('api/provisioning/iam')
export class ReadsController {
  constructor(private readonly reads: ReadsService) {}

  @Get('department')
  @OpenApiOperation(LIST_DEPARTMENTS)
  departments(
    @CurrentPrincipal() principal: TenantPrincipal,
    @Query() query: Record<string, unknown>,
  ): Promise<DepartmentsPageDto> {
    return this.reads.listDepartments(principal.tenantId, parseReadQuery(query));
  }

  @Get('user')
  @OpenApiOperation(LIST_USERS)
  users(
    @CurrentPrincipal() principal: TenantPrincipal,
    @Query() query: Record<string, unknown>,
  ): Promise<UsersPageDto> {
    return this.reads.listUsers(principal.tenantId, parseReadQuery(query));
  }
}
