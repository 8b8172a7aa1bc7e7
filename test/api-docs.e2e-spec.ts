import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, BrowserContext, ConsoleMessage, Locator, Page, Request } from 'playwright-core';
import { ADMIN_PAGE_CSP } from '../src/admin-web/admin-web.controller';
import type { OpenApiDocument } from '../src/openapi/openapi.types';
import { launchChromium } from './support/admin-browser';
import { startTestApp, TestApp } from './support/test-app';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/**
 * The API reference page at /api/docs: Swagger UI on the served document, in Debian's headless
 * Chromium, under the same Content-Security-Policy as the operator page. Whatever operations the
 * document holds are checked, so the test stands while the document grows.
 */
describe('API reference page (/api/docs) in Chromium', () => {
  const SCREENSHOTS = path.resolve(__dirname, '..', '.test-results');

  let t: TestApp;
  let base: string;
  let spec: OpenApiDocument;
  let browser: Browser;
  let context: BrowserContext | undefined;
  let page: Page;
  const requests: Request[] = [];
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];

  /** Every operation of the document: its id and first tag. */
  const operations = () =>
    Object.values(spec.paths).flatMap((item) =>
      METHODS.flatMap((method) => {
        const op = (item as Record<string, { operationId: string; tags?: string[] } | undefined>)[method];
        return op ? [{ id: op.operationId, tag: op.tags?.[0] ?? 'default' }] : [];
      }),
    );
  const operationBlock = (id: string): Locator =>
    page
      .locator('.opblock')
      .filter({ has: page.locator('.opblock-summary-operation-id').getByText(id, { exact: true }) });

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMITS: 'off' });
    await t.app.listen(0, '127.0.0.1');
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    spec = (await (await fetch(`${base}/api/docs/openapi.json`)).json()) as OpenApiDocument;

    browser = await launchChromium();
    await openPage();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('serves the page at /api/docs and /api/docs/ with the operator page CSP and no inline script or style', async () => {
    for (const url of ['/api/docs', '/api/docs/']) {
      const res = await fetch(base + url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy')).toBe(ADMIN_PAGE_CSP);
      expect(ADMIN_PAGE_CSP).toContain("script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      const html = await res.text();
      expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
      const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
      expect(scripts.map(([tag]) => /\ssrc="([^"]+)"/.exec(tag)?.[1])).toEqual([
        '/api/docs/assets/swagger-ui-bundle.js',
        '/api/docs/assets/init.js',
      ]);
      for (const [, inline] of scripts) expect(inline.trim()).toBe('');
    }
  });

  it('serves the allow-listed assets only, with the same headers', async () => {
    const html = await (await fetch(`${base}/api/docs`)).text();
    const linked = [...html.matchAll(/\s(?:src|href)="(\/api\/docs\/assets\/[^"]+)"/g)].map(([, url]) => url);
    expect(linked.sort()).toEqual(
      [
        'favicon-16x16.png',
        'favicon-32x32.png',
        'init.js',
        'reference.css',
        'swagger-ui-bundle.js',
        'swagger-ui.css',
      ].map((name) => `/api/docs/assets/${name}`),
    );
    const types: Record<string, RegExp> = { js: /^text\/javascript/, css: /^text\/css/, png: /^image\/png$/ };
    for (const url of linked) {
      const res = await fetch(base + url);
      expect([url, res.status]).toEqual([url, 200]);
      expect(res.headers.get('content-type')).toMatch(types[url.split('.').pop()!]);
      expect(res.headers.get('content-security-policy')).toBe(ADMIN_PAGE_CSP);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
    // Files of swagger-ui-dist that are not on the list, and paths out of it, are not served.
    for (const name of [
      'index.html',
      'swagger-initializer.js',
      'swagger-ui-bundle.js.map',
      'package.json',
      '..%2F..%2Fpackage.json',
      '..%2Fapi-docs.controller.ts',
      '%2Fetc%2Fpasswd',
      '__proto__',
    ]) {
      const res = await fetch(`${base}/api/docs/assets/${name}`);
      expect([name, res.status]).toEqual([name, 404]);
      await res.arrayBuffer();
    }
  });

  it('renders every operation of the document, grouped by caller, under the CSP', async () => {
    const response = await page.goto(`${base}/api/docs`);
    expect(response?.headers()['content-security-policy']).toBe(ADMIN_PAGE_CSP);
    const ops = operations();
    expect(ops.map((op) => op.id)).toContain('getOpenApiDocument');
    await page.locator('.opblock-tag').first().waitFor();
    // Tags start collapsed; each opens to show every operation it has, then closes again.
    for (const tag of new Set(ops.map((op) => op.tag))) {
      const expected = ops.filter((op) => op.tag === tag).map((op) => op.id);
      await openTag(tag);
      const shown = page.locator(
        `.opblock-tag-section:has(> .opblock-tag[data-tag="${tag}"]) .opblock-summary-operation-id`,
      );
      await shown.nth(expected.length - 1).waitFor();
      expect([tag, (await shown.allTextContents()).sort()]).toEqual([tag, expected.sort()]);
      if (tag === ops.find((op) => op.id === 'getOpenApiDocument')?.tag) {
        // The summary of an operation shows beside its path.
        await operationBlock('getOpenApiDocument').getByText('This OpenAPI document').waitFor();
      }
      await closeTag(tag);
    }
    expect(await page.locator('.info .title').textContent()).toContain(spec.info.title);

    // Tags in the document's order (identity providers, partners, operators; Swagger UI shows every
    // declared tag), each group's name above the first of its tags.
    const declared = (spec.tags ?? []).map((tag) => tag.name);
    expect(declared).toEqual(expect.arrayContaining([...new Set(ops.map((op) => op.tag))]));
    const headings = await page
      .locator('.opblock-tag-section > .opblock-tag')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-tag')));
    expect(headings).toEqual(declared);
    const groups = spec['x-tagGroups'];
    expect(groups.map((group) => group.name)).toEqual(['Identity providers', 'Integration partners', 'Operators']);
    expect(groups.flatMap((group) => group.tags)).toEqual(declared);
    expect(await page.locator('.reference-tag-group').allTextContents()).toEqual(groups.map((group) => group.name));
    for (const group of groups) {
      const heading = page.locator('.reference-tag-group', { hasText: group.name });
      expect(await heading.isVisible()).toBe(true);
      const next = await heading.evaluate((el) =>
        el.nextElementSibling?.querySelector('.opblock-tag')?.getAttribute('data-tag'),
      );
      expect(next).toBe(group.tags[0]);
    }

    await screenshot('api-docs.png');
    expect(await page.evaluate('window.__cspViolations')).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('tries an operation out from the page: the request is sent and its 200 answer shown', async () => {
    // /health once its operation is documented; until then the document's own operation.
    const ids = operations().map((op) => op.id);
    const [id, pathname] = ids.includes('getHealth')
      ? ['getHealth', '/health']
      : ['getOpenApiDocument', '/api/docs/openapi.json'];
    await page.locator('.opblock-tag').first().waitFor();
    await openTag(operations().find((op) => op.id === id)!.tag);
    const block = operationBlock(id);
    await block.locator('.opblock-summary').first().click();
    const execute = block.getByRole('button', { name: 'Execute' });
    await execute.waitFor();
    const answered = page.waitForResponse(
      (r) => new URL(r.url()).pathname === pathname && r.request().method() === 'GET',
    );
    await execute.click();
    expect((await answered).status()).toBe(200);
    const status = block.locator('.live-responses-table .response .response-col_status').first();
    await status.waitFor();
    expect((await status.textContent())?.trim()).toMatch(/^200\b/);
    await screenshot('api-docs-try-it-out.png', block);

    // Everything the page loaded or sent stayed on this origin, and nothing was refused by the CSP.
    for (const request of requests) {
      if (request.url().startsWith('data:')) continue;
      expect(new URL(request.url()).origin).toBe(new URL(base).origin);
    }
    expect(await page.evaluate('window.__cspViolations')).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('opens the Authorize dialog and the schemas without a CSP violation', async () => {
    await openPage();
    await page.goto(`${base}/api/docs`);
    await page.getByRole('button', { name: 'Authorize' }).first().click();
    const dialog = page.locator('.dialog-ux .modal-ux');
    await dialog.waitFor();
    // Every security scheme of the document is offered.
    for (const name of Object.keys(spec.components?.securitySchemes ?? {})) {
      await dialog.getByText(name, { exact: false }).first().waitFor();
    }
    await dialog.locator('.close-modal').click();
    await dialog.waitFor({ state: 'detached' });

    const models = page.locator('.models-control');
    if ((await models.getAttribute('aria-expanded')) !== 'true') await models.click();
    // OpenAPI 3.1: Swagger UI shows schemas with its JSON Schema 2020-12 components; open one fully.
    const schema = page.locator('.models article.json-schema-2020-12').first();
    await schema.locator('.json-schema-2020-12-expand-deep-button').first().click();
    await schema.locator('.json-schema-2020-12-property').first().waitFor();

    expect(await page.evaluate('window.__cspViolations')).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  /**
   * A page in a fresh browser context (an empty cache: the document is fetched, not revalidated),
   * recording its requests, errors, console errors and CSP violations.
   */
  const tagHeading = (tag: string): Locator => page.locator(`.opblock-tag[data-tag="${tag}"]`);

  async function openTag(tag: string): Promise<void> {
    if ((await tagHeading(tag).getAttribute('data-is-open')) !== 'true') await tagHeading(tag).click();
    await page.locator(`.opblock-tag[data-tag="${tag}"][data-is-open="true"]`).waitFor();
  }

  async function closeTag(tag: string): Promise<void> {
    await tagHeading(tag).click();
    await page.locator(`.opblock-tag[data-tag="${tag}"][data-is-open="false"]`).waitFor();
  }

  async function openPage(): Promise<void> {
    await context?.close();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('request', (request) => requests.push(request));
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('console', (message: ConsoleMessage) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    // Injected by the DevTools protocol, so the page's own CSP does not apply to this recorder.
    await page.addInitScript({
      content:
        'window.__cspViolations = [];' +
        "document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));",
    });
  }

  async function screenshot(name: string, target: Page | Locator = page): Promise<void> {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await target.screenshot({ path: path.join(SCREENSHOTS, name) });
  }
});
