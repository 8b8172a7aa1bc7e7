import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Locator, Page, Request } from 'playwright-core';
import { SseParser } from '../web/src/sse';
import { buildAdminPage, launchChromium } from './support/admin-browser';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The operator page at /admin in real headless Chromium (Debian's package) against the whole app:
 * sign-in, logs with filters and a detail, the live tail, transactions and jobs. The steps run in
 * order on one page, as an operator would use it.
 */
describe('operator page (/admin) in Chromium', () => {
  const SCREENSHOTS = path.resolve(__dirname, '..', '.test-results');
  const CSP =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
  /** Markup as an identity provider might send it: the page must show these characters, not run them. */
  const XSS = '<img src=x onerror="window.__xss=1">';
  const WRONG_TOKEN = `wrong-admin-token-${randomUUID()}`;
  const suffix = randomUUID().slice(0, 8);

  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;
  let txId: string;
  let missingUserId: string;
  const requests: Request[] = [];
  const pageErrors: string[] = [];

  const listRequests = () => requests.filter((r) => new URL(r.url()).pathname === '/api/admin/logs');
  const logRows = () => page.locator('.logs-table tbody tr');
  const rowWith = (text: string) => logRows().filter({ hasText: text }).first();

  async function call(method: string, url: string, headers: Record<string, string>, body?: unknown) {
    const res = await fetch(base + url, {
      method,
      headers: { 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  /** Applies the filters until `done` holds: request logs may reach the database a moment later. */
  async function applyUntil(done: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const listed = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/admin/logs');
      await page.getByRole('button', { name: 'Apply' }).click();
      expect((await listed).status()).toBe(200);
      await page.waitForTimeout(50);
      if (await done()) return;
      if (Date.now() > deadline) throw new Error(`the log list never showed ${what}`);
      await page.waitForTimeout(400);
    }
  }

  async function cellTexts(column: number): Promise<string[]> {
    return logRows().evaluateAll(
      (rows, index) => rows.map((row) => (row as { cells: { textContent: string }[] }).cells[index].textContent),
      column,
    );
  }

  async function screenshot(name: string, target: Page | Locator = page): Promise<void> {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await target.screenshot({ path: path.join(SCREENSHOTS, name) });
  }

  beforeAll(async () => {
    buildAdminPage();
    t = await startTestApp({ RATE_LIMITS: 'off' });
    await t.app.listen(0, '127.0.0.1');
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');

    // What identity providers and partners send: a SCIM user whose displayName is markup, a
    // committed transaction with one failing operation, and a SCIM read that answers 404.
    const scim = { Authorization: `Bearer ${t.secrets.scimSecret}`, 'Content-Type': 'application/scim+json' };
    const user = await call('POST', '/scim/v2/Users', scim, {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: `markup.${suffix}@example.com`,
      displayName: XSS,
      name: { givenName: 'Mallory', familyName: 'Markup' },
      active: true,
    });
    expect(user.status).toBe(201);
    const partner = { 'auth-tenant-id': 'default', 'auth-token': t.secrets.apiToken };
    const checkpoint = await call('POST', '/api/provisioning/iam/checkpoint', partner);
    expect(checkpoint.status).toBe(200);
    txId = checkpoint.body.transactionId;
    const queued = await call('POST', `/api/provisioning/iam/${txId}/department`, partner, [
      { externalId: `page-ok-${suffix}`, departmentName: 'Operators page' },
      { externalId: `page-orphan-${suffix}`, departmentName: 'Orphan', parentExternalId: `page-nowhere-${suffix}` },
    ]);
    expect(queued.status).toBe(200);
    const commit = await call('POST', `/api/provisioning/iam/${txId}/commit?wait=true&timeoutMs=20000`, partner);
    expect(commit.status).toBe(200);
    expect(commit.body).toMatchObject({ transactionStatus: 'COMPLETED', failedOperations: 1 });
    missingUserId = randomUUID();
    expect((await call('GET', `/scim/v2/Users/${missingUserId}`, scim)).status).toBe(404);

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(10_000);
    page.on('request', (request) => requests.push(request));
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    // Injected by the DevTools protocol, so the page's own CSP does not apply to this recorder.
    await page.addInitScript({
      content:
        'window.__cspViolations = [];' +
        "document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));",
    });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('serves the built page with a strict Content-Security-Policy and no inline script', async () => {
    const res = await fetch(`${base}/admin`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(CSP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const html = await res.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map(([tag]) => tag);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toMatch(/\ssrc="\/admin\/assets\/[^"]+\.js"/);
    expect(html).not.toMatch(/<style\b|\sstyle=/);

    const script = /src="(\/admin\/assets\/[^"]+\.js)"/.exec(html)![1];
    const asset = await fetch(base + script);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-security-policy')).toBe(CSP);
    expect((await fetch(`${base}/admin/assets/missing-0000.js`)).status).toBe(404);
    expect((await fetch(`${base}/admin/assets/..%2F..%2Fpackage.json`)).status).toBe(404);
  });

  it('refuses a wrong token, then signs in with the admin token kept in sessionStorage', async () => {
    const response = await page.goto(`${base}/admin#/logs`);
    expect(response?.headers()['content-security-policy']).toBe(CSP);
    await page.getByLabel('Admin token').fill(WRONG_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'refused (401)' }).waitFor();

    await page.getByLabel('Admin token').fill(t.secrets.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Start live tail' }).waitFor();
    const storage = await page.evaluate(
      '({ session: sessionStorage.getItem("idp-admin-token"), local: localStorage.length, cookies: document.cookie })',
    );
    expect(storage).toEqual({ session: t.secrets.adminToken, local: 0, cookies: '' });
  });

  it('lists the logged requests and filters them as the admin API does', async () => {
    await applyUntil(async () => (await rowWith(missingUserId).count()) > 0, `GET /scim/v2/Users/${missingUserId}`);
    expect(await rowWith('/scim/v2/Users').count()).toBeGreaterThan(0);
    // The operators' own calls are hidden unless asked for.
    expect((await cellTexts(2)).filter((path) => path.startsWith('/api/admin'))).toEqual([]);

    await page.getByLabel('Status').fill('4xx');
    await applyUntil(async () => (await logRows().count()) > 0, 'a 4xx request');
    for (const status of await cellTexts(3)) expect(status).toMatch(/^4\d\d$/);
    expect(await rowWith(missingUserId).count()).toBe(1);

    await page.getByLabel('Status').fill('');
    await page.locator('select[name="hasError"]').selectOption('true');
    await applyUntil(async () => (await logRows().count()) > 0, 'a request with an error');
    for (const error of await cellTexts(7)) expect(error).not.toBe('—');

    await page.getByRole('button', { name: 'Reset' }).click();
    await page.getByLabel('Include admin API calls').check();
    await page.getByLabel('Path contains').fill('/api/admin/tenants');
    await applyUntil(async () => (await logRows().count()) >= 2, 'the sign-in checks');
    for (const path of await cellTexts(2)) expect(path).toMatch(/^\/api\/admin\/tenants.*admin$/);
    expect(await cellTexts(3)).toEqual(expect.arrayContaining(['401', '200']));

    await page.getByLabel('Since').fill('2099-01-01T00:00');
    await applyUntil(async () => (await logRows().count()) === 0, 'no row after 2099');
    await page.getByText('No request matches these filters.').waitFor();

    await page.getByRole('button', { name: 'Reset' }).click();
    await page.locator('select[name="method"]').selectOption('POST');
    await page.getByLabel('Status').fill('201');
    await page.getByLabel('Search').fill('onerror');
    await applyUntil(async () => (await logRows().count()) > 0, 'the SCIM create');
    expect(new Set(await cellTexts(1))).toEqual(new Set(['POST']));
    expect(new Set(await cellTexts(3))).toEqual(new Set(['201']));
    expect(await cellTexts(2)).toContain('/scim/v2/Users');
    const query = new URL(listRequests().at(-1)!.url()).searchParams;
    expect(Object.fromEntries(query)).toEqual({
      method: 'POST',
      status: '201',
      search: 'onerror',
      page: '1',
      pageSize: '50',
    });
  });

  it('shows a logged body as text, never as markup', async () => {
    await rowWith('/scim/v2/Users').click();
    const detail = page.locator('.log-detail');
    const requestBody = detail.locator('pre.request-body');
    await requestBody.waitFor();
    // Pretty-printed JSON: the quotes inside the string are escaped, the markup is plain characters.
    expect(await requestBody.textContent()).toContain('"displayName": "<img src=x onerror=\\"window.__xss=1\\">"');
    expect(await detail.locator('pre.response-body').textContent()).toContain('<img src=x onerror=');
    expect(await detail.locator('img').count()).toBe(0);
    expect(await page.evaluate('typeof window.__xss')).toBe('undefined');
    expect(requests.some((r) => new URL(r.url()).pathname === '/admin/x')).toBe(false);
    // Logged headers are masked before they are stored: the SCIM secret is nowhere on the page.
    expect(await detail.textContent()).not.toContain(t.secrets.scimSecret);
    await screenshot('admin-page-detail.png');
    await page.getByRole('link', { name: 'Back to the list' }).click();
  });

  it('shows a new request through the live tail, without reloading', async () => {
    await page.getByRole('button', { name: 'Reset' }).click();
    // The first connection breaks: the tail says so and connects again by itself.
    let broken = false;
    await page.route('**/api/admin/logs/stream*', async (route) => {
      if (broken) return route.continue();
      broken = true;
      return route.abort('connectionreset');
    });
    await page.getByRole('button', { name: 'Start live tail' }).click();
    await page.locator('.tail-state.warn').filter({ hasText: 'reconnecting in' }).waitFor();
    await page.locator('.tail-state.live').waitFor();
    await page.unrouteAll();
    await page.evaluate('window.__sameDocument = true');
    const listed = listRequests().length;

    const probe = randomUUID();
    expect(
      (await call('GET', `/scim/v2/Users/${probe}`, { Authorization: `Bearer ${t.secrets.scimSecret}` })).status,
    ).toBe(404);
    await rowWith(probe).waitFor({ timeout: 15_000 });
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    expect(listRequests().length).toBe(listed);
    const streams = requests.filter((r) => new URL(r.url()).pathname === '/api/admin/logs/stream');
    expect(streams.length).toBe(2);
    for (const stream of streams) {
      expect(await stream.headerValue('authorization')).toBe(`Bearer ${t.secrets.adminToken}`);
      expect(await stream.headerValue('accept')).toBe('text/event-stream');
    }
    await screenshot('admin-page.png');

    await page.getByRole('button', { name: 'Stop live tail' }).click();
    await page.getByRole('button', { name: 'Start live tail' }).waitFor();
  });

  it('shows transactions with a progress bar and a failure list', async () => {
    await page.getByRole('link', { name: 'Transactions' }).click();
    const row = page.locator('.transactions-table tbody tr').filter({ hasText: txId });
    await row.waitFor();
    expect(await row.locator('progress').getAttribute('value')).toBe('100');
    expect(await row.textContent()).toContain('COMPLETED');
    await row.click();
    // One row per failure; its item and failure object sit on the row under it.
    const failures = page.locator('.transaction-detail table.failures tbody tr:not(.failure-item-row)');
    await failures.first().waitFor();
    expect(await failures.count()).toBe(1);
    const failure = await failures.first().textContent();
    expect(failure).toContain(`page-orphan-${suffix}`);
    expect(failure).toContain(`page-nowhere-${suffix}`);
    await screenshot('admin-page-transaction.png');
  });

  it('shows the commit job with its progress', async () => {
    await page.getByRole('link', { name: 'Jobs' }).click();
    const row = page.locator('.jobs-table tbody tr.row').filter({ hasText: 'EXECUTE_IAM_COMMIT_TRANSACTION_JOB' });
    await row.first().waitFor();
    expect(await row.first().locator('progress').getAttribute('value')).toBe('100');
    await row.first().click();
    expect(await page.locator('.jobs-table tr.expanded').textContent()).toContain(txId);
    await screenshot('admin-page-jobs.png');
  });

  it('never puts the token in a URL, and breaks no rule of its own policy', async () => {
    expect(requests.length).toBeGreaterThan(10);
    for (const request of requests) {
      expect(request.url()).not.toContain(t.secrets.adminToken);
      expect(request.url()).not.toContain(WRONG_TOKEN);
      if (new URL(request.url()).pathname.startsWith('/api/admin/')) {
        expect(await request.headerValue('authorization')).toMatch(/^Bearer /);
      }
    }
    expect(await page.evaluate('window.__cspViolations')).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('returns to the sign-in form when the token is refused', async () => {
    await page.evaluate('sessionStorage.setItem("idp-admin-token", "revoked-token-of-some-length")');
    await page.reload();
    await page.getByRole('alert').filter({ hasText: 'refused (401)' }).waitFor();
    await page.getByLabel('Admin token').waitFor();
    expect(await page.evaluate('sessionStorage.getItem("idp-admin-token")')).toBeNull();
  });
});

/** The page parses the live tail's frames itself (fetch and a ReadableStream, not an EventSource). */
describe('operator page: live tail frames (SseParser)', () => {
  it('dispatches events at blank lines, skips comments and joins data lines', () => {
    const parser = new SseParser();
    expect(parser.push(': keepalive\n\nevent: log\ndata: {"a":')).toEqual([]);
    expect(parser.push('1}\n\n')).toEqual([{ event: 'log', data: '{"a":1}', id: '' }]);
    expect(parser.push('data: one\ndata:two\nid: 7\n\ndata\n\n')).toEqual([
      { event: 'message', data: 'one\ntwo', id: '7' },
      { event: 'message', data: '', id: '7' },
    ]);
    expect(parser.lastEventId).toBe('7');
  });

  it('takes CRLF and CR line ends, also split across chunks, and a retry time', () => {
    const parser = new SseParser();
    expect(parser.push('\uFEFFevent: log\r')).toEqual([]);
    expect(parser.push('\ndata: x\r\n\r')).toEqual([{ event: 'log', data: 'x', id: '' }]);
    expect(parser.push('\nretry: 5000\rdata: y\r\r')).toEqual([{ event: 'message', data: 'y', id: '' }]);
    expect(parser.retry).toBe(5000);
  });
});
