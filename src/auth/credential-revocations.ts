import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { PrincipalCache } from './principal-cache';

export const REVOCATIONS_CHANNEL = 'idp:credentials:revoked';
/** A revoke at start-up may come before the publisher has connected: it waits this long for it. */
const PUBLISHER_WAIT_MS = 2000;

/**
 * This instance's PrincipalCache, kept true across the fleet: a revoke is published on Redis and
 * every instance forgets the credential when it hears it, so its tokens stop working at once
 * everywhere (the contract's promise). Without REDIS_URL the service is one process and forgetting
 * locally is enough. With it, the cache keeps nothing until the subscription is up, and drops
 * everything whenever it goes down: an instance that might miss a revoke does not cache.
 */
@Injectable()
export class CredentialRevocations implements OnModuleInit, OnModuleDestroy {
  readonly cache = new PrincipalCache();
  private readonly logger = new Logger('Credentials');
  private readonly subscriber?: Redis;
  private readonly publisher?: Redis;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    if (!config.redisUrl) return;
    this.cache.enabled = false;
    const options = {
      lazyConnect: true,
      // A publish while Redis is away fails at once instead of waiting in a queue.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      retryStrategy: (attempt: number) => Math.min(attempt * 250, 5000),
    };
    this.subscriber = new Redis(config.redisUrl, { ...options, connectionName: 'idp-revocations-in' });
    this.publisher = new Redis(config.redisUrl, { ...options, connectionName: 'idp-revocations-out' });
    for (const client of [this.subscriber, this.publisher]) client.on('error', () => undefined);
    this.subscriber.on('message', (_channel: string, credentialId: string) => this.cache.forget(credentialId));
    this.subscriber.on('close', () => (this.cache.enabled = false));
  }

  /** Connects in the background: until the subscription is up, credentials are read every time. */
  onModuleInit(): void {
    const { subscriber, publisher } = this;
    if (!subscriber || !publisher) return;
    // ioredis subscribes again by itself after a reconnect; each time, caching resumes.
    subscriber.on('ready', () => void this.resumeWhenSubscribed(subscriber));
    subscriber.connect().catch(() => undefined);
    publisher.connect().catch(() => undefined);
  }

  onModuleDestroy(): void {
    for (const client of [this.subscriber, this.publisher]) client?.disconnect();
  }

  /** Forgets the credential here, and tells the other instances to. */
  async revoked(credentialId: string): Promise<void> {
    this.cache.forget(credentialId);
    if (!this.publisher) return;
    try {
      await connected(this.publisher);
      await this.publisher.publish(REVOCATIONS_CHANNEL, credentialId);
    } catch (error) {
      // Instances that lost Redis too cache nothing; the others still drop the entry within the TTL.
      this.logger.warn(`Revocation of ${credentialId} not published: ${(error as Error).message}`);
    }
  }

  private async resumeWhenSubscribed(subscriber: Redis): Promise<void> {
    try {
      await subscriber.subscribe(REVOCATIONS_CHANNEL);
      this.cache.enabled = true;
    } catch {
      // Still down: the next 'ready' tries again.
    }
  }
}

/** Resolves when `client` is ready, or after PUBLISHER_WAIT_MS (the command then fails at once). */
async function connected(client: Redis): Promise<void> {
  if (client.status === 'ready') return;
  if (client.status === 'wait') client.connect().catch(() => undefined);
  await new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, PUBLISHER_WAIT_MS);
    client.once('ready', done);
  });
}
