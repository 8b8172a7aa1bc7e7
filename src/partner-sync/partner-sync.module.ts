import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { DirectoryModule } from '../directory/directory.module';
import { PartnerAuthGuard } from './partner-auth.guard';
import { PartnerSyncController } from './partner-sync.controller';
import { PartnerSyncRepository } from './partner-sync.repository';
import { PartnerSyncService } from './partner-sync.service';

@Module({
  imports: [DirectoryModule, AuthModule],
  controllers: [PartnerSyncController],
  providers: [PartnerAuthGuard, PartnerSyncService, PartnerSyncRepository],
})
export class PartnerSyncModule {}
