import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { startTestApp, TestApp } from './support/test-app';

/** The source documents' own client code, run against the real app over HTTP. */
describe("the seeds' client code", () => {
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMITS: 'off' });
    await t.app.listen(0, '127.0.0.1');
    const address = t.app.getHttpServer().address() as { port: number };
    base = `http://127.0.0.1:${address.port}`;
  });
  afterAll(() => t.close());

  it("runs the quick start's JavaScript client unchanged but for the base URL and credentials", async () => {
    const source = fs
      .readFileSync(path.join(__dirname, 'fixtures', 'quickstart-client.js'), 'utf8')
      .replace('__BASE_URL__', base)
      .replace('__TENANT__', 'default')
      .replace('__TOKEN__', t.secrets.apiToken);
    const logged: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const console = { log: (message: string) => (logged.push(message), message === 'Sync complete!' && resolve()) };
      const script = new vm.Script(source);
      // The client ends with `syncDepartmentAndUser();` without awaiting it; its last expression's
      // value (the promise) is what the script returns, so a failure surfaces here.
      (script.runInNewContext({ fetch, console, setTimeout }) as Promise<unknown>).catch(reject);
    });
    await done;
    expect(logged).toEqual(['Sync complete!']);
    const users = await t.http
      .get('/api/provisioning/iam/user')
      .set({ 'auth-tenant-id': 'default', 'auth-token': t.secrets.apiToken })
      .expect(200);
    expect(users.body.entries).toEqual([
      expect.objectContaining({
        email: 'jane.smith@company.com',
        directoryUniqueIdentifier: 'user-jane-001',
        userTypes: [
          expect.objectContaining({
            departmentExternalId: 'dept-engineering',
            userTypeId: '1',
            userTypeName: 'Member',
          }),
        ],
      }),
    ]);
  }, 60_000);

  it("runs the IAM document's job-monitoring loop to DONE", async () => {
    const headers = {
      'auth-tenant-id': 'default',
      'auth-token': t.secrets.apiToken,
      'Content-Type': 'application/json',
    };
    const call = async (route: string, method = 'GET', body?: unknown): Promise<any> =>
      (
        await fetch(`${base}/api${route}`, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
        })
      ).json();
    const { transactionId } = await call('/provisioning/iam/checkpoint', 'POST');
    await call(`/provisioning/iam/department/sync/${transactionId}`, 'POST', [
      { externalId: 'monitored', departmentName: 'Monitored' },
    ]);
    const commit = await call(`/provisioning/iam/transaction/${transactionId}/commit`, 'POST');
    const getJob = (jobId: string): Promise<any> => call(`/user/job/${jobId}`);
    const printed: string[] = [];
    const console = { log: (line: string) => printed.push(line) };
    // Seed 001's monitorJob, as written.
    const monitorJob = async (jobId: string): Promise<boolean> => {
      let status = 'NOT_STARTED';
      while (status !== 'DONE' && status !== 'FAILED') {
        const job = await getJob(jobId);
        status = job.value.status;

        console.log(`Progress: ${job.value.donePercentage}%`);
        console.log(`Status: ${status}`);

        if (job.value.updates && job.value.updates.length > 0) {
          const latestUpdate = job.value.updates[job.value.updates.length - 1];
          console.log(`Latest update: ${latestUpdate.message}`);
        }

        await new Promise((resolve) => setTimeout(resolve, 1000)); // Wait 1 second
      }

      return status === 'DONE';
    };
    expect(await monitorJob(commit.jobId)).toBe(true);
    expect(printed).toEqual(
      expect.arrayContaining([
        'Progress: 100%',
        'Status: DONE',
        'Latest update: Processing departments: 1/1 completed',
      ]),
    );
  }, 60_000);
});
