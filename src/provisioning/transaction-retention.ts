import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ADVISORY_LOCKS } from '../database/advisory-lock';
import { PeriodicTasks } from '../database/periodic-tasks';
import { Deleted, RETENTION_BATCH, RetentionTask } from '../database/retention-task';
import { TransactionRunner } from '../database/transaction-runner';
import { OperationsRepository } from './operations.repository';
import { TransactionsRepository } from './transactions.repository';

/**
 * Deletes transactions that ended (COMPLETED, FAILED, ROLLED_BACK) more than
 * TRANSACTION_RETENTION_DAYS ago, with their operations. An OPEN, COMMITTED or PROCESSING
 * transaction is never touched, nor one whose commit job has not finished. Operations go first,
 * in batches of their own: a transaction may hold 10,000 of them, too many for one statement.
 */
@Injectable()
export class TransactionRetention extends RetentionTask {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    periodic: PeriodicTasks,
    private readonly runner: TransactionRunner,
    private readonly transactions: TransactionsRepository,
    private readonly operations: OperationsRepository,
  ) {
    super(config, periodic, {
      name: 'transaction-retention',
      lockKey: ADVISORY_LOCKS.transactionRetention,
      logger: new Logger('Provisioning'),
      days: config.retention.transactionDays,
    });
  }

  protected async deleteEndedBefore(cutoff: Date): Promise<Deleted> {
    const operations = await this.inBatches(() =>
      this.runner.run((em) => this.operations.deleteOfTransactionsEndedBefore(em, cutoff, RETENTION_BATCH)),
    );
    const transactions = await this.inBatches(() =>
      this.runner.run((em) => this.transactions.deleteEndedBefore(em, cutoff, RETENTION_BATCH)),
    );
    return { transactions, operations };
  }
}
