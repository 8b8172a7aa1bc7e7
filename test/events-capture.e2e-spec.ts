import * as jwt from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { restoredContent, storedChangeOf } from '../src/events/capture/stored-change';
import { randomSecret, startTestApp, TestApp } from './support/test-app';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ACME = 'urn:ietf:params:scim:schemas:extension:acme:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

/** Values that must never reach a change event: each is sent under a secret-looking name below. */
const SECRETS = {
  password: 'Pw-never-in-an-event-1f9c',
  secretToken: 'Tok-never-in-an-event-77ad',
  apiKey: 'Key-never-in-an-event-c0de',
  pin: 'Pin-never-in-an-event-3e3e',
};

interface EventRow {
  id: string;
  tenant_id: string;
  resource_type: string;
  resource_id: string;
  member_id: string | null;
  user_type_id: string | null;
  external_id: string | null;
  version: number | null;
  event_type: string;
  attributes: string[];
  data: Record<string, unknown> | null;
  door: string;
  credential_id: string | null;
  credential_name: string | null;
  correlation_id: string | null;
  transaction_id: string | null;
}

let counter = 0;
const unique = (label: string): string => `${label}-${Date.now().toString(36)}-${++counter}`;

/**
 * Change capture (issue 20): every door's writes leave change events in the same transaction,
 * labelled with the door, the credential, the request's X-Request-Id and (batch) the provisioning
 * transaction; version-only updates leave none; an aborted request leaves none; no secret ever
 * gets into one.
 */
