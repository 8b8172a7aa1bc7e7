import { Injectable } from '@nestjs/common';
import type { DeliveryStream, PendingEvent } from './event-delivery.repository';

/** A SET ready to push: its jti (stable per stream and event) and the compact JWS. */
export interface SignedEvent {
  eventId: string;
  jti: string;
  token: string;
}

/** Signs a batch of a stream's events as SETs (src/events/sets/set-token.ts), keyed by seq. */
@Injectable()
export class DeliverySigner {
  sign(stream: DeliveryStream, events: PendingEvent[]): Map<string, SignedEvent> {
    void stream;
    void events;
    throw new Error('DeliverySigner: waiting for the groundwork (set-token.ts)');
  }
}
