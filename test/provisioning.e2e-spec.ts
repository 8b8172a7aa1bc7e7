import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from './support/test-app';

describe('provisioning transactions', () => {
  let t: TestApp;
  let headers: Record<string, string>;
  const base = '/api/provisioning/iam';

  async function checkpoint(): Promise<string> {
    const res = await t.http.post(`${base}/checkpoint`).set(headers).expect(200);
    expect(res.body).toEqual({
      status: true,
      transactionId: expect.any(String),
      message: 'Checkpoint created successfully',
    });
    return res.body.transactionId;
  }

  async function queue(tx: string, kind: 'department' | 'user', items: unknown[]): Promise<any> {
    return (await t.http.post(`${base}/${tx}/${kind}`).set(headers).send(items).expect(200)).body;
  }

  /** Commits and waits, as the quick start's poll loop does. */
  async function commitAndWait(tx: string, query = ''): Promise<any> {
    const commit = await t.http.post(`${base}/${tx}/commit${query}`).set(headers);
    expect([200, 202]).toContain(commit.status);
    return waitForEnd(tx);
  }

  async function waitForEnd(tx: string): Promise<any> {
    for (let i = 0; i < 300; i++) {
      const status = (await t.http.get(`${base}/transaction/${tx}/status`).set(headers).expect(200)).body;
      if (['COMPLETED', 'FAILED', 'ROLLED_BACK'].includes(status.transactionStatus)) return status;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`transaction ${tx} did not end`);
  }

  async function waitForJob(jobId: string): Promise<any> {
    for (let i = 0; i < 300; i++) {
      const job = await t.http.get(`/api/user/job/${jobId}`).set(headers).expect(200);
      if (!['NOT_STARTED', 'STARTED'].includes(job.body.value.status)) return job;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`job ${jobId} did not end`);
  }

  const db = (): DataSource => t.app.get(DataSource);

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMITS: 'off' });
    headers = { 'auth-tenant-id': 'default', 'auth-token': t.secrets.apiToken };
  });
  afterAll(() => t.close());

  it("runs the quick start's flow as written", async () => {
    const tx = await checkpoint();
    const departments = await queue(tx, 'department', [
      { externalId: 'dept-engineering', departmentName: 'Engineering', active: true, parentExternalId: null },
    ]);
    expect(departments).toEqual({
      status: true,
      transactionId: tx,
      operationsQueued: 1,
      operations: [{ status: true, transactionId: tx, orderId: 1, message: 'Department operation queued' }],
    });
    const users = await queue(tx, 'user', [
      {
        firstName: 'Jane',
        lastName: 'Smith',
        email: 'jane.smith@company.com',
        externalId: 'user-jane-001',
        active: true,
        matchOnField: 'EXTERNAL_ID',
        userTypes: [{ departmentExternalId: 'dept-engineering', userTypeId: '1' }],
      },
    ]);
    expect(users.operations).toEqual([
      { status: true, transactionId: tx, orderId: 2, message: 'User operation queued' },
    ]);
    const commit = await t.http.post(`${base}/${tx}/commit`).set(headers).expect(202);
    expect(commit.body).toEqual({
      status: true,
      transactionId: tx,
      jobId: expect.any(String),
      message: 'Transaction commit has been scheduled for background processing.',
    });
    const status = await waitForEnd(tx);
    expect(status).toMatchObject({
      status: true,
      transactionId: tx,
      transactionStatus: 'COMPLETED',
      totalOperations: 2,
      completedOperations: 2,
      failedOperations: 0,
      failures: null,
      createdOn: expect.any(String),
      committedOn: expect.any(String),
      completedOn: expect.any(String),
    });
    // The runner ends the job's own record after the handler returns, in its next transaction:
    // the transaction's COMPLETED can be seen a moment before the job's DONE.
    const job = await waitForJob(commit.body.jobId);
    expect(job.body.value).toMatchObject({
      id: commit.body.jobId,
      version: 'V1',
      tenantId: 'default',
      status: 'DONE',
      donePercentage: 100,
      job: { type: 'EXECUTE_IAM_COMMIT_TRANSACTION_JOB', tenantId: 'default', transactionId: tx },
      results: {
        totalDepartments: 1,
        totalUsers: 1,
        successfulDepartments: 1,
        successfulUsers: 1,
        failedDepartments: 0,
        failedUsers: 0,
      },
    });
    expect(job.body.value.updates.map((update: { message: string }) => update.message)).toEqual(
      expect.arrayContaining(['Processing departments: 1/1 completed', 'Processing users: 1/1 completed']),
    );
    const [user] = await db().query(
      `SELECT user_name, created_by, external_id FROM users WHERE external_id = 'user-jane-001'`,
    );
    expect(user).toEqual({ user_name: 'jane.smith@company.com', created_by: 'batch', external_id: 'user-jane-001' });
    const [assignment] = await db().query(
      `SELECT d.external_id, a.user_type_id FROM assignments a JOIN departments d ON d.id = a.department_id JOIN users u ON u.id = a.user_id WHERE u.external_id = 'user-jane-001'`,
    );
    expect(assignment).toEqual({ external_id: 'dept-engineering', user_type_id: '1' });
  });

  it('serves every route alias, with one orderId sequence across requests', async () => {
    const tx = await checkpoint();
    const a = await t.http
      .post(`${base}/department/sync/${tx}`)
      .set(headers)
      .send([{ externalId: 'alias-a', departmentName: 'A' }])
      .expect(200);
    const b = await t.http
      .post(`${base}/department?transactionId=${tx}`)
      .set(headers)
      .send([{ externalId: 'alias-b', departmentName: 'B' }])
      .expect(200);
    const c = await t.http
      .post(`${base}/user/sync/${tx}`)
      .set(headers)
      .send([{ externalId: 'alias-u1', email: 'alias1@example.com' }])
      .expect(200);
    const d = await t.http
      .post(`${base}/user?transactionId=${tx}`)
      .set(headers)
      .send([{ externalId: 'alias-u2', email: 'alias2@example.com' }])
      .expect(200);
    expect([a, b, c, d].map((res) => res.body.operations[0].orderId)).toEqual([1, 2, 3, 4]);
    const first = await t.http.post(`${base}/transaction/${tx}/commit`).set(headers).expect(202);
    const again = await t.http.post(`${base}/commit?transactionId=${tx}`).set(headers).expect(202);
    expect(again.body.jobId).toBe(first.body.jobId);
    expect((await waitForEnd(tx)).completedOperations).toBe(4);
    const third = await t.http.post(`${base}/${tx}/commit`).set(headers).expect(202);
    expect(third.body.jobId).toBe(first.body.jobId);
  });

  it('records each kind of failure as seed 001 shows it', async () => {
    const seed = await checkpoint();
    await queue(seed, 'user', [{ externalId: 'holder', email: 'taken@example.com', firstName: 'Holder' }]);
    await commitAndWait(seed);

    const tx = await checkpoint();
    const queued = await queue(tx, 'department', [
      { externalId: 'ok-dept', departmentName: 'Fine' },
      { externalId: 'orphan', departmentName: 'Orphan', parentExternalId: 'nowhere' },
      { departmentName: 'No id' },
      { externalId: 'bad-type', departmentName: 'Bad', active: 'yes' },
    ]);
    expect(queued.operationsQueued).toBe(2);
    expect(queued.operations.map((op: { status: boolean }) => op.status)).toEqual([true, true, false, false]);
    await queue(tx, 'user', [
      { externalId: 'u-format', emailAddress: 'x@example.com' },
      {
        externalId: 'u-dept',
        email: 'u-dept@example.com',
        userTypes: [{ departmentExternalId: 'ghost-dept', userTypeId: '1' }],
      },
      {
        externalId: 'u-type',
        email: 'u-type@example.com',
        userTypes: [{ departmentExternalId: 'ok-dept', userTypeId: '99' }],
      },
      { externalId: 'u-dup', email: 'taken@example.com', firstName: 'Dup', lastName: 'User' },
    ]);
    const status = await commitAndWait(tx);
    expect(status).toMatchObject({
      transactionStatus: 'COMPLETED',
      totalOperations: 8,
      completedOperations: 1,
      failedOperations: 7,
    });
    const byId = Object.fromEntries(
      status.failures.map((failure: { operationId: string }) => [failure.operationId, failure]),
    );
    expect(byId['op-2']).toEqual({
      operationId: 'op-2',
      operationType: 'DEPARTMENT',
      operationAction: 'CREATE',
      externalId: 'orphan',
      entityName: 'Orphan',
      errorMessage: 'Parent department not found: nowhere',
      errorType: 'NOT_FOUND',
      failedOn: expect.any(String),
      details: expect.objectContaining({
        operationId: '2',
        transactionId: tx,
        exceptionType: 'EntityNotFoundException',
      }),
    });
    expect(byId['op-3']).toMatchObject({
      errorType: 'VALIDATION',
      errorMessage: 'externalId is required',
      details: { exceptionType: 'ValidationError' },
    });
    expect(byId['op-4']).toMatchObject({ errorType: 'DATA_FORMAT', externalId: 'bad-type' });
    expect(byId['op-5']).toMatchObject({
      operationType: 'USER',
      errorType: 'DATA_FORMAT',
      errorMessage: "Invalid user data format: Unrecognized field 'emailAddress' (expected 'email')",
      details: { operationId: '5', transactionId: tx, exceptionType: 'UnrecognizedPropertyException' },
    });
    expect(byId['op-6']).toMatchObject({ errorType: 'NOT_FOUND', errorMessage: 'Department not found: ghost-dept' });
    expect(byId['op-7']).toMatchObject({ errorType: 'NOT_FOUND', errorMessage: 'User type not found: 99' });
    expect(byId['op-8']).toMatchObject({
      errorType: 'DUPLICATE',
      operationAction: 'CREATE',
      entityName: 'Dup User',
      details: expect.objectContaining({ email: 'taken@example.com', exceptionType: 'DuplicateKeyException' }),
    });
  });

  it('applies parents before children whatever the order, and cascades four levels deep', async () => {
    const tx = await checkpoint();
    await queue(tx, 'department', [
      { externalId: 'lvl-4', departmentName: 'Four', parentExternalId: 'lvl-3' },
      { externalId: 'lvl-3', departmentName: 'Three', parentExternalId: 'lvl-2' },
      { externalId: 'lvl-2', departmentName: 'Two', parentExternalId: 'lvl-1' },
      { externalId: 'lvl-1', departmentName: 'One', parentExternalId: null },
      { externalId: 'lvl-5', departmentName: 'Five', parentExternalId: 'lvl-4' },
    ]);
    expect((await commitAndWait(tx)).completedOperations).toBe(5);
    const cascade = await checkpoint();
    await queue(cascade, 'department', [{ externalId: 'lvl-1', active: false, cascadeToChildren: true }]);
    await commitAndWait(cascade);
    const rows = await db().query(
      `SELECT external_id, active FROM departments WHERE external_id LIKE 'lvl-%' ORDER BY external_id`,
    );
    expect(rows).toEqual(
      ['lvl-1', 'lvl-2', 'lvl-3', 'lvl-4', 'lvl-5'].map((id) => ({ external_id: id, active: false })),
    );
    const parents = await db().query(
      `SELECT c.external_id AS child, p.external_id AS parent FROM departments c JOIN departments p ON p.id = c.parent_id WHERE c.external_id LIKE 'lvl-%' ORDER BY 1`,
    );
    expect(parents).toEqual([
      { child: 'lvl-2', parent: 'lvl-1' },
      { child: 'lvl-3', parent: 'lvl-2' },
      { child: 'lvl-4', parent: 'lvl-3' },
      { child: 'lvl-5', parent: 'lvl-4' },
    ]);
  });

  it('fails the operations of a parent cycle and keeps the rest', async () => {
    const tx = await checkpoint();
    await queue(tx, 'department', [
      { externalId: 'cyc-a', departmentName: 'A', parentExternalId: 'cyc-b' },
      { externalId: 'cyc-b', departmentName: 'B', parentExternalId: 'cyc-a' },
      { externalId: 'cyc-free', departmentName: 'Free' },
    ]);
    const status = await commitAndWait(tx);
    expect(status).toMatchObject({ transactionStatus: 'COMPLETED', completedOperations: 1, failedOperations: 2 });
  });

  it('applies nothing of an atomic commit with one failure', async () => {
    const tx = await checkpoint();
    await queue(tx, 'department', [{ externalId: 'atomic-ok', departmentName: 'Would be fine' }]);
    await queue(tx, 'department', [{ externalId: 'atomic-bad', departmentName: 'Bad', parentExternalId: 'missing' }]);
    const commit = await t.http.post(`${base}/${tx}/commit?atomic=true&wait=true`).set(headers).expect(200);
    expect(commit.body).toMatchObject({
      status: true,
      transactionId: tx,
      transactionStatus: 'ROLLED_BACK',
      totalOperations: 2,
      successfulOperations: 0,
      failedOperations: 1,
      errors: [{ code: 'NOT_FOUND', paths: ['operation.2'], messages: [expect.objectContaining({ locale: 'US' })] }],
    });
    const [{ count }] = await db().query(
      `SELECT count(*)::int AS count FROM departments WHERE external_id LIKE 'atomic-%'`,
    );
    expect(count).toBe(0);
    const job = await t.http.get(`/api/user/job/${commit.body.jobId}`).set(headers).expect(200);
    expect(job.body.value.status).toBe('FAILED');
    expect(job.body.value.errorMessage).toMatch(/rolled back/);
  });

  it('reaches every end state of the contract', async () => {
    const empty = await checkpoint();
    const emptyCommit = await t.http.post(`${base}/${empty}/commit`).set(headers).expect(202);
    expect((await waitForEnd(empty)).transactionStatus).toBe('COMPLETED');
    expect((await t.http.get(`/api/user/job/${emptyCommit.body.jobId}`).set(headers)).body.value.status).toBe('DONE');

    const allBad = await checkpoint();
    await queue(allBad, 'department', [{ externalId: 'bad-1', departmentName: 'x', parentExternalId: 'none' }]);
    const allBadCommit = await t.http.post(`${base}/${allBad}/commit`).set(headers).expect(202);
    expect((await waitForEnd(allBad)).transactionStatus).toBe('FAILED');
    expect((await t.http.get(`/api/user/job/${allBadCommit.body.jobId}`).set(headers)).body.value.status).toBe(
      'FAILED',
    );

    const rolled = await checkpoint();
    await queue(rolled, 'department', [{ externalId: 'never', departmentName: 'Never' }]);
    const rollback = await t.http.post(`${base}/transaction/${rolled}/rollback`).set(headers).expect(200);
    expect(rollback.body).toMatchObject({ status: true, transactionStatus: 'ROLLED_BACK' });
    const status = (await t.http.get(`${base}/transaction/${rolled}/status`).set(headers).expect(200)).body;
    expect(status).toMatchObject({ transactionStatus: 'ROLLED_BACK', jobId: null });
    await t.http.post(`${base}/${rolled}/commit`).set(headers).expect(409);
    await t.http
      .post(`${base}/${rolled}/department`)
      .set(headers)
      .send([{ externalId: 'x', departmentName: 'x' }])
      .expect(409);
    await t.http.post(`${base}/transaction/${rolled}/rollback`).set(headers).expect(409);
    await t.http
      .post(`${base}/${empty}/department`)
      .set(headers)
      .send([{ externalId: 'x', departmentName: 'x' }])
      .expect(409);
  });

  it('ends FAILED with the job CANCELLED when an operator cancels the commit', async () => {
    const tx = await checkpoint();
    for (let start = 0; start < 10_000; start += 1000) {
      await queue(
        tx,
        'user',
        Array.from({ length: 1000 }, (_, k) => ({
          externalId: `cancel-${start + k}`,
          email: `cancel.${start + k}@example.com`,
        })),
      );
    }
    const commit = await t.http.post(`${base}/${tx}/commit`).set(headers).expect(202);
    const admin = { Authorization: `Bearer ${t.secrets.adminToken}` };
    await t.http.post(`/api/user/job/${commit.body.jobId}/cancel`).set(headers).expect(401);
    const cancel = await t.http.post(`/api/user/job/${commit.body.jobId}/cancel`).set(admin).expect(200);
    expect(['CANCELLED', 'STARTED']).toContain(cancel.body.value.status);
    const status = await waitForEnd(tx);
    expect(status.transactionStatus).toBe('FAILED');
    // The job row ends just after the transaction does.
    let job = await t.http.get(`/api/user/job/${commit.body.jobId}`).set(admin).expect(200);
    for (let i = 0; i < 100 && job.body.value.status === 'STARTED'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      job = await t.http.get(`/api/user/job/${commit.body.jobId}`).set(admin).expect(200);
    }
    expect(job.body.value).toMatchObject({ status: 'CANCELLED', errorMessage: 'Cancelled by an operator' });
    expect(status.completedOperations).toBeLessThan(10_000);
  });

  it('answers a waited commit with totals, or 202 when the wait runs out', async () => {
    const tx = await checkpoint();
    await queue(tx, 'department', [{ externalId: 'waited', departmentName: 'Waited' }]);
    const res = await t.http.post(`${base}/${tx}/commit?wait=true&timeoutMs=20000`).set(headers).expect(200);
    expect(res.body).toMatchObject({
      transactionStatus: 'COMPLETED',
      totalOperations: 1,
      successfulOperations: 1,
      failedOperations: 0,
      errors: [],
    });
    const slow = await checkpoint();
    await queue(slow, 'department', [{ externalId: 'slow', departmentName: 'Slow' }]);
    const timedOut = await t.http.post(`${base}/${slow}/commit?wait=true&timeoutMs=0`).set(headers).expect(202);
    expect(timedOut.body).toEqual({
      status: true,
      transactionId: slow,
      jobId: expect.any(String),
      message: expect.any(String),
    });
    await waitForEnd(slow);
    await t.http.post(`${base}/${slow}/commit?wait=maybe`).set(headers).expect(400);
    await t.http.post(`${base}/${slow}/commit?timeoutMs=70000&wait=true`).set(headers).expect(400);
  });

  it('refuses a body that is not an array, an unknown transaction, and another tenant’s', async () => {
    const tx = await checkpoint();
    const notArray = await t.http.post(`${base}/${tx}/department`).set(headers).send({ externalId: 'x' }).expect(400);
    expect(notArray.body).toMatchObject({ status: false, error: 'The request body must be a JSON array of items' });
    expect((await t.http.get(`${base}/transaction/${tx}/status`).set(headers)).body.totalOperations).toBe(0);
    const missing = await t.http
      .get(`${base}/transaction/00000000-0000-4000-8000-000000000000/status`)
      .set(headers)
      .expect(404);
    expect(missing.body).toMatchObject({ status: false, message: 'Transaction not found' });
    await t.http.get(`${base}/transaction/not-a-uuid/status`).set(headers).expect(404);
    await t.http.post(`${base}/not-a-uuid/commit`).set(headers).expect(404);
    // Queueing into an id that is not a UUID: the same 404, never the database's syntax error.
    for (const route of ['not-a-uuid/department', 'department/sync/0', 'user?transactionId=not-a-uuid']) {
      const queued = await t.http
        .post(`${base}/${route}`)
        .set(headers)
        .send([{ externalId: 'd', departmentName: 'D' }]);
      expect([queued.status, queued.body.message]).toEqual([404, 'Transaction not found']);
    }
    await t.http.post(`${base}/commit`).set(headers).expect(400);

    const admin = { Authorization: `Bearer ${t.secrets.adminToken}` };
    await t.http.post('/api/admin/tenants').set(admin).send({ id: 'rival', name: 'Rival' }).expect(201);
    const rival = await t.http
      .post('/api/admin/tenants/rival/credentials')
      .set(admin)
      .send({ kind: 'API_TOKEN', name: 'rival' })
      .expect(201);
    const rivalHeaders = { 'auth-tenant-id': 'rival', 'auth-token': rival.body.secret };
    await t.http.get(`${base}/transaction/${tx}/status`).set(rivalHeaders).expect(404);
    await t.http.post(`${base}/${tx}/department`).set(rivalHeaders).send([]).expect(404);
    await t.http.post(`${base}/${tx}/commit`).set(rivalHeaders).expect(404);
    const list = await t.http.get(`${base}/transactions`).set(rivalHeaders).expect(200);
    expect(list.body.totalCount).toBe(0);
  });

  it('refuses more than 10,000 operations in one transaction, queueing nothing of the request', async () => {
    const tx = await checkpoint();
    const items = Array.from({ length: 10_000 }, (_, i) => ({ externalId: `cap-${i}`, departmentName: `Cap ${i}` }));
    await t.http.post(`${base}/${tx}/department`).set(headers).send(items).expect(200);
    const over = await t.http
      .post(`${base}/${tx}/department`)
      .set(headers)
      .send([{ externalId: 'one-more', departmentName: 'x' }])
      .expect(400);
    expect(over.body.error).toMatch(/at most 10000 operations/);
    expect((await t.http.get(`${base}/transaction/${tx}/status`).set(headers)).body.totalOperations).toBe(10_000);
    await t.http.post(`${base}/transaction/${tx}/rollback`).set(headers).expect(200);
  });

  it('lists transactions with seed 004 filters and paging', async () => {
    const list = await t.http.get(`${base}/transactions?status=COMPLETED&page=0&pageSize=2`).set(headers).expect(200);
    expect(list.body).toMatchObject({ status: true, page: 0, pageSize: 2, totalCount: expect.any(Number) });
    expect(list.body.transactions).toHaveLength(2);
    expect(list.body.transactions[0]).toEqual({
      id: expect.any(String),
      transactionId: expect.any(String),
      status: 'COMPLETED',
      operationCount: expect.any(Number),
      completedCount: expect.any(Number),
      failedCount: expect.any(Number),
      createdBy: expect.any(String),
      createdOn: expect.any(String),
      committedOn: expect.any(String),
      completedOn: expect.any(String),
      updatedBy: expect.any(String),
      updatedOn: expect.any(String),
      jobId: expect.any(String),
    });
    const all = await t.http.get(`${base}/transactions?pageSize=1000`).set(headers).expect(200);
    expect(all.body.transactions.every((row: { status: string }) => row.status)).toBe(true);
    const future = await t.http.get(`${base}/transactions?createdAfter=2999-01-01T00:00:00`).set(headers).expect(200);
    expect(future.body.totalCount).toBe(0);
    await t.http.get(`${base}/transactions?pageSize=1001`).set(headers).expect(400);
    await t.http.get(`${base}/transactions?status=DONE`).set(headers).expect(400);
  });

  it('applies items at once in direct mode', async () => {
    const departments = await t.http
      .post(`${base}/department`)
      .set(headers)
      .send([
        { externalId: 'direct-child', departmentName: 'Child', parentExternalId: 'direct-root' },
        { externalId: 'direct-root', departmentName: 'Root' },
        { externalId: 'direct-bad', departmentName: 'Bad', parentExternalId: 'nope' },
      ])
      .expect(200);
    expect(departments.body).toMatchObject({ status: false, processed: 2 });
    expect(departments.body.results).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ directoryUniqueIdentifier: 'direct-root', parentDepartmentId: null }),
        expect.objectContaining({
          directoryUniqueIdentifier: 'direct-child',
          parentDirectoryUniqueIdentifier: 'direct-root',
        }),
      ]),
    );
    expect(departments.body.errors).toEqual([
      expect.objectContaining({ code: 'NOT_FOUND', paths: ['departments.2.parentExternalId'] }),
    ]);
    const users = await t.http
      .post(`${base}/user`)
      .set(headers)
      .send([
        {
          externalId: 'direct-user',
          email: 'direct@example.com',
          firstName: 'Di',
          lastName: 'Rect',
          userTypes: [{ departmentExternalId: 'direct-root', userTypeId: '1' }],
        },
      ])
      .expect(200);
    expect(users.body).toEqual({
      status: true,
      processed: 1,
      errors: [],
      results: [
        expect.objectContaining({
          id: expect.any(String),
          directoryUniqueIdentifier: 'direct-user',
          email: 'direct@example.com',
          firstName: 'Di',
          lastName: 'Rect',
          userTypes: [
            expect.objectContaining({ departmentExternalId: 'direct-root', userTypeId: '1', userTypeName: 'Member' }),
          ],
        }),
      ],
    });
  });

  it('needs PROVISIONING_UPDATE to write and PROVISIONING_SEARCH to read', async () => {
    const admin = { Authorization: `Bearer ${t.secrets.adminToken}` };
    const reader = await t.http
      .post('/api/admin/tenants/default/credentials')
      .set(admin)
      .send({ kind: 'API_TOKEN', name: 'reader', roles: ['PROVISIONING_SEARCH'] })
      .expect(201);
    const readerHeaders = { 'auth-tenant-id': 'default', 'auth-token': reader.body.secret };
    await t.http.post(`${base}/checkpoint`).set(readerHeaders).expect(403);
    await t.http.get(`${base}/transactions`).set(readerHeaders).expect(200);
    await t.http.post(`${base}/checkpoint`).expect(401);
  });
});
