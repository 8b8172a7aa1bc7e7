// The generated client, as an integrator would use it: types from openapi/api.d.ts (openapi-typescript,
// `npm run openapi`), calls through openapi-fetch, against the real app listening on a port.
//
// The seeds' payloads below are typed against the generated types, so a document that could not carry
// them does not compile. ts-jest does not type-check here (tsconfig.json sets isolatedModules, so it
// only transpiles): the first test runs the TypeScript compiler on this file and fails on any error.
import type { INestApplication } from '@nestjs/common';
import * as jwt from 'jsonwebtoken';
import type { AddressInfo } from 'node:net';
import * as fs from 'node:fs';
import * as path from 'node:path';
import createClient from 'openapi-fetch';
import * as ts from 'typescript';
import type { paths } from '../openapi/api';
import { randomSecret, startTestApp, TestApp } from './support/test-app';

// ---- Request bodies and queries, as the generated types name them ----

type QueueDepartmentsBody = NonNullable<
  paths['/api/provisioning/iam/{transactionId}/department']['post']['requestBody']
>['content']['application/json'];
type QueueUsersBody = NonNullable<
  paths['/api/provisioning/iam/{transactionId}/user']['post']['requestBody']
>['content']['application/json'];
type ListDepartmentsQuery = NonNullable<paths['/api/provisioning/iam/department']['get']['parameters']['query']>;
type PartnerSyncBody = NonNullable<
  paths['/api/admin/users/sync']['post']['requestBody']
>['content']['application/json'];

// ---- Seed 000 (quick start): the department and user items, as the curl steps send them ----

const SEED_000_DEPARTMENTS: QueueDepartmentsBody = [
  {
    externalId: 'dept-engineering',
    departmentName: 'Engineering',
    active: true,
    parentExternalId: null,
  },
];

const SEED_000_USERS: QueueUsersBody = [
  {
    firstName: 'Jane',
    lastName: 'Smith',
    email: 'jane.smith@company.com',
    externalId: 'user-jane-001',
    active: true,
    matchOnField: 'EXTERNAL_ID',
    userTypes: [
      {
        departmentExternalId: 'dept-engineering',
        userTypeId: '1',
      },
    ],
  },
];

// Seed 000's JavaScript example sends the department without `parentExternalId`.
const SEED_000_JS_DEPARTMENTS: QueueDepartmentsBody = [
  {
    externalId: 'dept-engineering',
    departmentName: 'Engineering',
    active: true,
  },
];

// ---- Seed 001 (IAM provisioning API): the department reads' request examples ----

const SEED_001_DEPARTMENT_QUERIES: ListDepartmentsQuery[] = [
  {},
  { active: true },
  { createdOn: 'LAST_30_DAYS' },
  { updatedOn: 'LAST_7_DAYS', skip: 0, limit: 100 },
  { active: true, createdOn: 'LAST_30_DAYS', updatedOn: 'LAST_7_DAYS', skip: 0, limit: 50 },
];

// ---- Seed 002 (partner user sync): the expected request format and the curl test body ----

const SEED_002_SYNC: PartnerSyncBody = {
  mode: 'upsert',
  users: [
    {
      externalId: 'user-123',
      email: 'user@example.com',
      firstName: 'John',
      lastName: 'Doe',
      role: 'admin',
      isActive: true,
      orgCode: 'acme',
      metadata: {
        department: 'Engineering',
        permissions: ['read', 'write'],
      },
    },
  ],
};

const SEED_002_FULL_RECONCILE: PartnerSyncBody = { ...SEED_002_SYNC, mode: 'full-reconcile' };

const SEED_002_CURL_TEST: PartnerSyncBody = {
  mode: 'upsert',
  users: [
    {
      externalId: 'test-123',
      email: 'test@example.com',
      firstName: 'Test',
      lastName: 'User',
      role: 'user',
      isActive: true,
      orgCode: 'test-org',
    },
  ],
};

const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const SCIM_PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SCIM_LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const JOB_ENDS = ['DONE', 'FAILED', 'CANCELLED'];

/** The value, or the test fails saying what was missing (instead of a non-null assertion). */
function present<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`${what} is missing`);
  return value;
}

