import { Inject, Injectable } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import { SERVER_KEY } from '../../auth/server-key.provider';
import type { ServerKey } from '../../auth/server-key';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { SetEvent, setClaims, setIssuer, signSet } from '../sets/set-token';
import { signingKeyFrom } from '../sets/stream-keys';
import type { EventStreamRecord } from './event-stream.view';
import type { StreamEventRow } from './event-streams.repository';

/** Unsealed signing keys kept, by kid (a rotation makes a new kid; old ones age out). */
const KEY_CACHE_SIZE = 1000;

/** Turns a stream's events into its signed SETs (poll answers here; push delivery may use it too). */
@Injectable()
export class StreamSigner {
  private readonly keys = new Map<string, KeyObject>();

  constructor(
    @Inject(SERVER_KEY) private readonly serverKey: ServerKey,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** jti -> SET, in the order of `events`. */
  sign(stream: EventStreamRecord, events: StreamEventRow[], now = new Date()): Array<{ jti: string; token: string }> {
    const key = this.key(stream);
    const issuer = setIssuer(this.config.publicBaseUrl, stream.tenantId);
    return events.map((event) => {
      const claims = setClaims(stream, event as unknown as SetEvent, issuer, now);
      return { jti: claims.jti, token: signSet(claims, key, stream.signingKid) };
    });
  }

  private key(stream: EventStreamRecord): KeyObject {
    const cached = this.keys.get(stream.signingKid);
    if (cached) return cached;
    const key = signingKeyFromSealed(this.serverKey, stream.signingKeySealed);
    if (this.keys.size >= KEY_CACHE_SIZE) this.keys.delete(this.keys.keys().next().value as string);
    this.keys.set(stream.signingKid, key);
    return key;
  }
}

function signingKeyFromSealed(serverKey: ServerKey, sealed: string): KeyObject {
  return signingKeyFrom(serverKey.decrypt(sealed));
}
