import { randomBytes } from 'node:crypto';
import * as jwt from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { DropStoredSecrets1795516000000 } from '../migrations/1795516000000-drop-stored-secrets';
import { RequestLogWriter } from '../src/request-log/request-log.writer';
import { randomSecret, startTestApp, TestApp } from './support/test-app';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ACME = 'urn:acme:params:scim:schemas:extension:acme:2.0:User';

/**
 * Secrets at rest (issue 14, item 3): a spray of distinct secret values through every door and
 * every shape a client may put one in, then a scan of every table of the database for them.
 */
describe('no secret at rest', () => {
  let t: TestApp;
  let db: DataSource;
  const partnerSecret = randomSecret('partner');
  /** Every value sent, by where it was sent: a table that holds one names its door. */
  const sprayed = new Map<string, string>();
  /** A fresh secret value; lower-case, since the request log's search text is lower-cased. */
  const secret = (where: string): string => {
    const value = `sv${randomBytes(10).toString('hex')}`;
    sprayed.set(value, where);
    return value;
  };

  const scim = (): Record<string, string> => ({
    Authorization: `Bearer ${t.secrets.scimSecret}`,
    'Content-Type': 'application/scim+json',
  });
  const provisioning = (): Record<string, string> => ({
    'auth-tenant-id': 'default',
    'auth-token': t.secrets.apiToken,
  });
  const base = '/api/provisioning/iam';

  /** A user body with a secret in every place a client has been seen to put one. */
  const scimUser = (userName: string, where: string): Record<string, unknown> => ({
    schemas: [CORE, ENTERPRISE, ACME],
    userName,
    password: secret(`${where} password`),
    userPassword: secret(`${where} userPassword`),
    pwd: secret(`${where} pwd`),
    clientSecret: secret(`${where} clientSecret`),
    passcode: secret(`${where} passcode`),
    'x-api-key': secret(`${where} x-api-key`),
    nickName: 'Nick',
    name: { givenName: 'Given', familyName: 'Family', password: secret(`${where} name.password`) },
    emails: [{ value: `${userName}`, type: 'work', primary: true, pin: secret(`${where} emails.pin`) }],
    [ENTERPRISE]: {
      employeeNumber: '42',
      pwd: secret(`${where} enterprise pwd`),
      userPassword: secret(`${where} enterprise userPassword`),
    },
    [`${ACME}:clientSecret`]: secret(`${where} acme URN clientSecret`),
    [ACME]: {
      colour: 'blue',
      apiToken: secret(`${where} acme apiToken`),
      keys: [{ privateKey: secret(`${where} acme privateKey`), publicKey: 'public-part' }],
    },
  });

  const userPatch = (where: string): Record<string, unknown> => ({
    schemas: [PATCH_OP],
    Operations: [
      { op: 'replace', path: 'password', value: secret(`${where} password`) },
      { op: 'add', path: 'name.password', value: secret(`${where} name.password`) },
      { op: 'add', path: 'password.value', value: secret(`${where} password.value`) },
      { op: 'add', path: 'userPassword', value: secret(`${where} userPassword`) },
      { op: 'add', path: `${ENTERPRISE}:pwd`, value: secret(`${where} enterprise pwd`) },
      { op: 'add', path: `${ACME}:clientSecret`, value: secret(`${where} acme clientSecret`) },
      { op: 'add', path: 'credentials[type eq "api"].value', value: secret(`${where} credentials filter`) },
      {
        op: 'add',
        value: {
          password: secret(`${where} pathless password`),
          title: 'Engineer',
          [ENTERPRISE]: { department: 'R&D', pwd: secret(`${where} pathless enterprise pwd`) },
          sso: { issuer: 'idp', clientSecret: secret(`${where} pathless sso.clientSecret`) },
        },
      },
      { op: 'replace', path: ENTERPRISE, value: { costCenter: 'C1', apiKey: secret(`${where} extension apiKey`) } },
    ],
  });

  async function ok(request: Promise<{ status: number; body: unknown }>, statuses: number[]): Promise<any> {
    const res = await request;
    if (!statuses.includes(res.status)) throw new Error(`answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async function waitForEnd(tx: string): Promise<any> {
    for (let i = 0; i < 300; i++) {
      const status = (await t.http.get(`${base}/transaction/${tx}/status`).set(provisioning()).expect(200)).body;
      if (['COMPLETED', 'FAILED', 'ROLLED_BACK'].includes(status.transactionStatus)) return status;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`transaction ${tx} did not end`);
  }

  /** Every row of every table of the public schema, as text. */
  async function everyTable(): Promise<string> {
    const tables: { name: string }[] = await db.query(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
    );
    expect(tables.map((table) => table.name)).toEqual(
      expect.arrayContaining(['users', 'departments', 'provisioning_operations', 'request_logs']),
    );
    const texts: string[] = [];
    for (const { name } of tables) {
      const rows: { row: string }[] = await db.query(`SELECT t::text AS row FROM "${name}" t`);
      texts.push(...rows.map((row) => row.row));
    }
    return texts.join('\n');
  }

  /** The sprayed values found in `text`, with where each was sent. */
  const found = (text: string): string[] =>
    [...sprayed].filter(([value]) => text.includes(value)).map(([, where]) => where);

  beforeAll(async () => {
    t = await startTestApp({
      RATE_LIMITS: 'off',
      WRAPPER_SECRET_KEY: partnerSecret,
      WRAPPER_ORG_CODE: 'secret-org',
    });
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  it('stores none of the secrets sent through SCIM, partner sync and provisioning, and answers none', async () => {
    const answers: unknown[] = [];

    // SCIM Users: POST, PUT, PATCH in every path form, a JSON-escaped path, and a PATCH of secrets only.
    const created = await ok(
      t.http.post('/scim/v2/Users').set(scim()).send(scimUser('spray@example.com', 'POST')),
      [201],
    );
    answers.push(created);
    const userId: string = created.id;
    answers.push(
      await ok(t.http.put(`/scim/v2/Users/${userId}`).set(scim()).send(scimUser('spray@example.com', 'PUT')), [200]),
    );
    answers.push(
      await ok(t.http.patch(`/scim/v2/Users/${userId}?attributes=title`).set(scim()).send(userPatch('PATCH')), [200]),
    );
    const escaped = secret('PATCH JSON-escaped path');
    await ok(
      t.http
        .patch(`/scim/v2/Users/${userId}`)
        .set(scim())
        .send(
          `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"add","p\\u0061th":"p\\u0061ssword","value":"${escaped}"},` +
            `{"op":"add","value":{"p\\u0061ssword":"${secret('PATCH JSON-escaped key')}"}}]}`,
        ),
      [204],
    );
    await ok(
      t.http
        .patch(`/scim/v2/Users/${userId}`)
        .set(scim())
        .send({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'password', value: secret('PATCH only') }] }),
      [204],
    );

    // SCIM Groups: POST, PUT, PATCH.
    const group = await ok(
      t.http
        .post('/scim/v2/Groups')
        .set(scim())
        .send({
          schemas: [GROUP],
          displayName: 'Spray Group',
          clientSecret: secret('Group POST clientSecret'),
          settings: { label: 'kept', apiToken: secret('Group POST settings.apiToken') },
          members: [{ value: userId }],
        }),
      [201],
    );
    answers.push(group);
    answers.push(
      await ok(
        t.http
          .put(`/scim/v2/Groups/${group.id}`)
          .set(scim())
          .send({
            schemas: [GROUP],
            displayName: 'Spray Group',
            password: secret('Group PUT password'),
            settings: { label: 'kept', signingKey: secret('Group PUT settings.signingKey') },
          }),
        [200],
      ),
    );
    await ok(
      t.http
        .patch(`/scim/v2/Groups/${group.id}`)
        .set(scim())
        .send({
          schemas: [PATCH_OP],
          Operations: [
            { op: 'add', path: 'secret', value: secret('Group PATCH secret') },
            { op: 'add', path: 'settings.pin', value: secret('Group PATCH settings.pin') },
            { op: 'add', value: { credentials: [secret('Group PATCH credentials')], note: 'kept' } },
            { op: 'add', path: 'members', value: [{ value: userId }] },
          ],
        }),
      [204],
    );

    // Filters and names the request log must mask (nothing is stored but its row).
    await t.http
      .get('/scim/v2/Users')
      .query({ filter: `password eq "${secret('filter in query')}"` })
      .set(scim());
    await t.http
      .post('/scim/v2/Users/.search')
      .set(scim())
      .send({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
        filter: `pwd eq "${secret('filter in .search')}"`,
      });
    await t.http
      .get(
        `/scim/v2/Users?count=1&key=${secret('query key')};sig=${secret('query ;sig')}?code=${secret('query ?code')}`,
      )
      .set(scim())
      .set('X-Hub-Signature', secret('header X-Hub-Signature'))
      .set('Ocp-Apim-Subscription-Key', secret('header Ocp-Apim-Subscription-Key'));

    await t.http
      .post('/oauth/token')
      .type('form')
      .send(
        `grant_type=client_credentials&client_id=nobody&client_secret=${secret('oauth form client_secret')};pin=${secret('oauth form ;pin')}`,
      );

    // Partner sync: metadata at any depth, and fields of the user itself.
    const partnerToken = jwt.sign({ orgCode: 'secret-org' }, partnerSecret, { algorithm: 'HS256', expiresIn: 300 });
    const sync = await ok(
      t.http
        .post('/api/admin/users/sync')
        .set('Authorization', `Bearer ${partnerToken}`)
        .send({
          mode: 'upsert',
          users: [
            {
              externalId: 'partner-spray',
              email: 'partner-spray@example.com',
              orgCode: 'secret-org',
              password: secret('partner user password'),
              pin: secret('partner user pin'),
              metadata: {
                department: 'Engineering',
                password: secret('partner metadata.password'),
                apiToken: secret('partner metadata.apiToken'),
                sso: { provider: 'okta', clientSecret: secret('partner metadata.sso.clientSecret') },
                'sso.clientSecret': secret('partner metadata["sso.clientSecret"]'),
              },
            },
          ],
        }),
      [200],
    );
    answers.push(sync);
    expect(sync).toMatchObject({ success: true });

    // Provisioning: batch queue and commit, then direct mode.
    const tx = (await ok(t.http.post(`${base}/checkpoint`).set(provisioning()), [200])).transactionId as string;
    const queuedDepartments = await ok(
      t.http
        .post(`${base}/${tx}/department`)
        .set(provisioning())
        .send([{ externalId: 'dept-spray', departmentName: 'Spray', apiKey: secret('batch department apiKey') }]),
      [200],
    );
    const queuedUsers = await ok(
      t.http
        .post(`${base}/${tx}/user`)
        .set(provisioning())
        .send([
          {
            firstName: 'Batch',
            lastName: 'User',
            email: 'batch-spray@example.com',
            externalId: 'batch-spray',
            pass: secret('batch user pass'),
            pin: secret('batch user pin'),
            password: secret('batch user password'),
            userTypes: [
              { departmentExternalId: 'dept-spray', userTypeId: '1', secret: secret('batch userTypes.secret') },
            ],
          },
        ]),
      [200],
    );
    answers.push(queuedDepartments, queuedUsers);
    expect(
      [...queuedDepartments.operations, ...queuedUsers.operations].map((op: { status: boolean }) => op.status),
    ).toEqual([true, true]);
    await ok(t.http.post(`${base}/${tx}/commit`).set(provisioning()), [200, 202]);
    const status = await waitForEnd(tx);
    answers.push(status);
    expect(status).toMatchObject({ transactionStatus: 'COMPLETED', completedOperations: 2, failedOperations: 0 });

    const direct = await ok(
      t.http
        .post(`${base}/user`)
        .set(provisioning())
        .send([
          {
            firstName: 'Direct',
            lastName: 'User',
            email: 'direct-spray@example.com',
            externalId: 'direct-spray',
            pass: secret('direct user pass'),
            pin: secret('direct user pin'),
            passwd: secret('direct user passwd'),
          },
        ]),
      [200, 201],
    );
    answers.push(direct);

    // What the directory answers now: nothing secret, everything else kept.
    const user = await ok(t.http.get(`/scim/v2/Users/${userId}`).set(scim()), [200]);
    const groupNow = await ok(t.http.get(`/scim/v2/Groups/${group.id}`).set(scim()), [200]);
    const list = await ok(t.http.get('/scim/v2/Users').set(scim()), [200]);
    const batchUsers = await ok(t.http.get(`${base}/user`).set(provisioning()), [200]);
    answers.push(user, groupNow, list, batchUsers);
    expect(user).toMatchObject({
      nickName: 'Nick',
      title: 'Engineer',
      name: { givenName: 'Given', familyName: 'Family' },
      [ENTERPRISE]: { costCenter: 'C1' },
      [ACME]: { colour: 'blue', keys: [{ publicKey: 'public-part' }] },
    });
    expect(groupNow).toMatchObject({ settings: { label: 'kept' }, note: 'kept', members: [{ value: userId }] });
    const [partnerRow] = await db.query(`SELECT metadata FROM users WHERE external_id = 'partner-spray'`);
    expect(partnerRow.metadata).toEqual({ department: 'Engineering', sso: { provider: 'okta' } });
    const batchRows: { external_id: string }[] = await db.query(
      `SELECT external_id FROM users WHERE external_id IN ('batch-spray', 'direct-spray') ORDER BY external_id`,
    );
    expect(batchRows.map((row) => row.external_id)).toEqual(['batch-spray', 'direct-spray']);

    expect(found(JSON.stringify(answers))).toEqual([]);

    await t.app.get(RequestLogWriter).flush();
    const stored = await everyTable();
    // The scan reads what was written: the spray's own rows are there.
    expect(stored).toContain('partner-spray@example.com');
    expect(stored).toContain('[REDACTED]');
    expect(sprayed.size).toBeGreaterThan(60);
    expect(found(stored)).toEqual([]);
  });

  it('removes, on upgrade, the secrets that earlier versions stored, and keeps the rest', async () => {
    const legacy = secret('legacy attributes');
    const legacyMetadata = secret('legacy metadata');
    const legacyPayload = secret('legacy payload');
    // Written as an earlier version wrote it: before change capture existed (its migration runs
    // after the one that drops stored secrets), so no change event records it.
    const [user] = await db.transaction(async (em) => {
      await em.query(`ALTER TABLE users DISABLE TRIGGER users_change_created`);
      const inserted = await em.query(
        `INSERT INTO users (tenant_id, user_name, attributes, metadata, created_by, changed_by)
         VALUES ('default', 'legacy@example.com', $1::jsonb, $2::jsonb, 'scim', 'scim') RETURNING id`,
        [
          JSON.stringify({ nickName: 'Old', [ENTERPRISE]: { pwd: legacy, department: 'D' } }),
          JSON.stringify({ sso: { clientSecret: legacyMetadata, issuer: 'i' } }),
        ],
      );
      await em.query(`ALTER TABLE users ENABLE TRIGGER users_change_created`);
      return inserted;
    });
    const [operation] = await db.query(
      `SELECT transaction_id, order_id FROM provisioning_operations WHERE payload IS NOT NULL LIMIT 1`,
    );
    await db.query(
      `UPDATE provisioning_operations SET payload = payload || $3::jsonb WHERE transaction_id = $1 AND order_id = $2`,
      [operation.transaction_id, operation.order_id, JSON.stringify({ pin: legacyPayload })],
    );
    expect(found(await everyTable())).toEqual(
      expect.arrayContaining(['legacy attributes', 'legacy metadata', 'legacy payload']),
    );

    const runner = db.createQueryRunner();
    try {
      await new DropStoredSecrets1795516000000().up(runner);
    } finally {
      await runner.release();
    }

    expect(found(await everyTable())).toEqual([]);
    const [row] = await db.query(`SELECT attributes, metadata FROM users WHERE id = $1`, [user.id]);
    expect(row).toEqual({
      attributes: { nickName: 'Old', [ENTERPRISE]: { department: 'D' } },
      metadata: { sso: { issuer: 'i' } },
    });
  });
});
