import { DataSource } from 'typeorm';
import { RequestLogWriter } from '../src/request-log/request-log.writer';
import { oauthToken, startTestApp, TestApp } from './support/test-app';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

let seq = 0;
const unique = (label: string): string => `${label}-${Date.now().toString(36)}-${++seq}`;

type Op = Record<string, unknown> | string;
interface Answer {
  method: string;
  bulkId?: string;
  location?: string;
  version?: string;
  status: string;
  response?: { schemas: string[]; status: string; scimType?: string; detail: string };
}

const bulkOf = (operations: Op[], extra: Record<string, unknown> = {}) => ({
  schemas: [BULK_REQUEST],
  ...extra,
  Operations: operations,
});
const userPost = (bulkId: string, userName: string, extra: Record<string, unknown> = {}): Op => ({
  method: 'POST',
  path: '/Users',
  bulkId,
  data: { schemas: [USER], userName, ...extra },
});
const groupPost = (bulkId: string, displayName: string, members: string[] = []): Op => ({
  method: 'POST',
  path: '/Groups',
  bulkId,
  data: { schemas: [GROUP], displayName, members: members.map((value) => ({ value })) },
});
const idOf = (answer: Answer): string => String(answer.location?.split('/').pop());

/** RFC 7644 §3.7: POST /Bulk, its bulkId references (cycles included), failOnErrors and bounds. */
describe('SCIM Bulk', () => {
  let t: TestApp;
  const bearer = () => ({ Authorization: `Bearer ${t.secrets.scimSecret}` });
  const bulk = (body: unknown, root = '/scim/v2') =>
    t.http.post(`${root}/Bulk`).set(bearer()).set('Content-Type', 'application/scim+json').send(JSON.stringify(body));
  const get = (path: string) => t.http.get(`/scim/v2${path}`).set(bearer());
  const run = async (operations: Op[], extra: Record<string, unknown> = {}): Promise<Answer[]> => {
    const res = await bulk(bulkOf(operations, extra)).expect(200);
    expect(res.body.schemas).toEqual([BULK_RESPONSE]);
    return res.body.Operations as Answer[];
  };
  const findUser = async (userName: string) =>
    (
      await get('/Users')
        .query({ filter: `userName eq "${userName}"` })
        .expect(200)
    ).body.Resources as Record<string, unknown>[];

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it.each(['/scim/v2', '/scim', '/scim/endpoints/default'])(
    'serves POST %s/Bulk, with locations under that root (RFC 7644 §3.7.3)',
    async (root) => {
      const userName = `${unique('root')}@example.com`;
      const res = await bulk(
        bulkOf([userPost('u', userName), groupPost('g', unique('Root group'), ['bulkId:u'])]),
        root,
      ).expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
      const [user, group] = res.body.Operations as Answer[];
      expect(user).toEqual({
        method: 'POST',
        bulkId: 'u',
        location: expect.stringMatching(new RegExp(`${root}/Users/[0-9a-f-]{36}$`)),
        version: expect.any(String),
        status: '201',
      });
      expect(group.location).toMatch(new RegExp(`${root}/Groups/[0-9a-f-]{36}$`));
      // The answer's version is the resource's ETag.
      const read = await get(`/Users/${idOf(user)}`).expect(200);
      expect(read.headers.etag).toBe(user.version);
    },
  );

  it('resolves a member given by bulkId, whatever the order (RFC 7644 §3.7.2)', async () => {
    const userName = `${unique('member')}@example.com`;
    // The group comes first and names a user created after it.
    const [group, user] = await run([groupPost('g', unique('Tour Guides'), ['bulkId:u']), userPost('u', userName)]);
    expect([group.status, user.status]).toEqual(['201', '201']);
    const read = await get(`/Groups/${idOf(group)}`).expect(200);
    expect(read.body.members.map((m: { value: string }) => m.value)).toEqual([idOf(user)]);
    // The answer's version is the group's version after the member was added.
    expect(read.headers.etag).toBe(group.version);
  });

  it('resolves circular references: users managing each other (RFC 7644 §3.7.1)', async () => {
    const alice = `${unique('alice')}@example.com`;
    const bob = `${unique('bob')}@example.com`;
    const carol = `${unique('carol')}@example.com`;
    const answers = await run([
      userPost('alice', alice, { [ENTERPRISE]: { manager: { value: 'bulkId:bob' } } }),
      userPost('bob', bob, { [ENTERPRISE]: { manager: { value: 'bulkId:alice' } } }),
      // Waits for the cycle to be whole, then refers to it.
      userPost('carol', carol, { [ENTERPRISE]: { manager: { value: 'bulkId:alice' } } }),
    ]);
    expect(answers.map((answer) => [answer.bulkId, answer.status])).toEqual([
      ['alice', '201'],
      ['bob', '201'],
      ['carol', '201'],
    ]);
    const [aliceId, bobId] = answers.map(idOf);
    const readAlice = await get(`/Users/${aliceId}`).expect(200);
    const readBob = await get(`/Users/${bobId}`).expect(200);
    expect(readAlice.body[ENTERPRISE].manager.value).toBe(bobId);
    expect(readBob.body[ENTERPRISE].manager.value).toBe(aliceId);
    // The answer's version is the user's after its manager was added.
    expect(readAlice.headers.etag).toBe(answers[0].version);
  });

  it('resolves two groups each a member of the other, which the directory refuses: neither is kept (RFC 7644 §3.7.1)', async () => {
    const names = [unique('Group A'), unique('Group B')];
    const answers = await run([
      groupPost('a', names[0], ['bulkId:b']),
      groupPost('b', names[1], ['bulkId:a']),
      userPost('u', `${unique('after')}@example.com`),
    ]);
    // Groups are departments, a tree: the same two requests alone would meet the same refusal.
    expect(answers.map((answer) => [answer.bulkId, answer.status, answer.response?.scimType])).toEqual([
      ['a', '409', undefined],
      ['b', '409', undefined],
      ['u', '201', undefined],
    ]);
    // The RFC's answer for a cycle the provider cannot resolve is 409, on both sides of it.
    const details = answers.slice(0, 2).map((answer) => answer.response?.detail ?? '');
    expect(details.some((detail) => detail.includes('departments form a tree'))).toBe(true);
    expect(details.some((detail) => detail.includes("bulkId '"))).toBe(true);
    for (const displayName of names) {
      const found = await get('/Groups')
        .query({ filter: `displayName eq "${displayName}"` })
        .expect(200);
      expect(found.body.totalResults).toBe(0);
    }
  });

  it('resolves bulkId in paths and PATCH values, and runs PUT, PATCH and DELETE with version as If-Match', async () => {
    const userName = `${unique('writes')}@example.com`;
    const answers = await run([
      {
        method: 'PATCH',
        path: '/Groups/bulkId:g',
        data: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: 'bulkId:u' }] }] },
      },
      userPost('u', userName),
      groupPost('g', unique('Patched')),
      {
        method: 'PUT',
        path: '/Users/bulkId:u',
        data: { schemas: [USER], userName, displayName: 'Put By Bulk' },
      },
    ]);
    expect(answers.map((answer) => answer.status)).toEqual(['200', '201', '201', '200']);
    const [patched, user, , put] = answers;
    expect(patched.location).toMatch(/\/scim\/v2\/Groups\//);
    const group = await get(`/Groups/${idOf(patched)}`).expect(200);
    expect(group.body.members.map((m: { value: string }) => m.value)).toEqual([idOf(user)]);
    expect((await get(`/Users/${idOf(user)}`).expect(200)).body.displayName).toBe('Put By Bulk');

    const id = idOf(user);
    const [stale, fresh, staleDelete, deleted] = await run([
      { method: 'put', path: `/Users/${id}`, version: 'W/"999"', data: { schemas: [USER], userName } },
      {
        method: 'Patch',
        path: `/Users/${id}`,
        version: put.version,
        data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Lead' }] },
      },
      { method: 'DELETE', path: `/Users/${id}`, version: put.version },
      { method: 'delete', path: `/Users/${id}`, version: '*' },
    ]);
    expect(stale).toMatchObject({ method: 'PUT', status: '412', response: { schemas: [ERROR], status: '412' } });
    expect(fresh).toMatchObject({ method: 'PATCH', status: '200', version: expect.any(String) });
    expect(fresh.version).not.toBe(put.version);
    expect(staleDelete.status).toBe('412');
    expect(deleted).toEqual({ method: 'DELETE', location: expect.stringMatching(`/Users/${id}$`), status: '204' });
    await get(`/Users/${id}`).expect(404);
  });

  it('keeps uniqueness inside a bulk and against stored users', async () => {
    const stored = `${unique('stored')}@example.com`;
    await run([userPost('s', stored)]);
    const fresh = `${unique('fresh')}@example.com`;
    const answers = await run([
      userPost('one', fresh),
      userPost('two', fresh.toUpperCase()),
      userPost('three', stored),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual(['201', '409', '409']);
    for (const refused of answers.slice(1)) {
      expect(refused.response).toMatchObject({ schemas: [ERROR], status: '409', scimType: 'uniqueness' });
    }
    // A bulk op's error reads as the same request alone would.
    const alone = await t.http
      .post('/scim/v2/Users')
      .set(bearer())
      .send({ schemas: [USER], userName: stored })
      .expect(409);
    expect(answers[2].response).toEqual(alone.body);
    expect(await findUser(fresh)).toHaveLength(1);
  });

  it('drops a password: not stored, not answered, not in the request log', async () => {
    const userName = `${unique('secret')}@example.com`;
    const password = `Bulk-pa55-${unique('pw')}`;
    const patchPassword = `Bulk-patch-${unique('pw')}`;
    const [created] = await run([
      userPost('p', userName, { password }),
      {
        method: 'PATCH',
        path: '/Users/bulkId:p',
        data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'password', value: patchPassword }] },
      },
    ]);
    const read = await get(`/Users/${idOf(created)}`).expect(200);
    expect(read.body).not.toHaveProperty('password');
    await t.app.get(RequestLogWriter).flush();
    const rows: { row: string }[] = await t.app.get(DataSource).query('SELECT r::text AS row FROM request_logs r');
    const everything = rows.map((r) => r.row).join('\n');
    expect(everything).toContain(userName);
    expect(everything).not.toContain(password);
    expect(everything).not.toContain(patchPassword);
    const stored: { row: string }[] = await t.app
      .get(DataSource)
      .query('SELECT u::text AS row FROM users u WHERE id = $1', [idOf(created)]);
    expect(stored[0].row).not.toContain(password);
  });

  it('fails a malformed operation alone, with the SCIM error that says why', async () => {
    const userName = `${unique('good')}@example.com`;
    const answers = await run([
      { method: 'GET', path: '/Users', bulkId: 'x1' },
      { method: 'POST', path: '/Devices', bulkId: 'x2', data: {} },
      { method: 'POST', path: '/Users', data: { schemas: [USER], userName: 'no-bulk-id@example.com' } },
      { method: 'PUT', path: '/Users' + '/', data: {} },
      { method: 'PUT', path: '/Users/00000000-0000-4000-8000-000000000000' },
      { method: 'PATCH', path: '/Users/bulkId:nobody', data: { schemas: [PATCH_OP], Operations: [] } },
      'not an object',
      { method: 'POST', path: '/Users', bulkId: 'x3', data: { schemas: [USER] } },
      { method: 'DELETE', path: '/Groups/not-a-uuid' },
      userPost('ok', userName),
    ]);
    expect(answers.map((answer) => [answer.status, answer.response?.scimType])).toEqual([
      ['400', 'invalidValue'],
      ['400', 'invalidPath'],
      ['400', 'invalidValue'],
      ['400', 'invalidPath'],
      ['400', 'invalidSyntax'],
      ['400', 'invalidValue'],
      ['400', 'invalidSyntax'],
      ['400', expect.any(String)],
      ['404', undefined],
      ['201', undefined],
    ]);
    expect(answers[5].response?.detail).toContain('bulkId:nobody');
    expect(await findUser(userName)).toHaveLength(1);
  });

  it('fails with 409 an operation that refers to a POST that failed', async () => {
    const stored = `${unique('taken')}@example.com`;
    await run([userPost('s', stored)]);
    const answers = await run([
      userPost('dup', stored),
      groupPost('g', unique('Refers to failed'), ['bulkId:dup']),
      // A cycle whose other half fails: the half created is not kept.
      groupPost('c1', unique('Cycle one'), ['bulkId:c2']),
      groupPost('c2', '', ['bulkId:c1']),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual(['409', '409', '409', '400']);
    expect(answers[1].response?.detail).toContain("bulkId 'dup'");
    expect(answers[2].response?.detail).toContain("bulkId 'c2'");
  });

  it('stops after failOnErrors failures: operations not run are not answered nor done', async () => {
    const stored = `${unique('fail')}@example.com`;
    await run([userPost('s', stored)]);
    const names = [1, 2, 3, 4, 5].map((n) => `${unique(`f${n}`)}@example.com`);
    // Consecutive user POSTs: the limit falls inside what would be one createMany.
    const answers = await run(
      [
        userPost('f1', names[0]),
        userPost('f2', stored),
        userPost('f3', names[2]),
        userPost('f4', stored),
        userPost('f5', names[4]),
        groupPost('f6', unique('never')),
      ],
      { failOnErrors: 2 },
    );
    expect(answers.map((answer) => [answer.bulkId, answer.status])).toEqual([
      ['f1', '201'],
      ['f2', '409'],
      ['f3', '201'],
      ['f4', '409'],
    ]);
    expect(await findUser(names[4])).toHaveLength(0);
    expect(await findUser(names[2])).toHaveLength(1);

    // After a failure the next batch is cut to what may still fail: nothing past the limit is created.
    const later = [1, 2].map((n) => `${unique(`later${n}`)}@example.com`);
    const cut = await run(
      [userPost('l1', stored), userPost('l2', later[0]), userPost('l3', stored), userPost('l4', later[1])],
      { failOnErrors: 2 },
    );
    expect(cut.map((answer) => answer.status)).toEqual(['409', '201', '409']);
    expect(await findUser(later[1])).toHaveLength(0);

    const once = await run([userPost('o1', stored), userPost('o2', `${unique('o2')}@example.com`)], {
      failOnErrors: 1,
    });
    expect(once.map((answer) => answer.status)).toEqual(['409']);
  });

  it('refuses a body that is not a BulkRequest, or repeats a bulkId', async () => {
    const refused = async (body: unknown, scimType: string) => {
      const res = await bulk(body).expect(400);
      expect(res.body).toMatchObject({ schemas: [ERROR], status: '400', scimType });
    };
    await refused({ Operations: [userPost('a', 'a@example.com')] }, 'invalidSyntax');
    await refused({ schemas: [BULK_REQUEST], Operations: [] }, 'invalidSyntax');
    await refused([1, 2], 'invalidSyntax');
    await refused(bulkOf([userPost('a', 'a@example.com')], { failOnErrors: 0 }), 'invalidValue');
    await refused(bulkOf([userPost('a', 'a@example.com'), userPost('a', 'b@example.com')]), 'invalidValue');
    // Keys in any case.
    const userName = `${unique('case')}@example.com`;
    const res = await bulk({
      SCHEMAS: [BULK_REQUEST.toUpperCase()],
      operations: [{ METHOD: 'post', PATH: '/users', BULKID: 'c', DATA: { schemas: [USER], userName } }],
    }).expect(200);
    expect(res.body.Operations).toEqual([expect.objectContaining({ method: 'POST', bulkId: 'c', status: '201' })]);
  });

  it('refuses with 413 a body over maxPayloadSize, drawing no rate-limit unit', async () => {
    const first = await get('/ServiceProviderConfig').expect(200);
    const before = Number(first.headers['x-ratelimit-remaining']);
    const filler = 'x'.repeat(1024);
    const big = bulkOf(
      Array.from({ length: 4200 }, (_, i) => userPost(`b${i}`, `big-${i}@example.com`, { title: filler })),
    );
    const res = await bulk(big).expect(413);
    expect(res.body).toMatchObject({ schemas: [ERROR], status: '413' });
    expect(res.body.detail).toContain('maxPayloadSize');
    const after = await get('/ServiceProviderConfig').expect(200);
    expect(Number(after.headers['x-ratelimit-remaining'])).toBe(before - 1);
  });

  it("answers 404 per operation for another tenant's ids", async () => {
    const admin = { Authorization: `Bearer ${t.secrets.adminToken}` };
    const tenant = unique('bulk-other').toLowerCase();
    await t.http.post('/api/admin/tenants').set(admin).send({ id: tenant, name: 'Other' }).expect(201);
    const client = await t.http
      .post(`/api/admin/tenants/${tenant}/credentials`)
      .set(admin)
      .send({ kind: 'OAUTH_CLIENT', name: unique('other'), roles: ['SCIM'] })
      .expect(201);
    const token = await oauthToken(t, client.body.clientId, client.body.secret);
    const theirs = await t.http
      .post('/scim/v2/Users')
      .set('Authorization', `Bearer ${token}`)
      .send({ schemas: [USER], userName: `${unique('theirs')}@example.com` })
      .expect(201);
    const id = String(theirs.body.id);
    const answers = await run([
      { method: 'PUT', path: `/Users/${id}`, data: { schemas: [USER], userName: 'mine@example.com' } },
      { method: 'PATCH', path: `/Users/${id}`, data: { schemas: [PATCH_OP], Operations: [] } },
      { method: 'DELETE', path: `/Users/${id}` },
    ]);
    expect(answers.map((answer) => answer.status)).toEqual(['404', '404', '404']);
    await t.http.get(`/scim/v2/Users/${id}`).set('Authorization', `Bearer ${token}`).expect(200);
  });
});

