import { DataSource } from 'typeorm';
import { TransactionExpiry } from '../src/provisioning/transaction-expiry';
import { TransactionRetention } from '../src/provisioning/transaction-retention';
import { RequestLogWriter } from '../src/request-log/request-log.writer';
import { startTestApp, TestApp } from './support/test-app';

const BASE = '/api/provisioning/iam';
const MISSING = '00000000-0000-4000-8000-000000000000';

describe('repairing transactions: expiry, admin rollback and retry, failure payloads, links', () => {
  let t: TestApp;
  let provisioning: Record<string, string>;
  let admin: Record<string, string>;
  let db: DataSource;

  const checkpoint = async (requestId?: string): Promise<string> => {
    const req = t.http.post(`${BASE}/checkpoint`).set(provisioning);
    if (requestId) req.set('X-Request-Id', requestId);
    return (await req.expect(200)).body.transactionId as string;
  };
  const transaction = async (id: string) =>
    (await t.http.get(`/api/admin/transactions/${id}`).set(admin).expect(200)).body;
  const untilEnded = async (id: string) => {
    for (let i = 0; i < 100; i++) {
      const body = await transaction(id);
      if (['COMPLETED', 'FAILED', 'ROLLED_BACK'].includes(body.status)) return body;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`Transaction ${id} did not end`);
  };

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMITS: 'off', TRANSACTION_OPEN_TTL_MINUTES: '60' });
    provisioning = { 'auth-tenant-id': 'default', 'auth-token': t.secrets.apiToken };
    admin = { Authorization: `Bearer ${t.secrets.adminToken}` };
    db = t.app.get(DataSource);
  });

  afterAll(() => t.close());

  describe('expiry of OPEN transactions (TRANSACTION_OPEN_TTL_MINUTES)', () => {
    it('expires only transactions idle longer than the TTL, counting from the last queued operation', async () => {
      const idle = await checkpoint();
      const busy = await checkpoint();
      const fresh = await checkpoint();
      await db.query(
        `UPDATE provisioning_transactions SET updated_on = now() - interval '2 hours' WHERE id = ANY($1)`,
        [[idle, busy]],
      );
      // Queueing is activity: it moves the idle clock of `busy` back to now.
      await t.http
        .post(`${BASE}/${busy}/department`)
        .set(provisioning)
        .send([{ externalId: 'exp-busy', departmentName: 'Busy' }])
        .expect(200);

      expect(await t.app.get(TransactionExpiry).expire()).toBe(1);
      expect(await transaction(idle)).toMatchObject({ status: 'EXPIRED', donePercentage: 100, jobId: null });
      expect((await transaction(idle)).completedOn).toEqual(expect.any(String));
      expect((await transaction(busy)).status).toBe('OPEN');
      expect((await transaction(fresh)).status).toBe('OPEN');
      expect(await t.app.get(TransactionExpiry).expire()).toBe(0);

      // An expired transaction is an end state like any other: nothing more goes in or out.
      const queued = await t.http
        .post(`${BASE}/${idle}/user`)
        .set(provisioning)
        .send([{ externalId: 'u', email: 'u@example.com' }])
        .expect(409);
      expect(queued.body).toMatchObject({ status: false, error: expect.stringContaining('is EXPIRED') });
      await t.http.post(`${BASE}/${idle}/commit`).set(provisioning).expect(409);
      await t.http.post(`${BASE}/transaction/${idle}/rollback`).set(provisioning).expect(409);
      await t.http.post(`/api/admin/transactions/${idle}/rollback`).set(admin).expect(409);

      const listed = await t.http.get('/api/admin/transactions').query({ status: 'EXPIRED' }).set(admin).expect(200);
      expect(listed.body.items.map((item: { id: string }) => item.id)).toEqual([idle]);
      const own = await t.http.get(`${BASE}/transactions`).query({ status: 'EXPIRED' }).set(provisioning).expect(200);
      expect(own.body.transactions.map((item: { id: string }) => item.id)).toEqual([idle]);
      const status = await t.http.get(`${BASE}/transaction/${idle}/status`).set(provisioning).expect(200);
      expect(status.body.transactionStatus).toBe('EXPIRED');
    });

    it('leaves a transaction being queued into at that moment open, with everything queued', async () => {
      const racing = await checkpoint();
      await db.query(`UPDATE provisioning_transactions SET updated_on = now() - interval '2 hours' WHERE id = $1`, [
        racing,
      ]);
      // A queue request holds the row (as `allocate` does) while expiry runs.
      const queue = db.createQueryRunner();
      await queue.connect();
      await queue.startTransaction();
      await queue.query(
        `UPDATE provisioning_transactions SET operation_count = operation_count + 1, last_order_id = last_order_id + 1,
                updated_on = now() WHERE id = $1 AND status = 'OPEN'`,
        [racing],
      );
      const expiring = t.app.get(TransactionExpiry).expire();
      await new Promise((resolve) => setTimeout(resolve, 200));
      await queue.commitTransaction();
      await queue.release();
      expect(await expiring).toBe(0);
      expect(await transaction(racing)).toMatchObject({ status: 'OPEN', operationCount: 1 });
    });

    it('lets retention delete expired transactions like any ended one', async () => {
      const old = await checkpoint();
      await db.query(`UPDATE provisioning_transactions SET updated_on = now() - interval '2 hours' WHERE id = $1`, [
        old,
      ]);
      await t.app.get(TransactionExpiry).expire();
      await db.query(`UPDATE provisioning_transactions SET completed_on = now() - interval '100 days' WHERE id = $1`, [
        old,
      ]);
      const deleted = await t.app.get(TransactionRetention).enforce();
      expect(deleted.transactions).toBe(1);
      await t.http.get(`/api/admin/transactions/${old}`).set(admin).expect(404);
    });
  });

  describe('POST /api/admin/transactions/{id}/rollback', () => {
    it('rolls back an OPEN transaction and answers its view; anything else is 409 or 404', async () => {
      const open = await checkpoint();
      const res = await t.http.post(`/api/admin/transactions/${open}/rollback`).set(admin).expect(200);
      expect(res.body).toMatchObject({ id: open, tenantId: 'default', status: 'ROLLED_BACK', donePercentage: 100 });
      const again = await t.http.post(`/api/admin/transactions/${open}/rollback`).set(admin).expect(409);
      expect(again.body).toMatchObject({ status: false, error: expect.stringContaining('ROLLED_BACK') });
      await t.http.post(`/api/admin/transactions/${MISSING}/rollback`).set(admin).expect(404);
      await t.http.post('/api/admin/transactions/not-an-id/rollback').set(admin).expect(404);
      await t.http.post(`/api/admin/transactions/${open}/rollback`).expect(401);
      await t.http
        .post(`/api/admin/transactions/${open}/rollback`)
        .set('Authorization', `Bearer ${t.secrets.apiToken}`)
        .expect(403);
    });
  });

  describe('failures with payloads, retry, and links', () => {
    let failed: string;
    let firstJob: string;

    beforeAll(async () => {
      failed = await checkpoint('repair-checkpoint');
      await t.http
        .post(`${BASE}/${failed}/department`)
        .set(provisioning)
        .send([
          { externalId: 'rep-root', departmentName: 'Root' },
          { externalId: 'rep-orphan', departmentName: 'Orphan', parentExternalId: 'rep-missing' },
          { externalId: 'rep-typo', departmentNam: 'Typo' },
          { externalId: 'rep-gone', action: 'DELETE' },
        ])
        .expect(200);
      const commit = await t.http
        .post(`${BASE}/${failed}/commit?wait=true`)
        .set(provisioning)
        .set('X-Request-Id', 'repair-commit')
        .expect(200);
      firstJob = commit.body.jobId;
    });

    it('shows each failure with the item as stored and the status route failure object', async () => {
      const body = await transaction(failed);
      expect(body).toMatchObject({ status: 'COMPLETED', correlationId: 'repair-checkpoint', failedCount: 3 });
      const byOrder = new Map(body.failures.map((failure: { orderId: number }) => [failure.orderId, failure]));
      expect(byOrder.get(2)).toMatchObject({
        errorType: 'NOT_FOUND',
        payload: { externalId: 'rep-orphan', departmentName: 'Orphan', parentExternalId: 'rep-missing' },
        failure: { operationId: 'op-2', errorType: 'NOT_FOUND', details: { transactionId: failed } },
      });
      // Refused when queued: never stored.
      expect(byOrder.get(3)).toMatchObject({ errorType: 'DATA_FORMAT', payload: null });
      expect(byOrder.get(4)).toMatchObject({ payload: { externalId: 'rep-gone', action: 'DELETE' } });
    });

    it('refuses a retry of an open transaction, of unknown or unstored operations, and bad bodies', async () => {
      const open = await checkpoint();
      const notEnded = await t.http.post(`/api/admin/transactions/${open}/retry`).set(admin).expect(409);
      expect(notEnded.body).toMatchObject({ status: false, error: expect.stringContaining('is OPEN') });
      const unknown = await t.http
        .post(`/api/admin/transactions/${failed}/retry`)
        .set(admin)
        .send({ orderIds: [1, 99] })
        .expect(400);
      expect(unknown.body).toMatchObject({ status: false, error: expect.stringMatching(/did not fail.*: 1, 99$/) });
      const unstored = await t.http
        .post(`/api/admin/transactions/${failed}/retry`)
        .set(admin)
        .send({ orderIds: [3] })
        .expect(400);
      expect(unstored.body.error).toContain('Operations 3 were refused when queued');
      for (const body of [
        { orderIds: 'all' },
        { orderIds: [] },
        { orderIds: [0] },
        { orderIds: [1.5] },
        { other: 1 },
      ]) {
        const res = await t.http.post(`/api/admin/transactions/${failed}/retry`).set(admin).send(body).expect(400);
        expect(res.body).toMatchObject({ status: false });
      }
      await t.http.post(`/api/admin/transactions/${MISSING}/retry`).set(admin).expect(404);
    });

    it('retries the failed operations in a new transaction once the cause is fixed', async () => {
      await t.http
        .post(`${BASE}/department`)
        .set(provisioning)
        .send([{ externalId: 'rep-missing', departmentName: 'Missing' }])
        .expect(200);
      const me = await t.http.get('/api/admin/me').set(admin).expect(200);
      const res = await t.http
        .post(`/api/admin/transactions/${failed}/retry`)
        .set(admin)
        .send({ orderIds: [2] });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ transactionId: expect.any(String), jobId: expect.any(String), operationsQueued: 1 });
      const retried = await untilEnded(res.body.transactionId);
      expect(retried).toMatchObject({
        tenantId: 'default',
        status: 'COMPLETED',
        operationCount: 1,
        completedCount: 1,
        failedCount: 0,
        jobId: res.body.jobId,
        createdBy: me.body.credentialId,
        failures: [],
      });
      const nothingFailed = await t.http.post(`/api/admin/transactions/${retried.id}/retry`).set(admin).expect(409);
      expect(nothingFailed.body.error).toContain('no failed operations');

      // Without a body: every failure with a stored item (the DELETE of a missing department fails again).
      const all = await t.http.post(`/api/admin/transactions/${failed}/retry`).set(admin).expect(202);
      expect(all.body.operationsQueued).toBe(2);
      const again = await untilEnded(all.body.transactionId);
      expect(again).toMatchObject({ completedCount: 1, failedCount: 1 });
      expect(again.failures[0].payload).toEqual({ externalId: 'rep-gone', action: 'DELETE' });
    });

    it('links logged requests to their transaction and job, and filters logs and jobs by correlation id', async () => {
      await t.app.get(RequestLogWriter).flush();
      const checkpoints = await t.http
        .get('/api/admin/logs')
        .query({ correlationId: 'repair-checkpoint' })
        .set(admin)
        .expect(200);
      expect(checkpoints.body.items).toHaveLength(1);
      expect(checkpoints.body.items[0]).toMatchObject({
        path: `${BASE}/checkpoint`,
        correlationId: 'repair-checkpoint',
      });
      const opened = await t.http.get(`/api/admin/logs/${checkpoints.body.items[0].id}`).set(admin).expect(200);
      expect(opened.body.related).toEqual({ transactionId: failed, jobId: firstJob });

      const commits = await t.http.get('/api/admin/logs').query({ correlationId: 'repair-commit' }).set(admin);
      expect(commits.body.items).toHaveLength(1);
      const commit = await t.http.get(`/api/admin/logs/${commits.body.items[0].id}`).set(admin).expect(200);
      expect(commit.body.related).toEqual({ transactionId: failed, jobId: firstJob });

      const direct = await t.http.get('/api/admin/logs').query({ path: '/api/provisioning/iam/department' }).set(admin);
      const unrelated = direct.body.items.find((item: { path: string }) => item.path === `${BASE}/department`);
      const none = await t.http.get(`/api/admin/logs/${unrelated.id}`).set(admin).expect(200);
      expect(none.body.related).toEqual({ transactionId: null, jobId: null });

      const jobs = await t.http.get('/api/admin/jobs').query({ correlationId: 'repair-commit' }).set(admin).expect(200);
      expect(jobs.body.items.map((job: { id: string }) => job.id)).toEqual([firstJob]);
      expect(jobs.body.items[0].correlationId).toBe('repair-commit');
      const nothing = await t.http.get('/api/admin/jobs').query({ correlationId: 'nobody' }).set(admin).expect(200);
      expect(nothing.body.total).toBe(0);
    });
  });
});
