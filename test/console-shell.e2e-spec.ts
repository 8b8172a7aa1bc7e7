import type { Browser, Page } from 'playwright-core';
import { formatTime, zoneLabel } from '../web/src/format';
import { buildAdminPage, launchChromium } from './support/admin-browser';
import {
  assertNoPageOverflow,
  checkAccessibility,
  checkView,
  newConsolePage,
  openConsole,
  screenshotViews,
  waitForTrue,
} from './support/console-browser';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The console's shell in Chromium: every view in the navigation passes axe-core in light and dark
 * mode, fits 360 px without the page scrolling sideways, and is kept as screenshots at 1400 and
 * 390 px; the keyboard reaches everything from the top; times carry their zone; a failing
 * `/api/admin/me` can be retried; a tenant-scoped credential sees no Operators tab.
 */

describe('operator console shell in Chromium', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let txId: string;
  let logId: string;
  let userId: string;
  let jobId: string;

  async function call(method: string, url: string, headers: Record<string, string>, body?: unknown) {
    const res = await fetch(base + url, {
      method,
      headers: { 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  const admin = () => ({ Authorization: `Bearer ${t.secrets.adminToken}` });

  /** The view's first answer is in: its loading line is gone. */
  async function settled(): Promise<void> {
    await page.waitForLoadState('networkidle');
    await waitForTrue(page, "!document.querySelector('main#content')?.textContent?.includes('Loading…')");
  }

  beforeAll(async () => {
    buildAdminPage();
    t = await startTestApp({ RATE_LIMITS: 'off' });
    await t.app.listen(0, '127.0.0.1');
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');

    // Something in every table: a SCIM user, a transaction with a failed operation and its job.
    const scim = { Authorization: `Bearer ${t.secrets.scimSecret}`, 'Content-Type': 'application/scim+json' };
    const user = await call('POST', '/scim/v2/Users', scim, {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'shell.check@example.com',
      name: { givenName: 'Shell', familyName: 'Check' },
      active: true,
    });
    expect(user.status).toBe(201);
    userId = user.body.id;
    const partner = { 'auth-tenant-id': 'default', 'auth-token': t.secrets.apiToken };
    const checkpoint = await call('POST', '/api/provisioning/iam/checkpoint', partner);
    txId = checkpoint.body.transactionId;
    await call('POST', `/api/provisioning/iam/${txId}/department`, partner, [
      { externalId: 'shell-ok', departmentName: 'A department with a rather long name to wrap' },
      { externalId: 'shell-orphan', departmentName: 'Orphan', parentExternalId: 'shell-nowhere' },
    ]);
    const commit = await call('POST', `/api/provisioning/iam/${txId}/commit?wait=true&timeoutMs=20000`, partner);
    expect(commit.body).toMatchObject({ transactionStatus: 'COMPLETED', failedOperations: 1 });
    jobId = commit.body.jobId;
    // The SCIM create, once the request log has written it.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const logs = await call('GET', '/api/admin/logs?method=POST&path=/scim/v2/Users', admin());
      if (logs.body.items.length > 0) {
        logId = logs.body.items[0].id;
        break;
      }
      if (Date.now() > deadline) throw new Error('the SCIM create never reached the request log');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    browser = await launchChromium();
    // A zone without summer time, so the label is the same whenever the test runs.
    ({ page, pageErrors } = await newConsolePage(browser, { timezoneId: 'Asia/Kolkata' }));
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('signs in from a form that passes axe in both themes and fits 360 px', async () => {
    await page.goto(`${base}/admin#/logs`);
    await page.getByLabel('Admin token').waitFor();
    await checkView(page, 'sign-in');
    await page.getByLabel('Admin token').fill(t.secrets.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('nav[aria-label="Console"]').waitFor();
    expect(await page.locator('.who').textContent()).toContain('all tenants');
  });

  it('passes axe in light and dark, fits 360 px and is kept as screenshots, on every view of the navigation', async () => {
    const views = await page.evaluate<string[]>(
      '[...document.querySelectorAll(\'nav[aria-label="Console"] a\')].map((link) => link.hash)',
    );
    expect(views).toEqual(
      expect.arrayContaining(['#/overview', '#/tenants', '#/logs', '#/transactions', '#/jobs', '#/operators']),
    );
    const pages: [hash: string, name: string][] = [
      ...views.map((hash): [string, string] => [hash, hash.slice(2)]),
      [`#/logs/${logId}`, 'log-detail'],
      [`#/transactions/${txId}`, 'transaction-detail'],
      [`#/jobs/${jobId}`, 'job-detail'],
      ['#/tenants/default', 'tenant-detail'],
      ['#/directory/default', 'directory-tenant'],
      [`#/directory/default/users/${userId}`, 'user-detail'],
    ];
    for (const [hash, name] of pages) {
      await openConsole(page, base, t.secrets.adminToken, hash);
      await settled();
      await checkView(page, name);
    }
  });

  it('scrolls a wide table inside its wrapper at 360 px, and the wrapper takes keyboard focus', async () => {
    await openConsole(page, base, t.secrets.adminToken, '#/logs', { width: 360 });
    await page.locator('.logs-table tbody tr').first().waitFor();
    const wrap = page.locator('.table-wrap').first();
    const sizes = await wrap.evaluate((element) => ({ scroll: element.scrollWidth, client: element.clientWidth }));
    expect(sizes.scroll).toBeGreaterThan(sizes.client);
    await assertNoPageOverflow(page);
    expect(await wrap.getAttribute('tabindex')).toBe('0');
    await openConsole(page, base, t.secrets.adminToken, '#/logs', { width: 1400 });
  });

  it('reaches the skip link first, then the navigation; Enter follows a tab and focus lands on the content', async () => {
    await openConsole(page, base, t.secrets.adminToken, '#/overview');
    // Once the view has rendered: a render that lands after the key press takes the focus back.
    await settled();
    const focused = () =>
      page.evaluate(
        '({ tag: document.activeElement?.tagName.toLowerCase(), text: document.activeElement?.textContent?.trim(), id: document.activeElement?.id })',
      );
    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ tag: 'a', text: 'Skip to content' });
    // The skip link is visible while focused (it sits off screen otherwise).
    expect((await page.locator('.skip-link').boundingBox())!.y).toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Enter');
    expect(await focused()).toMatchObject({ tag: 'main', id: 'content' });
    expect(new URL(page.url()).hash).toBe('#/overview');

    await openConsole(page, base, t.secrets.adminToken, '#/overview');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ tag: 'a', text: 'Overview' });
    // A visible focus ring, drawn with the theme's focus colour.
    const outline = await page.evaluate('getComputedStyle(document.activeElement).outlineStyle');
    expect(outline).toBe('solid');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ tag: 'a', text: 'Request logs' });
    await page.keyboard.press('Enter');
    await waitForTrue(page, "document.activeElement?.id === 'content'");
    expect(new URL(page.url()).hash).toBe('#/logs');
    expect(await page.locator('a[aria-current="page"]').textContent()).toBe('Request logs');
    // Tab from the content goes into the view, not back to the header.
    await page.keyboard.press('Tab');
    expect(await page.evaluate("document.activeElement?.closest('main')?.id")).toBe('content');
  });

  it('folds the navigation into a menu button at 360 px', async () => {
    await openConsole(page, base, t.secrets.adminToken, '#/overview', { width: 360 });
    const menu = page.getByRole('button', { name: /^Menu/ });
    const jobs = page.locator('nav[aria-label="Console"] a', { hasText: 'Jobs' });
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    expect(await jobs.isVisible()).toBe(false);
    await menu.focus();
    await page.keyboard.press('Enter');
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    // The open menu is the next Tab stop, right under its button, as on screen.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Overview');
    const menuBox = (await menu.boundingBox())!;
    const firstLink = (await page.locator('nav[aria-label="Console"] a').first().boundingBox())!;
    const signOut = (await page.getByRole('button', { name: 'Sign out' }).boundingBox())!;
    expect(firstLink.y).toBeGreaterThan(menuBox.y);
    expect(signOut.y).toBeGreaterThan(firstLink.y);
    await jobs.click();
    await waitForTrue(page, "window.location.hash === '#/jobs'");
    // Following a link closes the menu (once the new route has rendered).
    await waitForTrue(
      page,
      `document.querySelector('button[aria-controls="console-nav"]')?.getAttribute('aria-expanded') === 'false'`,
    );
    await assertNoPageOverflow(page);
    await openConsole(page, base, t.secrets.adminToken, '#/overview', { width: 1400 });
  });

  it('shows times with their zone and keeps the instant in a title', async () => {
    await openConsole(page, base, t.secrets.adminToken, `#/logs/${logId}`);
    const time = page.locator('.log-detail time').first();
    await time.waitFor();
    const iso = await time.getAttribute('title');
    expect(iso).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await time.getAttribute('datetime')).toBe(iso);
    // Asia/Kolkata is UTC+5:30 all year.
    const shifted = new Date(Date.parse(iso!) + 330 * 60_000).toISOString();
    expect(await time.textContent()).toBe(`${shifted.slice(0, 10)} ${shifted.slice(11, 23)} UTC+5:30`);
  });

  it('says when /api/admin/me fails, with a retry and a sign-out', async () => {
    let refused = 0;
    await page.route('**/api/admin/me', async (route) => {
      refused += 1;
      await route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({ status: false, message: 'Service Unavailable', error: 'Service Unavailable' }),
      });
    });
    await page.reload();
    await page.getByRole('alert').filter({ hasText: 'Could not read who is signed in' }).waitFor();
    await checkAccessibility(page, 'the failed sign-in check');
    expect(await page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
    await page.unrouteAll();
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.locator('nav[aria-label="Console"]').waitFor();
    expect(refused).toBeGreaterThan(0);
  });

  it('shows a tenant-scoped credential its tenant, and no Operators tab', async () => {
    const issued = await call('POST', '/api/admin/tenants/default/credentials', admin(), {
      kind: 'ADMIN_TOKEN',
      name: 'Default tenant operator',
    });
    expect(issued.status).toBe(201);
    const tenantAdminToken: string = issued.body.secret;
    await openConsole(page, base, tenantAdminToken, '#/operators');
    const nav = page.locator('nav[aria-label="Console"] a');
    expect(await nav.allTextContents()).not.toContain('Operators');
    expect(await nav.allTextContents()).toContain('Request logs');
    expect(await page.locator('.who').textContent()).toContain('TENANT_ADMIN · default');
    await page.getByText('Operator credentials are managed with an ADMIN credential').waitFor();
    // Its selectors offer its own tenant only.
    await openConsole(page, base, tenantAdminToken, '#/transactions');
    // The tenant list arrives after the view: wait for its one entry, then check there is no other.
    await page.locator('select[name="tenant"] option', { hasText: 'default' }).waitFor({ state: 'attached' });
    const options = await page.locator('select[name="tenant"] option').allTextContents();
    expect(options).toEqual(['all', 'default']);
    await screenshotViews(page, 'tenant-admin-transactions');
  });

  it('signs out to the sign-in form and forgets the token', async () => {
    await openConsole(page, base, t.secrets.adminToken, '#/overview');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin token').waitFor();
    expect(await page.evaluate('sessionStorage.getItem("idp-admin-token")')).toBeNull();
    expect(await page.getByText('Signed out.').isVisible()).toBe(true);
    // The keyboard is where the next token goes.
    expect(await page.evaluate('document.activeElement?.id')).toBe('token');
  });

  it('breaks no rule of its own policy and throws nothing', async () => {
    expect(await page.evaluate('window.__cspViolations')).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});

