import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { poolSettingsFor } from '../../database/pool-settings';
import { FairShareInterceptor, TENANT_GATE } from './fair-share.interceptor';
import { TenantGate } from './tenant-gate';

/**
 * Requests one tenant may run at once on this instance: TENANT_CONCURRENCY, or half the database
 * pool (at least 1), so another tenant always finds free connections. 0 turns the gate off.
 */
export function tenantConcurrency(config: AppConfig): number {
  return config.fairShare.tenantConcurrency ?? Math.max(1, Math.floor(poolSettingsFor(config).size / 2));
}

export function createTenantGate(config: AppConfig): TenantGate | null {
  const concurrency = tenantConcurrency(config);
  if (concurrency === 0) return null;
  return new TenantGate({
    concurrency,
    queue: config.fairShare.tenantQueue,
    waitMs: config.fairShare.tenantQueueWaitMs,
  });
}

/** The per-tenant gate around request handling on every door that knows its tenant. */
@Module({
  providers: [
    { provide: TENANT_GATE, inject: [APP_CONFIG], useFactory: createTenantGate },
    { provide: APP_INTERCEPTOR, useClass: FairShareInterceptor },
  ],
  exports: [TENANT_GATE],
})
export class FairShareModule {}
