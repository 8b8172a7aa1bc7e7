import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { poolSettingsFor } from '../../database/pool-settings';
import { FairShareInterceptor, TENANT_GATE } from './fair-share.interceptor';
import { TenantGate } from './tenant-gate';

/**
 * Requests one tenant may run at once on this instance: TENANT_CONCURRENCY, or a quarter of the
 * database pool (at least 1): 2 of 10 on PostgreSQL, 1 of 5 embedded. Measured with
 * bench/tenant-isolation.bench.ts on two cores: a flooding tenant got 25 req/s with 2 slots and 27
 * with 5 (the database was saturated either way), while the other tenant's median under the flood
 * was 4x lower with 2. Embedded PGlite runs one statement at a time, so one slot per tenant keeps
 * at most one of a tenant's statements in front of another tenant's. 0 turns the gate off.
 */
export function tenantConcurrency(config: AppConfig): number {
  return config.fairShare.tenantConcurrency ?? Math.max(1, Math.floor(poolSettingsFor(config).size / 4));
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
