import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { RequestLogWriter } from '../src/request-log/request-log.writer';
import { buildAdminPage, launchChromium } from './support/admin-browser';
import { startTestApp, TestApp } from './support/test-app';

/** The overview view (#/overview, the default) in headless Chromium against the whole app. */
describe('operator console overview in Chromium', () => {
  const SCREENSHOTS = path.resolve(__dirname, '..', '.test-results');
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;
  let acmeScim: Record<string, string>;
  const problems: string[] = [];

  const card = (name: string) => page.locator('.overview-card').filter({ hasText: name });

  async function scim(headers: Record<string, string>, times: number): Promise<void> {
    for (let i = 0; i < times; i++) {
      const res = await fetch(`${base}/scim/v2/Users`, { headers });
      expect(res.status).toBe(200);
    }
    await t.app.get(RequestLogWriter).flush();
  }

  beforeAll(async () => {
    buildAdminPage();
    t = await startTestApp({ RATE_LIMITS: 'off' });
    await t.app.listen(0, '127.0.0.1');
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    const admin = { Authorization: `Bearer ${t.secrets.adminToken}` };
    await t.http.post('/api/admin/tenants').set(admin).send({ id: 'acme', name: 'Acme Corporation' }).expect(201);
    const issued = await t.http
      .post('/api/admin/tenants/acme/credentials')
      .set(admin)
      .send({ kind: 'SCIM_SECRET', name: 'entra' })
      .expect(201);
    acmeScim = { Authorization: `Bearer ${issued.body.secret as string}` };
    await scim(acmeScim, 3);
    await scim({ Authorization: `Bearer ${t.secrets.scimSecret}` }, 2);

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('signs in onto the overview: a card per tenant with its counts and SVG charts', async () => {
    await page.goto(`${base}/admin`);
    await page.getByLabel('Admin token').fill(t.secrets.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await textMatches(card('Acme Corporation').locator('.chart-caption').first(), /^3 requests/);
    await textMatches(card('default').locator('.chart-caption').first(), /^[1-9]\d* requests/);

    const acme = card('Acme Corporation');
    expect(await acme.getByRole('link', { name: 'Acme Corporation' }).getAttribute('href')).toBe('#/tenants/acme');
    expect(await acme.locator('.door').filter({ hasText: 'SCIM' }).locator('dd').textContent()).toBe('just now');
    expect(await acme.locator('.door').filter({ hasText: 'Partner sync' }).locator('dd').textContent()).toBe('never');
    const charts = acme.getByRole('img');
    expect(await charts.count()).toBe(2);
    expect(await charts.first().getAttribute('aria-label')).toContain('3 requests in the last 24 hours');
    expect(await charts.nth(1).getAttribute('aria-label')).toContain('0 errors');
    // 24 bars; the current hour's (last) is drawn, as tall as the chart's top.
    const bars = charts.first().locator('rect.bar');
    expect(await bars.count()).toBe(24);
    expect(Number(await bars.last().getAttribute('height'))).toBeGreaterThan(30);
    expect(await acme.getByRole('link', { name: '0 open transactions' }).getAttribute('href')).toBe('#/transactions');
    // Bars are coloured by the stylesheet (no style attribute, which the CSP forbids).
    expect(await page.locator('[style]').count()).toBe(0);
    const fill = await bars.last().evaluate((bar) => (globalThis as any).getComputedStyle(bar).fill as string);
    expect(fill).not.toBe('rgb(0, 0, 0)');
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'overview-light-1400.png'), fullPage: true });
  });

  it('reads the overview again every 10 s while visible', async () => {
    await scim(acmeScim, 2);
    const refreshed = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/admin/overview', {
      timeout: 15_000,
    });
    expect((await refreshed).status()).toBe(200);
    await textMatches(card('Acme Corporation').locator('.chart-caption').first(), /^5 requests/);
  }, 30_000);

  it('fits 360 px and the dark scheme, and passes axe', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.setViewportSize({ width: 360, height: 800 });
    await page.waitForTimeout(100);
    // The view's own content fits (the shell's header is the shell's to fit).
    const widest = await page.evaluate(() =>
      Math.max(
        ...[...(globalThis as any).document.querySelectorAll('.overview, .overview *')].map(
          (el: any) => el.getBoundingClientRect().right as number,
        ),
      ),
    );
    expect(widest).toBeLessThanOrEqual(360);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'overview-dark-360.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 800 });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'overview-dark-390.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'overview-light-390.png'), fullPage: true });

    // axe-core is evaluated through the DevTools protocol, which the page's CSP does not govern.
    await page.evaluate(fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
    const violations = await page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run(context: string): Promise<{ violations: any[] }> } }).axe;
      // This view's part; the shell (header, navigation) is checked by the shell's own test.
      const result = await axe.run('.overview');
      return result.violations
        .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
        .map((violation) => `${violation.id}: ${violation.nodes.map((node: any) => node.target).join(', ')}`);
    });
    expect(violations).toEqual([]);
    expect(problems).toEqual([]);
  }, 30_000);
});

/** Waits until the locator's text matches: the page reads the overview on its own schedule. */
async function textMatches(locator: Locator, pattern: RegExp, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let text: string | null = null;
  while (Date.now() < deadline) {
    text = (await locator.count()) > 0 ? await locator.textContent() : null;
    if (text !== null && pattern.test(text)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`expected ${pattern} within ${timeoutMs} ms, last saw ${JSON.stringify(text)}`);
}
