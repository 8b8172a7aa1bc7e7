import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Metrics } from '../src/metrics/metrics';
import { RequestLogWriter } from '../src/request-log/request-log.writer';
import { startTestApp, TestApp } from './support/test-app';

const PROMTOOL = '/usr/bin/promtool';
const METRICS_TOKEN = 'metrics-token-for-the-e2e-test';
const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** One sample of the exposition: `name{labels} value`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`Not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, name, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[name] = value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of the samples named `name` whose labels include `labels`. */
function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value))
    .reduce((sum, s) => sum + s.value, 0);
}

function has(samples: Sample[], name: string, labels: Record<string, string> = {}): boolean {
  return samples.some((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('Prometheus metrics', () => {
  let t: TestApp;
  const provisioning = '/api/provisioning/iam';

  const scrapeText = async (): Promise<string> => {
    const res = await t.http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    return res.text;
  };
  const scrape = async (): Promise<Sample[]> => parseExposition(await scrapeText());

  beforeAll(async () => {
    t = await startTestApp({ METRICS_TOKEN, RATE_LIMIT_ADMIN: '3/min' });
  });
  afterAll(() => t.close());

  it('answers 401 without the metrics token, or with another one, and serves the exposition with it', async () => {
    const none = await t.http.get('/metrics').expect(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="metrics"');
    expect(none.body).toMatchObject({ status: false, error: 'No authorization token provided' });
    const wrong = await t.http.get('/metrics').set('Authorization', `Bearer ${t.secrets.adminToken}`).expect(401);
    expect(wrong.body).toMatchObject({ status: false, error: 'Invalid metrics token' });
    const samples = await scrape();
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
    expect(total(samples, 'idp_build_info', { version: pkg.version, node_version: process.version })).toBe(1);
    // Process figures and event-loop lag, from prom-client's defaults on this app's registry.
    expect(has(samples, 'idp_process_cpu_seconds_total')).toBe(true);
    expect(has(samples, 'idp_nodejs_eventloop_lag_p99_seconds')).toBe(true);
  });

  it('counts known traffic exactly, by door, route template and status class', async () => {
    const scim = { Authorization: `Bearer ${t.secrets.scimSecret}` };
    const created = await t.http
      .post('/scim/v2/Users')
      .set(scim)
      .send({ schemas: [SCIM_USER], userName: 'metrics.user@example.com' })
      .expect(201);
    const before = await scrape();

    const GETS = 4;
    for (let i = 0; i < GETS; i++) await t.http.get(`/scim/v2/Users/${created.body.id}`).set(scim).expect(200);
    await t.http.get('/scim/v2/Users/00000000-0000-4000-8000-000000000000').set(scim).expect(404);
    const UNMATCHED = 3;
    for (let i = 0; i < UNMATCHED; i++) await t.http.get(`/no/such/path/${i}`).expect(404);
    await t.http.get('/scim/v2/Users').expect(401);
    // RATE_LIMIT_ADMIN=3/min: the fourth admin request is refused.
    const admin = { Authorization: `Bearer ${t.secrets.adminToken}` };
    for (let i = 0; i < 3; i++) await t.http.get('/api/admin/tenants').set(admin).expect(200);
    await t.http.get('/api/admin/tenants').set(admin).expect(429);

    const after = await scrape();
    const delta = (labels: Record<string, string>): number =>
      total(after, 'idp_http_request_duration_seconds_count', labels) -
      total(before, 'idp_http_request_duration_seconds_count', labels);
    const userRoute = { door: 'scim', route: '/scim/v2/Users/:id', method: 'GET' };
    expect(delta({ ...userRoute, status_class: '2xx' })).toBe(GETS);
    expect(delta({ ...userRoute, status_class: '4xx' })).toBe(1);
    expect(delta({ door: 'other', route: 'unmatched', status_class: '4xx' })).toBe(UNMATCHED);
    expect(delta({ door: 'scim', route: '/scim/v2/Users', method: 'GET', status_class: '4xx' })).toBe(1);
    expect(delta({ door: 'admin', route: '/api/admin/tenants', status_class: '2xx' })).toBe(3);
    expect(delta({ door: 'admin', route: '/api/admin/tenants', status_class: '4xx' })).toBe(1);
    // The scrape before this one is counted too, once it has been answered.
    expect(delta({ door: 'other', route: '/metrics', status_class: '2xx' })).toBe(1);
    const rejections = (samples: Sample[]) =>
      total(samples, 'idp_rate_limit_rejections_total', { limit: 'admin', door: 'admin' });
    expect(rejections(after) - rejections(before)).toBe(1);
    expect(total(after, 'idp_rate_limit_rejections_total') - total(before, 'idp_rate_limit_rejections_total')).toBe(1);
    // No raw path (ids, guesses) ever becomes a label.
    expect(
      after.some((s) => Object.values(s.labels).some((v) => v.includes(created.body.id) || v.includes('/no/'))),
    ).toBe(false);
  });

  it('counts a committed transaction: its job, and its operations by result and error type', async () => {
    const headers = { 'auth-tenant-id': 'default', 'auth-token': t.secrets.apiToken };
    const before = await scrape();
    const tx = (await t.http.post(`${provisioning}/checkpoint`).set(headers).expect(200)).body.transactionId as string;
    await t.http
      .post(`${provisioning}/${tx}/department`)
      .set(headers)
      .send([
        { externalId: 'metrics-dept', departmentName: 'Metrics', active: true, parentExternalId: null },
        // Refused on receipt: an unknown field.
        { externalId: 'metrics-bad', departmentName: 'Bad', colour: 'red' },
        // Fails when applied: its parent does not exist.
        { externalId: 'metrics-orphan', departmentName: 'Orphan', parentExternalId: 'no-such-department' },
      ])
      .expect(200);
    await t.http.post(`${provisioning}/${tx}/commit`).set(headers).expect(202);
    let status: { transactionStatus: string } = { transactionStatus: '' };
    for (let i = 0; i < 300 && !['COMPLETED', 'FAILED', 'ROLLED_BACK'].includes(status.transactionStatus); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await t.http.get(`${provisioning}/transaction/${tx}/status`).set(headers).expect(200)).body;
    }
    expect(status.transactionStatus).toBe('COMPLETED');

    // The transaction completes in the job's last step; the run is timed once its end is written.
    const jobRuns = (samples: Sample[]) => total(samples, 'idp_job_duration_seconds_count');
    let after = await scrape();
    for (let i = 0; i < 100 && jobRuns(after) === jobRuns(before); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      after = await scrape();
    }
    const delta = (name: string, labels: Record<string, string>): number =>
      total(after, name, labels) - total(before, name, labels);
    expect(
      delta('idp_operations_total', { operation: 'CREATE_DEPARTMENT', result: 'applied', error_type: 'none' }),
    ).toBe(1);
    expect(
      delta('idp_operations_total', { operation: 'UPSERT_DEPARTMENT', result: 'failed', error_type: 'DATA_FORMAT' }),
    ).toBe(1);
    expect(
      delta('idp_operations_total', { operation: 'CREATE_DEPARTMENT', result: 'failed', error_type: 'NOT_FOUND' }),
    ).toBe(1);
    expect(delta('idp_operations_total', {})).toBe(3);
    const job = { type: 'EXECUTE_IAM_COMMIT_TRANSACTION_JOB', outcome: 'completed' };
    expect(delta('idp_job_duration_seconds_count', job)).toBe(1);
    expect(delta('idp_job_duration_seconds_count', {})).toBe(1);
  });

  it('reads the job backlog, the request-log buffer and the database pool when scraped', async () => {
    // A job due an hour ago that no worker may claim (its lease runs for another hour): waiting.
    await t.app.get(DataSource).query(
      `INSERT INTO backend_jobs (tenant_id, type, status, created_by, payload, start_on, lease_owner, lease_expires_at)
       VALUES ('default', 'METRICS_TEST_PARKED', 'NOT_STARTED', 'test', '{}', now() - interval '1 hour',
               'nobody', now() + interval '1 hour')`,
    );
    const samples = await scrape();
    expect(total(samples, 'idp_job_queue_depth')).toBe(1);
    const age = total(samples, 'idp_job_queue_oldest_age_seconds');
    expect(age).toBeGreaterThanOrEqual(3600);
    expect(age).toBeLessThan(3600 + 600);
    await t.app.get(DataSource).query(`DELETE FROM backend_jobs WHERE type = 'METRICS_TEST_PARKED'`);
    expect(total(await scrape(), 'idp_job_queue_depth')).toBe(0);

    expect(has(samples, 'idp_request_log_buffered_rows')).toBe(true);
    expect(total(samples, 'idp_request_log_dropped_rows_total')).toBe(0);
    expect(total(samples, 'idp_request_log_failed_writes_total')).toBe(0);
    const connections = total(samples, 'idp_db_pool_connections');
    expect(connections).toBeGreaterThanOrEqual(1);
    expect(total(samples, 'idp_db_pool_connections', { state: 'in_use' })).toBeLessThanOrEqual(connections);
    expect(total(samples, 'idp_db_pool_waiting_queries')).toBe(0);
  });

  it('passes promtool check metrics (lint warnings included)', async () => {
    if (!fs.existsSync(PROMTOOL)) {
      throw new Error(
        `${PROMTOOL} is missing: install Debian's prometheus package (apt-get install -y --no-install-recommends prometheus)`,
      );
    }
    const text = await scrapeText();
    const check = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect({ status: check.status, output: `${check.stdout}${check.stderr}`.trim() }).toEqual({
      status: 0,
      output: '',
    });
  });

  it('is left out of the request log, unlike the requests it counts', async () => {
    await scrape();
    await t.http.get('/no/such/path/logged').expect(404);
    await t.app.get(RequestLogWriter).flush();
    const rows = await t.app
      .get(DataSource)
      .query<{ path: string }[]>(`SELECT path FROM request_logs WHERE path IN ('/metrics', '/no/such/path/logged')`);
    expect(rows.map((row) => row.path)).toEqual(['/no/such/path/logged']);
  });
});

