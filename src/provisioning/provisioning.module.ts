import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { AdminTransactionsController } from './admin-transactions.controller';
import { AdminTransactionsService } from './admin-transactions.service';
import { DirectoryModule } from '../directory/directory.module';
import { CommitJobHandler } from './commit-job.handler';
import { CommitService } from './commit.service';
import { DirectSyncService } from './direct-sync.service';
import { DirectoryLookupRepository } from './directory-lookup.repository';
import { OperationApplier } from './operation-applier';
import { OperationsController } from './operations.controller';
import { OperationsRepository } from './operations.repository';
import { ReadsModule } from './reads/reads.module';
import { TransactionsController } from './transactions.controller';
import { TransactionsRepository } from './transactions.repository';
import { TransactionExpiry } from './transaction-expiry';
import { TransactionRepairService } from './transaction-repair.service';
import { TransactionRetention } from './transaction-retention';
import { TransactionsService } from './transactions.service';

/** The batch API of integration partners: transactions, queueing, commit jobs, direct mode, reads. */
@Module({
  imports: [AuthModule, DirectoryModule, ReadsModule],
  controllers: [TransactionsController, OperationsController, AdminTransactionsController],
  providers: [
    TransactionsRepository,
    OperationsRepository,
    DirectoryLookupRepository,
    OperationApplier,
    TransactionsService,
    CommitService,
    CommitJobHandler,
    DirectSyncService,
    AdminTransactionsService,
    TransactionRetention,
    TransactionExpiry,
    TransactionRepairService,
  ],
})
export class ProvisioningModule {}
