import { doorOf, methodLabel, routeTemplateOf, statusClassOf } from './http-labels';

describe('HTTP metric labels', () => {
  it.each([
    ['/scim/v2/Users/123', 'scim'],
    ['/scim/endpoints/acme/Groups', 'scim'],
    ['/SCIM/v2/Users', 'scim'],
    ['/scimx', 'other'],
    ['/api/admin/users/sync', 'partner'],
    ['/api/admin/tenants', 'admin'],
    ['/admin', 'admin'],
    ['/admin/assets/app.js', 'admin'],
    ['/administrator', 'other'],
    ['/api/docs', 'docs'],
    ['/api/docs/openapi.json', 'docs'],
    ['/api/provisioning/iam/checkpoint', 'provisioning'],
    ['/api/jobs/1', 'provisioning'],
    ['/oauth/token', 'oauth'],
    ['/health', 'health'],
    ['/healthz', 'other'],
    ['/metrics', 'other'],
    ['/', 'other'],
  ])('puts %s behind the %s door', (path, door) => {
    expect(doorOf(path)).toBe(door);
  });

  it('keeps the route template, never the path', () => {
    expect(routeTemplateOf({ route: { path: '/scim/v2/Users/:id' }, baseUrl: '' })).toBe('/scim/v2/Users/:id');
    expect(routeTemplateOf({ route: { path: '/:id' }, baseUrl: '/mounted' })).toBe('/mounted/:id');
    expect(routeTemplateOf({ baseUrl: '' })).toBe('unmatched');
    expect(routeTemplateOf({ route: { path: /^\/regex/ } })).toBe('unmatched');
  });

  it('bounds methods and status classes', () => {
    expect(methodLabel('GET')).toBe('GET');
    expect(methodLabel('PROPFIND')).toBe('other');
    expect([200, 304, 404, 429, 503].map(statusClassOf)).toEqual(['2xx', '3xx', '4xx', '4xx', '5xx']);
    expect(statusClassOf(99)).toBe('other');
    expect(statusClassOf(600)).toBe('other');
  });
});
