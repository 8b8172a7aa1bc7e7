import * as jwt from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { randomSecret, startTestApp, TestApp } from './support/test-app';

const CHANGES = '/api/provisioning/iam/changes';
const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const SCIM_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** Columns the events leave out of `data` (design §1): bookkeeping, not state. */
const NOT_IN_EVENTS = ['tenant_id', 'version', 'created_on', 'updated_on', 'created_by', 'changed_by'];

interface Change {
  seq: string;
  type: 'create' | 'patch' | 'delete' | 'activate' | 'deactivate';
  resourceType: 'user' | 'department' | 'assignment';
  resourceId: string;
  userId?: string;
  userTypeId?: string;
  attributes: string[];
  data?: Record<string, unknown> | null;
}

type Row = Record<string, unknown>;

const d = process.env.DATABASE_URL ? describe : describe.skip;

/**
 * Issue 20: a consumer that pages the feed (form=full) while every door writes, then rebuilds
 * users, departments and assignments from the events alone, ends exactly where the database is.
 */
d('change feed: a consumer rebuilds the directory from the events alone', () => {
  let t: TestApp;
  let db: DataSource;
  const partnerSecret = randomSecret('wrapper');
  const api = (): Record<string, string> => ({ 'auth-tenant-id': 'default', 'auth-token': t.secrets.apiToken });
  const scim = (method: 'post' | 'patch' | 'delete', path: string, body?: unknown) => {
    const req = t.http[method](`/scim/v2${path}`)
      .set('Authorization', `Bearer ${t.secrets.scimSecret}`)
      .set('Content-Type', 'application/scim+json');
    return body === undefined ? req : req.send(JSON.stringify(body));
  };
  const partner = (body: unknown) =>
    t.http
      .post('/api/admin/users/sync')
      .set(
        'Authorization',
        `Bearer ${jwt.sign({ orgCode: 'test-org' }, partnerSecret, { algorithm: 'HS256', expiresIn: 300 })}`,
      )
      .send(body as object);

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMITS: 'off', WRAPPER_SECRET_KEY: partnerSecret, WRAPPER_ORG_CODE: 'test-org' });
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  /** SCIM users and groups: creates, patches (attributes, active), members added and removed, deletes. */
  async function scimLoad(round: number): Promise<void> {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await scim('post', '/Users', {
        schemas: [SCIM_USER],
        userName: `scim-${round}-${i}@example.com`,
        externalId: `scim-${round}-${i}`,
        name: { givenName: `Given${i}`, familyName: `Family${i}` },
        emails: [{ value: `scim-${round}-${i}@example.com`, primary: true }],
      }).expect(201);
      ids.push(res.body.id);
    }
    const group = await scim('post', '/Groups', {
      schemas: [SCIM_GROUP],
      displayName: `group-${round}`,
      members: ids.slice(0, 4).map((value) => ({ value })),
    }).expect(201);
    const other = await scim('post', '/Groups', { schemas: [SCIM_GROUP], displayName: `other-${round}` }).expect(201);
    await Promise.all([
      ...ids.slice(0, 6).map((id, i) =>
        scim('patch', `/Users/${id}`, {
          schemas: [PATCH_OP],
          Operations: [
            { op: 'replace', path: 'name.familyName', value: `Changed${i}` },
            ...(i % 2 === 0 ? [{ op: 'replace', path: 'active', value: false }] : []),
          ],
        }).expect((res) => expect([200, 204]).toContain(res.status)),
      ),
      scim('patch', `/Groups/${group.body.id}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'add', path: 'members', value: ids.slice(4, 8).map((value) => ({ value })) },
          { op: 'remove', path: `members[value eq "${ids[0]}"]` },
        ],
      }).expect((res) => expect([200, 204]).toContain(res.status)),
      scim('patch', `/Groups/${other.body.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'add', path: 'members', value: ids.slice(2, 5).map((value) => ({ value })) }],
      }).expect((res) => expect([200, 204]).toContain(res.status)),
    ]);
    await Promise.all(ids.slice(9).map((id) => scim('delete', `/Users/${id}`).expect(204)));
    // A group deleted with its members: the assignments go by cascade.
    await scim('delete', `/Groups/${other.body.id}`).expect(204);
  }

  /** A batch transaction: departments and users with assignments, committed by the job. */
  async function batchLoad(): Promise<void> {
    const base = '/api/provisioning/iam';
    const tx = (await t.http.post(`${base}/checkpoint`).set(api()).expect(200)).body.transactionId as string;
    await t.http
      .post(`${base}/${tx}/department`)
      .set(api())
      .send([
        { externalId: 'b-root', departmentName: 'Batch root', active: true, parentExternalId: null },
        { externalId: 'b-child', departmentName: 'Batch child', active: true, parentExternalId: 'b-root' },
      ])
      .expect(200);
    await t.http
      .post(`${base}/${tx}/user`)
      .set(api())
      .send(
        Array.from({ length: 8 }, (_, i) => ({
          firstName: 'Batch',
          lastName: `User${i}`,
          email: `batch-${i}@example.com`,
          externalId: `batch-${i}`,
          active: true,
          matchOnField: 'EXTERNAL_ID',
          userTypes: [{ departmentExternalId: i % 2 ? 'b-root' : 'b-child', userTypeId: '1' }],
        })),
      )
      .expect(200);
    const commit = await t.http.post(`${base}/${tx}/commit`).set(api());
    expect([200, 202]).toContain(commit.status);
    for (let i = 0; i < 600; i++) {
      const status = (await t.http.get(`${base}/transaction/${tx}/status`).set(api()).expect(200)).body;
      if (status.transactionStatus === 'COMPLETED') return;
      if (['FAILED', 'ROLLED_BACK'].includes(status.transactionStatus)) throw new Error(JSON.stringify(status));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`transaction ${tx} did not end`);
  }

  /** Partner sync: an upsert, then a full reconcile that keeps only some of them. */
  async function partnerLoad(): Promise<void> {
    const user = (id: string, firstName = 'Partner') => ({
      externalId: id,
      email: `${id}@example.com`,
      firstName,
      lastName: 'Sync',
      role: 'user',
      isActive: true,
      orgCode: 'test-org',
    });
    await partner({ mode: 'upsert', users: ['p-1', 'p-2', 'p-3', 'p-4', 'p-5'].map((id) => user(id)) }).expect(200);
    await partner({ mode: 'full-reconcile', users: [user('p-1', 'Kept'), user('p-2'), user('p-6')] }).expect(200);
  }

  it('sees every change once, in order, and rebuilds users, departments and assignments exactly', async () => {
    const users = new Map<string, Row>();
    const departments = new Map<string, Row>();
    const assignments = new Set<string>();
    const seen: bigint[] = [];
    let after = '0';
    let loadDone = false;
    let pagesDuringLoad = 0;

    const apply = (change: Change): void => {
      if (change.resourceType === 'assignment') {
        const key = `${change.userId}|${change.resourceId}|${change.userTypeId}`;
        if (change.type === 'create') assignments.add(key);
        else if (change.type === 'delete') assignments.delete(key);
        return;
      }
      const table = change.resourceType === 'user' ? users : departments;
      if (change.type === 'create') table.set(change.resourceId, { ...(change.data as Row) });
      else if (change.type === 'delete') table.delete(change.resourceId);
      else {
        const row = table.get(change.resourceId);
        if (!row) throw new Error(`${change.type} of unknown ${change.resourceType} ${change.resourceId}`);
        for (const [key, value] of Object.entries(change.data ?? {})) {
          if (key === 'attributes' && value && typeof value === 'object') {
            const attributes = { ...((row.attributes as Row | null) ?? {}) };
            for (const [name, attribute] of Object.entries(value as Row)) {
              if (attribute === null) delete attributes[name];
              else attributes[name] = attribute;
            }
            row.attributes = attributes;
          } else row[key] = value;
        }
      }
    };

    const consume = async (): Promise<void> => {
      for (;;) {
        const res = await t.http
          .get(CHANGES)
          .query({ after, limit: '97', form: 'full', wait: '1' })
          .set(api())
          .expect(200);
        for (const change of res.body.changes as Change[]) {
          seen.push(BigInt(change.seq));
          apply(change);
        }
        after = res.body.next;
        if (!loadDone && res.body.changes.length > 0) pagesDuringLoad++;
        if (loadDone && !res.body.hasMore && res.body.changes.length === 0) return;
      }
    };

    const consumer = consume();
    await Promise.all([scimLoad(1), scimLoad(2), batchLoad(), partnerLoad()]);
    loadDone = true;
    await consumer;

    // The consumer read while the doors wrote, not only after.
    expect(pagesDuringLoad).toBeGreaterThan(2);
    // Every seq from 1 to the last, each once.
    expect(seen.length).toBeGreaterThan(100);
    expect(seen).toEqual(seen.map((_, i) => BigInt(i + 1)));

    const stateOf = async (table: string): Promise<Map<string, Row>> => {
      const rows: { id: string; row: Row }[] = await db.query(
        `SELECT id, to_jsonb(t) - $2::text[] AS row FROM ${table} t WHERE tenant_id = $1`,
        ['default', NOT_IN_EVENTS],
      );
      return new Map(rows.map(({ id, row }) => [id, camelKeys(row)]));
    };
    expect(sorted(users)).toEqual(sorted(await stateOf('users')));
    expect(sorted(departments)).toEqual(sorted(await stateOf('departments')));
    const stored: { key: string }[] = await db.query(
      `SELECT user_id || '|' || department_id || '|' || user_type_id AS key FROM assignments WHERE tenant_id = 'default'`,
    );
    expect([...assignments].sort()).toEqual(stored.map((row) => row.key).sort());
    expect(assignments.size).toBeGreaterThan(10);
  });
});

function camelKeys(row: Row): Row {
  return Object.fromEntries(
    Object.entries(row).map(([key, value]) => [key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), value]),
  );
}

/**
 * A create carries the attributes a resource has: none that is null or an empty object (design
 * §1). Both sides are compared in that form, so an attribute patched to null and one never set
 * compare alike, as they are alike in the database.
 */
function sorted(map: Map<string, Row>): [string, Row][] {
  const present = (value: unknown): boolean =>
    value !== null && !(typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0);
  return [...map.entries()]
    .map(([id, row]): [string, Row] => [id, Object.fromEntries(Object.entries(row).filter(([, v]) => present(v)))])
    .sort(([a], [b]) => a.localeCompare(b));
}
