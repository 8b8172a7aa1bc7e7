import { activityOf, doorOf, isError } from './request-activity';

describe('request activity', () => {
  it('names the door of a logged path, query string and case aside', () => {
    expect(doorOf('/scim/v2/Users?filter=userName%20eq%20%22a%22')).toBe('scim');
    expect(doorOf('/SCIM/v2/Groups')).toBe('scim');
    expect(doorOf('/oauth/token')).toBe('scim');
    expect(doorOf('/api/provisioning/iam/checkpoint')).toBe('provisioning');
    expect(doorOf('/api/user/job/5f1c')).toBe('provisioning');
    expect(doorOf('/api/admin/users/sync')).toBe('partner');
    expect(doorOf('/api/admin/users/syncs')).toBe('admin');
    expect(doorOf('/api/admin/tenants')).toBe('admin');
    for (const path of ['/health/ready', '/metrics', '/', '/scimmy', '/api/not-here', '/admin']) {
      expect(doorOf(path)).toBeNull();
    }
  });

  it('counts 5xx, 401, 403 and 429 as errors; other 4xx apart', () => {
    expect([200, 201, 204, 400, 404, 409, 401, 403, 429, 500, 503].map(isError)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      true,
      true,
      true,
      true,
      true,
    ]);
  });

  it('sums a batch per tenant, door and hour, in key order, leaving out rows of no tenant or door', () => {
    const at = (iso: string) => new Date(iso);
    const counts = activityOf([
      { time: at('2026-12-07T10:59:59.900Z'), path: '/scim/v2/Users', status: 200, tenantId: 'b' },
      { time: at('2026-12-07T10:15:00.000Z'), path: '/scim/v2/Users/x', status: 404, tenantId: 'b' },
      { time: at('2026-12-07T11:00:00.000Z'), path: '/scim/v2/Users', status: 500, tenantId: 'b' },
      { time: at('2026-12-07T10:30:00.000Z'), path: '/api/admin/users/sync', status: 429, tenantId: 'a' },
      { time: at('2026-12-07T10:30:00.000Z'), path: '/scim/v2/Users', status: 401, tenantId: null },
      { time: at('2026-12-07T10:30:00.000Z'), path: '/health', status: 200, tenantId: 'a' },
    ]);
    expect(counts).toEqual([
      {
        tenantId: 'a',
        door: 'partner',
        hour: at('2026-12-07T10:00:00.000Z'),
        requests: 1,
        errors: 1,
        clientErrors: 0,
        lastAt: at('2026-12-07T10:30:00.000Z'),
      },
      {
        tenantId: 'b',
        door: 'scim',
        hour: at('2026-12-07T10:00:00.000Z'),
        requests: 2,
        errors: 0,
        clientErrors: 1,
        lastAt: at('2026-12-07T10:59:59.900Z'),
      },
      {
        tenantId: 'b',
        door: 'scim',
        hour: at('2026-12-07T11:00:00.000Z'),
        requests: 1,
        errors: 1,
        clientErrors: 0,
        lastAt: at('2026-12-07T11:00:00.000Z'),
      },
    ]);
  });
});
