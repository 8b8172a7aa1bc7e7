import { Inject, Injectable } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import { ServerKey } from '../../auth/server-key';
import { SERVER_KEY } from '../../auth/server-key.provider';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { setClaims, setIssuer, signSet } from '../sets/set-token';
import { signingKeyFrom } from '../sets/stream-keys';
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
  /** Unsealed keys by their sealed form: a stream's key is unsealed once, not per batch. */
  private readonly keys = new Map<string, KeyObject>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SERVER_KEY) private readonly serverKey: ServerKey,
  ) {}

  sign(stream: DeliveryStream, events: PendingEvent[]): Map<string, SignedEvent> {
    const key = this.key(stream.signingKeySealed);
    const issuer = setIssuer(this.config.publicBaseUrl, stream.tenantId);
    const now = new Date();
    const signed = new Map<string, SignedEvent>();
    for (const event of events) {
      const claims = setClaims(stream, event.set, issuer, now);
      signed.set(event.seq, {
        eventId: event.eventId,
        jti: claims.jti,
        token: signSet(claims, key, stream.signingKid),
      });
    }
    return signed;
  }

  private key(sealed: string): KeyObject {
    let key = this.keys.get(sealed);
    if (!key) {
      if (this.keys.size > 1000) this.keys.clear();
      key = signingKeyFrom(this.serverKey.decrypt(sealed));
      this.keys.set(sealed, key);
    }
    return key;
  }
}
