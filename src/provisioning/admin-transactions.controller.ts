import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import type { AuthenticatedRequest, Principal } from '../auth/principal';
import { AdminPage } from '../common/admin-page';
import {
  ALL_TENANTS,
  AdminTransactionsService,
  AdminTransactionView,
  TenantVisibility,
} from './admin-transactions.service';
import { AdminTransactionsQuery } from './dto/admin-transactions.query';
import { RetryTransactionDto } from './dto/retry-transaction.dto';
import { RateLimit, RateLimitGuard } from '../common/rate-limit';
import {
  adminController,
  GET_ADMIN_TRANSACTION,
  LIST_ADMIN_TRANSACTIONS,
  RETRY_ADMIN_TRANSACTION,
  ROLLBACK_ADMIN_TRANSACTION,
} from '../admin/admin.openapi';
import { OpenApiController, OpenApiOperation } from '../openapi/openapi.decorators';
import { TAGS } from '../openapi/tags';
import { RetryAnswer, TransactionRepairService } from './transaction-repair.service';

@OpenApiController(adminController(TAGS.adminTransactions.name))
@Controller('api/admin/transactions')
@UseGuards(AdminAuthGuard, RateLimitGuard)
@RateLimit('admin')
export class AdminTransactionsController {
  constructor(
    private readonly transactions: AdminTransactionsService,
    private readonly repair: TransactionRepairService,
  ) {}

  @Get()
  @OpenApiOperation(LIST_ADMIN_TRANSACTIONS)
  list(@Query() query: AdminTransactionsQuery): Promise<AdminPage<AdminTransactionView>> {
    return this.transactions.list(query);
  }

  @Get(':id')
  @OpenApiOperation(GET_ADMIN_TRANSACTION)
  find(@Param('id') id: string): Promise<AdminTransactionView & { failures: Record<string, unknown>[] }> {
    return this.transactions.find(id);
  }

  @Post(':id/rollback')
  @HttpCode(200)
  @OpenApiOperation(ROLLBACK_ADMIN_TRANSACTION)
  rollback(@Req() req: AuthenticatedRequest, @Param('id') id: string): Promise<AdminTransactionView> {
    return this.repair.rollback(operator(req), id, this.visibleTenants(req));
  }

  @Post(':id/retry')
  @HttpCode(202)
  @OpenApiOperation(RETRY_ADMIN_TRANSACTION)
  retry(
    @Req() req: AuthenticatedRequest,
    @Param('id') id: string,
    @Body() body: RetryTransactionDto,
  ): Promise<RetryAnswer> {
    return this.repair.retry(operator(req), id, body?.orderIds, this.visibleTenants(req));
  }

  /**
   * scope: TENANT_ADMIN — a tenant operator acts only on its own tenant's transactions; another
   * tenant's id answers the same 404 'Transaction not found' as a missing one (the service throws
   * it when this refuses the tenant). At merge: `(tenantId) => canSeeTenant(adminScope(req), tenantId)`.
   */
  private visibleTenants(_req: AuthenticatedRequest): TenantVisibility {
    return ALL_TENANTS;
  }
}

/** The operator's credential: the guard has set it. */
function operator(req: AuthenticatedRequest): Principal {
  return req.principal!;
}
