import { Body, Controller, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../auth/principal';
import { ProvisioningAuthGuard } from '../auth/provisioning-auth.guard';
import { CurrentPrincipal, RequireRoles } from '../auth/roles.decorator';
import { RateLimit, RateLimitGuard } from '../common/rate-limit';
import { DirectSyncService } from './direct-sync.service';
import { DepartmentItemDto } from './dto/department-item.dto';
import { UserItemDto } from './dto/user-item.dto';
import { queryString } from './query';
import { TransactionsService } from './transactions.service';

/**
 * Queueing department and user items into a transaction (every route variant of the sources),
 * and direct mode when no transaction is named. Bodies are arrays: validated item by item by
 * the service, since an invalid item is a failed operation, not a refused request.
 */
@ApiTags('provisioning')
@ApiSecurity('auth-token')
@ApiHeader({ name: 'auth-tenant-id', required: true })
@UseGuards(ProvisioningAuthGuard, RateLimitGuard)
@RequireRoles('PROVISIONING_UPDATE')
@RateLimit('sync')
@Controller('api/provisioning/iam')
export class OperationsController {
  constructor(
    private readonly transactions: TransactionsService,
    private readonly direct: DirectSyncService,
  ) {}

  @Post([':transactionId/department', 'department/sync/:transactionId'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Queue department items (also /department?transactionId=)' })
  @ApiBody({ type: [DepartmentItemDto] })
  queueDepartments(
    @CurrentPrincipal() principal: Principal,
    @Param('transactionId') transactionId: string,
    @Body() body: unknown,
  ): Promise<unknown> {
    return this.transactions.queue(principal, transactionId, 'DEPARTMENT', body);
  }

  @Post('department')
  @HttpCode(200)
  @ApiOperation({ summary: 'With ?transactionId: queue; without: apply at once (direct mode)' })
  @ApiQuery({ name: 'transactionId', required: false })
  @ApiBody({ type: [DepartmentItemDto] })
  departments(
    @CurrentPrincipal() principal: Principal,
    @Query() query: Record<string, unknown>,
    @Body() body: unknown,
  ): Promise<unknown> {
    const transactionId = queryString('transactionId', query.transactionId);
    return transactionId
      ? this.transactions.queue(principal, transactionId, 'DEPARTMENT', body)
      : this.direct.apply(principal, 'DEPARTMENT', body);
  }

  @Post([':transactionId/user', 'user/sync/:transactionId'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Queue user items (also /user?transactionId=)' })
  @ApiBody({ type: [UserItemDto] })
  queueUsers(
    @CurrentPrincipal() principal: Principal,
    @Param('transactionId') transactionId: string,
    @Body() body: unknown,
  ): Promise<unknown> {
    return this.transactions.queue(principal, transactionId, 'USER', body);
  }

  @Post('user')
  @HttpCode(200)
  @ApiOperation({ summary: 'With ?transactionId: queue; without: apply at once (direct mode)' })
  @ApiQuery({ name: 'transactionId', required: false })
  @ApiBody({ type: [UserItemDto] })
  users(
    @CurrentPrincipal() principal: Principal,
    @Query() query: Record<string, unknown>,
    @Body() body: unknown,
  ): Promise<unknown> {
    const transactionId = queryString('transactionId', query.transactionId);
    return transactionId
      ? this.transactions.queue(principal, transactionId, 'USER', body)
      : this.direct.apply(principal, 'USER', body);
  }
}
