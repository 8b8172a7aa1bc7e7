import * as fs from 'node:fs';
import { Browser, Page } from 'playwright-core';
import { buildAdminPage, launchChromium } from './support/admin-browser';
import { seedDirectory, SeededDirectory } from './support/console-directory-seed';
import { startTestApp, TestApp } from './support/test-app';

const AXE = require.resolve('axe-core/axe.min.js');
// The batch API's users have no displayName: the list names them by userName.
const [ADA, GRACE, LINUS] = ['ada.lovelace', 'grace.hopper', 'linus.pauling'].map((name) => `${name}@acme.example`);

describe('operator console in a browser: the directory view and the identity-provider panel', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;
  let acme: SeededDirectory;
  const pageErrors: string[] = [];

  /** Deque's axe-core rules on the page as it is: no serious or critical violation. */
  async function expectAccessible(): Promise<void> {
    // Evaluated over the DevTools protocol: the page's CSP (no inline script) does not apply.
    await page.evaluate(fs.readFileSync(AXE, 'utf8'));
    const violations = await page.evaluate<string[]>(
      `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
         .filter((v) => v.impact === 'serious' || v.impact === 'critical')
         .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`,
    );
    expect(violations).toEqual([]);
  }

  beforeAll(async () => {
    buildAdminPage();
    t = await startTestApp({ RATE_LIMITS: 'off' });
    await t.app.listen(0, '127.0.0.1');
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    acme = await seedDirectory(t, 'acme');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    await page.goto(`${base}/admin`);
    await page.evaluate(`sessionStorage.setItem('idp-admin-token', ${JSON.stringify(t.secrets.adminToken)})`);
    await page.goto(`${base}/admin#/directory/acme`);
    // The page reads the token when it starts: a new hash alone does not start it again.
    await page.reload();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  afterEach(() => expect(pageErrors).toEqual([]));

  it('shows the roots, and loads a department’s children when it is expanded', async () => {
    const tree = page.getByRole('navigation', { name: 'Departments' });
    await tree.getByRole('button', { name: 'Acme', exact: true }).waitFor();
    await expect(tree.getByRole('button', { name: 'Engineering', exact: true }).count()).resolves.toBe(0);
    const expand = tree.getByRole('button', { name: 'Expand Acme' });
    await expect(expand.getAttribute('aria-expanded')).resolves.toBe('false');
    await expand.press('Enter');
    await tree.getByRole('button', { name: 'Engineering', exact: true }).waitFor();
    await expect(tree.getByRole('button', { name: 'Collapse Acme' }).getAttribute('aria-expanded')).resolves.toBe(
      'true',
    );
    const engineering = tree.locator('.tree-row', {
      has: page.getByRole('button', { name: 'Engineering', exact: true }),
    });
    await expect(engineering.locator('.tree-counts').textContent()).resolves.toBe('1 department · 2 users');
    await expectAccessible();
  });

  it('lists the users of a department chosen in the tree, and all of them again', async () => {
    const users = page.getByRole('region', { name: 'Users' });
    await page
      .getByRole('navigation', { name: 'Departments' })
      .getByRole('button', { name: 'Engineering', exact: true })
      .click();
    await users.getByText('In department').waitFor();
    await expectRows([ADA, GRACE]);
    await users.getByRole('button', { name: 'Show all departments' }).click();
    await expectRows([ADA, GRACE, LINUS, 'Margaret Hamilton']);
  });

  it('searches by name and by SCIM filter, and says what is wrong with a bad filter', async () => {
    const users = page.getByRole('region', { name: 'Users' });
    await users.getByLabel('Search').fill('hopper');
    await users.getByRole('button', { name: 'Search' }).click();
    await expectRows([GRACE]);
    await users.getByLabel('Search').fill('');
    await users.getByLabel('SCIM filter').fill('active eq false');
    await users.getByRole('button', { name: 'Search' }).click();
    await expectRows(['Margaret Hamilton']);
    await users.getByLabel('SCIM filter').fill('userName eq');
    await users.getByRole('button', { name: 'Search' }).click();
    await expect(users.getByRole('alert').textContent()).resolves.toMatch(/400.*filter/);
    await users.getByLabel('SCIM filter').fill('active eq false');
    await users.getByRole('button', { name: 'Search' }).click();
    await expectRows(['Margaret Hamilton']);
  });

  it('opens a user: attributes, doors and times, and a request-log row that links to the log', async () => {
    await page.getByRole('link', { name: 'Margaret Hamilton' }).click();
    await page.getByRole('heading', { name: /Margaret Hamilton/ }).waitFor();
    expect(page.url()).toContain(`#/directory/acme/users/${acme.users.margaret}`);
    const attributes = page.locator('dl.attributes');
    await expect(attributes.textContent()).resolves.toMatch(/User namemargaret@acme\.example/);
    await expect(attributes.textContent()).resolves.toMatch(/titleDirector/);
    await expect(attributes.locator('time').count()).resolves.toBe(2);
    // Its history (issue 20): the SCIM create, with when, door, credential, event and attributes.
    const history = page.getByRole('table', { name: 'History' });
    await history.waitFor();
    await expect(history.locator('thead th').allTextContents()).resolves.toEqual([
      'When',
      'Door',
      'Credential',
      'Event',
      'Attributes',
    ]);
    const created = history.locator('tbody tr').last();
    await expect(created.locator('td').nth(3).textContent()).resolves.toBe('Created');
    await expect(created.locator('td').nth(4).textContent()).resolves.toMatch(/userName/);
    await expect(created.locator('time').count()).resolves.toBe(1);
    await expectAccessible();
    const log = page.getByRole('link', { name: 'POST /scim/endpoints/acme/Users' });
    const href = await log.getAttribute('href');
    expect(href).toMatch(/^#\/logs\/[0-9a-f-]{36}$/);
    await log.click();
    await page.waitForURL((url) => url.hash === href);
  });

  it('shows the identity-provider panel and tests a connection with the tenant’s secret', async () => {
    await page.goto(`${base}/admin#/directory/acme`);
    await page.reload();
    const disclosure = page.getByRole('button', { name: 'Identity-provider setup' });
    await disclosure.click();
    const panel = page.getByRole('region', { name: 'Identity providers' });
    await expect(panel.locator('code').first().textContent()).resolves.toBe(`${base}/scim/endpoints/acme`);
    await panel.getByText('Entra ID', { exact: false }).first().waitFor();
    await panel.getByLabel('Secret token').fill(acme.scimSecret);
    await panel.getByRole('button', { name: 'Test connection' }).click();
    await panel.getByText('Every check passed.').waitFor();
    await expect(panel.locator('.idp-result tbody tr').count()).resolves.toBe(6);
    await expect(panel.getByLabel('Secret token').inputValue()).resolves.toBe('');
    await panel.getByLabel('Secret token').fill('not-the-secret-of-any-credential');
    await panel.getByRole('button', { name: 'Test connection' }).click();
    await panel.getByText('The connection test failed.').waitFor();
    expect(await page.content()).not.toContain('not-the-secret-of-any-credential');
    await expectAccessible();
  });

  it('fits 360 px: the tree, the search and a user detail scroll no page sideways', async () => {
    await page.setViewportSize({ width: 360, height: 780 });
    try {
      for (const hash of [`#/directory/acme`, `#/directory/acme/users/${acme.users.margaret}`]) {
        await page.goto(`${base}/admin${hash}`);
        await page.reload();
        await page.locator('.directory h2').first().waitFor();
        const overflow = await page.evaluate<number>(
          `document.querySelector('.directory').scrollWidth - document.querySelector('.directory').clientWidth`,
        );
        expect(overflow).toBeLessThanOrEqual(0);
      }
    } finally {
      await page.setViewportSize({ width: 1400, height: 900 });
    }
  });

  async function expectRows(names: string[]): Promise<void> {
    const rows = page.getByRole('region', { name: 'Users' }).locator('tbody tr td:first-child a');
    const deadline = Date.now() + 10_000;
    let seen: string[] = [];
    while (Date.now() < deadline) {
      seen = (await rows.allTextContents()).sort();
      if (JSON.stringify(seen) === JSON.stringify([...names].sort())) return;
      await page.waitForTimeout(100);
    }
    expect(seen).toEqual([...names].sort());
  }
});
