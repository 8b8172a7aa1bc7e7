import { startTestApp, TestApp } from './support/test-app';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

const MEMBERS = 100_000;
/** User POSTs per bulk: with the group's own operation, 1,000 operations (maxOperations). */
const USERS_PER_BULK = 999;

// Slow and the same in both modes: PostgreSQL server mode only.
const onServer = process.env.DATABASE_URL ? describe : describe.skip;

/**
 * A 100,000-member group built through Bulk only, as an identity provider pushing a large group
 * would: each bulk creates up to 999 users and names them as members of the group by bulkId
 * (the first bulk's group POST, then a PATCH add per bulk).
 */
onServer('SCIM Bulk at enterprise size', () => {
  let t: TestApp;
  const bearer = () => ({ Authorization: `Bearer ${t.secrets.scimSecret}` });

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMITS: 'off' });
  });

  afterAll(async () => {
    await t.close();
  });

  it('creates a 100,000-member group in bulks of 1,000 operations', async () => {
    let groupId: string | undefined;
    let created = 0;
    for (let bulk = 0; created < MEMBERS; bulk++) {
      const count = Math.min(USERS_PER_BULK, MEMBERS - created);
      const users = Array.from({ length: count }, (_, i) => ({
        method: 'POST',
        path: '/Users',
        bulkId: `u${i}`,
        data: { schemas: [USER], userName: `large-${bulk}-${i}@example.com`, active: true },
      }));
      const members = users.map((user) => ({ value: `bulkId:${user.bulkId}` }));
      // The group's operation comes first: it waits for the users it names.
      const groupOperation = groupId
        ? {
            method: 'PATCH',
            path: `/Groups/${groupId}`,
            data: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: members }] },
          }
        : {
            method: 'POST',
            path: '/Groups',
            bulkId: 'g',
            data: { schemas: [GROUP], displayName: 'Everyone', members },
          };
      const res = await t.http
        .post('/scim/v2/Bulk')
        .set(bearer())
        .set('Content-Type', 'application/scim+json')
        .send(JSON.stringify({ schemas: [BULK_REQUEST], Operations: [groupOperation, ...users] }))
        .expect(200);
      const answers = res.body.Operations as { status: string; location?: string }[];
      const failed = answers.filter((answer) => !['200', '201'].includes(answer.status));
      expect(failed).toEqual([]);
      expect(answers).toHaveLength(count + 1);
      groupId ??= String(answers[0].location?.split('/').pop());
      created += count;
    }

    const page = await t.http
      .get('/scim/v2/Users')
      .set(bearer())
      .query({ filter: `groups.value eq "${groupId}"`, count: 0 })
      .expect(200);
    expect(page.body.totalResults).toBe(MEMBERS);
  }, 1_800_000);
});
