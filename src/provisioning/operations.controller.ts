import { Body, Controller, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import type { TenantPrincipal } from '../auth/principal';
import { ProvisioningAuthGuard } from '../auth/provisioning-auth.guard';
import { CurrentPrincipal, RequireRoles } from '../auth/roles.decorator';
import { RateLimit, RateLimitGuard } from '../common/rate-limit';
import { DirectSyncService } from './direct-sync.service';
import { SECURITY } from '../openapi/components';
import { OpenApiController, OpenApiOperation } from '../openapi/openapi.decorators';
import { TAGS } from '../openapi/tags';
import {
  PROVISIONING_ERRORS,
  QUEUE_DEPARTMENTS,
  QUEUE_USERS,
  SYNC_DEPARTMENTS,
  SYNC_USERS,
} from './provisioning.openapi';
import { queryString } from './query';
import { TransactionsService } from './transactions.service';

/**
 * Queueing department and user items into a transaction (every route variant of the sources),
 * and direct mode when no transaction is named. Bodies are arrays: validated item by item by
 * the service, since an invalid item is a failed operation, not a refused request.
 */
@OpenApiController({
  tag: TAGS.operations.name,
  door: 'provisioning',
  errors: PROVISIONING_ERRORS,
  security: SECURITY.provisioning,
})
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
  @OpenApiOperation(QUEUE_DEPARTMENTS)
  queueDepartments(
    @CurrentPrincipal() principal: TenantPrincipal,
    @Param('transactionId') transactionId: string,
    @Body() body: unknown,
  ): Promise<unknown> {
    return this.transactions.queue(principal, transactionId, 'DEPARTMENT', body);
  }

  @Post('department')
  @HttpCode(200)
  @OpenApiOperation(SYNC_DEPARTMENTS)
  departments(
    @CurrentPrincipal() principal: TenantPrincipal,
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
  @OpenApiOperation(QUEUE_USERS)
  queueUsers(
    @CurrentPrincipal() principal: TenantPrincipal,
    @Param('transactionId') transactionId: string,
    @Body() body: unknown,
  ): Promise<unknown> {
    return this.transactions.queue(principal, transactionId, 'USER', body);
  }

  @Post('user')
  @HttpCode(200)
  @OpenApiOperation(SYNC_USERS)
  users(
    @CurrentPrincipal() principal: TenantPrincipal,
    @Query() query: Record<string, unknown>,
    @Body() body: unknown,
  ): Promise<unknown> {
    const transactionId = queryString('transactionId', query.transactionId);
    return transactionId
      ? this.transactions.queue(principal, transactionId, 'USER', body)
      : this.direct.apply(principal, 'USER', body);
  }
}
