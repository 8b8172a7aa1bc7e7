import * as jwt from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { randomSecret, startTestApp, TestApp } from './support/test-app';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const SPC = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

let seq = 0;
const unique = (label: string): string => `${label}-${Date.now().toString(36)}-${++seq}`;

describe('SCIM 2.0 (/scim/v2)', () => {
  let t: TestApp;
  let db: DataSource;
  const bearer = (): Record<string, string> => ({ Authorization: `Bearer ${t.secrets.scimSecret}` });
  const provisioning = (): Record<string, string> => ({
    'auth-tenant-id': 'default',
    'auth-token': t.secrets.apiToken,
  });

  const get = (path: string) => t.http.get(`/scim/v2${path}`).set(bearer());
  const post = (path: string, body: unknown) =>
    t.http
      .post(`/scim/v2${path}`)
      .set(bearer())
      .set('Content-Type', 'application/scim+json')
      .send(JSON.stringify(body));
  const put = (path: string, body: unknown) =>
    t.http.put(`/scim/v2${path}`).set(bearer()).set('Content-Type', 'application/scim+json').send(JSON.stringify(body));
  const patch = (path: string, operations: unknown[]) =>
    t.http
      .patch(`/scim/v2${path}`)
      .set(bearer())
      .set('Content-Type', 'application/scim+json')
      .send(JSON.stringify({ schemas: [PATCH_OP], Operations: operations }));

  async function createUser(extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const userName = `${unique('user')}@example.com`;
    const res = await post('/Users', { schemas: [USER], userName, ...extra }).expect(201);
    return res.body as Record<string, unknown>;
  }

  async function createGroup(extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const res = await post('/Groups', { schemas: [GROUP], displayName: unique('group'), ...extra }).expect(201);
    return res.body as Record<string, unknown>;
  }

  const filterUsers = async (filter: string): Promise<string[]> => {
    const res = await get('/Users').query({ filter, count: 1000 }).expect(200);
    return (res.body.Resources as { userName: string }[]).map((user) => user.userName).sort();
  };

  beforeAll(async () => {
    t = await startTestApp({ BODY_LIMIT: '64kb' });
    db = t.app.get(DataSource);
  });

  afterAll(async () => {
    await t.close();
  });

  describe('authentication', () => {
    it('answers 401 with a SCIM Error and WWW-Authenticate for a header without the Bearer scheme', async () => {
      const res = await t.http.get('/scim/v2/Users').set('Authorization', 'non-token').expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="SCIM"');
      expect(res.headers['content-type']).toContain('application/scim+json');
      expect(res.body).toMatchObject({ schemas: [ERROR], status: '401' });
      expect(res.body.detail).toEqual(expect.any(String));
    });

    it('takes a JWT from /oauth/token as well as the shared secret', async () => {
      const client = await t.http
        .post('/api/admin/tenants/default/credentials')
        .set('Authorization', `Bearer ${t.secrets.adminToken}`)
        .send({ kind: 'OAUTH_CLIENT', name: unique('entra'), roles: ['SCIM'] })
        .expect(201);
      const token = await t.http
        .post('/oauth/token')
        .type('form')
        .send({ grant_type: 'client_credentials', client_id: client.body.clientId, client_secret: client.body.secret })
        .expect(200);
      await t.http.get('/scim/v2/Users').set('Authorization', `Bearer ${token.body.access_token}`).expect(200);
      const forged = jwt.sign({ cid: 'x', tid: 'default', roles: ['SCIM'] }, 'not-our-secret', { algorithm: 'HS256' });
      await t.http.get('/scim/v2/Users').set('Authorization', `Bearer ${forged}`).expect(401);
    });

    it('serves /scim as an alias and /scim/endpoints/{tenantId} only to that tenant', async () => {
      const user = await createUser();
      await t.http
        .get(`/scim/Users/${String(user.id)}`)
        .set(bearer())
        .expect(200);
      const scoped = await t.http
        .get(`/scim/endpoints/default/Users/${String(user.id)}`)
        .set(bearer())
        .expect(200);
      expect(scoped.body.meta.location).toMatch(new RegExp(`/scim/endpoints/default/Users/${String(user.id)}$`));
      const other = await t.http.get('/scim/endpoints/someone-else/Users').set(bearer()).expect(403);
      expect(other.body).toMatchObject({ schemas: [ERROR], status: '403' });
    });
  });

  describe('discovery', () => {
    it('serves ServiceProviderConfig (also as /serviceConfiguration), ResourceTypes and Schemas', async () => {
      for (const path of ['/ServiceProviderConfig', '/serviceConfiguration']) {
        const res = await get(path).expect(200);
        expect(res.body).toMatchObject({ patch: { supported: true }, filter: { supported: true, maxResults: 1000 } });
        expect(res.body.securityEvents).toEqual({
          asyncRequest: 'none',
          eventUris: expect.arrayContaining([
            'urn:ietf:params:scim:event:prov:create:notice',
            'urn:ietf:params:scim:event:prov:create:full',
            'urn:ietf:params:scim:event:prov:delete',
          ]),
        });
      }
      const types = await get('/ResourceTypes').expect(200);
      expect(types.body.schemas).toEqual([LIST]);
      expect(types.body.Resources.map((type: { endpoint: string }) => type.endpoint)).toEqual(['/Users', '/Groups']);
      const schemas = await get('/Schemas').expect(200);
      expect(schemas.body.Resources.map((schema: { id: string }) => schema.id)).toEqual([USER, ENTERPRISE, GROUP, SPC]);
      await get(`/Schemas/${USER}`).expect(200);
      const spc = await get(`/Schemas/${SPC}`).expect(200);
      const events = spc.body.attributes.find((attribute: { name: string }) => attribute.name === 'securityEvents');
      expect(events).toMatchObject({ type: 'complex', mutability: 'readOnly', returned: 'default' });
      expect(events.subAttributes.map((sub: { name: string }) => sub.name)).toEqual(['asyncRequest', 'eventUris']);
    });
  });

  describe('users', () => {
    it('creates a user: 201 with Location, ETag, schema-case names, unknown attributes kept, no password', async () => {
      const userName = `${unique('alice')}@example.com`;
      const res = await t.http
        .post('/scim/v2/Users')
        .set(bearer())
        .set('Content-Type', 'application/scim+json')
        .send(
          JSON.stringify({
            schemas: [USER, ENTERPRISE],
            USERNAME: userName,
            name: { GivenName: 'Alice', familyName: 'Example', formatted: 'Alice Example' },
            emails: [
              { value: userName, type: 'work', Primary: true },
              { value: 'alice@home.example.org', type: 'home', primary: false },
            ],
            active: 'True',
            password: 'Pa55word-that-must-not-leak',
            favouriteColour: 'teal',
            [ENTERPRISE]: { Department: 'R&D', manager: [{ value: 'boss-id' }] },
            title: null,
          }),
        )
        .expect(201);
      expect(res.headers['content-type']).toContain('application/scim+json');
      expect(res.headers.location).toBe(res.body.meta.location);
      expect(res.headers.etag).toBe(res.body.meta.version);
      expect(res.body).toMatchObject({
        schemas: [USER, ENTERPRISE],
        userName,
        name: { givenName: 'Alice', familyName: 'Example', formatted: 'Alice Example' },
        active: true,
        favouriteColour: 'teal',
        [ENTERPRISE]: { department: 'R&D', manager: { value: 'boss-id' } },
        meta: { resourceType: 'User' },
      });
      expect(res.body.emails).toEqual([
        { value: userName, type: 'work', primary: true },
        { value: 'alice@home.example.org', type: 'home', primary: false },
      ]);
      expect(res.body).not.toHaveProperty('password');
      expect(res.body).not.toHaveProperty('title');
      const stored = await db.query(`SELECT count(*)::int AS n FROM users WHERE users::text LIKE '%Pa55word%'`);
      expect(stored[0].n).toBe(0);
      // Each supertest request reaches the app on a new port, and meta.location follows the request.
      const withoutLocation = (body: { meta: Record<string, unknown> }) => ({
        ...body,
        meta: { ...body.meta, location: 0 },
      });
      const fetched = await get(`/Users/${String(res.body.id)}`).expect(200);
      expect(withoutLocation(fetched.body)).toEqual(withoutLocation(res.body));
    });

    it('refuses a taken userName (ignoring case) or externalId with 409 uniqueness', async () => {
      const user = await createUser({ externalId: unique('ext') });
      const again = await post('/Users', { schemas: [USER], userName: String(user.userName).toUpperCase() }).expect(
        409,
      );
      expect(again.body).toMatchObject({ schemas: [ERROR], status: '409', scimType: 'uniqueness' });
      const external = await post('/Users', {
        schemas: [USER],
        userName: unique('other'),
        externalId: user.externalId,
      }).expect(409);
      expect(external.body.scimType).toBe('uniqueness');
    });

    it('decides two concurrent creates of one userName by the unique index: one 201, one 409', async () => {
      for (let round = 0; round < 5; round++) {
        const userName = unique('race');
        const answers = await Promise.all([1, 2].map(() => post('/Users', { schemas: [USER], userName })));
        expect(answers.map((res) => res.status).sort()).toEqual([201, 409]);
        expect(answers.find((res) => res.status === 409)?.body.scimType).toBe('uniqueness');
      }
    });

    it('answers 404 for any id that is not one of the tenant users, whatever its shape', async () => {
      for (const id of ['00919288221112222', 'not-a-uuid', '6d3a1c2e-0000-4000-8000-000000000000', '%27%20OR%201=1']) {
        const res = await get(`/Users/${id}`).expect(404);
        expect(res.body).toMatchObject({ schemas: [ERROR], status: '404' });
      }
    });

    it('replaces a user with PUT, ignoring the id, meta and groups Okta echoes back', async () => {
      const user = await createUser({ title: 'Engineer', externalId: unique('okta') });
      const res = await put(`/Users/${String(user.id)}`, {
        ...user,
        displayName: 'Replaced',
        groups: [{ value: 'whatever' }],
        meta: { version: 'W/"99"' },
        title: undefined,
      }).expect(200);
      expect(res.body).toMatchObject({ id: user.id, displayName: 'Replaced', externalId: user.externalId });
      expect(res.body).not.toHaveProperty('title');
      expect(res.body.meta.version).not.toBe((user.meta as { version: string }).version);
    });

    it('refuses a PUT without userName (400) and a body without the User schema (400 invalidSyntax)', async () => {
      const user = await createUser();
      const missing = await put(`/Users/${String(user.id)}`, { schemas: [USER], userame: 'typo' }).expect(400);
      expect(missing.body.scimType).toBe('invalidValue');
      const noSchemas = await post('/Users', { userName: unique('x') }).expect(400);
      expect(noSchemas.body.scimType).toBe('invalidSyntax');
      const wrongSchemas = await post('/Users', { schemas: [GROUP], userName: unique('x') }).expect(400);
      expect(wrongSchemas.body.scimType).toBe('invalidSyntax');
    });

    it('deletes for good: 204, then 404', async () => {
      const user = await createUser();
      await t.http
        .delete(`/scim/v2/Users/${String(user.id)}`)
        .set(bearer())
        .expect(204);
      await get(`/Users/${String(user.id)}`).expect(404);
      await t.http
        .delete(`/scim/v2/Users/${String(user.id)}`)
        .set(bearer())
        .expect(404);
    });
  });

  describe('PATCH of users, as Entra ID and Okta send it', () => {
    it('takes Replace/Add in any case, "False" strings, dotted and URN keys, an array manager', async () => {
      const user = await createUser({ emails: [{ value: 'first@example.com', type: 'work', primary: true }] });
      const path = `/Users/${String(user.id)}`;
      await patch(path, [
        { op: 'Replace', path: 'active', value: 'False' },
        {
          op: 'Add',
          value: {
            'name.givenName': 'Given',
            [`${ENTERPRISE}:employeeNumber`]: '42',
            id: user.id,
          },
        },
        { op: 'add', path: `${ENTERPRISE}:manager`, value: [{ value: 'manager-id' }] },
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'second@example.com' },
        { op: 'REPLACE', path: 'emails[type eq "home"].value', value: 'home@example.com' },
      ]).expect(204);
      const res = await get(path).expect(200);
      expect(res.body).toMatchObject({
        active: false,
        name: { givenName: 'Given' },
        [ENTERPRISE]: { employeeNumber: '42', manager: { value: 'manager-id' } },
      });
      expect(res.body.emails).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'work', value: 'second@example.com' }),
          expect.objectContaining({ type: 'home', value: 'home@example.com' }),
        ]),
      );
      const okta = await patch(path, [{ op: 'replace', value: { active: true } }]).query({ attributes: 'active' });
      expect(okta.status).toBe(200);
      expect(okta.body).toEqual({ schemas: [USER], id: user.id, active: true });
    });

    it('applies all operations or none: a bad second operation leaves the user unchanged', async () => {
      const user = await createUser({ displayName: 'Before' });
      const path = `/Users/${String(user.id)}`;
      const res = await patch(path, [
        { op: 'replace', path: 'displayName', value: 'After' },
        { op: 'replace', path: 'id', value: 'another-id' },
      ]).expect(400);
      expect(res.body.scimType).toBe('mutability');
      expect((await get(path).expect(200)).body.displayName).toBe('Before');
      const syntax = await t.http
        .patch(`/scim/v2${path}`)
        .set(bearer())
        .send({ Operations: [{ op: 'jump', path: 'x' }] })
        .expect(400);
      expect(syntax.body.scimType).toBe('invalidSyntax');
      const badPath = await patch(path, [{ op: 'replace', path: 'emails[type eq', value: 'x' }]).expect(400);
      expect(badPath.body.scimType).toBe('invalidPath');
    });

    it('answers 409 when a PATCH takes another user name', async () => {
      const [a, b] = [await createUser(), await createUser()];
      const res = await patch(`/Users/${String(b.id)}`, [{ op: 'replace', path: 'userName', value: a.userName }]);
      expect(res.status).toBe(409);
      expect(res.body.scimType).toBe('uniqueness');
    });
  });

  describe('versions', () => {
    it('moves meta.version on every change, honours If-Match (412) and If-None-Match (304)', async () => {
      const user = await createUser();
      const path = `/Users/${String(user.id)}`;
      const etag = (user.meta as { version: string }).version;
      await get(path).set('If-None-Match', etag).expect(304);
      await patch(path, [{ op: 'replace', path: 'displayName', value: 'v2' }])
        .set('If-Match', etag)
        .expect(204);
      const stale = await patch(path, [{ op: 'replace', path: 'displayName', value: 'v3' }])
        .set('If-Match', etag)
        .expect(412);
      expect(stale.body).toMatchObject({ schemas: [ERROR], status: '412' });
      const current = await get(path).set('If-None-Match', etag).expect(200);
      expect(current.headers.etag).not.toBe(etag);
      await t.http.delete(`/scim/v2${path}`).set(bearer()).set('If-Match', etag).expect(412);
    });

    it("moves a group's version when its members change", async () => {
      const group = await createGroup();
      const user = await createUser();
      const before = (await get(`/Groups/${String(group.id)}`).expect(200)).headers.etag;
      await patch(`/Groups/${String(group.id)}`, [{ op: 'add', path: 'members', value: [{ value: user.id }] }]).expect(
        204,
      );
      const after = (await get(`/Groups/${String(group.id)}`).expect(200)).headers.etag;
      expect(after).not.toBe(before);
      // A member deleted elsewhere (here over SCIM, as a batch job would) changes the group too.
      await t.http
        .delete(`/scim/v2/Users/${String(user.id)}`)
        .set(bearer())
        .expect(204);
      expect((await get(`/Groups/${String(group.id)}`).expect(200)).headers.etag).not.toBe(after);
    });
  });

  describe('filters, sorting and pages, in SQL', () => {
    const tag = unique('flt');
    beforeAll(async () => {
      const people: [string, string, string[], boolean][] = [
        ['ann', 'Employee', [`ann@${tag}.example.com`, `ann@${tag}.example.org`], true],
        ['bob', 'Employee', [`bob@${tag}.example.org`], false],
        ['cid', 'Contractor', [`cid@${tag}.example.net`], true],
        ['dee', 'Employee', [], true],
      ];
      for (const [name, familyName, emails, active] of people) {
        await post('/Users', {
          schemas: [USER],
          userName: `${name}-${tag}`,
          name: { familyName },
          externalId: `${name}-${tag}-ext`,
          active,
          emails: emails.map((value, index) => ({ value, type: index === 0 ? 'work' : 'home', primary: index === 0 })),
          [ENTERPRISE]: { department: name === 'cid' ? 'Sales' : 'R&D' },
        }).expect(201);
      }
    });
    const names = (list: string[]) => list.map((name) => `${name}-${tag}`);

    it.each([
      [`userName eq "ANN-${tag}"`, ['ann']],
      [`userName sw "b" and userName ew "${tag}"`, ['bob']],
      [`externalId eq ann-${tag}-ext`, ['ann']],
      [`externalId eq "ANN-${tag}-ext"`, []],
      [`emails.value co "@${tag}.example.org"`, ['ann', 'bob']],
      [`emails co "ann@${tag}.example.org"`, ['ann']],
      [`emails[type eq "home" and value co ".org"] and userName co "${tag}"`, ['ann']],
      [`emails[type eq "work" and value co ".org"] and userName co "${tag}"`, ['bob']],
      [`name.FamilyName eq Employee and userName co "${tag}" and not (active eq false)`, ['ann', 'dee']],
      [`userName co "${tag}" and (emails.value ew ".net" or active eq False)`, ['bob', 'cid']],
      [`userName co "${tag}" and not (emails pr)`, ['dee']],
      [`${ENTERPRISE}:department eq "sales" and userName co "${tag}"`, ['cid']],
      [`userName co "${tag}" and meta.created gt "2015-10-10T14:38:21.8617979-07:00"`, ['ann', 'bob', 'cid', 'dee']],
    ])('%s', async (filter, expected) => {
      expect(await filterUsers(filter)).toEqual(names(expected));
    });

    it('refuses filters it cannot parse or apply with 400 invalidFilter', async () => {
      for (const filter of [
        'userName eq',
        'userName xx "a"',
        '(userName eq "a"',
        'active gt true',
        'password eq "x"',
      ]) {
        const res = await get('/Users').query({ filter }).expect(400);
        expect(res.body).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidFilter' });
      }
    });

    it('pages with an exact totalResults and a stable order; clamps startIndex and count', async () => {
      const filter = `userName co "${tag}"`;
      const all = await get('/Users').query({ filter, sortBy: 'userName', sortOrder: 'descending' }).expect(200);
      expect(all.body.Resources.map((user: { userName: string }) => user.userName)).toEqual(
        names(['dee', 'cid', 'bob', 'ann']),
      );
      const seen: string[] = [];
      for (let startIndex = 1; startIndex <= 4; startIndex += 3) {
        const page = await get('/Users').query({ filter, startIndex, count: 3 }).expect(200);
        expect(page.body).toMatchObject({ totalResults: 4, startIndex });
        seen.push(...page.body.Resources.map((user: { userName: string }) => user.userName));
      }
      expect(seen.sort()).toEqual(names(['ann', 'bob', 'cid', 'dee']));
      const clamped = await get('/Users').query({ filter, startIndex: -5, count: -1 }).expect(200);
      expect(clamped.body).toMatchObject({ totalResults: 4, startIndex: 1, itemsPerPage: 0, Resources: [] });
      const beyond = await get('/Users').query({ filter, startIndex: 50 }).expect(200);
      expect(beyond.body).toMatchObject({ totalResults: 4, itemsPerPage: 0, Resources: [] });
    });

    it('answers only the attributes asked for, and POST /.search takes the same request', async () => {
      const filter = `userName eq "ann-${tag}"`;
      const some = await get('/Users').query({ filter, attributes: 'userName,name.familyName' }).expect(200);
      expect(some.body.Resources[0]).toEqual({
        schemas: [USER],
        id: expect.any(String),
        userName: `ann-${tag}`,
        name: { familyName: 'Employee' },
      });
      const less = await get('/Users').query({ filter, excludedAttributes: 'emails,meta' }).expect(200);
      expect(less.body.Resources[0]).not.toHaveProperty('emails');
      expect(less.body.Resources[0]).toHaveProperty('userName');
      const search = await post('/Users/.search', {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
        filter,
        attributes: ['userName'],
      }).expect(200);
      expect(search.body).toMatchObject({ totalResults: 1, Resources: [{ userName: `ann-${tag}` }] });
      for (const notAnObject of [[], null, 'filter']) {
        const refused = await post('/Users/.search', notAnObject).expect(400);
        expect(refused.body).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
      }
    });
  });

  describe('groups', () => {
    it('creates a group with members, refuses a taken displayName, renames with PUT', async () => {
      const [a, b] = [await createUser(), await createUser()];
      const group = await createGroup({ members: [{ value: a.id, display: 'A' }, { value: b.id }] });
      expect((group.members as { value: string }[]).map((member) => member.value).sort()).toEqual([a.id, b.id].sort());
      const taken = await post('/Groups', {
        schemas: [GROUP],
        displayName: String(group.displayName).toUpperCase(),
      }).expect(409);
      expect(taken.body.scimType).toBe('uniqueness');
      const renamed = await put(`/Groups/${String(group.id)}`, {
        schemas: [GROUP],
        id: group.id,
        displayName: unique('renamed'),
      }).expect(200);
      expect(renamed.body.members).toHaveLength(2);
    });

    it('adds and removes members in every shape Entra ID and Okta send, in one transaction per PATCH', async () => {
      const users = [await createUser(), await createUser(), await createUser()];
      const [a, b, c] = users.map((user) => String(user.id));
      const group = await createGroup();
      const path = `/Groups/${String(group.id)}`;
      const members = async () =>
        ((await get(path).expect(200)).body.members as { value: string }[]).map((member) => member.value).sort();

      await patch(path, [{ op: 'Add', path: 'members', value: [{ value: a }, { value: b }] }]).expect(204);
      await patch(path, [{ op: 'add', path: 'members', value: [{ value: a }] }]).expect(204);
      expect(await members()).toEqual([a, b].sort());
      await patch(path, [{ op: 'Remove', path: `members[value eq "${a}"]` }]).expect(204);
      expect(await members()).toEqual([b]);
      await patch(path, [{ op: 'add', path: 'members', value: [{ value: a }, { value: c }] }]).expect(204);
      await patch(path, [{ op: 'remove', path: 'members', value: [{ value: a }, { value: b }] }]).expect(204);
      expect(await members()).toEqual([c]);
      await patch(path, [{ op: 'replace', value: { members: [{ value: a }], displayName: unique('g') } }]).expect(204);
      expect(await members()).toEqual([a]);
      // A failing operation after a member change undoes the change.
      await patch(path, [
        { op: 'add', path: 'members', value: [{ value: b }] },
        { op: 'replace', path: 'meta', value: {} },
      ]).expect(400);
      expect(await members()).toEqual([a]);
      await patch(path, [{ op: 'remove', path: 'members' }]).expect(204);
      expect(await members()).toEqual([]);
      const assignments = await db.query('SELECT count(*)::int AS n FROM assignments WHERE department_id = $1', [
        group.id,
      ]);
      expect(assignments[0].n).toBe(0);
    });

    it('lists users with their groups in name order, and leaves them out when they are excluded', async () => {
      const user = await createUser();
      const later = await createGroup({ displayName: unique('zz-group'), members: [{ value: user.id }] });
      const earlier = await createGroup({ displayName: unique('aa-group'), members: [{ value: user.id }] });
      const filter = `id eq "${String(user.id)}"`;
      const listed = await get('/Users').query({ filter }).expect(200);
      expect(listed.body.Resources[0].groups).toEqual([
        expect.objectContaining({ value: earlier.id, display: earlier.displayName }),
        expect.objectContaining({ value: later.id, display: later.displayName }),
      ]);
      const lean = await get('/Users').query({ filter, excludedAttributes: 'groups' }).expect(200);
      expect(lean.body.Resources[0]).not.toHaveProperty('groups');
    });

    it('pages through all of a tenant without a filter: exact totals, every resource once', async () => {
      for (const [resource, table] of [
        ['Users', 'users'],
        ['Groups', 'departments'],
      ]) {
        const stored: { id: string }[] = await db.query(`SELECT id FROM ${table} WHERE tenant_id = 'default'`);
        const seen: string[] = [];
        for (let startIndex = 1; startIndex <= stored.length + 1; startIndex += 7) {
          const page = await get(`/${resource}`).query({ startIndex, count: 7, attributes: 'id' }).expect(200);
          expect(page.body).toMatchObject({ totalResults: stored.length, startIndex });
          seen.push(...page.body.Resources.map((r: { id: string }) => r.id));
        }
        expect(seen).toHaveLength(stored.length);
        expect(seen.sort()).toEqual(stored.map((row) => row.id).sort());
      }
    });

    it('reads no members when they are excluded, and filters groups by member', async () => {
      const user = await createUser();
      const group = await createGroup({ members: [{ value: user.id }] });
      const lean = await get(`/Groups/${String(group.id)}`)
        .query({ excludedAttributes: 'members' })
        .expect(200);
      expect(lean.body).not.toHaveProperty('members');
      const found = await get('/Groups')
        .query({ filter: `members[value eq "${String(user.id)}"]`, excludedAttributes: 'members' })
        .expect(200);
      expect(found.body.Resources.map((g: { id: string }) => g.id)).toEqual([group.id]);
      const byName = await get('/Groups').query({ filter: `displayName eq "${String(group.displayName)}"` });
      expect(byName.body.totalResults).toBe(1);
      const groups = await get(`/Users/${String(user.id)}`).expect(200);
      expect(groups.body.groups).toEqual([expect.objectContaining({ value: group.id, display: group.displayName })]);
    });

    it('treats a group member that is a group as a child department', async () => {
      const parent = await createGroup();
      const child = await createGroup();
      await patch(`/Groups/${String(parent.id)}`, [
        { op: 'add', path: 'members', value: [{ value: child.id, type: 'Group' }] },
      ]).expect(204);
      const rows = await db.query('SELECT parent_id FROM departments WHERE id = $1', [child.id]);
      expect(rows[0].parent_id).toBe(parent.id);
      const cycle = await patch(`/Groups/${String(child.id)}`, [
        { op: 'add', path: 'members', value: [{ value: parent.id }] },
      ]).expect(400);
      expect(cycle.body.scimType).toBe('invalidValue');
    });
  });

  describe('bad input', () => {
    it('answers malformed JSON with 400 invalidSyntax and an oversized body with 413, as SCIM Errors', async () => {
      const malformed = await t.http
        .post('/scim/v2/Users')
        .set(bearer())
        .set('Content-Type', 'application/scim+json')
        .send('{"schemas": ["x"], "acve": tre,')
        .expect(400);
      expect(malformed.body).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidSyntax' });
      const big = await post('/Users', { schemas: [USER], userName: 'big', blob: 'x'.repeat(70 * 1024) }).expect(413);
      expect(big.body).toMatchObject({ schemas: [ERROR], status: '413' });
    });

    it('never answers 500 to values PostgreSQL refuses (NUL characters, taken group externalIds)', async () => {
      const filter = await get('/Users').query({ filter: 'userName eq "a\\u0000b"' });
      expect(filter.status).toBe(400);
      expect(filter.body.schemas).toEqual([ERROR]);
      const nul = await post('/Users', { schemas: [USER], userName: 'nul\u0000name' });
      expect(nul.status).toBe(400);
      const group = await createGroup({ externalId: unique('dept-ext') });
      const taken = await post('/Groups', { schemas: [GROUP], displayName: unique('g'), externalId: group.externalId });
      expect(taken.status).toBe(409);
      expect(taken.body.scimType).toBe('uniqueness');
    });

    it('never answers 500 to values too long for the directory', async () => {
      const res = await post('/Users', { schemas: [USER], userName: 'x'.repeat(400) });
      expect(res.status).toBe(400);
      expect(res.body.scimType).toBe('invalidValue');
    });
  });

  describe('one directory', () => {
    it('shows SCIM users and groups to the provisioning API', async () => {
      const user = await createUser({ externalId: unique('scim-ext') });
      const group = await createGroup({ externalId: unique('scim-dept') });
      const users = await t.http
        .get('/api/provisioning/iam/user')
        .query({ limit: 1000 })
        .set(provisioning())
        .expect(200);
      expect(users.body.entries.map((entry: { userName: string }) => entry.userName)).toContain(user.userName);
      const departments = await t.http
        .get('/api/provisioning/iam/department')
        .query({ limit: 1000 })
        .set(provisioning())
        .expect(200);
      expect(departments.body.departments).toEqual(
        expect.arrayContaining([expect.objectContaining({ id: group.id, name: group.displayName })]),
      );
    });

    it('reads, patches and deletes over SCIM what a batch created', async () => {
      const externalId = unique('batch');
      await t.http
        .post('/api/provisioning/iam/department')
        .set(provisioning())
        .send([{ externalId: `${externalId}-dept`, departmentName: unique('Batch department') }])
        .expect(200);
      await t.http
        .post('/api/provisioning/iam/user')
        .set(provisioning())
        .send([
          {
            externalId,
            email: `${externalId}@example.com`,
            firstName: 'Batch',
            userTypes: [{ departmentExternalId: `${externalId}-dept`, userTypeId: '1' }],
          },
        ])
        .expect(200);
      const found = await get('/Users')
        .query({ filter: `externalId eq "${externalId}"` })
        .expect(200);
      expect(found.body.Resources[0]).toMatchObject({
        userName: `${externalId}@example.com`,
        name: { givenName: 'Batch' },
        emails: [{ value: `${externalId}@example.com`, primary: true }],
      });
      const id = String(found.body.Resources[0].id);
      const group = await get('/Groups')
        .query({ filter: `externalId eq "${externalId}-dept"` })
        .expect(200);
      expect(group.body.Resources[0].members).toEqual([expect.objectContaining({ value: id, type: 'User' })]);
      await patch(`/Users/${id}`, [{ op: 'replace', path: 'active', value: false }]).expect(204);
      const rows = await db.query('SELECT active, created_by, changed_by FROM users WHERE id = $1', [id]);
      expect(rows[0]).toEqual({ active: false, created_by: 'batch', changed_by: 'scim' });
      await patch(`/Groups/${String(group.body.Resources[0].id)}`, [
        { op: 'replace', path: 'displayName', value: unique('renamed over SCIM') },
      ]).expect(204);
      await t.http.delete(`/scim/v2/Users/${id}`).set(bearer()).expect(204);
      await t.http
        .delete(`/scim/v2/Groups/${String(group.body.Resources[0].id)}`)
        .set(bearer())
        .expect(204);
      const after = await t.http.get('/api/provisioning/iam/user').query({ limit: 1000 }).set(provisioning());
      expect(after.body.entries.map((entry: { userName: string }) => entry.userName)).not.toContain(
        `${externalId}@example.com`,
      );
    });

    it('shows partner-synced users over SCIM', async () => {
      const partner = randomSecret('partner');
      await t.http
        .post('/api/admin/tenants/default/credentials')
        .set('Authorization', `Bearer ${t.secrets.adminToken}`)
        .send({ kind: 'PARTNER_SECRET', name: unique('partner'), secret: partner })
        .expect(201);
      await t.http
        .patch('/api/admin/tenants/default')
        .set('Authorization', `Bearer ${t.secrets.adminToken}`)
        .send({ orgCode: 'scim-org' })
        .expect(200);
      const email = `${unique('partner')}@example.com`;
      const token = jwt.sign({ orgCode: 'scim-org' }, partner, { algorithm: 'HS256', expiresIn: 300 });
      await t.http
        .post('/api/admin/users/sync')
        .set('Authorization', `Bearer ${token}`)
        .send({
          mode: 'upsert',
          users: [
            {
              externalId: unique('p'),
              email,
              firstName: 'Pat',
              lastName: 'Partner',
              isActive: true,
              orgCode: 'scim-org',
            },
          ],
        })
        .expect(200);
      const res = await get('/Users')
        .query({ filter: `emails.value eq "${email}"` })
        .expect(200);
      expect(res.body.Resources).toEqual([
        expect.objectContaining({ userName: email, name: { givenName: 'Pat', familyName: 'Partner' }, active: true }),
      ]);
    });
  });
});