/** format.ts: a time always names its zone. */
describe('console times (format.ts)', () => {
  it('labels offsets east and west of UTC, with minutes when there are any', () => {
    expect(zoneLabel(0)).toBe('UTC');
    expect(zoneLabel(60)).toBe('UTC+1');
    expect(zoneLabel(-180)).toBe('UTC-3');
    expect(zoneLabel(330)).toBe('UTC+5:30');
    expect(zoneLabel(-570)).toBe('UTC-9:30');
  });

  it('formats in the zone with the offset in force at that instant', () => {
    const now = new Date('2026-12-07T12:00:00Z');
    const berlin = 'Europe/Berlin';
    expect(formatTime('2026-12-07T08:14:03.120Z', false, now, berlin)).toBe('2026-12-07 09:14:03.120 UTC+1');
    // Today's date is left out of lists, never the zone.
    expect(formatTime('2026-12-07T08:14:03.120Z', true, now, berlin)).toBe('09:14:03.120 UTC+1');
    expect(formatTime('2026-07-01T08:00:00.005Z', true, now, berlin)).toBe('2026-07-01 10:00:00.005 UTC+2');
    // "Today" is the zone's today: 23:30 UTC on the 6th is already the 7th in Berlin.
    expect(formatTime('2026-12-06T23:30:00.000Z', true, now, berlin)).toBe('00:30:00.000 UTC+1');
    expect(formatTime('2026-12-07T08:14:03.120Z', false, now, 'UTC')).toBe('2026-12-07 08:14:03.120 UTC');
    expect(formatTime('2026-12-07T08:14:03.120Z', false, now, 'Asia/Kolkata')).toBe('2026-12-07 13:44:03.120 UTC+5:30');
    expect(formatTime('2026-12-07T08:14:03.120Z', false, now, 'America/St_Johns')).toBe(
      '2026-12-07 04:44:03.120 UTC-3:30',
    );
    expect(formatTime(null)).toBe('');
    expect(formatTime('not a time')).toBe('not a time');
  });
});
