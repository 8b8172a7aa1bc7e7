import { Module } from '@nestjs/common';
import { AuthModule } from '../../auth/auth.module';
import { DirectoryModule } from '../../directory/directory.module';
import { ChangesController } from './changes.controller';
import { ChangesService } from './changes.service';
import { EventRetention } from './event-retention';
import { FeedRepository } from './feed.repository';
import { HistoryController } from './history.controller';
import { HistoryService } from './history.service';

/** The pull feed, the per-resource history and the retention of change events (design §2). */
@Module({
  imports: [AuthModule, DirectoryModule],
  controllers: [ChangesController, HistoryController],
  providers: [FeedRepository, ChangesService, HistoryService, EventRetention],
})
export class FeedModule {}
