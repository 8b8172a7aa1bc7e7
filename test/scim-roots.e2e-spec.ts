import { startTestApp, TestApp } from './support/test-app';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

let seq = 0;
const unique = (label: string): string => `${label}-${Date.now().toString(36)}-${++seq}`;

/**
 * Every SCIM operation answers alike under each of its three roots: the RFC's `/scim/v2`, the
 * `/scim` alias and the tenant-scoped `/scim/endpoints/{tenantId}`. Each route is called once
 * here, so that the OpenAPI document's every SCIM operation is proved by an exchange.
 */
describe('SCIM roots', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  describe.each(['/scim/v2', '/scim', '/scim/endpoints/default'])('every operation under %s', (root) => {
    const auth = () => ({ Authorization: `Bearer ${t.secrets.scimSecret}` });
    const send = (method: 'post' | 'put' | 'patch', path: string, body: unknown, type = 'application/scim+json') =>
      t.http[method](`${root}${path}`).set(auth()).set('Content-Type', type).send(JSON.stringify(body));
    const get = (path: string) => t.http.get(`${root}${path}`).set(auth());
    const del = (path: string) => t.http.delete(`${root}${path}`).set(auth());

    it('serves the discovery resources, with 304 for a current ETag and 404 for an unknown id', async () => {
      for (const path of ['/ServiceProviderConfig', '/serviceConfiguration']) {
        // The body names the host (meta.location), and supertest listens on a new port each request.
        const config = await get(path).set('Host', 'scim.example.com').expect(200);
        expect(config.headers['content-type']).toMatch(/^application\/scim\+json/);
        expect(config.body.securityEvents).toMatchObject({ asyncRequest: 'none' });
        expect(config.body.securityEvents.eventUris).toContain('urn:ietf:params:scim:event:prov:patch:notice');
        await get(path).set('Host', 'scim.example.com').set('If-None-Match', String(config.headers.etag)).expect(304);
      }
      const types = await get('/ResourceTypes').expect(200);
      expect(types.body.totalResults).toBe(2);
      await get('/ResourceTypes/group').expect(200);
      await get('/ResourceTypes/Device').expect(404);
      const schemas = await get('/Schemas').expect(200);
      expect(schemas.body.totalResults).toBe(4);
      await get(`/Schemas/${ENTERPRISE}`).expect(200);
      await get('/Schemas/urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig').expect(200);
      await get('/Schemas/urn:example:nothing').expect(404);
    });

    it('lists, searches, creates, reads, replaces, patches and deletes a user', async () => {
      const userName = `${unique('root')}@example.com`;
      const created = await send(
        'post',
        '/Users',
        {
          schemas: [USER, ENTERPRISE],
          userName,
          active: 'True',
          name: { givenName: 'Root', familyName: 'Alias' },
          emails: [{ Primary: true, type: 'work', value: userName }],
          [ENTERPRISE]: { Department: 'Sales', Manager: { Value: 'boss' } },
        },
        'application/json',
      ).expect(201);
      expect(created.headers.location).toBe(created.body.meta.location);
      expect(created.headers.etag).toBe(created.body.meta.version);
      const id = String(created.body.id);

      const listed = await get('/Users')
        .query({ filter: `userName eq "${userName}"`, attributes: 'userName' })
        .expect(200);
      expect(listed.body.Resources).toEqual([{ schemas: [USER], id, userName }]);
      const searched = await send('post', '/Users/.search', { schemas: [SEARCH], filter: `userName eq "${userName}"` });
      expect(searched.status).toBe(200);
      expect(searched.body.totalResults).toBe(1);

      const read = await get(`/Users/${id}`).expect(200);
      await get(`/Users/${id}`).set('If-None-Match', String(read.headers.etag)).expect(304);

      const replaced = await send('put', `/Users/${id}`, { ...created.body, displayName: 'Root Alias' })
        .set('If-Match', String(read.headers.etag))
        .expect(200);
      expect(replaced.body.displayName).toBe('Root Alias');
      await send('patch', `/Users/${id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Replace', path: 'active', value: false }],
      })
        .set('If-Match', String(read.headers.etag))
        .expect(412);
      await send('patch', `/Users/${id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Replace', path: 'active', value: false }],
      }).expect(204);
      const patched = await send('patch', `/Users/${id}?attributes=active`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'nickName', value: 'Ro' }],
      }).expect(200);
      expect(patched.body).toEqual({ schemas: [USER], id, active: false });

      await del(`/Users/${id}`).expect(204);
      await get(`/Users/${id}`).expect(404);
    });

    it('lists, searches, creates, reads, replaces, patches and deletes a group', async () => {
      const member = await send('post', '/Users', {
        schemas: [USER],
        userName: `${unique('member')}@example.com`,
      }).expect(201);
      const displayName = unique('group');
      const created = await send('post', '/Groups', {
        schemas: [GROUP],
        displayName,
        members: [{ value: member.body.id, display: 'VP' }],
      }).expect(201);
      const id = String(created.body.id);
      expect(created.body.members).toEqual([expect.objectContaining({ value: member.body.id, type: 'User' })]);

      await get('/Groups')
        .query({ filter: `displayName eq "${displayName}"`, excludedAttributes: 'members' })
        .expect(200);
      const searched = await send('post', '/Groups/.search', { filter: `displayName eq "${displayName}"` });
      expect(searched.status).toBe(200);
      expect(searched.body.totalResults).toBe(1);

      const read = await get(`/Groups/${id}`).expect(200);
      await get(`/Groups/${id}`).set('If-None-Match', String(read.headers.etag)).expect(304);
      await send('put', `/Groups/${id}`, { schemas: [GROUP], displayName: `${displayName}-renamed` }).expect(200);
      await send('patch', `/Groups/${id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'remove', path: `members[value eq "${String(member.body.id)}"]` }],
      }).expect(204);
      const patched = await send('patch', `/Groups/${id}?excludedAttributes=members`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'add', path: 'members', value: [{ value: member.body.id }] }],
      }).expect(200);
      expect(patched.body.members).toBeUndefined();

      await del(`/Groups/${id}`).expect(204);
      await del(`/Groups/${id}`).expect(404);
      await del(`/Users/${String(member.body.id)}`).expect(204);
    });
  });
});
