import { startTestApp, TestApp } from './support/test-app';

const BASE = '/api/provisioning/iam';

describe("operators' listings: GET /api/admin/transactions and /api/admin/jobs", () => {
  let t: TestApp;
  let provisioning: Record<string, string>;
  let admin: Record<string, string>;
  let committed: string;
  let open: string;
  let jobId: string;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMITS: 'off' });
    provisioning = { 'auth-tenant-id': 'default', 'auth-token': t.secrets.apiToken };
    admin = { Authorization: `Bearer ${t.secrets.adminToken}` };
    const checkpoint = async () =>
      (await t.http.post(`${BASE}/checkpoint`).set(provisioning).expect(200)).body.transactionId as string;
    committed = await checkpoint();
    await t.http
      .post(`${BASE}/${committed}/department`)
      .set(provisioning)
      .send([
        { externalId: 'adm-root', departmentName: 'Root' },
        { externalId: 'adm-orphan', departmentName: 'Orphan', parentExternalId: 'adm-missing' },
      ])
      .expect(200);
    const commit = await t.http.post(`${BASE}/${committed}/commit?wait=true`).set(provisioning).expect(200);
    jobId = commit.body.jobId;
    open = await checkpoint();
  });

  afterAll(() => t.close());

  it('refuses anyone but an operator', async () => {
    await t.http.get('/api/admin/transactions').expect(401);
    await t.http.get('/api/admin/jobs').set('Authorization', `Bearer ${t.secrets.apiToken}`).expect(403);
  });

  it('lists every tenant transaction newest first, with progress, filtered and paged', async () => {
    const all = await t.http.get('/api/admin/transactions').set(admin).expect(200);
    expect(all.body).toMatchObject({ total: 2, page: 1, pageSize: 50, hasNext: false });
    expect(all.body.items.map((item: { id: string }) => item.id)).toEqual([open, committed]);
    expect(all.body.items[1]).toMatchObject({
      tenantId: 'default',
      status: 'COMPLETED',
      operationCount: 2,
      completedCount: 1,
      failedCount: 1,
      donePercentage: 100,
      jobId,
      atomic: false,
    });
    expect(all.body.items[0]).toMatchObject({ status: 'OPEN', donePercentage: 0, jobId: null });

    const completed = await t.http.get('/api/admin/transactions').query({ status: 'COMPLETED' }).set(admin);
    expect(completed.body.items.map((item: { id: string }) => item.id)).toEqual([committed]);
    const elsewhere = await t.http.get('/api/admin/transactions').query({ tenant: 'nobody' }).set(admin);
    expect(elsewhere.body).toMatchObject({ total: 0, items: [] });
    const paged = await t.http.get('/api/admin/transactions').query({ pageSize: 1 }).set(admin).expect(200);
    expect(paged.body).toMatchObject({ total: 2, pageSize: 1, hasNext: true });
    const future = await t.http.get('/api/admin/transactions').query({ since: '2999-01-01T00:00:00Z' }).set(admin);
    expect(future.body.total).toBe(0);
  });

  it('shows one transaction with its failures', async () => {
    const res = await t.http.get(`/api/admin/transactions/${committed}`).set(admin).expect(200);
    expect(res.body.failures).toEqual([
      expect.objectContaining({
        orderId: 2,
        entityType: 'DEPARTMENT',
        externalId: 'adm-orphan',
        errorType: 'NOT_FOUND',
      }),
    ]);
    await t.http.get('/api/admin/transactions/not-an-id').set(admin).expect(404);
  });

  it('lists jobs with donePercentage and filters by status and type', async () => {
    const res = await t.http.get('/api/admin/jobs').set(admin).expect(200);
    expect(res.body).toMatchObject({ total: 1, hasNext: false });
    expect(res.body.items[0]).toMatchObject({ id: jobId, tenantId: 'default', status: 'DONE', donePercentage: 100 });
    const failed = await t.http.get('/api/admin/jobs').query({ status: 'FAILED' }).set(admin).expect(200);
    expect(failed.body.total).toBe(0);
    const byType = await t.http
      .get('/api/admin/jobs')
      .query({ type: 'EXECUTE_IAM_COMMIT_TRANSACTION_JOB' })
      .set(admin)
      .expect(200);
    expect(byType.body.total).toBe(1);
  });

  it('refuses bad filters with the envelope', async () => {
    for (const query of [{ status: 'SLEEPING' }, { pageSize: 5000 }, { page: 0 }, { since: 'yesterday' }, { x: 1 }]) {
      const res = await t.http.get('/api/admin/transactions').query(query).set(admin).expect(400);
      expect(res.body).toMatchObject({ status: false });
    }
  });
});
