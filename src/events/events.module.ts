import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { DirectoryModule } from '../directory/directory.module';
import { ChangeEventsRepository } from './change-events.repository';
import { EventSequencer } from './feed/event-sequencer';

/**
 * The change feed (issue 20): change events captured by triggers in the writer's transaction,
 * numbered per tenant, read as a cursor feed and history, and delivered as signed SCIM SETs.
 */
@Module({
  imports: [DirectoryModule, AuthModule],
  controllers: [],
  providers: [ChangeEventsRepository, EventSequencer],
  exports: [ChangeEventsRepository, EventSequencer],
})
export class EventsModule {}
