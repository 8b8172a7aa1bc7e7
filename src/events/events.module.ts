import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { DirectoryModule } from '../directory/directory.module';
import { ChangeEventsRepository } from './change-events.repository';
import { EventSequencer } from './feed/event-sequencer';
import { ReceiverClient } from './receivers/receiver-client';
import { EventPollService } from './streams/event-poll.service';
import { EventStreamsController } from './streams/event-streams.controller';
import { EventStreamsRepository } from './streams/event-streams.repository';
import { EventStreamsService } from './streams/event-streams.service';
import { EventJwksController, EventPollController } from './streams/security-events.controller';
import { StreamSigner } from './streams/stream-signer';

/**
 * The change feed (issue 20): change events captured by triggers in the writer's transaction,
 * numbered per tenant, read as a cursor feed and history, and delivered as signed SCIM SETs.
 */
@Module({
  imports: [DirectoryModule, AuthModule],
  controllers: [EventStreamsController, EventJwksController, EventPollController],
  providers: [
    ChangeEventsRepository,
    EventSequencer,
    EventStreamsRepository,
    EventStreamsService,
    EventPollService,
    StreamSigner,
    ReceiverClient,
  ],
  exports: [ChangeEventsRepository, EventSequencer, EventStreamsRepository, StreamSigner, ReceiverClient],
})
export class EventsModule {}
