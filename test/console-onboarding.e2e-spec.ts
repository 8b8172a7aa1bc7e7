import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildAdminPage, launchChromium } from './support/admin-browser';
import { startTestApp, TestApp } from './support/test-app';

/**
 * Onboarding a tenant from the operator console in Chromium: create it, issue a SCIM secret (shown
 * once, read from the page), use it from outside as an identity provider would, revoke it.
 */
describe('console: onboarding a tenant (#/tenants) in Chromium', () => {
  const SCREENSHOTS = path.resolve(__dirname, '..', '.test-results');
  const suffix = randomUUID().slice(0, 8);
  const tenantId = `onboard-${suffix}`;
  const tenantName = `Onboarding ${suffix}`;
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;
  let secret: string;
  const pageErrors: string[] = [];

  const scim = (method: string, token: string, body?: unknown) =>
    fetch(`${base}/scim/v2/Users`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeAll(async () => {
    buildAdminPage();
    t = await startTestApp({ RATE_LIMITS: 'off' });
    await t.app.listen(0, '127.0.0.1');
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('signs in at /admin#/tenants and creates a tenant', async () => {
    await page.goto(`${base}/admin#/tenants`);
    await page.getByLabel('Admin token').fill(t.secrets.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Tenants', level: 2 }).waitFor();

    await page.getByLabel('Id').fill(tenantId);
    await page.getByLabel('Name', { exact: true }).fill(tenantName);
    await page.getByLabel('Time zone').fill('Europe/Berlin');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await page.getByRole('status').getByRole('link', { name: tenantName }).click();
    await page.getByRole('heading', { name: new RegExp(tenantName) }).waitFor();
    expect(page.url()).toContain(`#/tenants/${tenantId}`);

    const tenant = await fetch(`${base}/api/admin/tenants/${tenantId}`, {
      headers: { Authorization: `Bearer ${t.secrets.adminToken}` },
    });
    expect(await tenant.json()).toMatchObject({ id: tenantId, name: tenantName, timeZone: 'Europe/Berlin' });
  });

  it('issues a SCIM secret, shown once, that an identity provider can use', async () => {
    await page.getByLabel('Kind').selectOption('SCIM_SECRET');
    await page.getByLabel('Credential name').fill('Entra ID');
    await page.getByRole('button', { name: 'Issue credential' }).click();
    const field = page.getByLabel('Secret', { exact: true });
    await field.waitFor();
    secret = await field.inputValue();
    expect(secret).toMatch(/^idp_scim_/);
    expect(await field.getAttribute('readonly')).not.toBeNull();
    await page.getByText('it will not be shown again').waitFor();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'console-onboarding-secret.png'), fullPage: true });

    const created = await scim('POST', secret, {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: `first.user@${tenantId}.example`,
    });
    expect(created.status).toBe(201);

    // Done hides the secret for good; the list shows the credential and, once used, its door.
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByLabel('Secret', { exact: true }).count()).toBe(0);
    const row = page.locator('.credentials-table tbody tr').filter({ hasText: 'Entra ID' });
    await row.waitFor();
    expect(await row.textContent()).toContain('SCIM');
  });

  it('revokes the credential after a confirmation; the secret stops working', async () => {
    const row = page.locator('.credentials-table tbody tr').filter({ hasText: 'Entra ID' });
    await row.getByRole('button', { name: 'Revoke' }).click();
    const question = row.getByRole('group', { name: /Revoke Entra ID\?/ });
    await question.waitFor();
    // Keep backs out: nothing is revoked.
    await question.getByRole('button', { name: 'Keep' }).click();
    expect((await scim('GET', secret)).status).toBe(200);

    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByRole('group').getByRole('button', { name: 'Revoke' }).click();
    await row.getByText('revoked').waitFor();
    expect((await scim('GET', secret)).status).toBe(401);
    expect(pageErrors).toEqual([]);
  });

  it('issues an operator credential at #/operators that works on the admin API', async () => {
    await page.goto(`${base}/admin#/operators`);
    await page.getByRole('heading', { name: 'Operators', level: 2 }).waitFor();
    await page.getByLabel('Kind').selectOption('ADMIN_TOKEN');
    await page.getByLabel('Credential name').fill('On-call');
    await page.getByRole('button', { name: 'Issue credential' }).click();
    const field = page.getByLabel('Secret', { exact: true });
    await field.waitFor();
    const token = await field.inputValue();
    const me = await fetch(`${base}/api/admin/me`, { headers: { Authorization: `Bearer ${token}` } });
    expect(await me.json()).toMatchObject({ name: 'On-call', scope: 'all', tenantId: null });
    await page.getByRole('button', { name: 'Done' }).click();
    await page.locator('.credentials-table tbody tr').filter({ hasText: 'On-call' }).waitFor();
  });

  it("shows a TENANT_ADMIN its own tenant's page at #/tenants, and no operators", async () => {
    const issued = await fetch(`${base}/api/admin/tenants/${tenantId}/credentials`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${t.secrets.adminToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'ADMIN_TOKEN', name: 'Onboarding IT' }),
    });
    expect(issued.status).toBe(201);
    const { secret: tenantAdminToken } = (await issued.json()) as { secret: string };
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.goto(`${base}/admin#/tenants`);
    await page.getByLabel('Admin token').fill(tenantAdminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: new RegExp(tenantName) }).waitFor();
    expect(await page.getByRole('link', { name: 'Operators' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: /All tenants/ }).count()).toBe(0);
    // It may not issue administering credentials: the kind is not offered.
    const kinds = await page
      .getByLabel('Kind')
      .locator('option')
      .evaluateAll((options) => options.map((option) => (option as { value: string }).value));
    expect(kinds).not.toContain('ADMIN_TOKEN');
    expect(pageErrors).toEqual([]);
  });
});
