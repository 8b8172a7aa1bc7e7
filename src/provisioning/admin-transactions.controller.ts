import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { AdminPage } from '../common/admin-page';
import { AdminTransactionsService, AdminTransactionView } from './admin-transactions.service';
import { AdminTransactionsQuery } from './dto/admin-transactions.query';
import { RateLimit, RateLimitGuard } from '../common/rate-limit';
import { adminController, GET_ADMIN_TRANSACTION, LIST_ADMIN_TRANSACTIONS } from '../admin/admin.openapi';
import { OpenApiController, OpenApiOperation } from '../openapi/openapi.decorators';
import { TAGS } from '../openapi/tags';

@OpenApiController(adminController(TAGS.adminTransactions.name))
@Controller('api/admin/transactions')
@UseGuards(AdminAuthGuard, RateLimitGuard)
@RateLimit('admin')
export class AdminTransactionsController {
  constructor(private readonly transactions: AdminTransactionsService) {}

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
}
