import { IsIn, IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import { AdminPageQuery } from '../../common/admin-page';
import { TRANSACTION_STATUSES, TransactionStatus } from '../entities/transaction.entity';

/** `GET /api/admin/transactions`: every tenant's transactions, newest first. */
export class AdminTransactionsQuery extends AdminPageQuery {
  @IsOptional()
  @IsString()
  @Length(1, 64)
  tenant?: string;

  @IsOptional()
  @IsIn(TRANSACTION_STATUSES)
  status?: TransactionStatus;

  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  until?: string;
}
