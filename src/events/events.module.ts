import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { DirectoryModule } from '../directory/directory.module';
import { ChangeEventsRepository } from './change-events.repository';
import { ChangesController } from './feed/changes.controller';
import { ChangesService } from './feed/changes.service';
import { EventRetention } from './feed/event-retention';
import { EventSequencer } from './feed/event-sequencer';
import { ReceiverClient } from './receivers/receiver-client';
import { EventPollService } from './streams/event-poll.service';
import { EventStreamsController } from './streams/event-streams.controller';
import { EventStreamsRepository } from './streams/event-streams.repository';
import { EventStreamsService } from './streams/event-streams.service';
import { EventJwksController, EventPollController } from './streams/security-events.controller';
import { StreamSigner } from './sets/stream-signer';
import { DeliveryScheduler } from './delivery/delivery-scheduler';
import { EventDeliveryHandler } from './delivery/event-delivery.handler';
import { EventDeliveryRepository } from './delivery/event-delivery.repository';
import { StreamOperationsController } from './delivery/stream-operations.controller';
import { StreamOperationsService } from './delivery/stream-operations.service';
import { FeedRepository } from './feed/feed.repository';
import { HistoryController } from './feed/history.controller';
import { HistoryService } from './feed/history.service';

/**
 * The change feed (issue 20): change events captured by triggers in the writer's transaction,
 * numbered per tenant, read as a cursor feed and history, and delivered as signed SCIM SETs.
 */
@Module({
  imports: [DirectoryModule, AuthModule],
  controllers: [
    ChangesController,
    HistoryController,
    EventStreamsController,
    EventJwksController,
    EventPollController,
    StreamOperationsController,
  ],
  providers: [
    ChangeEventsRepository,
    EventSequencer,
    FeedRepository,
    ChangesService,
    HistoryService,
    EventRetention,
    EventStreamsRepository,
    EventStreamsService,
    EventPollService,
    StreamSigner,
    ReceiverClient,
    EventDeliveryRepository,
    EventDeliveryHandler,
    DeliveryScheduler,
    StreamOperationsService,
  ],
  exports: [ChangeEventsRepository, EventSequencer, EventStreamsRepository, StreamSigner, ReceiverClient],
})
export class EventsModule {}
