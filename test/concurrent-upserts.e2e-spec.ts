import * as jwt from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { randomSecret, startTestApp, TestApp } from './support/test-app';

/**
 * Two or more upserts of the same new user (or department) at once, through every door that
 * upserts: every request succeeds, one row exists, and it holds one writer's fields whole. Each
 * round uses new keys, so every round is a race between creators.
 */
// The embedded database runs one statement at a time, so no race happens there: a few rounds show
// nothing regressed, and the real races run on PostgreSQL.
const ROUNDS = Number(process.env.RACE_ROUNDS ?? (process.env.DATABASE_URL ? 20 : 3));

type Door = 'batch' | 'direct' | 'partner';

interface UserWriter {
  door: Door;
  firstName: string;
  email: string;
}

describe('concurrent upserts of one new user or department', () => {
  let t: TestApp;
  let headers: Record<string, string>;
  const base = '/api/provisioning/iam';
  const partnerSecret = randomSecret('wrapper');
  const db = (): DataSource => t.app.get(DataSource);

  beforeAll(async () => {
    t = await startTestApp({
      RATE_LIMITS: 'off',
      JOB_CONCURRENCY: '4',
      WRAPPER_SECRET_KEY: partnerSecret,
      WRAPPER_ORG_CODE: 'race-org',
    });
    headers = { 'auth-tenant-id': 'default', 'auth-token': t.secrets.apiToken };
  });
  afterAll(() => t.close());

  function userItem(externalId: string, writer: UserWriter): Record<string, unknown> {
    return {
      externalId,
      email: writer.email,
      firstName: writer.firstName,
      lastName: `${writer.door}-last`,
      active: true,
    };
  }

  /** A transaction holding `items`, queued and ready to commit. */
  async function prepared(kind: 'user' | 'department', items: unknown[]): Promise<string> {
    const tx = (await t.http.post(`${base}/checkpoint`).set(headers).expect(200)).body.transactionId as string;
    const queued = await t.http.post(`${base}/${tx}/${kind}`).set(headers).send(items).expect(200);
    expect(queued.body.operations.every((op: { status: boolean }) => op.status)).toBe(true);
    return tx;
  }

  /** Commits and waits for the end; answers the failures a client would read. */
  async function commit(tx: string, operations: number): Promise<unknown[]> {
    const res = await t.http.post(`${base}/${tx}/commit?wait=true&timeoutMs=60000`).set(headers).expect(200);
    expect(res.body).toMatchObject({ transactionStatus: 'COMPLETED', successfulOperations: operations });
    return res.body.errors;
  }

  /** Direct mode; answers the errors and each item's action. */
  async function direct(
    kind: 'user' | 'department',
    items: unknown[],
  ): Promise<{ errors: unknown[]; actions: string[] }> {
    const res = await t.http.post(`${base}/${kind}`).set(headers).send(items);
    expect(res.status).toBeLessThan(300);
    return { errors: res.body.errors, actions: res.body.results.map((r: { action: string }) => r.action) };
  }

  async function partner(externalId: string, writer: UserWriter): Promise<{ errors: unknown[]; actions: string[] }> {
    const token = jwt.sign({ orgCode: 'race-org' }, partnerSecret, { algorithm: 'HS256', expiresIn: 300 });
    const res = await t.http
      .post('/api/admin/users/sync')
      .set('Authorization', `Bearer ${token}`)
      .send({
        mode: 'upsert',
        users: [
          {
            externalId,
            email: writer.email,
            firstName: writer.firstName,
            lastName: `${writer.door}-last`,
            isActive: true,
            orgCode: 'race-org',
          },
        ],
      })
      .expect(200);
    return {
      errors: res.body.data.summary.errors,
      actions: res.body.data.results.map((r: { status: string }) => (r.status === 'created' ? 'CREATE' : 'UPDATE')),
    };
  }

  /**
   * Runs the writers of one user at once. Batch transactions are queued first and only their
   * commits are raced, so all writers reach the directory together.
   */
  async function raceUser(externalId: string, writers: UserWriter[]): Promise<void> {
    const txs = await Promise.all(
      writers.map((writer) =>
        writer.door === 'batch' ? prepared('user', [userItem(externalId, writer)]) : Promise.resolve(''),
      ),
    );
    const answers = await Promise.all(
      writers.map(async (writer, i) => {
        if (writer.door === 'batch') return { errors: await commit(txs[i], 1), actions: [] as string[] };
        if (writer.door === 'direct') return direct('user', [userItem(externalId, writer)]);
        return partner(externalId, writer);
      }),
    );
    expect(answers.map((answer) => answer.errors)).toEqual(writers.map(() => []));
    // Where the door says what it did, at most one writer created the user.
    const creates = answers.flatMap((answer) => answer.actions).filter((action) => action === 'CREATE');
    expect(creates.length).toBeLessThanOrEqual(1);

    const rows: Record<string, unknown>[] = await db().query(
      `SELECT given_name, family_name, changed_by, version FROM users
        WHERE tenant_id = 'default' AND (external_id = $1 OR lower(user_name) = lower($2))`,
      [externalId, writers[0].email],
    );
    expect(rows).toHaveLength(1);
    // Every writer applied once, and the row is the last one's whole, not a mix.
    expect(rows[0].version).toBe(writers.length);
    const last = writers.find((writer) => writer.firstName === rows[0].given_name);
    expect(last).toBeDefined();
    // Direct mode is the batch API's front door without a transaction.
    const frontDoor = last!.door === 'partner' ? 'partner' : 'batch';
    expect(rows[0]).toMatchObject({ family_name: `${last!.door}-last`, changed_by: frontDoor });
  }

  const writersOf = (round: number, doors: Door[]): UserWriter[] =>
    doors.map((door, i) => ({
      door,
      firstName: `${door}-${i}`,
      // userName uniqueness ignores case: one writer shouts.
      email:
        i % 2 === 0 ? `race-${round}-${doors.join('')}@example.com` : `RACE-${round}-${doors.join('')}@Example.COM`,
    }));

  it(`user: two transactions committed at once (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      await raceUser(`race-batch-${round}`, writersOf(round, ['batch', 'batch']));
    }
  }, 300_000);

  it(`user: direct mode, three requests at once (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      await raceUser(`race-direct-${round}`, writersOf(round, ['direct', 'direct', 'direct']));
    }
  }, 300_000);

  it(`user: partner sync, two requests at once (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      await raceUser(`race-partner-${round}`, writersOf(round, ['partner', 'partner']));
    }
  }, 300_000);

  it(`user: a commit, a direct request and a partner sync at once (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      await raceUser(`race-mixed-${round}`, writersOf(round, ['batch', 'direct', 'partner']));
    }
  }, 300_000);

  it(`user: a SCIM create and a partner sync of one email at once (${ROUNDS} rounds)`, async () => {
    // A SCIM create is not an upsert: it may lose (409 uniqueness). The partner matches by email,
    // so it must update the SCIM user when that one wins, as it would a moment later.
    const outcomes = { scimCreated: 0, scimRefused: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const email = `race-scim-${round}@example.com`;
      const [scim, synced] = await Promise.all([
        t.http
          .post('/scim/v2/Users')
          .set('Authorization', `Bearer ${t.secrets.scimSecret}`)
          .set('Content-Type', 'application/scim+json')
          .send(
            JSON.stringify({
              schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
              userName: email.toUpperCase(),
              emails: [{ value: email, type: 'work', primary: true }],
              name: { givenName: 'scim-0', familyName: 'scim-last' },
            }),
          ),
        partner(`race-scim-${round}`, { door: 'partner', firstName: 'partner-1', email }),
      ]);
      expect(synced.errors).toEqual([]);
      if (scim.status === 201) outcomes.scimCreated++;
      else {
        expect(scim.status).toBe(409);
        expect(scim.body).toMatchObject({ status: '409', scimType: 'uniqueness' });
        outcomes.scimRefused++;
      }
      const rows: Record<string, unknown>[] = await db().query(
        `SELECT external_id FROM users WHERE tenant_id = 'default' AND lower(user_name) = $1`,
        [email],
      );
      expect(rows).toEqual([{ external_id: `race-scim-${round}` }]);
    }
    expect(outcomes.scimCreated + outcomes.scimRefused).toBe(ROUNDS);
  }, 300_000);

  /** A parent and its child, both new: the child's row points at the parent its writer chose. */
  function departmentItems(round: number, writer: string): Record<string, unknown>[] {
    return [
      { externalId: `race-parent-${round}`, departmentName: `Parent ${writer}`, parentExternalId: null },
      {
        externalId: `race-child-${round}`,
        departmentName: `Child ${writer}`,
        parentExternalId: `race-parent-${round}`,
      },
    ];
  }

  async function raceDepartments(round: number, doors: ('batch' | 'direct')[]): Promise<void> {
    const writers = doors.map((door, i) => `${door}-${i}`);
    const txs = await Promise.all(
      doors.map((door, i) =>
        door === 'batch' ? prepared('department', departmentItems(round, writers[i])) : Promise.resolve(''),
      ),
    );
    const answers = await Promise.all(
      doors.map(async (door, i) =>
        door === 'batch'
          ? { errors: await commit(txs[i], 2), actions: [] as string[] }
          : direct('department', departmentItems(round, writers[i])),
      ),
    );
    expect(answers.map((answer) => answer.errors)).toEqual(doors.map(() => []));
    const rows: { external_id: string; name: string; parent_external_id: string | null }[] = await db().query(
      `SELECT d.external_id, d.name, p.external_id AS parent_external_id
         FROM departments d LEFT JOIN departments p ON p.id = d.parent_id
        WHERE d.tenant_id = 'default' AND d.external_id = ANY($1::text[]) ORDER BY d.external_id DESC`,
      [[`race-parent-${round}`, `race-child-${round}`]],
    );
    expect(rows.map((row) => [row.external_id, row.parent_external_id])).toEqual([
      [`race-parent-${round}`, null],
      [`race-child-${round}`, `race-parent-${round}`],
    ]);
    expect(writers.map((writer) => `Parent ${writer}`)).toContain(rows[0].name);
    expect(writers.map((writer) => `Child ${writer}`)).toContain(rows[1].name);
  }

  it(`department: two transactions committed at once (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) await raceDepartments(round, ['batch', 'batch']);
  }, 300_000);

  it(`department: direct mode, three requests at once (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) await raceDepartments(100 + round, ['direct', 'direct', 'direct']);
  }, 300_000);

  it(`department: a commit and a direct request at once (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) await raceDepartments(200 + round, ['batch', 'direct']);
  }, 300_000);
});
