import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import { AdminPageQuery } from '../../common/admin-page';
import { TRANSACTION_STATUSES, TransactionStatus } from '../entities/transaction.entity';

/** `GET /api/admin/transactions`: every tenant's transactions, newest first. */
export class AdminTransactionsQuery extends AdminPageQuery {
  @ApiPropertyOptional({ description: 'tenant id' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  tenant?: string;

  @ApiPropertyOptional({ enum: TRANSACTION_STATUSES })
  @IsOptional()
  @IsIn(TRANSACTION_STATUSES)
  status?: TransactionStatus;

  @ApiPropertyOptional({ description: 'created at or after this instant' })
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;

  @ApiPropertyOptional({ description: 'created before this instant' })
  @IsOptional()
  @IsISO8601({ strict: true })
  until?: string;
}
