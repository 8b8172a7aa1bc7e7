import { ApiError } from '../common/api-error';
import { DomainError } from '../common/domain-error';
import {
  AdminScope,
  canSeeTenant,
  NO_TENANT,
  requireAllTenants,
  requireVisibleTenant,
  scopedTenantFilter,
} from './admin-scope';

const all: AdminScope = { kind: 'all' };
const acme: AdminScope = { kind: 'tenant', tenantId: 'acme' };

describe('admin scope', () => {
  it('lets an ADMIN see every tenant and a TENANT_ADMIN its own only', () => {
    expect(canSeeTenant(all, 'acme')).toBe(true);
    expect(canSeeTenant(all, null)).toBe(true);
    expect(canSeeTenant(acme, 'acme')).toBe(true);
    expect(canSeeTenant(acme, 'globex')).toBe(false);
    expect(canSeeTenant(acme, null)).toBe(false);
  });

  it("answers another tenant's id with the missing tenant's 404", () => {
    expect(() => requireVisibleTenant(acme, 'acme')).not.toThrow();
    const thrown = (() => {
      try {
        requireVisibleTenant(acme, 'globex');
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toEqual(DomainError.notFound("Tenant 'globex' not found"));
  });

  it('keeps what only an ADMIN may do for an ADMIN', () => {
    expect(() => requireAllTenants(all)).not.toThrow();
    expect(() => requireAllTenants(acme)).toThrow(ApiError);
  });

  it("narrows a tenant filter to the caller's tenant; another tenant's matches nothing", () => {
    expect(scopedTenantFilter(all, undefined)).toBeUndefined();
    expect(scopedTenantFilter(all, 'globex')).toBe('globex');
    expect(scopedTenantFilter(acme, undefined)).toBe('acme');
    expect(scopedTenantFilter(acme, 'acme')).toBe('acme');
    expect(scopedTenantFilter(acme, 'globex')).toBe(NO_TENANT);
    // No tenant id can be NO_TENANT (they start with a letter or digit).
    expect(/^[A-Za-z0-9]/.test(NO_TENANT)).toBe(false);
  });
});
