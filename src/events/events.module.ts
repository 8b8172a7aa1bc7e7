import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { DirectoryModule } from '../directory/directory.module';
import { ChangeEventsRepository } from './change-events.repository';
import { ChangesController } from './feed/changes.controller';
import { ChangesService } from './feed/changes.service';
import { EventRetention } from './feed/event-retention';
import { EventSequencer } from './feed/event-sequencer';
import { FeedRepository } from './feed/feed.repository';
import { HistoryController } from './feed/history.controller';
import { HistoryService } from './feed/history.service';

/**
 * The change feed (issue 20): change events captured by triggers in the writer's transaction,
 * numbered per tenant, read as a cursor feed and history, and delivered as signed SCIM SETs.
 */
@Module({
  imports: [DirectoryModule, AuthModule],
  controllers: [ChangesController, HistoryController],
  providers: [ChangeEventsRepository, EventSequencer, FeedRepository, ChangesService, HistoryService, EventRetention],
  exports: [ChangeEventsRepository, EventSequencer],
})
export class EventsModule {}