describe('Prometheus metrics on METRICS_PORT, on a worker', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    t = await startTestApp({ APP_ROLE: 'worker', METRICS_PORT: String(port), METRICS_HOST: '127.0.0.1' });
  });
  afterAll(() => t.close());

  it('serves /metrics without a token on its own port, and nothing else there', async () => {
    const listener = request(`http://127.0.0.1:${port}`);
    const res = await listener.get('/metrics').expect(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const samples = parseExposition(res.text);
    // A worker runs jobs and serves no API: the backlog is its, the request log is not.
    expect(has(samples, 'idp_job_queue_depth')).toBe(true);
    expect(has(samples, 'idp_request_log_buffered_rows')).toBe(false);
    expect(has(samples, 'idp_build_info')).toBe(true);
    await listener.get('/health').expect(404);
    await listener.post('/metrics').expect(404);
  });

  it('answers 404 on the main port: there is no token to scrape it with', async () => {
    const res = await t.http.get('/metrics').expect(404);
    expect(res.body).toMatchObject({ status: false, error: expect.stringContaining('METRICS_TOKEN') });
  });
});

describe('Prometheus metrics off', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('answers 404 and collects nothing', async () => {
    await t.http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(404);
    expect(t.app.get(Metrics).enabled).toBe(false);
    expect(t.app.get(Metrics).registry).toBeNull();
  });
});
