import { loadConfig } from '../../config/app-config';
import { createTenantGate, tenantGateOptions } from './fair-share.module';

const onPostgres = { DATABASE_URL: 'postgres://db/idp', JWT_SECRET: 'k'.repeat(48) };

describe('tenant gate options', () => {
  it('default to 1 request at once while other tenants are active, and the whole pool for a tenant alone', () => {
    expect(tenantGateOptions(loadConfig(onPostgres))).toEqual({ concurrency: 1, burst: 10 });
    expect(tenantGateOptions(loadConfig({}))).toEqual({ concurrency: 1, burst: 5 });
  });

  it('follow TENANT_CONCURRENCY and TENANT_BURST (never below the concurrency), and 0 turns the gate off', () => {
    expect(tenantGateOptions(loadConfig({ ...onPostgres, TENANT_CONCURRENCY: '12' }))).toEqual({
      concurrency: 12,
      burst: 12,
    });
    expect(tenantGateOptions(loadConfig({ TENANT_CONCURRENCY: '2', TENANT_BURST: '3' }))).toEqual({
      concurrency: 2,
      burst: 3,
    });
    expect(createTenantGate(loadConfig({ TENANT_CONCURRENCY: '3' }))?.concurrency).toBe(3);
    expect(createTenantGate(loadConfig({ TENANT_CONCURRENCY: '0' }))).toBeNull();
  });
});
