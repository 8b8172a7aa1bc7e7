import { Inject, Injectable } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import type { ServerKey } from '../../auth/server-key';
import { SERVER_KEY } from '../../auth/server-key.provider';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { SetEvent, setClaims, setIssuer, SetStream, signSet } from './set-token';
import { signingKeyFrom } from './stream-keys';

/** Unsealed signing keys kept, by kid (a rotation makes a new kid; old ones age out). */
const KEY_CACHE_SIZE = 1000;

/** A stream with its signing key, as stored (sealed by the server key). */
export interface SigningStream extends SetStream {
  signingKid: string;
  signingKeySealed: string;
}

/** A SET ready to send: its jti (stable per stream and event) and the compact JWS. */
export interface SignedSet {
  jti: string;
  token: string;
}

/** Turns a stream's events into its signed SETs, for push delivery and poll answers alike. */
@Injectable()
export class StreamSigner {
  private readonly keys = new Map<string, KeyObject>();

  constructor(
    @Inject(SERVER_KEY) private readonly serverKey: ServerKey,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** One SET per event, in the order of `events`. */
  sign(stream: SigningStream, events: readonly SetEvent[], now = new Date()): SignedSet[] {
    const key = this.key(stream);
    const issuer = setIssuer(this.config.publicBaseUrl, stream.tenantId);
    return events.map((event) => {
      const claims = setClaims(stream, event, issuer, now);
      return { jti: claims.jti, token: signSet(claims, key, stream.signingKid) };
    });
  }

  private key(stream: SigningStream): KeyObject {
    const cached = this.keys.get(stream.signingKid);
    if (cached) return cached;
    const key = signingKeyFrom(this.serverKey.decrypt(stream.signingKeySealed));
    if (this.keys.size >= KEY_CACHE_SIZE) this.keys.delete(this.keys.keys().next().value as string);
    this.keys.set(stream.signingKid, key);
    return key;
  }
}
