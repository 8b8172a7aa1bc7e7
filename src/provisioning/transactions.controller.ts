import { Controller, Get, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { TenantPrincipal } from '../auth/principal';
import { ProvisioningAuthGuard } from '../auth/provisioning-auth.guard';
import { CurrentPrincipal, RequireRoles } from '../auth/roles.decorator';
import { FairShareExempt } from '../common/fair-share/fair-share.decorator';
import { RateLimit, RateLimitGuard } from '../common/rate-limit';
import { CommitService, DEFAULT_WAIT_MS, MAX_WAIT_MS } from './commit.service';
import { TRANSACTION_STATUSES, TransactionStatus } from './entities/transaction.entity';
import { SECURITY } from '../openapi/components';
import { OpenApiController, OpenApiOperation } from '../openapi/openapi.decorators';
import { TAGS } from '../openapi/tags';
import {
  COMMIT_TRANSACTION,
  COMMIT_TRANSACTION_BY_QUERY,
  CREATE_CHECKPOINT,
  GET_TRANSACTION_STATUS,
  LIST_TRANSACTIONS,
  PROVISIONING_ERRORS,
  ROLLBACK_TRANSACTION,
} from './provisioning.openapi';
import { invalid, queryDate, queryFlag, queryInt, queryString } from './query';
import { TransactionsService } from './transactions.service';

@OpenApiController({
  tag: TAGS.transactions.name,
  door: 'provisioning',
  errors: PROVISIONING_ERRORS,
  security: SECURITY.provisioning,
})
@UseGuards(ProvisioningAuthGuard, RateLimitGuard)
@Controller('api/provisioning/iam')
export class TransactionsController {
  constructor(
    private readonly transactions: TransactionsService,
    private readonly commits: CommitService,
  ) {}

  @Post('checkpoint')
  @HttpCode(200)
  @RequireRoles('PROVISIONING_UPDATE')
  @RateLimit('checkpoint')
  @OpenApiOperation(CREATE_CHECKPOINT)
  async checkpoint(@CurrentPrincipal() principal: TenantPrincipal): Promise<Record<string, unknown>> {
    const transaction = await this.transactions.checkpoint(principal);
    return { status: true, transactionId: transaction.id, message: 'Checkpoint created successfully' };
  }

  @Post([':transactionId/commit', 'transaction/:transactionId/commit'])
  @RequireRoles('PROVISIONING_UPDATE')
  @FairShareExempt()
  @OpenApiOperation(COMMIT_TRANSACTION)
  commit(
    @CurrentPrincipal() principal: TenantPrincipal,
    @Param('transactionId') transactionId: string,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Record<string, unknown>> {
    return this.commitAndAnswer(principal, transactionId, query, res);
  }

  @Post('commit')
  @RequireRoles('PROVISIONING_UPDATE')
  @FairShareExempt()
  @OpenApiOperation(COMMIT_TRANSACTION_BY_QUERY)
  commitByQuery(
    @CurrentPrincipal() principal: TenantPrincipal,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Record<string, unknown>> {
    return this.commitAndAnswer(principal, requiredTransactionId(query), query, res);
  }

  @Post('transaction/:transactionId/rollback')
  @HttpCode(200)
  @RequireRoles('PROVISIONING_UPDATE')
  @OpenApiOperation(ROLLBACK_TRANSACTION)
  async rollback(
    @CurrentPrincipal() principal: TenantPrincipal,
    @Param('transactionId') transactionId: string,
  ): Promise<Record<string, unknown>> {
    await this.transactions.rollback(principal, transactionId);
    return { status: true, transactionId, transactionStatus: 'ROLLED_BACK', message: 'Transaction rolled back' };
  }

  @Get('transaction/:transactionId/status')
  @RequireRoles('PROVISIONING_SEARCH')
  @OpenApiOperation(GET_TRANSACTION_STATUS)
  status(
    @CurrentPrincipal() principal: TenantPrincipal,
    @Param('transactionId') transactionId: string,
  ): Promise<Record<string, unknown>> {
    return this.transactions.status(principal, transactionId);
  }

  @Get('transactions')
  @RequireRoles('PROVISIONING_SEARCH')
  @RateLimit('list')
  @OpenApiOperation(LIST_TRANSACTIONS)
  list(
    @CurrentPrincipal() principal: TenantPrincipal,
    @Query() query: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const status = queryString('status', query.status);
    if (status !== undefined && !(TRANSACTION_STATUSES as readonly string[]).includes(status)) {
      throw invalid('status', `status must be one of ${TRANSACTION_STATUSES.join(', ')}`);
    }
    const filters = {
      status: status as TransactionStatus | undefined,
      createdBy: queryString('createdBy', query.createdBy),
      createdAfter: queryDate('createdAfter', query.createdAfter),
      createdBefore: queryDate('createdBefore', query.createdBefore),
    };
    const page = queryInt('page', query.page, 0, 0, 1_000_000);
    const pageSize = queryInt('pageSize', query.pageSize, 50, 1, 1000, 'pageSize cannot exceed 1000');
    return this.transactions.list(principal, filters, page, pageSize);
  }

  private async commitAndAnswer(
    principal: TenantPrincipal,
    transactionId: string,
    query: Record<string, unknown>,
    res: Response,
  ): Promise<Record<string, unknown>> {
    const answer = await this.commits.commit(principal, transactionId, {
      atomic: queryFlag('atomic', query.atomic),
      wait: queryFlag('wait', query.wait),
      timeoutMs: queryInt('timeoutMs', query.timeoutMs, DEFAULT_WAIT_MS, 0, MAX_WAIT_MS),
    });
    res.status(answer.httpStatus);
    return answer.body;
  }
}

export function requiredTransactionId(query: Record<string, unknown>): string {
  const transactionId = queryString('transactionId', query.transactionId);
  if (!transactionId) throw invalid('transactionId', 'transactionId is required');
  return transactionId;
}
