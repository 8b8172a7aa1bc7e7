import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { adminScope, canSeeTenant, scopedTenantFilter } from '../auth/admin-scope';
import { CredentialsService } from '../auth/credentials.service';
import type { AuthenticatedRequest, Principal } from '../auth/principal';
import { AdminPage } from '../common/admin-page';
import { AdminTransactionsService, AdminTransactionView, TenantVisibility } from './admin-transactions.service';
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

type Named<T> = T & { createdByName: string | null };

@OpenApiController(adminController(TAGS.adminTransactions.name))
@Controller('api/admin/transactions')
@UseGuards(AdminAuthGuard, RateLimitGuard)
@RateLimit('admin')
export class AdminTransactionsController {
  constructor(
    private readonly transactions: AdminTransactionsService,
    private readonly repair: TransactionRepairService,
    private readonly credentials: CredentialsService,
  ) {}

  @Get()
  @OpenApiOperation(LIST_ADMIN_TRANSACTIONS)
  async list(
    @Req() req: AuthenticatedRequest,
    @Query() query: AdminTransactionsQuery,
  ): Promise<AdminPage<Named<AdminTransactionView>>> {
    const page = await this.transactions.list({ ...query, tenant: scopedTenantFilter(adminScope(req), query.tenant) });
    return { ...page, items: await this.credentials.withCreatorNames(page.items) };
  }

  @Get(':id')
  @OpenApiOperation(GET_ADMIN_TRANSACTION)
  async find(
    @Req() req: AuthenticatedRequest,
    @Param('id') id: string,
  ): Promise<Named<AdminTransactionView & { failures: Record<string, unknown>[] }>> {
    const transaction = await this.transactions.find(id, this.visibleTenants(req));
    const [named] = await this.credentials.withCreatorNames([transaction]);
    return named;
  }

  @Post(':id/rollback')
  @HttpCode(200)
  @OpenApiOperation(ROLLBACK_ADMIN_TRANSACTION)
  async rollback(@Req() req: AuthenticatedRequest, @Param('id') id: string): Promise<Named<AdminTransactionView>> {
    const [named] = await this.credentials.withCreatorNames([
      await this.repair.rollback(operator(req), id, this.visibleTenants(req)),
    ]);
    return named;
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
   * A TENANT_ADMIN acts only on its own tenant's transactions; another
   * tenant's id answers the same 404 'Transaction not found' as a missing one (the service throws
   * it when this refuses the tenant).
   */
  private visibleTenants(req: AuthenticatedRequest): TenantVisibility {
    const scope = adminScope(req);
    return (tenantId) => canSeeTenant(scope, tenantId);
  }
}

/** The operator's credential: the guard has set it. */
function operator(req: AuthenticatedRequest): Principal {
  return req.principal!;
}
