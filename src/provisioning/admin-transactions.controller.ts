import { Controller, Get, Param, Query, Req, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { adminScope, canSeeTenant, scopedTenantFilter } from '../auth/admin-scope';
import { CredentialsService } from '../auth/credentials.service';
import type { AuthenticatedRequest } from '../auth/principal';
import { DomainError } from '../common/domain-error';
import { AdminPage } from '../common/admin-page';
import { AdminTransactionsService, AdminTransactionView } from './admin-transactions.service';
import { AdminTransactionsQuery } from './dto/admin-transactions.query';
import { RateLimit, RateLimitGuard } from '../common/rate-limit';
import { adminController, GET_ADMIN_TRANSACTION, LIST_ADMIN_TRANSACTIONS } from '../admin/admin.openapi';
import { OpenApiController, OpenApiOperation } from '../openapi/openapi.decorators';
import { TAGS } from '../openapi/tags';

type Named<T> = T & { createdByName: string | null };

@OpenApiController(adminController(TAGS.adminTransactions.name))
@Controller('api/admin/transactions')
@UseGuards(AdminAuthGuard, RateLimitGuard)
@RateLimit('admin')
export class AdminTransactionsController {
  constructor(
    private readonly transactions: AdminTransactionsService,
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
    const transaction = await this.transactions.find(id);
    // Another tenant's transaction answers exactly as a missing one.
    if (!canSeeTenant(adminScope(req), transaction.tenantId)) throw DomainError.notFound('Transaction not found');
    const [named] = await this.credentials.withCreatorNames([transaction]);
    return named;
  }
}
