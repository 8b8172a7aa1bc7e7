import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { poolSettingsFor } from '../../database/pool-settings';
import { FairShareInterceptor, TENANT_GATE } from './fair-share.interceptor';
import { TenantGate } from './tenant-gate';

/**
 * Requests one tenant may run at once on this instance while other tenants are active:
 * TENANT_CONCURRENCY (default 1; 0 turns the gate off). A tenant alone may run TENANT_BURST at
 * once (default the whole pool: 10 on PostgreSQL, 5 embedded), so a single-tenant deployment
 * keeps its full throughput. Measured with bench/tenant-isolation.bench.ts on two cores: the quiet
 * tenant's p99 under a flood was 6x its idle p99 with 1 slot for the noisy tenant and 9x with 2
 * (request log on); the database and the event loop are shared, so the noisy tenant's share of
 * them is what the other tenants wait behind.
 */
export function tenantGateOptions(config: AppConfig): { concurrency: number; burst: number } {
  const concurrency = config.fairShare.tenantConcurrency;
  const burst = config.fairShare.tenantBurst ?? poolSettingsFor(config).size;
  return { concurrency, burst: Math.max(concurrency, burst) };
}

export function createTenantGate(config: AppConfig): TenantGate | null {
  const { concurrency, burst } = tenantGateOptions(config);
  if (concurrency === 0) return null;
  return new TenantGate({
    concurrency,
    burst,
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
