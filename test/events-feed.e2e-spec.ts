import { DataSource } from 'typeorm';
import { EventRetention } from '../src/events/feed/event-retention';
import { EventSequencer } from '../src/events/feed/event-sequencer';
import { FeedRepository } from '../src/events/feed/feed.repository';
import { Lifecycle } from '../src/lifecycle/lifecycle';
import { startTestApp, TestApp } from './support/test-app';

const CHANGES = '/api/provisioning/iam/changes';
const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

interface Change {
  seq: string;
  eventId: string;
  type: string;
  resourceType: string;
  resourceId: string;
  userId?: string;
  userTypeId?: string;
  attributes: string[];
  data?: Record<string, unknown> | null;
  door: string;
  occurredOn: string;
}

interface ChangesPage {
  status: true;
  changes: Change[];
  next: string;
  hasMore: boolean;
}

const DAY = 86_400_000;

/** Thrown to roll a test transaction back, carrying what it saw. */
class Rollback extends Error {
  constructor(readonly count: number) {
    super('rollback');
  }
}

let counter = 0;
const unique = (label: string): string => `${label}-${Date.now().toString(36)}-${++counter}`;

/** Issue 20: the pull feed, the history of a user and a department, and the retention of events. */
describe('change feed and history', () => {
  let t: TestApp;
  let db: DataSource;
  let acmeToken: string;
  let searchToken: string;
  let acmeAdmin: string;

  const admin = (): Record<string, string> => ({ Authorization: `Bearer ${t.secrets.adminToken}` });
  const api = (token = t.secrets.apiToken, tenant = 'default'): Record<string, string> => ({
    'auth-tenant-id': tenant,
    'auth-token': token,
  });
  const feed = async (query: Record<string, string>, headers = api()): Promise<ChangesPage> =>
    (await t.http.get(CHANGES).query(query).set(headers).expect(200)).body as ChangesPage;
  const scimUser = async (userName: string): Promise<string> => {
    const res = await t.http
      .post('/scim/v2/Users')
      .set('Authorization', `Bearer ${t.secrets.scimSecret}`)
      .set('Content-Type', 'application/scim+json')
      .send(JSON.stringify({ schemas: [SCIM_USER], userName, name: { givenName: 'Ada', familyName: 'Lovelace' } }))
      .expect(201);
    return res.body.id as string;
  };
  const sqlUser = async (tenantId: string, userName: string): Promise<string> => {
    const rows: { id: string }[] = await db.query(
      `INSERT INTO users (tenant_id, user_name, email, active, created_by, changed_by)
       VALUES ($1, $2, $2, true, 'batch', 'batch') RETURNING id`,
      [tenantId, userName],
    );
    return rows[0].id;
  };
  const sqlDepartment = async (tenantId: string, name: string): Promise<string> => {
    const rows: { id: string }[] = await db.query(
      'INSERT INTO departments (tenant_id, external_id, name) VALUES ($1, $2, $2) RETURNING id',
      [tenantId, name],
    );
    return rows[0].id;
  };
  /** The feed's last seq now (everything committed is numbered first). */
  const head = async (headers = api()): Promise<string> => {
    let after = '0';
    for (;;) {
      const page = await feed({ after, limit: '1000' }, headers);
      after = page.next;
      if (!page.hasMore) return after;
    }
  };

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMITS: 'off' });
    db = t.app.get(DataSource);
    await t.http.post('/api/admin/tenants').set(admin()).send({ id: 'acme', name: 'Acme Ltd' }).expect(201);
    acmeToken = (
      await t.http
        .post('/api/admin/tenants/acme/credentials')
        .set(admin())
        .send({ kind: 'API_TOKEN', name: 'acme feed' })
        .expect(201)
    ).body.secret;
    searchToken = (
      await t.http
        .post('/api/admin/tenants/default/credentials')
        .set(admin())
        .send({ kind: 'API_TOKEN', name: 'reader', roles: ['PROVISIONING_SEARCH'] })
        .expect(201)
    ).body.secret;
    acmeAdmin = (
      await t.http
        .post('/api/admin/tenants/acme/credentials')
        .set(admin())
        .send({ kind: 'ADMIN_TOKEN', name: 'Acme IT' })
        .expect(201)
    ).body.secret;
  });
  afterAll(() => t.close());

  it('pages every change once, in seq order, resuming from next; data only with form=full', async () => {
    const start = await head();
    const ids = [];
    for (let i = 0; i < 12; i++) ids.push(await scimUser(unique('pager')));
    const seen: Change[] = [];
    let after = start;
    let pages = 0;
    for (;;) {
      const page = await feed({ after, limit: '5' });
      expect(page.changes.length).toBeLessThanOrEqual(5);
      seen.push(...page.changes);
      expect(page.next).toBe(page.changes.at(-1)?.seq ?? after);
      after = page.next;
      pages++;
      if (!page.hasMore) break;
    }
    expect(pages).toBeGreaterThanOrEqual(3);
    const seqs = seen.map((change) => BigInt(change.seq));
    // Contiguous numbers after the start: none skipped, none repeated.
    expect(seqs).toEqual(seqs.map((_, i) => BigInt(start) + BigInt(i + 1)));
    const created = seen.filter((change) => change.resourceType === 'user' && change.type === 'create');
    expect(created.map((change) => change.resourceId)).toEqual(ids);
    expect(created[0].attributes).toEqual(expect.arrayContaining(['userName']));
    expect(created[0]).not.toHaveProperty('data');

    const full = await feed({ after: start, limit: '1', form: 'full' });
    expect(full.hasMore).toBe(true);
    expect(full.changes[0].data).toMatchObject({ id: ids[0] });
    // Nothing after the head: an empty page that says where it is.
    const last = await head();
    await expect(feed({ after: last })).resolves.toEqual({ status: true, changes: [], next: last, hasMore: false });
  });

  it.each([
    [{ after: '-1' }, 'after'],
    [{ after: 'abc' }, 'after'],
    [{ after: '99999999999999999999' }, 'after'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '1001' }, 'limit'],
    [{ wait: '31' }, 'wait'],
    [{ wait: 'soon' }, 'wait'],
    [{ form: 'everything' }, 'form'],
  ])('refuses %j with 400 naming %s', async (query, field) => {
    const res = await t.http.get(CHANGES).query(query).set(api()).expect(400);
    expect(res.body).toMatchObject({ status: false, errors: [{ type: 'VALIDATION', field: [field] }] });
  });

  it('holds a wait until a change arrives, and answers empty when the wait runs out', async () => {
    const after = await head();
    const began = Date.now();
    const held = t.http.get(CHANGES).query({ after, wait: '10' }).set(api());
    const answer = held.then((res) => ({ res, ms: Date.now() - began }));
    await new Promise((resolve) => setTimeout(resolve, 400));
    const id = await scimUser(unique('waiter'));
    const { res, ms } = await answer;
    expect(res.status).toBe(200);
    expect(res.body.changes.map((change: Change) => change.resourceId)).toContain(id);
    expect(ms).toBeGreaterThanOrEqual(400);
    expect(ms).toBeLessThan(5000);

    const quietAfter = res.body.next as string;
    const quietBegan = Date.now();
    const quiet = await feed({ after: quietAfter, wait: '1' });
    expect(quiet).toEqual({ status: true, changes: [], next: quietAfter, hasMore: false });
    expect(Date.now() - quietBegan).toBeGreaterThanOrEqual(950);
  });

  it("answers only the credential's tenant", async () => {
    const acmeUser = await sqlUser('acme', unique('acme-only'));
    const defaultUser = await scimUser(unique('default-only'));
    const acme = await feed({ limit: '1000', form: 'full' }, api(acmeToken, 'acme'));
    const acmeIds = acme.changes.map((change) => change.resourceId);
    expect(acmeIds).toContain(acmeUser);
    expect(acmeIds).not.toContain(defaultUser);
    // The numbering is per tenant: acme's starts at 1.
    expect(acme.changes[0].seq).toBe('1');
    const own = await feed({ after: String(BigInt(await head()) - 1n) });
    expect(own.changes.map((change) => change.resourceId)).not.toContain(acmeUser);
    // acme's token names default: refused, never answered with either tenant's changes.
    await t.http.get(CHANGES).set(api(acmeToken, 'default')).expect(403);
  });

  it('needs PROVISIONING_SEARCH: a search-only token reads, a SCIM secret and no token do not', async () => {
    await feed({}, api(searchToken));
    const scim = await t.http.get(CHANGES).set(api(t.secrets.scimSecret)).expect(403);
    expect(scim.body).toMatchObject({ status: false, error: 'Missing required role: PROVISIONING_SEARCH' });
    await t.http.get(CHANGES).expect(401);
  });

  describe('history', () => {
    let userId: string;
    let departmentId: string;

    beforeAll(async () => {
      userId = await scimUser(unique('history'));
      departmentId = await sqlDepartment('default', unique('history-dept'));
      await db.query(
        "INSERT INTO assignments (user_id, department_id, user_type_id, tenant_id) VALUES ($1, $2, '1', 'default')",
        [userId, departmentId],
      );
      await db.query("UPDATE users SET family_name = 'Byron', version = version + 1 WHERE id = $1", [userId]);
    });

    it("answers a user's own changes and its assignments, newest first, with values", async () => {
      const res = await t.http.get(`/api/admin/tenants/default/users/${userId}/history`).set(admin()).expect(200);
      expect(res.body).toMatchObject({ total: 3, page: 1, hasNext: false });
      const items = res.body.items as Change[];
      expect(items.map((change) => [change.resourceType, change.type])).toEqual([
        ['user', 'patch'],
        ['assignment', 'create'],
        ['user', 'create'],
      ]);
      expect(items[0].attributes).toEqual(['familyName']);
      expect(items[0].data).toEqual({ familyName: 'Byron' });
      expect(items[1]).toMatchObject({ resourceId: departmentId, userId, userTypeId: '1' });
      const paged = await t.http
        .get(`/api/admin/tenants/default/users/${userId}/history`)
        .query({ page: '2', pageSize: '2' })
        .set(admin())
        .expect(200);
      expect(paged.body).toMatchObject({ total: 3, page: 2, pageSize: 2, hasNext: false });
      expect(paged.body.items).toEqual([items[2]]);
    });

    it("answers a department's changes with its assignments", async () => {
      const res = await t.http
        .get(`/api/admin/tenants/default/departments/${departmentId}/history`)
        .set(admin())
        .expect(200);
      expect((res.body.items as Change[]).map((change) => [change.resourceType, change.type])).toEqual([
        ['assignment', 'create'],
        ['department', 'create'],
      ]);
    });

    it('keeps the history of a deleted user; 404 for unknown ids, other tenants and bad page sizes 400', async () => {
      const gone = await scimUser(unique('gone'));
      await t.http.delete(`/scim/v2/Users/${gone}`).set('Authorization', `Bearer ${t.secrets.scimSecret}`).expect(204);
      const res = await t.http.get(`/api/admin/tenants/default/users/${gone}/history`).set(admin()).expect(200);
      expect((res.body.items as Change[]).map((change) => change.type)).toEqual(['delete', 'create']);

      const missing = '00000000-0000-4000-8000-000000000000';
      await t.http.get(`/api/admin/tenants/default/users/${missing}/history`).set(admin()).expect(404);
      await t.http.get(`/api/admin/tenants/default/departments/${missing}/history`).set(admin()).expect(404);
      await t.http.get('/api/admin/tenants/default/users/not-a-uuid/history').set(admin()).expect(404);
      await t.http.get(`/api/admin/tenants/nowhere/users/${userId}/history`).set(admin()).expect(404);
      // acme's TENANT_ADMIN: default's user answers as a missing one; its own tenant's is not this user.
      const other = { Authorization: `Bearer ${acmeAdmin}` };
      const hidden = await t.http.get(`/api/admin/tenants/default/users/${userId}/history`).set(other).expect(404);
      expect(hidden.body.status).toBe(false);
      await t.http.get(`/api/admin/tenants/acme/users/${userId}/history`).set(other).expect(404);
      await t.http
        .get(`/api/admin/tenants/default/users/${userId}/history`)
        .query({ pageSize: '1001' })
        .set(admin())
        .expect(400);
    });
  });

  describe('retention', () => {
    it('deletes old sequenced events up to the lowest stream cursor, never an unsequenced one', async () => {
      const tenant = unique('ret').toLowerCase();
      await t.http.post('/api/admin/tenants').set(admin()).send({ id: tenant, name: 'Retention' }).expect(201);
      // Numbered as three runs: 1, 2, and 3..6 (a set-based write).
      for (let i = 0; i < 2; i++) {
        await sqlUser(tenant, unique('old'));
        await t.app.get(EventSequencer).catchUp();
      }
      await db.query(
        `INSERT INTO users (tenant_id, user_name, email, active, created_by, changed_by)
         SELECT $1, $2 || g, $2 || g, true, 'batch', 'batch' FROM generate_series(1, 4) g`,
        [tenant, unique('old')],
      );
      await t.app.get(EventSequencer).catchUp();
      const numbered: { seq: string }[] = await db.query(
        'SELECT seq::text AS seq FROM change_feed WHERE tenant_id = $1 ORDER BY seq',
        [tenant],
      );
      expect(numbered.map((row) => row.seq)).toEqual(['1', '2', '3', '4', '5', '6']);
      // All six are old; a paused stream has passed 4, an active one 5: 1..4 may go, 5 and 6 stay.
      await db.query("UPDATE change_events SET occurred_on = now() - interval '200 days' WHERE tenant_id = $1", [
        tenant,
      ]);
      await insertStream(tenant, 'paused', 4);
      await insertStream(tenant, 'active', 5);
      // An old event the sequencer has not numbered (written in the same transaction as the
      // retention statement, so no sequencer pass can see it): it stays.
      const unsequencedKept = await db
        .transaction(async (em) => {
          await em.query(
            `INSERT INTO change_events (tenant_id, resource_type, resource_id, event_type, door, occurred_on)
             VALUES ($1, 'user', gen_random_uuid(), 'create', 'system', now() - interval '200 days')`,
            [tenant],
          );
          await t.app.get(FeedRepository).deleteBatchBefore(em, new Date(Date.now() - DAY), 1000);
          const rows: unknown[] = await em.query(
            `SELECT 1 FROM change_events e
              WHERE tenant_id = $1 AND NOT EXISTS (SELECT 1 FROM change_feed f WHERE f.id = e.id)`,
            [tenant],
          );
          throw new Rollback(rows.length);
        })
        .catch((error: unknown) => {
          if (error instanceof Rollback) return error.count;
          throw error;
        });
      expect(unsequencedKept).toBe(1);
      const recent = await sqlUser(tenant, unique('recent'));
      await t.app.get(EventSequencer).catchUp();

      const deleted = await t.app.get(EventRetention).enforce();
      expect(deleted['change events']).toBeGreaterThanOrEqual(4);
      const left: { seq: string; resource_id: string }[] = await db.query(
        'SELECT seq::text AS seq, resource_id FROM change_feed WHERE tenant_id = $1 ORDER BY seq',
        [tenant],
      );
      expect(left.map((row) => row.seq)).toEqual(['5', '6', '7']);
      expect(left[2].resource_id).toBe(recent);
      // The runs of 1 and 2 went with their events; 3..6 stays, holding 5 and 6.
      const runs: unknown[] = await db.query(
        'SELECT first_seq::text AS first, last_seq::text AS last FROM change_runs WHERE tenant_id = $1 ORDER BY last_seq',
        [tenant],
      );
      expect(runs).toEqual([
        { first: '3', last: '6' },
        { first: '7', last: '7' },
      ]);
    });

    async function insertStream(tenantId: string, status: 'active' | 'paused', cursor: number): Promise<void> {
      await db.query(
        `INSERT INTO event_streams (tenant_id, name, delivery, event_types, resource_types, form, status, cursor,
           signing_kid, signing_key_sealed, public_jwk)
         VALUES ($1, $2, 'poll', '{create}', '{user}', 'notice', $3, $4, 'kid', 'sealed', '{}')`,
        [tenantId, unique('stream'), status, cursor],
      );
    }
  });

  it('ends a held request at once when the instance starts stopping', async () => {
    const after = await head();
    const began = Date.now();
    const held = t.http.get(CHANGES).query({ after, wait: '30' }).set(api());
    const answered = held.then((res) => res);
    await new Promise((resolve) => setTimeout(resolve, 300));
    t.app.get(Lifecycle).beginStopping();
    const res = await answered;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: true, changes: [], next: after, hasMore: false });
    expect(Date.now() - began).toBeLessThan(3000);
  });
});