/**
 * RATE_LIMIT_SCIM of 20 a minute: maxOperations is 20, and a bulk draws one unit per operation.
 */
describe('SCIM Bulk under a small SCIM rate budget', () => {
  let t: TestApp;
  const bearer = () => ({ Authorization: `Bearer ${t.secrets.scimSecret}` });
  const bulk = (operations: Op[]) =>
    t.http
      .post('/scim/v2/Bulk')
      .set(bearer())
      .set('Content-Type', 'application/scim+json')
      .send(JSON.stringify(bulkOf(operations)));
  const users = (count: number) =>
    Array.from({ length: count }, (_, i) => userPost(`r${i}`, `${unique(`rate${i}`)}@example.com`));

  beforeEach(async () => {
    t = await startTestApp({ RATE_LIMIT_SCIM: '20/60s' });
  });

  afterEach(async () => {
    await t.close();
  });

  it('refuses with 413 more operations than maxOperations (the SCIM budget), drawing no unit', async () => {
    // No other request first: once a bulk draws a unit per operation, 20 more would not fit.
    const res = await bulk(users(21)).expect(413);
    expect(res.body).toMatchObject({ schemas: [ERROR], status: '413' });
    expect(res.body.detail).toContain('maxOperations is 20');
    const whole = await bulk(users(20)).expect(200);
    expect(whole.body.Operations).toHaveLength(20);
  });

  it('counts a bulk as its operations: 429 once they exceed the remaining budget', async () => {
    const first = await bulk(users(15)).expect(200);
    expect(first.headers['x-ratelimit-remaining']).toBe('5');
    const refused = await bulk(users(10)).expect(429);
    expect(refused.body).toMatchObject({ schemas: [ERROR], status: '429' });
    await bulk(users(5)).expect(200);
  });
});
