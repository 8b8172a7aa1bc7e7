import { Module } from '@nestjs/common';
import { AuthModule } from '../../auth/auth.module';
import { DirectoryModule } from '../../directory/directory.module';
import { ReadsController } from './reads.controller';
import { ReadsRepository } from './reads.repository';
import { ReadsService } from './reads.service';

/** `GET /api/provisioning/iam/department` and `/user`; imported by the provisioning module. */
@Module({
  imports: [AuthModule, DirectoryModule],
  controllers: [ReadsController],
  providers: [ReadsRepository, ReadsService],
  exports: [ReadsService],
})
export class ReadsModule {}
