import { applyDecorators, Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../../auth/principal';
import { ProvisioningAuthGuard } from '../../auth/provisioning-auth.guard';
import { CurrentPrincipal, RequireRoles } from '../../auth/roles.decorator';
import { DATE_RANGE_PRESETS } from './date-range';
import { DepartmentsPageDto, UsersPageDto } from './reads.dto';
import { DEFAULT_LIMIT, MAX_LIMIT, parseReadQuery } from './read-query';
import { ReadsService } from './reads.service';

const RANGE_DESCRIPTION =
  `a preset (${DATE_RANGE_PRESETS.join(', ')}) or a JSON object ` +
  '{"preset":"CUSTOM","start":"2024-01-01","end":"2024-01-31"}; computed in the tenant\'s locale and time zone, ' +
  'date-only values are whole days, end inclusive';

/** Seed 001's query parameters, shared by both listings. */
const ListingQueries = (): MethodDecorator =>
  applyDecorators(
    ApiQuery({ name: 'active', required: false, enum: ['true', 'false', 'null'], description: 'absent or null: all' }),
    ApiQuery({ name: 'createdOn', required: false, type: String, description: RANGE_DESCRIPTION }),
    ApiQuery({ name: 'updatedOn', required: false, type: String, description: RANGE_DESCRIPTION }),
    ApiQuery({ name: 'skip', required: false, type: Number, description: 'default 0' }),
    ApiQuery({ name: 'limit', required: false, type: Number, description: `1-${MAX_LIMIT}, default ${DEFAULT_LIMIT}` }),
  );

@ApiTags('provisioning')
@ApiSecurity('auth-token')
@ApiHeader({ name: 'auth-tenant-id', required: true })
@UseGuards(ProvisioningAuthGuard)
@RequireRoles('PROVISIONING_SEARCH')
@Controller('api/provisioning/iam')
export class ReadsController {
  constructor(private readonly reads: ReadsService) {}

  @Get('department')
  @ApiOperation({ summary: "List the tenant's departments (filters and paging of seed 001)" })
  @ListingQueries()
  @ApiOkResponse({ type: DepartmentsPageDto })
  departments(
    @CurrentPrincipal() principal: Principal,
    @Query() query: Record<string, unknown>,
  ): Promise<DepartmentsPageDto> {
    return this.reads.listDepartments(principal.tenantId, parseReadQuery(query));
  }

  @Get('user')
  @ApiOperation({ summary: "List the tenant's users with their department assignments (seed 004)" })
  @ListingQueries()
  @ApiOkResponse({ type: UsersPageDto })
  users(@CurrentPrincipal() principal: Principal, @Query() query: Record<string, unknown>): Promise<UsersPageDto> {
    return this.reads.listUsers(principal.tenantId, parseReadQuery(query));
  }
}
