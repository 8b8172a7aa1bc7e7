import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { JobsService } from '../src/jobs/jobs.service';
import { buildAdminPage, launchChromium } from './support/admin-browser';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The console's repair tools in real headless Chromium against the whole app: a batch with a
 * failing operation, its payload on the transaction page, Retry once the cause is fixed, the
 * links from the new transaction to its job and its request, Roll back of an open transaction,
 * and a confirmed purge of the request log. The steps run in order on one page.
 */
describe('operator console: fixing failures (Chromium)', () => {
  const SCREENSHOTS = path.resolve(__dirname, '..', '.test-results');
  const suffix = randomUUID().slice(0, 8);
  const partner = () => ({ 'auth-tenant-id': 'default', 'auth-token': t.secrets.apiToken });

  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;
  let failedTx: string;
  let retriedTx: string;
  const pageErrors: string[] = [];

  async function call(method: string, url: string, headers: Record<string, string>, body?: unknown) {
    const res = await fetch(base + url, {
      method,
      headers: { 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  async function open(hash: string): Promise<void> {
    await page.evaluate(`window.location.hash = ${JSON.stringify(hash)}`);
  }

  beforeAll(async () => {
    buildAdminPage();
    t = await startTestApp({ RATE_LIMITS: 'off' });
    await t.app.listen(0, '127.0.0.1');
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');

    const checkpoint = await call('POST', '/api/provisioning/iam/checkpoint', partner());
    failedTx = checkpoint.body.transactionId;
    const queued = await call('POST', `/api/provisioning/iam/${failedTx}/department`, partner(), [
      { externalId: `fix-root-${suffix}`, departmentName: 'Root' },
      { externalId: `fix-child-${suffix}`, departmentName: 'Child', parentExternalId: `fix-parent-${suffix}` },
    ]);
    expect(queued.status).toBe(200);
    const commit = await call('POST', `/api/provisioning/iam/${failedTx}/commit?wait=true&timeoutMs=20000`, partner());
    expect(commit.body).toMatchObject({ transactionStatus: 'COMPLETED', failedOperations: 1 });

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    await page.goto(`${base}/admin#/transactions/${failedTx}`);
    await page.getByLabel('Admin token').fill(t.secrets.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows a failed operation with the item as it was queued, as text', async () => {
    const detail = page.locator('.transaction-detail');
    await detail.getByText('Failures (1)').waitFor();
    await detail.getByText('Payload and failure of operation 2').click();
    const payload = JSON.parse((await detail.locator('pre.payload').textContent()) ?? '');
    expect(payload).toEqual({
      externalId: `fix-child-${suffix}`,
      departmentName: 'Child',
      parentExternalId: `fix-parent-${suffix}`,
    });
    expect(await detail.locator('pre.failure-object').textContent()).toContain('"operationId": "op-2"');
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'console-failures-transaction.png'), fullPage: true });
  });

  it('retries the failure once its cause is fixed, and follows the link to the new transaction', async () => {
    // The cause: the parent department did not exist. Create it.
    const fixed = await call('POST', '/api/provisioning/iam/department', partner(), [
      { externalId: `fix-parent-${suffix}`, departmentName: 'Parent' },
    ]);
    expect(fixed.status).toBe(200);
    await page.getByRole('button', { name: 'Retry failed operations' }).click();
    const result = page.locator('.repair-result');
    await result.waitFor();
    expect(await result.textContent()).toContain('1 operation(s) queued again');
    const link = result.getByRole('link', { name: /^transaction / });
    retriedTx = ((await link.textContent()) ?? '').replace('transaction ', '');
    await link.click();
    const detail = page.locator('.transaction-detail');
    await detail.locator('h2').filter({ hasText: retriedTx }).waitFor();
    await detail.locator('.badge.state-completed').waitFor({ timeout: 20_000 });
    await detail.getByText('No operation failed.').waitFor();
    expect(await detail.locator('dl.facts').textContent()).toContain('1 completed · 0 failed');
  });

  it('links the new transaction to its job and to the request that made it', async () => {
    const detail = page.locator('.transaction-detail');
    await detail.locator('dd a[href^="#/jobs/"]').click();
    const job = page.locator('.job-detail');
    await job.locator('.badge.state-done').waitFor();
    expect(await job.locator(`a[href="#/transactions/${retriedTx}"]`).count()).toBe(1);

    // The request log of the retry request (the transaction's correlation id), then its detail.
    await open(`#/transactions/${retriedTx}`);
    await detail.locator('h2').filter({ hasText: retriedTx }).waitFor();
    await detail.locator('dd a[href^="#/logs/correlation/"]').click();
    const rows = page.locator('.logs-table tbody tr');
    const deadline = Date.now() + 15_000;
    while ((await rows.count()) === 0) {
      if (Date.now() > deadline) throw new Error('the retry request never appeared in the log');
      await page.waitForTimeout(300);
      await page.getByRole('button', { name: 'Apply' }).click();
    }
    expect(await rows.first().textContent()).toContain(`/api/admin/transactions/${failedTx}/retry`);
    await rows.first().click();
    const log = page.locator('.log-detail');
    await log.locator(`a[href="#/transactions/${failedTx}"]`).waitFor();
  });

  it('rolls back an open transaction after confirmation', async () => {
    const checkpoint = await call('POST', '/api/provisioning/iam/checkpoint', partner());
    const openTx = checkpoint.body.transactionId as string;
    await open(`#/transactions/${openTx}`);
    const detail = page.locator('.transaction-detail');
    await detail.locator('.badge.state-open').waitFor();
    await detail.getByRole('button', { name: 'Roll back' }).click();
    await detail.getByRole('group', { name: /Roll back this open transaction/ }).waitFor();
    await detail.getByRole('button', { name: 'Roll back' }).click();
    await detail.locator('.badge.state-rolled_back').waitFor();
    const status = await call('GET', `/api/provisioning/iam/transaction/${openTx}/status`, partner());
    expect(status.body.transactionStatus).toBe('ROLLED_BACK');
  });

  it('cancels a job that has not started, after confirmation', async () => {
    // A job due tomorrow: it waits, so there is time to cancel it.
    const job = await t.app.get(DataSource).transaction((em) =>
      t.app.get(JobsService).create(em, {
        type: 'CONSOLE_TEST_JOB',
        tenantId: 'default',
        createdBy: 'console-test',
        payload: {},
        startOn: new Date(Date.now() + 86_400_000),
      }),
    );
    await open(`#/jobs/${job.id}`);
    const detail = page.locator('.job-detail');
    await detail.locator('.badge.state-not_started').waitFor();
    await detail.getByRole('button', { name: 'Cancel job' }).click();
    await detail.getByRole('group', { name: /Cancel this job before it starts/ }).waitFor();
    await detail.getByRole('button', { name: 'Cancel job' }).click();
    await detail.locator('.badge.state-cancelled').waitFor();
  });

  it('purges the request log only after a confirmation that says what goes', async () => {
    await open('#/logs');
    await page.getByRole('button', { name: 'Purge logs…' }).click();
    const question = page.getByRole('group', { name: /Delete all .*logged requests of every tenant/ });
    await question.waitFor();
    await question.getByRole('button', { name: 'Keep' }).click();
    await page.getByRole('button', { name: 'Purge logs…' }).click();
    await page.getByRole('button', { name: 'Delete all requests' }).click();
    await page.locator('.repair-result').filter({ hasText: 'logged request(s) deleted' }).waitFor();
    const stats = await call('GET', '/api/admin/logs/stats', { Authorization: `Bearer ${t.secrets.adminToken}` });
    expect(stats.body.rows).toBeLessThan(5);
    expect(pageErrors).toEqual([]);
  });
});