describe('the generated client (openapi/api.d.ts + openapi-fetch)', () => {
  let t: TestApp;
  let baseUrl: string;
  const partnerSecret = randomSecret('partner');

  beforeAll(async () => {
    t = await startTestApp({ WRAPPER_SECRET_KEY: partnerSecret, WRAPPER_ORG_CODE: 'test-org' });
    const app: INestApplication = t.app;
    await app.listen(0, '127.0.0.1');
    const address: AddressInfo | string | null = app.getHttpServer().address();
    if (!address || typeof address === 'string') throw new Error('the app listens on no TCP port');
    baseUrl = `http://127.0.0.1:${address.port}`;
  });
  afterAll(() => t?.close());

  it("type-checks: the seeds' payloads and every call in this file compile against openapi/api.d.ts", () => {
    const root = path.resolve(__dirname, '..');
    const configPath = path.join(root, 'tsconfig.json');
    const config = ts.getParsedCommandLineOfConfigFile(
      configPath,
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
    );
    const program = ts.createProgram([__filename], { ...present(config, 'tsconfig.json').options, noEmit: true });
    const diagnostics = ts.getPreEmitDiagnostics(program, program.getSourceFile(__filename));
    const text = ts.formatDiagnostics(diagnostics, {
      getCanonicalFileName: (name) => name,
      getCurrentDirectory: () => root,
      getNewLine: () => '\n',
    });
    expect(text).toBe('');
    // The payloads are the seeds' own: a few spot checks that nothing was lost in the copy.
    expect(SEED_000_DEPARTMENTS[0]).toEqual({ ...SEED_000_JS_DEPARTMENTS[0], parentExternalId: null });
    expect(SEED_001_DEPARTMENT_QUERIES).toHaveLength(5);
    expect(SEED_002_FULL_RECONCILE.users).toBe(SEED_002_SYNC.users);
  }, 180_000);

  it('serves the committed document at /api/docs/openapi.json, the address integrators generate from', async () => {
    const client = createClient<paths>({ baseUrl });
    const served = await client.GET('/api/docs/openapi.json');
    expect(served.response.status).toBe(200);
    expect(served.response.headers.get('content-type')).toContain('application/json');
    const document = present(served.data, 'document');
    expect(document.openapi).toBe('3.1.0');
    const committed: unknown = JSON.parse(
      fs.readFileSync(path.join(__dirname, '..', 'openapi', 'openapi.json'), 'utf8'),
    );
    expect(document).toEqual(committed);

    // A copy kept by its ETag is revalidated: 304 without a body. (Not through fetch: a request with
    // If-None-Match gets `Cache-Control: no-cache` from fetch itself, which asks for the full answer.)
    const etag = present(served.response.headers.get('etag'), 'ETag');
    const again = await t.http.get('/api/docs/openapi.json').set('If-None-Match', etag);
    expect(again.status).toBe(304);
    expect(again.headers.etag).toBe(etag);
    expect(again.text).toBeFalsy();
  });

  it('runs the quick start (seed 000): checkpoint, queue a department and a user, commit, poll the job', async () => {
    const client = createClient<paths>({
      baseUrl,
      headers: { 'auth-tenant-id': t.config.defaultTenantId, 'auth-token': t.secrets.apiToken },
    });

    const checkpoint = await client.POST('/api/provisioning/iam/checkpoint');
    expect(checkpoint.response.status).toBe(200);
    const { transactionId } = present(checkpoint.data, 'checkpoint answer');
    expect(transactionId).toEqual(expect.any(String));

    const departments = await client.POST('/api/provisioning/iam/{transactionId}/department', {
      params: { path: { transactionId } },
      body: SEED_000_DEPARTMENTS,
    });
    expect(departments.response.status).toBe(200);
    const queuedDepartments = present(departments.data, 'department queue answer');
    expect(queuedDepartments.operationsQueued).toBe(1);
    expect(queuedDepartments.operations.map((operation) => [operation.status, operation.orderId])).toEqual([[true, 1]]);

    const users = await client.POST('/api/provisioning/iam/{transactionId}/user', {
      params: { path: { transactionId } },
      body: SEED_000_USERS,
    });
    expect(users.response.status).toBe(200);
    const queuedUsers = present(users.data, 'user queue answer');
    expect(queuedUsers.operations.map((operation) => [operation.status, operation.orderId])).toEqual([[true, 2]]);

    const commit = await client.POST('/api/provisioning/iam/{transactionId}/commit', {
      params: { path: { transactionId } },
    });
    expect(commit.response.status).toBe(202);
    const { jobId } = present(commit.data, 'commit answer');
    expect(jobId).toEqual(expect.any(String));

    // Poll the job until it ends, as seed 001's monitorJob does.
    let job = await client.GET('/api/user/job/{jobId}', { params: { path: { jobId } } });
    for (let i = 0; i < 300 && !JOB_ENDS.includes(present(job.data, 'job').value.status); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      job = await client.GET('/api/user/job/{jobId}', { params: { path: { jobId } } });
    }
    expect(job.response.status).toBe(200);
    const ended = present(job.data, 'job').value;
    expect(ended.status).toBe('DONE');
    expect(ended.donePercentage).toBe(100);
    expect(ended.job.transactionId).toBe(transactionId);

    const status = await client.GET('/api/provisioning/iam/transaction/{transactionId}/status', {
      params: { path: { transactionId } },
    });
    expect(status.response.status).toBe(200);
    const transaction = present(status.data, 'transaction status');
    expect(transaction.transactionStatus).toBe('COMPLETED');
    expect([transaction.totalOperations, transaction.completedOperations, transaction.failedOperations]).toEqual([
      2, 2, 0,
    ]);
    expect(transaction.failures).toBeNull();

    // Seed 001's department reads, every one of its request examples.
    for (const query of SEED_001_DEPARTMENT_QUERIES) {
      const read = await client.GET('/api/provisioning/iam/department', { params: { query } });
      expect(read.response.status).toBe(200);
      const page = present(read.data, 'department page');
      expect(page.departments.map((department) => [department.name, department.externalId, department.active])).toEqual(
        [['Engineering', 'dept-engineering', true]],
      );
      expect(page.totalCount).toBe(1);
    }
  });

  it('creates, patches and lists a SCIM user', async () => {
    const scim = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${t.secrets.scimSecret}` } });
    const userName = 'jane.doe@example.com';

    const created = await scim.POST('/scim/v2/Users', {
      body: {
        schemas: [SCIM_USER],
        userName,
        externalId: 'jdoe-001',
        name: { givenName: 'Jane', familyName: 'Doe' },
        emails: [{ value: userName, type: 'work', primary: true }],
        active: true,
      },
    });
    expect(created.response.status).toBe(201);
    const user = present(created.data, 'created user');
    const id = present(user.id, 'id');
    expect(user.userName).toBe(userName);
    expect(user.active).toBe(true);
    expect(created.response.headers.get('location')).toBe(present(user.meta, 'meta').location);
    expect(created.response.headers.get('etag')).toEqual(expect.any(String));

    const patched = await scim.PATCH('/scim/v2/Users/{id}', {
      params: { path: { id } },
      body: { schemas: [SCIM_PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] },
    });
    expect(patched.response.status).toBe(204);

    const listed = await scim.GET('/scim/v2/Users', {
      params: { query: { filter: `userName eq "${userName}"` } },
    });
    expect(listed.response.status).toBe(200);
    const list = present(listed.data, 'list');
    expect(list.schemas).toEqual([SCIM_LIST]);
    expect(list.totalResults).toBe(1);
    expect(
      present(list.Resources, 'Resources').map((resource) => [resource.id, resource.userName, resource.active]),
    ).toEqual([[id, userName, false]]);
  });

  it("syncs seed 002's users through the partner endpoint", async () => {
    const token = jwt.sign({ orgCode: 'test-org' }, partnerSecret, { algorithm: 'HS256', expiresIn: 300 });
    const partner = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${token}` } });
    const synced = await partner.POST('/api/admin/users/sync', { body: SEED_002_CURL_TEST });
    expect(synced.response.status).toBe(200);
    const answer = present(synced.data, 'sync answer');
    expect(answer.success).toBe(true);
    expect(answer.data.summary).toMatchObject({ total: 1, created: 1, updated: 0, failed: 0 });
    expect(answer.data.results.map((result) => [result.userId, result.email, result.status])).toEqual([
      ['test-123', 'test@example.com', 'created'],
    ]);
  });
});
