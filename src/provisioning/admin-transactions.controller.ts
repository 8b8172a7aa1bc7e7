import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { AdminPage } from '../common/admin-page';
import { AdminTransactionsService, AdminTransactionView } from './admin-transactions.service';
import { AdminTransactionsQuery } from './dto/admin-transactions.query';
import { RateLimit, RateLimitGuard } from '../common/rate-limit';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('api/admin/transactions')
@UseGuards(AdminAuthGuard, RateLimitGuard)
@RateLimit('admin')
export class AdminTransactionsController {
  constructor(private readonly transactions: AdminTransactionsService) {}

  @Get()
  @ApiOperation({ summary: "Every tenant's provisioning transactions, newest first, with their progress" })
  list(@Query() query: AdminTransactionsQuery): Promise<AdminPage<AdminTransactionView>> {
    return this.transactions.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One transaction with its first 1,000 failed operations' })
  find(@Param('id') id: string): Promise<AdminTransactionView & { failures: Record<string, unknown>[] }> {
    return this.transactions.find(id);
  }
}
