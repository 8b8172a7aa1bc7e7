import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsOptional, Min } from 'class-validator';
import { MAX_OPERATIONS_PER_TRANSACTION } from '../entities/transaction.entity';

/** `POST /api/admin/transactions/{id}/retry`: which failed operations to queue again (default all). */
export class RetryTransactionDto {
  @IsOptional()
  @IsArray({ message: 'orderIds must be an array of operation order ids' })
  @ArrayMinSize(1, { message: 'orderIds must name at least one operation (leave it out to retry every failure)' })
  @ArrayMaxSize(MAX_OPERATIONS_PER_TRANSACTION, {
    message: `orderIds names at most ${MAX_OPERATIONS_PER_TRANSACTION} operations`,
  })
  @IsInt({ each: true, message: 'orderIds must hold whole numbers' })
  @Min(1, { each: true, message: 'orderIds must hold order ids from 1' })
  orderIds?: number[];
}
