import { ServerKey } from '../src/auth/server-key';
import { CursorCodec } from '../src/scim/cursor/scim-cursor';
import { startTestApp, TestApp } from './support/test-app';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const ROOTS = ['/scim/v2', '/scim', '/scim/endpoints/default'];

type Doc = Record<string, unknown> & { id: string };
interface Page {
  totalResults: number;
  itemsPerPage: number;
  startIndex?: number;
  nextCursor?: string;
  previousCursor?: string;
  Resources: Doc[];
}

/**
 * RFC 9865 cursor pagination as a client sees it: walks forward and backward over users and
 * groups, filtered, sorted (with ties and missing values) and projected, give exactly the
 * resources of the index listing of the same query, in its order; cursors are bound to their
 * query and refused otherwise.
 */
describe('SCIM cursor pagination', () => {
  let t: TestApp;
  // A fixed Host: `meta.location` names it, and supertest listens on a new port each request.
  const auth = () => ({ Authorization: `Bearer ${t.secrets.scimSecret}`, Host: 'scim.example.com' });
  const FAMILY = ['Ng', 'ng', 'Adams', undefined, 'Zhou'];
  const userIds: string[] = [];

  /** Every page of a walk from the first (`cursor=`), following nextCursor. */
  async function walk(root: string, resource: string, query: Record<string, string | number>): Promise<Page[]> {
    const pages: Page[] = [];
    let cursor: string | undefined = '';
    while (cursor !== undefined) {
      const res = await t.http
        .get(`${root}/${resource}`)
        .set(auth())
        .query({ ...query, cursor })
        .expect(200);
      const page = res.body as Page;
      expect(page.startIndex).toBeUndefined();
      expect(page.itemsPerPage).toBe(page.Resources.length);
      if (pages.length === 0) expect(page.previousCursor).toBeUndefined();
      else expect(page.previousCursor).toEqual(expect.any(String));
      pages.push(page);
      cursor = page.nextCursor;
    }
    return pages;
  }

  /** From a page, following previousCursor back to the first page. */
  async function walkBack(root: string, resource: string, query: Record<string, string | number>, from: Page) {
    const pages: Page[] = [from];
    while (pages[0].previousCursor !== undefined) {
      const res = await t.http
        .get(`${root}/${resource}`)
        .set(auth())
        .query({ ...query, cursor: pages[0].previousCursor })
        .expect(200);
      pages.unshift(res.body as Page);
    }
    return pages;
  }

  /** The same query by index, every result in one page: the reference order. */
  async function indexed(resource: string, query: Record<string, string | number>): Promise<Page> {
    const res = await t.http
      .get(`/scim/v2/${resource}`)
      .set(auth())
      .query({ ...query, count: 1000 })
      .expect(200);
    return res.body as Page;
  }

  const all = (pages: Page[]): Doc[] => pages.flatMap((page) => page.Resources);

  beforeAll(async () => {
    t = await startTestApp();
    for (let i = 0; i < 23; i++) {
      const family = FAMILY[i % FAMILY.length];
      const res = await t.http
        .post('/scim/v2/Users')
        .set(auth())
        .send({
          schemas: [USER],
          userName: `walker${String(i).padStart(2, '0')}@example.com`,
          ...(family ? { name: { familyName: family } } : {}),
          active: i % 2 === 0,
        })
        .expect(201);
      userIds.push(String(res.body.id));
    }
    for (let g = 0; g < 5; g++) {
      await t.http
        .post('/scim/v2/Groups')
        .set(auth())
        .send({
          schemas: [GROUP],
          displayName: `crew ${g}`,
          members: userIds.filter((_, i) => i % 5 === g).map((value) => ({ value })),
        })
        .expect(201);
    }
  });

  afterAll(async () => {
    await t.close();
  });

  it('walks every user once, forward and backward, in the index order, with groups', async () => {
    const query = { count: 7 };
    const pages = await walk('/scim/v2', 'Users', query);
    expect(pages.map((page) => page.itemsPerPage)).toEqual([7, 7, 7, 2]);
    expect(pages.every((page) => page.totalResults === 23)).toBe(true);
    expect(pages[3].nextCursor).toBeUndefined();
    const reference = await indexed('Users', {});
    expect(all(pages)).toEqual(reference.Resources);
    expect(all(pages).map((user) => user.id)).toEqual(userIds);
    expect(all(pages).every((user) => Array.isArray(user.groups) && user.groups.length === 1)).toBe(true);

    const back = await walkBack('/scim/v2', 'Users', query, pages[3]);
    expect(back.map((page) => page.itemsPerPage)).toEqual([7, 7, 7, 2]);
    expect(all(back)).toEqual(reference.Resources);
    // Each page walked back to has a next page: the one it was reached from.
    expect(back.slice(0, 3).every((page) => page.nextCursor)).toBe(true);
  });

  it('reaching the start backwards answers the whole first page, without previousCursor', async () => {
    const pages = await walk('/scim/v2', 'Users', { count: 10 });
    const second = await t.http
      .get('/scim/v2/Users')
      .set(auth())
      .query({ count: 4, cursor: pages[1].previousCursor })
      .expect(200);
    // The 10 rows before page 2 hold more than 4: a page of the 4 just before it, then the start.
    expect((second.body as Page).Resources.map((user) => user.id)).toEqual(userIds.slice(6, 10));
    const first = await t.http
      .get('/scim/v2/Users')
      .set(auth())
      .query({ count: 8, cursor: (second.body as Page).previousCursor })
      .expect(200);
    expect((first.body as Page).Resources.map((user) => user.id)).toEqual(userIds.slice(0, 8));
    expect((first.body as Page).previousCursor).toBeUndefined();
    expect((first.body as Page).nextCursor).toEqual(expect.any(String));
  });

  it.each([
    ['name.familyName', 'ascending'],
    ['name.familyName', 'descending'],
    ['userName', 'descending'],
    ['active', 'ascending'],
    ['meta.created', 'descending'],
    ['groups', 'ascending'],
  ])('walks sorted by %s %s (ties and missing values) as the index listing orders it', async (sortBy, sortOrder) => {
    const query = { sortBy, sortOrder, attributes: 'userName,name,active' };
    const reference = await indexed('Users', query);
    for (const count of [1, 3, 7]) {
      const pages = await walk('/scim/v2', 'Users', { ...query, count });
      expect(all(pages)).toEqual(reference.Resources);
      const back = await walkBack('/scim/v2', 'Users', { ...query, count }, pages[pages.length - 1]);
      expect(all(back)).toEqual(reference.Resources);
    }
  });

  it('walks a filtered, projected search by POST /.search and groups with their members', async () => {
    const filter = 'active eq true and userName sw "walker1"';
    const reference = await indexed('Users', { filter, attributes: 'userName' });
    expect(reference.totalResults).toBe(5);
    const seen: Doc[] = [];
    let cursor: string | undefined = '';
    while (cursor !== undefined) {
      const res: { body: Page & { totalResults: number } } = await t.http
        .post('/scim/v2/Users/.search')
        .set(auth())
        .send({ schemas: [SEARCH], filter, attributes: ['userName'], count: 2, Cursor: cursor })
        .expect(200);
      expect(res.body.totalResults).toBe(5);
      seen.push(...res.body.Resources);
      cursor = res.body.nextCursor;
    }
    expect(seen).toEqual(reference.Resources);

    const groups = await walk('/scim/v2', 'Groups', { count: 2 });
    expect(all(groups)).toEqual((await indexed('Groups', {})).Resources);
    expect(all(groups).map((group) => (group.members as unknown[]).length)).toEqual([5, 5, 5, 4, 4]);
  });

  it('sees every user that exists throughout exactly once while users come and go', async () => {
    const first = await t.http.get('/scim/v2/Users').set(auth()).query({ cursor: '', count: 5 }).expect(200);
    const doomed = userIds[12];
    await t.http.delete(`/scim/v2/Users/${doomed}`).set(auth()).expect(204);
    const added = await t.http
      .post('/scim/v2/Users')
      .set(auth())
      .send({ schemas: [USER], userName: 'latecomer@example.com' })
      .expect(201);
    const seen = [...(first.body as Page).Resources];
    let cursor = (first.body as Page).nextCursor;
    while (cursor !== undefined) {
      const res: { body: Page } = await t.http
        .get('/scim/v2/Users')
        .set(auth())
        .query({ cursor, count: 5 })
        .expect(200);
      seen.push(...res.body.Resources);
      cursor = res.body.nextCursor;
    }
    const ids = seen.map((user) => user.id);
    expect(ids).toEqual([...userIds.filter((id) => id !== doomed), added.body.id]);
    await t.http.delete(`/scim/v2/Users/${added.body.id}`).set(auth()).expect(204);
    const restored = await t.http
      .post('/scim/v2/Users')
      .set(auth())
      .send({ schemas: [USER], userName: 'walker12@example.com', name: { familyName: 'Adams' }, active: true })
      .expect(201);
    userIds.splice(12, 1);
    userIds.push(String(restored.body.id));
  });

  it('answers totalResults alone for count=0, and a bare ?cursor is the first page', async () => {
    const counted = await t.http.get('/scim/v2/Users?cursor&count=0').set(auth()).expect(200);
    expect(counted.body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 23,
      itemsPerPage: 0,
      Resources: [],
    });
    const bare = await t.http.get('/scim/v2/Users?cursor&count=3&attributes=userName').set(auth()).expect(200);
    expect((bare.body as Page).Resources.map((user) => user.id)).toEqual(userIds.slice(0, 3));
    expect(bare.body.nextCursor).toEqual(expect.any(String));
  });

  it('refuses cursors of another query, resource type or key, altered or expired, and cursor with startIndex', async () => {
    const page = await t.http
      .get('/scim/v2/Users')
      .set(auth())
      .query({ cursor: '', count: 2, filter: 'userName sw "walker"' })
      .expect(200);
    const cursor = String(page.body.nextCursor);
    const refused = async (path: string, query: Record<string, string>, scimType: string) => {
      const res = await t.http.get(path).set(auth()).query(query).expect(400);
      expect(res.body).toMatchObject({ status: '400', scimType });
      expect(String(res.body.detail)).not.toContain(t.secrets.jwtSecret);
    };
    await t.http.get('/scim/v2/Users').set(auth()).query({ cursor, filter: 'userName sw "walker"' }).expect(200);
    await refused('/scim/v2/Users', { cursor, filter: 'userName sw "walk"' }, 'invalidCursor');
    await refused('/scim/v2/Users', { cursor }, 'invalidCursor');
    await refused('/scim/v2/Users', { cursor, filter: 'userName sw "walker"', sortBy: 'userName' }, 'invalidCursor');
    await refused('/scim/v2/Groups', { cursor, filter: 'userName sw "walker"' }, 'invalidCursor');
    const [version, payload, signature] = cursor.split('.');
    const altered = Buffer.from(payload, 'base64url').toString('utf8').replace(/"b":0/, '"b":1');
    await refused(
      '/scim/v2/Users',
      {
        cursor: `${version}.${Buffer.from(altered).toString('base64url')}.${signature}`,
        filter: 'userName sw "walker"',
      },
      'invalidCursor',
    );
    await refused('/scim/v2/Users', { cursor: 'not-a-cursor' }, 'invalidCursor');
    await refused('/scim/v2/Users', { cursor: '', startIndex: '1' }, 'invalidValue');

    const key = new ServerKey(t.secrets.jwtSecret);
    const old = new CursorCodec(key, 3600, () => Date.now() - 3601 * 1000).encode(
      { key: ['2026-01-01T00:00:00+00:00', userIds[0]], backward: false },
      { tenantId: 'default', resourceType: 'User', sortOrder: 'ascending' },
    );
    await refused('/scim/v2/Users', { cursor: old }, 'expiredCursor');
    const search = await t.http
      .post('/scim/v2/Users/.search')
      .set(auth())
      .send({ schemas: [SEARCH], cursor: 'c1.x.y' })
      .expect(400);
    expect(search.body).toMatchObject({ status: '400', scimType: 'invalidCursor' });
  });

  describe.each(ROOTS)('under %s', (root) => {
    it('walks users and groups by GET and by POST /.search', async () => {
      expect(all(await walk(root, 'Users', { count: 10, attributes: 'userName' })).map((u) => u.id)).toEqual(userIds);
      expect(all(await walk(root, 'Groups', { count: 3, excludedAttributes: 'members' }))).toHaveLength(5);
      for (const resource of ['Users', 'Groups']) {
        const res = await t.http
          .post(`${root}/${resource}/.search`)
          .set(auth())
          .send({ schemas: [SEARCH], cursor: '', count: 2, excludedAttributes: ['members', 'groups'] })
          .expect(200);
        expect(res.body.itemsPerPage).toBe(2);
        const next = await t.http
          .post(`${root}/${resource}/.search`)
          .set(auth())
          .send({ schemas: [SEARCH], cursor: res.body.nextCursor, count: 2 })
          .expect(200);
        expect(next.body.previousCursor).toEqual(expect.any(String));
      }
    });
  });
});
