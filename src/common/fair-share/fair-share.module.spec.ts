import { loadConfig } from '../../config/app-config';
import { createTenantGate, tenantConcurrency } from './fair-share.module';

describe('tenant concurrency', () => {
  it('is a quarter of the pool by default: 2 of 10 on PostgreSQL, 1 of 5 embedded', () => {
    expect(tenantConcurrency(loadConfig({ DATABASE_URL: 'postgres://db/idp', JWT_SECRET: 'k'.repeat(48) }))).toBe(2);
    expect(tenantConcurrency(loadConfig({}))).toBe(1);
  });

  it('follows TENANT_CONCURRENCY, and 0 turns the gate off', () => {
    expect(tenantConcurrency(loadConfig({ TENANT_CONCURRENCY: '12' }))).toBe(12);
    expect(createTenantGate(loadConfig({ TENANT_CONCURRENCY: '3' }))?.concurrency).toBe(3);
    expect(createTenantGate(loadConfig({ TENANT_CONCURRENCY: '0' }))).toBeNull();
  });
});
