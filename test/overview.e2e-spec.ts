import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { REQUEST_ACTIVITY_FROM_LOGS } from '../migrations/1795630000000-request-activity';
import type { JobContext, JobHandler, JobOutcome } from '../src/jobs/job-handler';
import { JobRegistry } from '../src/jobs/job-registry';
import { JobsService } from '../src/jobs/jobs.service';
import { RequestLogRetention } from '../src/request-log/request-log.retention';
import { RequestLogWriter } from '../src/request-log/request-log.writer';
import { startTestApp, TestApp } from './support/test-app';

const HELD_JOB = 'OVERVIEW_HELD_JOB';
const HOUR_MS = 3_600_000;

/** A job that reports 40 % and then waits, running, until the test lets it end. */
@Injectable()
class HeldJobHandler implements JobHandler, OnModuleInit {
  readonly type = HELD_JOB;
  released = false;
  started = false;

  constructor(private readonly registry: JobRegistry) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async run(context: JobContext): Promise<JobOutcome> {
    await context.step((em) => context.progress(em, 'Halfway there', 40));
    this.started = true;
    while (!this.released && !(await context.cancelRequested())) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return { status: 'DONE' };
  }
}

@Module({ providers: [HeldJobHandler] })
class HeldJobModule {}

describe('GET /api/admin/overview', () => {
  let t: TestApp;
  let admin: Record<string, string>;
  let acmeScim: Record<string, string>;

  const overview = async (query = ''): Promise<any> =>
    (await t.http.get(`/api/admin/overview${query}`).set(admin).expect(200)).body;
  const tenantOf = (body: any, id: string): any => body.tenants.find((tenant: any) => tenant.tenantId === id);
  const flush = (): Promise<void> => t.app.get(RequestLogWriter).flush();

  beforeAll(async () => {
    // Four SCIM requests an hour per credential: acme's fifth is refused with 429.
    t = await startTestApp({ RATE_LIMIT_SCIM: '4/h' }, [HeldJobModule]);
    admin = { Authorization: `Bearer ${t.secrets.adminToken}` };
    await t.http.post('/api/admin/tenants').set(admin).send({ id: 'acme', name: 'Acme Corporation' }).expect(201);
    const issued = await t.http
      .post('/api/admin/tenants/acme/credentials')
      .set(admin)
      .send({ kind: 'SCIM_SECRET', name: 'entra' })
      .expect(201);
    acmeScim = { Authorization: `Bearer ${issued.body.secret as string}` };
  });
  afterAll(async () => {
    t.app.get(HeldJobHandler).released = true;
    await t.close();
  });

  it('shows every tenant with zero-filled hours before any traffic', async () => {
    const body = await overview();
    expect(Date.parse(body.generatedAt)).toBeGreaterThan(Date.now() - 60_000);
    const acme = tenantOf(body, 'acme');
    expect(acme).toMatchObject({
      tenantName: 'Acme Corporation',
      doors: { scim: { lastAt: null }, provisioning: { lastAt: null }, partner: { lastAt: null } },
      last24h: { requests: 0, errors: 0, clientErrors: 0 },
      transactions: { open: 0, failed24h: 0 },
      runningJobs: [],
    });
    const hours = acme.last24h.hourly.map((hour: { hour: string }) => Date.parse(hour.hour));
    expect(hours).toHaveLength(24);
    // Oldest first, one hour apart, the current hour last.
    expect(hours.slice(1).map((hour: number, i: number) => hour - hours[i])).toEqual(Array(23).fill(HOUR_MS));
    expect(hours[23]).toBe(Math.floor(Date.parse(body.generatedAt) / HOUR_MS) * HOUR_MS);
    expect(acme.last24h.hourly.every((hour: any) => hour.requests === 0 && hour.errors === 0)).toBe(true);
  });

  it("counts each tenant's requests by door, errors apart from other 4xx answers", async () => {
    const before = Date.now();
    // acme: four SCIM reads, then a fifth the rate limit refuses (an error).
    for (let i = 0; i < 4; i++) await t.http.get('/scim/v2/Users').set(acmeScim).expect(200);
    await t.http.get('/scim/v2/Users').set(acmeScim).expect(429);
    // default: a SCIM read, a SCIM lookup of nobody (404: not an error for an identity provider),
    // and provisioning reads.
    const defaultScim = { Authorization: `Bearer ${t.secrets.scimSecret}` };
    await t.http.get('/scim/v2/Users').set(defaultScim).expect(200);
    await t.http.get('/scim/v2/Users/3f0c1d7e-4b7a-4c55-9e1a-6b2f1f0d9a11').set(defaultScim).expect(404);
    const provisioning = { 'auth-tenant-id': 'default', 'auth-token': t.secrets.apiToken };
    await t.http.get('/api/provisioning/iam/department').set(provisioning).expect(200);
    // Refused before any credential is known: no tenant, so nobody's count.
    await t.http.get('/scim/v2/Users').set({ Authorization: 'Bearer nobody-knows-this-token' }).expect(401);
    await flush();

    const body = await overview();
    const acme = tenantOf(body, 'acme');
    expect(acme.last24h).toMatchObject({ requests: 5, errors: 1, clientErrors: 0 });
    expect(acme.doors.provisioning.lastAt).toBeNull();
    expect(acme.doors.partner.lastAt).toBeNull();
    const scimAt = Date.parse(acme.doors.scim.lastAt);
    expect(scimAt).toBeGreaterThanOrEqual(before - 5);
    expect(scimAt).toBeLessThanOrEqual(Date.now());
    // All five fall in the last hour or two (should the test straddle an hour), none earlier.
    const hourly = acme.last24h.hourly;
    expect(hourly.slice(0, 22).every((hour: any) => hour.requests === 0)).toBe(true);
    expect(hourly[22].requests + hourly[23].requests).toBe(5);
    expect(hourly[22].errors + hourly[23].errors).toBe(1);

    const mine = tenantOf(body, 'default');
    // The operator's own admin requests may be counted under its credential's tenant too.
    expect(mine.last24h.requests).toBeGreaterThanOrEqual(3);
    expect(mine.last24h.clientErrors).toBe(1);
    expect(mine.last24h.errors).toBe(0);
    expect(Date.parse(mine.doors.scim.lastAt)).toBeGreaterThanOrEqual(before - 5);
    expect(Date.parse(mine.doors.provisioning.lastAt)).toBeGreaterThanOrEqual(before - 5);
    expect(Date.parse(mine.doors.provisioning.lastAt)).toBeGreaterThanOrEqual(Date.parse(mine.doors.scim.lastAt));

    // Exactly what the request log holds, hour by hour.
    const logged: { count: number }[] = await t.app
      .get(DataSource)
      .query(`SELECT count(*)::int AS count FROM request_logs WHERE tenant_id = 'acme'`);
    expect(logged[0].count).toBe(5);
  });

  it("counts as the migration's backfill from request_logs does", async () => {
    const db = t.app.get(DataSource);
    await flush();
    const rollup = (): Promise<unknown[]> =>
      db.query(
        'SELECT tenant_id, door, hour, requests, errors, client_errors, last_at FROM request_activity ORDER BY 1, 2, 3',
      );
    const written = await rollup();
    expect(written.length).toBeGreaterThanOrEqual(3);
    await db.query('DELETE FROM request_activity');
    await db.query(REQUEST_ACTIVITY_FROM_LOGS);
    expect(await rollup()).toEqual(written);
  });

  it('shows open transactions, those that ended with failures, and running jobs', async () => {
    const base = '/api/provisioning/iam';
    const headers = { 'auth-tenant-id': 'default', 'auth-token': t.secrets.apiToken };
    const checkpoint = async (): Promise<string> =>
      (await t.http.post(`${base}/checkpoint`).set(headers).expect(200)).body.transactionId as string;
    await checkpoint(); // left open
    const failing = await checkpoint();
    await t.http
      .post(`${base}/${failing}/department`)
      .set(headers)
      .send([
        { externalId: 'ok-dept', departmentName: 'Fine' },
        { externalId: 'orphan', departmentName: 'Orphan', parentExternalId: 'nowhere' },
      ])
      .expect(200);
    await t.http.post(`${base}/${failing}/commit`).set(headers).expect(202);
    for (let i = 0; i < 300; i++) {
      const status = (await t.http.get(`${base}/transaction/${failing}/status`).set(headers).expect(200)).body;
      if (['COMPLETED', 'FAILED'].includes(status.transactionStatus)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    const jobs = t.app.get(JobsService);
    const job = await t.app
      .get(DataSource)
      .transaction((em) => jobs.create(em, { type: HELD_JOB, tenantId: 'acme', createdBy: 'test', payload: {} }));
    jobs.dispatch(job.id);
    const handler = t.app.get(HeldJobHandler);
    for (let i = 0; i < 300 && !handler.started; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(handler.started).toBe(true);

    const body = await overview();
    expect(tenantOf(body, 'default').transactions).toEqual({ open: 1, failed24h: 1 });
    expect(tenantOf(body, 'acme').transactions).toEqual({ open: 0, failed24h: 0 });
    expect(tenantOf(body, 'default').runningJobs).toEqual([]);
    expect(tenantOf(body, 'acme').runningJobs).toEqual([
      { id: job.id, type: HELD_JOB, status: 'STARTED', donePercentage: 40, startedOn: expect.any(String) },
    ]);

    handler.released = true;
    await jobs.waitForEnd(job.id, 10_000);
    expect(tenantOf(await overview(), 'acme').runningJobs).toEqual([]);
  });

  it('answers one tenant with ?tenant=, and 404 in the envelope for a tenant that does not exist', async () => {
    const body = await overview('?tenant=acme');
    expect(body.tenants.map((tenant: any) => tenant.tenantId)).toEqual(['acme']);
    const missing = await t.http.get('/api/admin/overview?tenant=nobody').set(admin).expect(404);
    expect(missing.body).toMatchObject({ status: false, error: "Tenant 'nobody' not found" });
    const bad = await t.http
      .get(`/api/admin/overview?tenant=${'x'.repeat(65)}`)
      .set(admin)
      .expect(400);
    expect(bad.body.status).toBe(false);
    expect(JSON.stringify(bad.body)).toContain('tenant');
  });

  it('keeps its counts when the request log is purged, loses them with retention, and is for operators only', async () => {
    const counted = tenantOf(await overview(), 'acme').last24h.requests;
    await t.http.delete('/api/admin/logs').set(admin).expect(200);
    expect(tenantOf(await overview(), 'acme').last24h.requests).toBe(counted);
    // Retention trims the rollup with the log: hours older than REQUEST_LOG_RETENTION_DAYS (30) go.
    const db = t.app.get(DataSource);
    await db.query(
      `INSERT INTO request_activity (tenant_id, door, hour, requests, errors, client_errors, last_at)
       VALUES ('acme', 'scim', date_trunc('hour', now()) - interval '31 days', 7, 0, 0, now() - interval '31 days')`,
    );
    expect(await t.app.get(RequestLogRetention).enforce()).toMatchObject({ 'request activity hours': 1 });
    const kept: { hour: Date }[] = await db.query(`SELECT hour FROM request_activity WHERE tenant_id = 'acme'`);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.every((row) => new Date(row.hour).getTime() > Date.now() - 2 * 86_400_000)).toBe(true);
    await t.http.get('/api/admin/overview').expect(401);
    await t.http.get('/api/admin/overview').set(acmeScim).expect(403);
  });
});
