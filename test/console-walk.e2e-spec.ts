import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { buildAdminPage, launchChromium } from './support/admin-browser';
import { checkView, newConsolePage } from './support/console-browser';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The operator console as an operator walks it, in Chromium against the whole app:
 * 1. an ADMIN onboards a tenant from the page (tenant, SCIM secret, API token, a TENANT_ADMIN
 *    credential), the test pushes a SCIM user with the secret, and the operator finds that user in
 *    the directory browser and its request in the logs;
 * 2. the TENANT_ADMIN signs in, sees only its tenant, and takes a failed batch operation through
 *    retry to success, while another tenant's records answer as missing ones.
 * Every view it passes through is checked with axe-core (light, dark, 360 px) and kept as four
 * screenshots (light and dark, 1400 and 390 px) in .test-results/console/walk-*.png.
 */
describe('operator console walk: onboarding, then a failed batch retried by a TENANT_ADMIN', () => {
  const suffix = randomUUID().slice(0, 8);
  const tenantId = `walk-${suffix}`;
  const tenantName = `Initech ${suffix}`;
  const userName = `peter.gibbons@${tenantId}.example`;

  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let scimSecret: string;
  let apiToken: string;
  let tenantAdminToken: string;
  let otherTx: string;
  let failedTx: string;

  async function call(method: string, url: string, headers: Record<string, string>, body?: unknown) {
    const res = await fetch(base + url, {
      method,
      headers: { 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  /** Issues a credential from the open tenant page and reads its secret, shown once. */
  async function issueFromPage(kind: string, name: string): Promise<string> {
    await page.getByLabel('Kind').selectOption(kind);
    await page.getByLabel('Credential name').fill(name);
    await page.getByRole('button', { name: 'Issue credential' }).click();
    const field = page.getByLabel('Secret', { exact: true });
    await field.waitFor();
    const secret = await field.inputValue();
    await page.getByRole('button', { name: 'Done' }).click();
    await page.locator('.credentials-table tbody tr').filter({ hasText: name }).waitFor();
    return secret;
  }

  /** Opens a view afresh (a new hash alone keeps a list the view loaded before). */
  async function open(hash: string): Promise<void> {
    await page.goto(`${base}/admin${hash}`);
    await page.reload();
  }

  async function signIn(token: string, hash: string): Promise<void> {
    await page.goto(`${base}/admin${hash}`);
    await page.getByLabel('Admin token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('nav[aria-label="Console"]').waitFor();
  }

  beforeAll(async () => {
    buildAdminPage();
    t = await startTestApp({ RATE_LIMITS: 'off' });
    await t.app.listen(0, '127.0.0.1');
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');

    // Another tenant's transaction (the default tenant's): the TENANT_ADMIN must not find it.
    const partner = { 'auth-tenant-id': 'default', 'auth-token': t.secrets.apiToken };
    otherTx = (await call('POST', '/api/provisioning/iam/checkpoint', partner)).body.transactionId;

    browser = await launchChromium();
    ({ page, pageErrors } = await newConsolePage(browser));
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('ADMIN: signs in to the overview and creates a tenant', async () => {
    await signIn(t.secrets.adminToken, '#/overview');
    await page.getByRole('heading', { name: 'Overview', level: 2 }).waitFor();
    await checkView(page, 'walk-overview');

    await page.getByRole('link', { name: 'Tenants', exact: true }).click();
    await page.getByRole('heading', { name: 'Tenants', level: 2 }).waitFor();
    await page.getByLabel('Id').fill(tenantId);
    await page.getByLabel('Name', { exact: true }).fill(tenantName);
    await page.getByLabel('Time zone').fill('America/Chicago');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await page.getByRole('status').getByRole('link', { name: tenantName }).click();
    await page.getByRole('heading', { name: new RegExp(tenantName) }).waitFor();
    await checkView(page, 'walk-tenant');
  });

  it('ADMIN: issues a SCIM secret, an API token and a TENANT_ADMIN credential; the SCIM secret provisions a user', async () => {
    scimSecret = await issueFromPage('SCIM_SECRET', 'Entra ID');
    apiToken = await issueFromPage('API_TOKEN', 'HR batch');
    tenantAdminToken = await issueFromPage('ADMIN_TOKEN', 'Initech IT');
    const issued = await call('GET', `/api/admin/tenants/${tenantId}/credentials`, {
      Authorization: `Bearer ${t.secrets.adminToken}`,
    });
    const byName = new Map(issued.body.items.map((c: { name: string; roles: string[] }) => [c.name, c.roles]));
    expect(byName.get('Initech IT')).toEqual(['TENANT_ADMIN']);
    expect(byName.get('Entra ID')).toEqual(['SCIM']);

    const created = await call(
      'POST',
      '/scim/v2/Users',
      { Authorization: `Bearer ${scimSecret}`, 'Content-Type': 'application/scim+json' },
      {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName,
        displayName: 'Peter Gibbons',
        name: { givenName: 'Peter', familyName: 'Gibbons' },
        active: true,
      },
    );
    expect(created.status).toBe(201);
  });

  it('ADMIN: finds the user in the directory browser, and its request in the logs', async () => {
    await open(`#/directory/${tenantId}`);
    const users = page.getByRole('region', { name: 'Users' });
    await users.getByLabel('Search').fill('gibbons');
    await users.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'Peter Gibbons' }).waitFor();
    await checkView(page, 'walk-directory');

    await page.getByRole('link', { name: 'Peter Gibbons' }).click();
    await page.getByRole('heading', { name: /Peter Gibbons/ }).waitFor();
    expect(await page.locator('dl.attributes').textContent()).toContain(userName);
    // The request log is written a moment after the answer: the detail lists it once it is there.
    const request = page.getByRole('link', { name: 'POST /scim/v2/Users' });
    for (let attempt = 0; (await request.count()) === 0; attempt += 1) {
      if (attempt > 30) throw new Error('the SCIM create never showed among the user’s requests');
      await page.waitForTimeout(300);
      await page.reload();
      await page.getByRole('heading', { name: /Peter Gibbons/ }).waitFor();
    }
    await checkView(page, 'walk-user');

    await request.first().click();
    const detail = page.locator('.log-detail');
    await detail.getByText(userName).first().waitFor();
    expect(await detail.textContent()).toContain('/scim/v2/Users');
    await checkView(page, 'walk-log');
  });

  it('TENANT_ADMIN: sees its tenant only; another tenant’s transaction answers as a missing one', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(tenantAdminToken, '#/transactions');
    expect(await page.getByRole('link', { name: 'Operators' }).count()).toBe(0);
    expect(await page.locator('.who').textContent()).toContain(tenantName);

    const tenants = await call('GET', '/api/admin/tenants', { Authorization: `Bearer ${tenantAdminToken}` });
    expect(tenants.body.items.map((tenant: { id: string }) => tenant.id)).toEqual([tenantId]);
    const other = await call('GET', `/api/admin/transactions/${otherTx}`, {
      Authorization: `Bearer ${tenantAdminToken}`,
    });
    const missing = await call('GET', `/api/admin/transactions/${randomUUID()}`, {
      Authorization: `Bearer ${tenantAdminToken}`,
    });
    // Word for word, but for the correlation id every answer carries.
    const { correlationId: _otherId, ...otherBody } = other.body;
    const { correlationId: _missingId, ...missingBody } = missing.body;
    expect(other.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(otherBody).toEqual(missingBody);

    await open(`#/transactions/${otherTx}`);
    await page.getByRole('alert').filter({ hasText: /404/ }).waitFor();
    expect(await page.locator('body').textContent()).not.toContain('default');
  });

  it('TENANT_ADMIN: takes a failed batch operation through retry to success', async () => {
    const partner = { 'auth-tenant-id': tenantId, 'auth-token': apiToken };
    failedTx = (await call('POST', '/api/provisioning/iam/checkpoint', partner)).body.transactionId;
    const queued = await call('POST', `/api/provisioning/iam/${failedTx}/department`, partner, [
      { externalId: 'walk-tps', departmentName: 'TPS reports', parentExternalId: 'walk-software' },
    ]);
    expect(queued.status).toBe(200);
    const commit = await call('POST', `/api/provisioning/iam/${failedTx}/commit?wait=true&timeoutMs=20000`, partner);
    expect(commit.body).toMatchObject({ failedOperations: 1 });

    await open(`#/transactions`);
    await page.locator('.transactions-table').getByRole('link', { name: failedTx }).waitFor();
    await checkView(page, 'walk-transactions');

    await open(`#/transactions/${failedTx}`);
    const detail = page.locator('.transaction-detail');
    await detail.getByText('Failures (1)').waitFor();
    await detail.getByText('Payload and failure of operation 1').click();
    expect(JSON.parse((await detail.locator('pre.payload').textContent()) ?? '')).toMatchObject({
      externalId: 'walk-tps',
      parentExternalId: 'walk-software',
    });
    await checkView(page, 'walk-transaction-failed');

    // The cause, fixed by the partner: the parent department now exists.
    const parent = await call('POST', '/api/provisioning/iam/department', partner, [
      { externalId: 'walk-software', departmentName: 'Software' },
    ]);
    expect(parent.status).toBe(200);

    await page.getByRole('button', { name: 'Retry failed operations' }).click();
    await page
      .locator('.repair-result')
      .getByRole('link', { name: /^transaction / })
      .click();
    const retried = page.locator('.transaction-detail');
    await retried.locator('.badge.state-completed').waitFor({ timeout: 20_000 });
    await retried.getByText('No operation failed.').waitFor();
    await checkView(page, 'walk-transaction-retried');

    await retried.locator('dd a[href^="#/jobs/"]').click();
    await page.locator('.job-detail .badge.state-done').waitFor();
    await checkView(page, 'walk-job');

    const departments = await call('GET', '/api/provisioning/iam/department?limit=10', partner);
    expect(departments.body.departments.map((d: { externalId: string }) => d.externalId).sort()).toEqual([
      'walk-software',
      'walk-tps',
    ]);
  });

  it('threw nothing in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
