import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import type { AuthenticatedRequest, Principal } from '../auth/principal';
import { AdminPage } from '../common/admin-page';
import { AdminTransactionsService, AdminTransactionView } from './admin-transactions.service';
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
  async rollback(@Req() req: AuthenticatedRequest, @Param('id') id: string): Promise<AdminTransactionView> {
    await this.checkScope(req, id);
    return this.repair.rollback(operator(req), id);
  }

  @Post(':id/retry')
  @HttpCode(202)
  @OpenApiOperation(RETRY_ADMIN_TRANSACTION)
  async retry(
    @Req() req: AuthenticatedRequest,
    @Param('id') id: string,
    @Body() body: RetryTransactionDto,
  ): Promise<RetryAnswer> {
    await this.checkScope(req, id);
    return this.repair.retry(operator(req), id, body?.orderIds);
  }

  /**
   * scope: TENANT_ADMIN — a tenant operator may act only on its own tenant's transactions; another
   * tenant's id must answer the same 404 as a missing one (requireVisibleTenant(adminScope(req),
   * transaction.tenantId)). Wired when src/auth/admin-scope.ts lands.
   */
  private async checkScope(_req: AuthenticatedRequest, _id: string): Promise<void> {}
}

/** The operator's credential: the guard has set it. */
function operator(req: AuthenticatedRequest): Principal {
  return req.principal!;
}
