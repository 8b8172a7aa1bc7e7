import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from './support/test-app';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const USERS = 100_000;

// 100,000 users: a server-mode test (the walk does not depend on the mode; scim-cursor.e2e-spec.ts
// covers both).
const onServer = process.env.DATABASE_URL ? describe : describe.skip;

/**
 * RFC 9865's promise under load: a cursor walk of 100,000 users, a page of 1,000 at a time, while
 * another client creates and deletes users through SCIM, meets every user that existed throughout
 * exactly once and no user twice.
 */
onServer('SCIM cursor walk under concurrent writes', () => {
  let t: TestApp;
  const auth = () => ({ Authorization: `Bearer ${t.secrets.scimSecret}` });

  beforeAll(async () => {
    t = await startTestApp();
    const db = t.app.get(DataSource);
    // Creation times one millisecond apart and some equal (ties broken by id), all in the past.
    await db.query(
      `INSERT INTO users (tenant_id, user_name, external_id, email, emails, active, created_by, changed_by, created_on, updated_on)
       SELECT 'default', 'walk' || n || '@example.com', 'walk-' || n, 'walk' || n || '@example.com', '[]', true,
              'scim', 'scim', t.at, t.at
         FROM generate_series(1, $1::int) AS n,
              LATERAL (SELECT now() - make_interval(secs => ($1::int - n / 2) / 1000.0)) AS t(at)`,
      [USERS],
    );
    await db.query('ANALYZE users');
  }, 300_000);

  afterAll(async () => {
    await t.close();
  });

  it('sees every user that exists throughout exactly once while another client inserts and deletes', async () => {
    const db = t.app.get(DataSource);
    const seeded: string[] = (await db.query(`SELECT id FROM users WHERE tenant_id = 'default'`)).map(
      (row: { id: string }) => row.id,
    );
    expect(seeded).toHaveLength(USERS);

    const deleted = new Set<string>();
    const created = new Set<string>();
    let walking = true;
    const churn = async (): Promise<void> => {
      let n = 0;
      while (walking) {
        n += 1;
        const res = await t.http
          .post('/scim/v2/Users')
          .set(auth())
          .send({ schemas: [USER], userName: `churn${n}@example.com` })
          .expect(201);
        created.add(String(res.body.id));
        // A seeded user anywhere in the order: ahead of the walk, behind it, or on its page.
        const victim = seeded[Math.floor(Math.random() * seeded.length)];
        if (!deleted.has(victim)) {
          deleted.add(victim);
          await t.http.delete(`/scim/v2/Users/${victim}`).set(auth()).expect(204);
        }
        if (n % 3 === 0) {
          const mine = [...created][Math.floor(Math.random() * created.size)];
          const gone = await t.http.delete(`/scim/v2/Users/${mine}`).set(auth());
          expect([204, 404]).toContain(gone.status);
        }
      }
    };

    const walk = async (): Promise<string[]> => {
      const seen: string[] = [];
      let cursor: string | undefined = '';
      let pages = 0;
      try {
        while (cursor !== undefined) {
          const res: { body: { nextCursor?: string; Resources: { id: string }[] } } = await t.http
            .get('/scim/v2/Users')
            .set(auth())
            .query({ cursor, count: 1000, attributes: 'userName' })
            .expect(200);
          seen.push(...res.body.Resources.map((user) => user.id));
          cursor = res.body.nextCursor;
          pages += 1;
        }
      } finally {
        walking = false;
      }
      expect(pages).toBeGreaterThanOrEqual(100);
      return seen;
    };

    const [seen] = await Promise.all([walk(), churn()]);
    expect(deleted.size).toBeGreaterThan(10);
    expect(new Set(seen).size).toBe(seen.length);
    const seenSet = new Set(seen);
    const missing = seeded.filter((id) => !deleted.has(id) && !seenSet.has(id));
    expect(missing).toEqual([]);
    // Nothing but users of the tenant: seeded, or created by the other client.
    const seededSet = new Set(seeded);
    expect(seen.filter((id) => !created.has(id) && !seededSet.has(id))).toEqual([]);
  }, 600_000);
});