describe('change events: capture through every door', () => {
  let t: TestApp;
  let db: DataSource;
  const partnerSecret = randomSecret('wrapper');
  const scim = () => ({ Authorization: `Bearer ${t.secrets.scimSecret}`, 'Content-Type': 'application/scim+json' });
  const provisioning = () => ({ 'auth-tenant-id': 'default', 'auth-token': t.secrets.apiToken });
  const base = '/api/provisioning/iam';
  const credentials: Record<string, { id: string; name: string }> = {};

  /** The id of the newest event, to read what an action adds after it. */
  const mark = async (): Promise<string> =>
    (await db.query(`SELECT coalesce(max(id), 0)::text AS id FROM change_events`))[0].id;
  /** The rows as readers show them: with what their storage leaves out put back. */
  const eventsAfter = async (after: string): Promise<EventRow[]> => {
    const rows: EventRow[] = await db.query(`SELECT * FROM change_events WHERE id > $1 ORDER BY id`, [after]);
    return rows.map((row) => ({
      ...row,
      ...restoredContent(storedChangeOf(row)),
    }));
  };

  /** Runs `action` and answers the events it wrote. */
  async function captured(action: () => Promise<unknown>): Promise<EventRow[]> {
    const before = await mark();
    await action();
    return eventsAfter(before);
  }

  const credentialOf = async (kind: string): Promise<{ id: string; name: string }> =>
    (
      await db.query(
        `SELECT id, name FROM credentials WHERE tenant_id = 'default' AND kind = $1 AND revoked_on IS NULL LIMIT 1`,
        [kind],
      )
    )[0];

  const by = (door: string, credential: { id: string; name: string }, correlationId: string | null) => ({
    door,
    credential_id: credential.id,
    credential_name: credential.name,
    correlation_id: correlationId,
  });

  beforeAll(async () => {
    t = await startTestApp({ WRAPPER_SECRET_KEY: partnerSecret, WRAPPER_ORG_CODE: 'test-org', RATE_LIMITS: 'off' });
    db = t.app.get(DataSource);
    credentials.scim = await credentialOf('SCIM_SECRET');
    credentials.api = await credentialOf('API_TOKEN');
    credentials.partner = await credentialOf('PARTNER_SECRET');
    for (const credential of Object.values(credentials)) expect(credential.name).toEqual(expect.any(String));
  });
  afterAll(() => t.close());

  describe('SCIM', () => {
    it('labels POST, PATCH, PUT and DELETE of a user, and carries no secret', async () => {
      const userName = unique('scim-user');
      let id = '';
      const created = await captured(async () => {
        const res = await t.http
          .post('/scim/v2/Users')
          .set(scim())
          .set('X-Request-Id', 'req-scim-post')
          .send({
            schemas: [USER, ACME],
            userName,
            externalId: `ext-${userName}`,
            name: { givenName: 'Ada', familyName: 'Lovelace' },
            password: SECRETS.password,
            [ACME]: { costCenter: 'CC-7', secretToken: SECRETS.secretToken },
          })
          .expect(201);
        id = res.body.id;
      });
      expect(created).toEqual([
        expect.objectContaining({
          ...by('scim', credentials.scim, 'req-scim-post'),
          resource_type: 'user',
          resource_id: id,
          event_type: 'create',
          external_id: `ext-${userName}`,
          version: 1,
          transaction_id: null,
        }),
      ]);
      expect(created[0].data).toMatchObject({ id, userName, givenName: 'Ada', familyName: 'Lovelace', active: true });
      expect(created[0].data).not.toHaveProperty('tenantId');
      expect(created[0].data).not.toHaveProperty('version');
      expect(JSON.stringify(created[0].data)).toContain('CC-7');

      const patched = await captured(() =>
        t.http
          .patch(`/scim/v2/Users/${id}`)
          .set(scim())
          .set('X-Request-Id', 'req-scim-patch')
          .send({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'name.givenName', value: 'Augusta' }] })
          .expect(204),
      );
      expect(patched).toEqual([
        expect.objectContaining({
          ...by('scim', credentials.scim, 'req-scim-patch'),
          resource_id: id,
          event_type: 'patch',
          attributes: ['givenName'],
          data: { givenName: 'Augusta' },
          version: 2,
        }),
      ]);

      // active and another attribute in one PATCH: a deactivate event and a patch event.
      const deactivated = await captured(() =>
        t.http
          .patch(`/scim/v2/Users/${id}`)
          .set(scim())
          .send({
            schemas: [PATCH_OP],
            Operations: [
              { op: 'replace', path: 'active', value: false },
              { op: 'replace', path: 'displayName', value: 'A. Lovelace' },
            ],
          })
          .expect(204),
      );
      expect(deactivated.map((e) => [e.event_type, e.attributes, e.data]).sort()).toEqual(
        [
          ['deactivate', ['active'], { active: false }],
          ['patch', ['displayName'], { displayName: 'A. Lovelace' }],
        ].sort(),
      );

      const put = await captured(() =>
        t.http
          .put(`/scim/v2/Users/${id}`)
          .set(scim())
          .set('X-Request-Id', 'req-scim-put')
          .send({
            schemas: [USER],
            userName,
            externalId: `ext-${userName}`,
            active: true,
            name: { givenName: 'Augusta', familyName: 'King' },
            displayName: 'A. Lovelace',
            password: SECRETS.password,
          })
          .expect(200),
      );
      const putTypes = put.map((e) => e.event_type).sort();
      expect(putTypes).toEqual(['activate', 'patch']);
      const putPatch = put.find((e) => e.event_type === 'patch')!;
      expect(putPatch).toMatchObject(by('scim', credentials.scim, 'req-scim-put'));
      expect(putPatch.attributes).toEqual(expect.arrayContaining(['familyName']));
      expect(putPatch.data).toMatchObject({ familyName: 'King' });

      const deleted = await captured(() =>
        t.http.delete(`/scim/v2/Users/${id}`).set(scim()).set('X-Request-Id', 'req-scim-delete').expect(204),
      );
      expect(deleted).toEqual([
        expect.objectContaining({
          ...by('scim', credentials.scim, 'req-scim-delete'),
          resource_id: id,
          event_type: 'delete',
          data: null,
          version: null,
        }),
      ]);
    });

    it('labels Groups membership, writes no event for the version bump, and cascades deletes', async () => {
      const users: string[] = [];
      for (const name of ['g-a', 'g-b']) {
        const res = await t.http
          .post('/scim/v2/Users')
          .set(scim())
          .send({ schemas: [USER], userName: unique(name) })
          .expect(201);
        users.push(res.body.id);
      }
      let group = '';
      const created = await captured(async () => {
        const res = await t.http
          .post('/scim/v2/Groups')
          .set(scim())
          .set('X-Request-Id', 'req-group-post')
          .send({ schemas: [GROUP], displayName: unique('Group'), members: [{ value: users[0] }] })
          .expect(201);
        group = res.body.id;
      });
      expect(created.map((e) => [e.resource_type, e.event_type])).toEqual(
        expect.arrayContaining([
          ['department', 'create'],
          ['assignment', 'create'],
        ]),
      );
      expect(created).toHaveLength(2);
      for (const event of created) expect(event).toMatchObject(by('scim', credentials.scim, 'req-group-post'));
      expect(created.find((e) => e.resource_type === 'assignment')).toMatchObject({
        resource_id: group,
        member_id: users[0],
        data: { userId: users[0], departmentId: group, userTypeId: expect.any(String) },
      });

      // Adding a member bumps the group's version: only the assignment is an event.
      const added = await captured(() =>
        t.http
          .patch(`/scim/v2/Groups/${group}`)
          .set(scim())
          .send({ schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: users[1] }] }] })
          .expect((res) => expect([200, 204]).toContain(res.status)),
      );
      expect(added).toEqual([
        expect.objectContaining({ resource_type: 'assignment', event_type: 'create', member_id: users[1] }),
      ]);

      // Deleting a member user removes its assignment by cascade: both are events.
      const userGone = await captured(() => t.http.delete(`/scim/v2/Users/${users[1]}`).set(scim()).expect(204));
      expect(userGone.map((e) => [e.resource_type, e.event_type, e.resource_id]).sort()).toEqual(
        [
          ['assignment', 'delete', group],
          ['user', 'delete', users[1]],
        ].sort(),
      );

      const groupGone = await captured(() => t.http.delete(`/scim/v2/Groups/${group}`).set(scim()).expect(204));
      expect(groupGone.map((e) => [e.resource_type, e.event_type, e.member_id]).sort()).toEqual(
        [
          ['assignment', 'delete', users[0]],
          ['department', 'delete', null],
        ].sort(),
      );
    });

    it('labels /Bulk operations', async () => {
      const userName = unique('bulk-user');
      const events = await captured(() =>
        t.http
          .post('/scim/v2/Bulk')
          .set(scim())
          .set('X-Request-Id', 'req-bulk')
          .send(
            JSON.stringify({
              schemas: [BULK_REQUEST],
              Operations: [
                {
                  method: 'POST',
                  path: '/Users',
                  bulkId: 'u1',
                  data: { schemas: [USER], userName, password: SECRETS.password },
                },
                {
                  method: 'POST',
                  path: '/Groups',
                  bulkId: 'g1',
                  data: { schemas: [GROUP], displayName: unique('bulk-group'), members: [{ value: 'bulkId:u1' }] },
                },
              ],
            }),
          )
          .expect(200),
      );
      expect(events.map((e) => [e.resource_type, e.event_type]).sort()).toEqual(
        [
          ['assignment', 'create'],
          ['department', 'create'],
          ['user', 'create'],
        ].sort(),
      );
      for (const event of events) expect(event).toMatchObject(by('scim', credentials.scim, 'req-bulk'));
    });

    it('writes no event for a request that fails (409, or a PATCH refused mid-way)', async () => {
      const userName = unique('taken');
      const other = unique('other');
      await t.http
        .post('/scim/v2/Users')
        .set(scim())
        .send({ schemas: [USER], userName: other })
        .expect(201);
      const res = await t.http
        .post('/scim/v2/Users')
        .set(scim())
        .send({ schemas: [USER], userName })
        .expect(201);
      const none = await captured(async () => {
        await t.http
          .post('/scim/v2/Users')
          .set(scim())
          .send({ schemas: [USER], userName })
          .expect(409);
        await t.http
          .patch(`/scim/v2/Users/${res.body.id}`)
          .set(scim())
          .send({
            schemas: [PATCH_OP],
            Operations: [
              { op: 'replace', path: 'displayName', value: 'applied first' },
              { op: 'replace', path: 'userName', value: other },
            ],
          })
          .expect(409);
      });
      expect(none).toEqual([]);
    });
  });

  describe('provisioning', () => {
    it('labels a batch commit with the transaction, its creator and the commit request', async () => {
      const dept = unique('batch-dept');
      const user = unique('batch-user');
      const tx = (await t.http.post(`${base}/checkpoint`).set(provisioning()).expect(200)).body.transactionId;
      await t.http
        .post(`${base}/${tx}/department`)
        .set(provisioning())
        .send([{ externalId: dept, departmentName: 'Batch', active: true }])
        .expect(200);
      await t.http
        .post(`${base}/${tx}/user`)
        .set(provisioning())
        .send([
          {
            externalId: user,
            email: `${user}@example.com`,
            firstName: 'Bat',
            lastName: 'Ch',
            password: SECRETS.password,
            pin: SECRETS.pin,
            userTypes: [{ departmentExternalId: dept, userTypeId: '1' }],
          },
        ])
        .expect(200);
      const events = await captured(async () => {
        await t.http.post(`${base}/${tx}/commit?wait=true`).set(provisioning()).set('X-Request-Id', 'req-commit');
        for (let i = 0; i < 200; i++) {
          const status = (await t.http.get(`${base}/transaction/${tx}/status`).set(provisioning()).expect(200)).body;
          if (['COMPLETED', 'FAILED', 'ROLLED_BACK'].includes(status.transactionStatus)) {
            expect(status.transactionStatus).toBe('COMPLETED');
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        throw new Error('the commit did not end');
      });
      expect(events.map((e) => [e.resource_type, e.event_type, e.external_id]).sort()).toEqual(
        [
          ['assignment', 'create', null],
          ['department', 'create', dept],
          ['user', 'create', user],
        ].sort(),
      );
      for (const event of events) {
        expect(event).toMatchObject({ ...by('batch', credentials.api, 'req-commit'), transaction_id: tx });
      }
      expect(events.find((e) => e.resource_type === 'user')!.data).toMatchObject({
        externalId: user,
        givenName: 'Bat',
        familyName: 'Ch',
      });

      // The same items again: the upsert changes nothing visible, so no event.
      const again = (await t.http.post(`${base}/checkpoint`).set(provisioning()).expect(200)).body.transactionId;
      await t.http
        .post(`${base}/${again}/user`)
        .set(provisioning())
        .send([{ externalId: user, email: `${user}@example.com`, firstName: 'Bat', lastName: 'Ch' }])
        .expect(200);
      const repeat = await captured(() =>
        t.http.post(`${base}/${again}/commit?wait=true&timeoutMs=20000`).set(provisioning()).expect(200),
      );
      expect(repeat.filter((e) => e.resource_type === 'user')).toEqual([]);
    });

    it('labels direct mode', async () => {
      const dept = unique('direct-dept');
      const events = await captured(() =>
        t.http
          .post(`${base}/department`)
          .set(provisioning())
          .set('X-Request-Id', 'req-direct')
          .send([{ externalId: dept, departmentName: 'Direct', apiKey: SECRETS.apiKey }])
          .expect(200),
      );
      expect(events).toEqual([
        expect.objectContaining({
          ...by('direct', credentials.api, 'req-direct'),
          transaction_id: null,
          resource_type: 'department',
          event_type: 'create',
          external_id: dept,
        }),
      ]);
      expect(events[0].data).toMatchObject({ externalId: dept, name: 'Direct', active: true });
      expect(events[0].data).not.toHaveProperty('parentId');
    });

    it('records what a department delete cascades to: its assignments and its children losing their parent', async () => {
      const parent = unique('parent');
      const child = unique('child');
      const member = unique('member');
      await t.http
        .post(`${base}/department`)
        .set(provisioning())
        .send([
          { externalId: child, departmentName: 'Child', parentExternalId: parent },
          { externalId: parent, departmentName: 'Parent' },
        ])
        .expect(200);
      await t.http
        .post(`${base}/user`)
        .set(provisioning())
        .send([
          {
            externalId: member,
            email: `${member}@example.com`,
            firstName: 'Mem',
            lastName: 'Ber',
            userTypes: [{ departmentExternalId: parent, userTypeId: '1' }],
          },
        ])
        .expect(200);
      const [ids] = await db.query(
        `SELECT (SELECT id FROM departments WHERE external_id = $1) AS parent,
                (SELECT id FROM departments WHERE external_id = $2) AS child,
                (SELECT id FROM users WHERE external_id = $3) AS member`,
        [parent, child, member],
      );
      const events = await captured(() =>
        t.http
          .post(`${base}/department`)
          .set(provisioning())
          .set('X-Request-Id', 'req-direct-delete')
          .send([{ externalId: parent, action: 'DELETE' }])
          .expect(200),
      );
      expect(events.map((e) => [e.resource_type, e.event_type, e.resource_id, e.data]).sort()).toEqual(
        [
          ['assignment', 'delete', ids.parent, { userId: ids.member, departmentId: ids.parent, userTypeId: '1' }],
          ['department', 'delete', ids.parent, null],
          ['department', 'patch', ids.child, { parentId: null }],
        ].sort(),
      );
      for (const event of events) expect(event).toMatchObject(by('direct', credentials.api, 'req-direct-delete'));
    });
  });

  describe('partner sync', () => {
    const sync = (body: unknown, requestId: string) =>
      t.http
        .post('/api/admin/users/sync')
        .set(
          'Authorization',
          `Bearer ${jwt.sign({ orgCode: 'test-org' }, partnerSecret, { algorithm: 'HS256', expiresIn: 300 })}`,
        )
        .set('X-Request-Id', requestId)
        .send(body as object);
    const partnerUser = (id: string, extra: Record<string, unknown> = {}) => ({
      externalId: id,
      email: `${id}@example.com`,
      firstName: 'Part',
      lastName: 'Ner',
      role: 'user',
      isActive: true,
      orgCode: 'test-org',
      ...extra,
    });

    it('labels the upsert (create, then update) and the full-reconcile deactivation', async () => {
      const kept = unique('p-keep');
      const gone = unique('p-gone');
      const created = await captured(() =>
        sync(
          {
            mode: 'upsert',
            users: [
              partnerUser(kept, { metadata: { level: 1, apiKey: SECRETS.apiKey } }),
              partnerUser(gone, { password: SECRETS.password }),
            ],
          },
          'req-partner-create',
        ).expect(200),
      );
      expect(created.map((e) => [e.event_type, e.external_id]).sort()).toEqual(
        [
          ['create', kept],
          ['create', gone],
        ].sort(),
      );
      for (const event of created)
        expect(event).toMatchObject(by('partner', credentials.partner, 'req-partner-create'));

      const updated = await captured(() =>
        sync({ mode: 'upsert', users: [partnerUser(kept, { firstName: 'Renamed' })] }, 'req-partner-update').expect(
          200,
        ),
      );
      expect(updated).toEqual([
        expect.objectContaining({
          ...by('partner', credentials.partner, 'req-partner-update'),
          event_type: 'patch',
          external_id: kept,
          attributes: ['givenName'],
          data: { givenName: 'Renamed' },
        }),
      ]);

      const reconciled = await captured(() =>
        sync({ mode: 'full-reconcile', users: [partnerUser(kept, { firstName: 'Renamed' })] }, 'req-reconcile').expect(
          200,
        ),
      );
      const goneEvents = reconciled.filter((e) => e.external_id === gone);
      expect(goneEvents).toEqual([
        expect.objectContaining({
          ...by('partner', credentials.partner, 'req-reconcile'),
          event_type: 'deactivate',
          data: { active: false },
        }),
      ]);
      expect(reconciled.filter((e) => e.external_id === kept)).toEqual([]);
    });
  });

  it('knows every column of users and departments (a new column must be added to the capture)', async () => {
    // migrations/1795800000000-change-events.ts names the columns the triggers compare and show.
    const columns = async (table: string): Promise<string[]> =>
      (
        await db.query(
          `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY 1`,
          [table],
        )
      ).map((row: { column_name: string }) => row.column_name);
    const bookkeeping = ['changed_by', 'created_by', 'created_on', 'tenant_id', 'updated_on', 'version'];
    expect(await columns('users')).toEqual(
      [
        ...bookkeeping,
        'active',
        'attributes',
        'display_name',
        'email',
        'emails',
        'external_id',
        'family_name',
        'given_name',
        'id',
        'metadata',
        'middle_name',
        'phone_number',
        'role',
        'user_name',
      ].sort(),
    );
    expect(await columns('departments')).toEqual(
      [
        ...bookkeeping.filter((c) => !c.endsWith('_by')),
        'active',
        'attributes',
        'external_id',
        'id',
        'name',
        'parent_id',
      ].sort(),
    );
  });

  it('never lets a secret into an event', async () => {
    const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM change_events`);
    expect(count).toBeGreaterThan(10);
    for (const secret of Object.values(SECRETS)) {
      const [{ leaks }] = await db.query(
        `SELECT count(*)::int AS leaks FROM change_events e WHERE to_jsonb(e)::text LIKE '%' || $1 || '%'`,
        [secret],
      );
      expect({ secret, leaks }).toEqual({ secret, leaks: 0 });
    }
  });
});
