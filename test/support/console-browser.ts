import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';

/**
 * The operator console in Chromium, for every view's browser test: sign in at a theme and a width,
 * run axe-core's rules, keep screenshots, check the page never scrolls sideways.
 */

export type Theme = 'light' | 'dark';

/** Where the console's screenshots go: `.test-results/console/<name>-<theme>-<width>.png`. */
export const CONSOLE_SCREENSHOTS = path.resolve(__dirname, '..', '..', '.test-results', 'console');

/** The widths screenshots are kept at: a desktop and a phone. 360 px is checked for overflow only. */
export const SCREENSHOT_WIDTHS = [1400, 390] as const;
export const THEMES: readonly Theme[] = ['light', 'dark'];

const TOKEN_KEY = 'idp-admin-token';

export interface ConsoleOptions {
  theme?: Theme;
  width?: number;
  height?: number;
}

/**
 * Sets the colour scheme and viewport of `page`, signs in with `token` (kept in sessionStorage as
 * the sign-in form keeps it) and opens `hash` (`#/logs`); resolves once the shell's main region is
 * shown. A page already signed in keeps its session.
 */
export async function openConsole(page: Page, base: string, token: string, hash: string, options: ConsoleOptions = {}) {
  await page.emulateMedia({ colorScheme: options.theme ?? 'light' });
  await page.setViewportSize({ width: options.width ?? 1400, height: options.height ?? 900 });
  const target = `${base}/admin${hash.startsWith('#') ? hash : `#${hash}`}`;
  if (!page.url().startsWith(`${base}/admin`)) await page.goto(`${base}/admin`);
  await page.evaluate(`sessionStorage.setItem(${JSON.stringify(TOKEN_KEY)}, ${JSON.stringify(token)})`);
  await page.goto(target);
  // A new hash on the same document is no reload: the page reads the token only when it starts.
  await page.reload();
  await page.locator('main#content').waitFor();
}

/**
 * A browser page with the recorders every console test wants: page errors and CSP violations.
 * `options` are the context's (`timezoneId`, `locale`, …).
 */
export async function newConsolePage(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<{ page: Page; pageErrors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, ...options });
  page.setDefaultTimeout(10_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  // Injected by the DevTools protocol, so the page's own CSP does not apply to this recorder.
  await page.addInitScript({
    content:
      'window.__cspViolations = [];' +
      "document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));",
  });
  return { page, pageErrors };
}

let axeSource: string | undefined;

interface AxeNode {
  target: string[];
  html: string;
  failureSummary?: string;
}
interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: AxeNode[];
}

/**
 * Runs axe-core (WCAG 2.x A and AA rules, plus best practices) on the page as it is and fails with a
 * readable list of every serious or critical violation. axe is evaluated through the DevTools
 * protocol, which the page's strict CSP does not govern; the page itself is left as served.
 */
export interface KnownViolation {
  /** axe's rule id, `aria-conditional-attr`. */
  rule: string;
  /** The elements it is known on: only violations whose element matches are let through. */
  selector: string;
  /** Whose file it is and why it is not fixed yet, for the reader of the test. */
  reason: string;
}

export async function checkAccessibility(page: Page, label: string, known: KnownViolation[] = []): Promise<void> {
  axeSource ??= fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const loaded = await page.evaluate('typeof window.axe');
  if (loaded !== 'object') await page.evaluate(axeSource);
  // Animations and transitions settle first: axe reads computed colours.
  await page.waitForTimeout(50);
  type Found = Omit<AxeViolation, 'nodes'> & { nodes: (AxeNode & { known: boolean })[] };
  const violations = await page.evaluate<Found[]>(`
    window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations'],
    }).then((result) => result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({
        target: n.target, html: n.html, failureSummary: n.failureSummary,
        known: ${JSON.stringify(known)}.filter((k) => k.rule === v.id)
          .some((k) => n.target.length === 1 && document.querySelector(n.target[0])?.matches(k.selector)),
      })),
    })))
  `);
  const serious = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ ...v, nodes: v.nodes.filter((n) => !n.known) }))
    .filter((v) => v.nodes.length > 0);
  if (serious.length === 0) return;
  const lines = serious.flatMap((v) => [
    `${v.impact} ${v.id}: ${v.help} (${v.nodes.length} element${v.nodes.length === 1 ? '' : 's'})`,
    ...v.nodes.slice(0, 5).map((n) => `    ${n.target.join(' ')}  ${n.html.slice(0, 160)}`),
  ]);
  throw new Error(
    `axe-core found ${serious.length} serious or critical violation(s) on ${label}:\n${lines.join('\n')}`,
  );
}

/** Fails when the document is wider than the viewport: the page itself must never scroll sideways. */
export async function assertNoPageOverflow(page: Page, label = page.url()): Promise<void> {
  // The page's own globals: this runs in the browser, where the test's tsconfig has no DOM types.
  const { scrollWidth, viewport, culprits } = await page.evaluate<{
    scrollWidth: number;
    viewport: number;
    culprits: string[];
  }>(`(() => {
    const viewport = document.documentElement.clientWidth;
    // The elements that stick out, to name in the failure.
    const culprits = [...document.querySelectorAll('body *')]
      .filter((element) => element.getBoundingClientRect().right > viewport + 1)
      .filter((element) => !element.parentElement.closest('.table-wrap, pre'))
      .slice(0, 5)
      .map((element) => element.tagName.toLowerCase() + (element.className ? '.' + String(element.className) : ''));
    return { scrollWidth: document.documentElement.scrollWidth, viewport, culprits };
  })()`);
  if (scrollWidth > viewport) {
    throw new Error(
      `${label}: the page is ${scrollWidth} px wide in a ${viewport} px viewport (sticking out: ${culprits.join(', ')})`,
    );
  }
}

/**
 * Four screenshots of the view on screen: light and dark, 1400 and 390 px wide, full page, into
 * CONSOLE_SCREENSHOTS as `<name>-<theme>-<width>.png`. The viewport and theme are restored after.
 */
export async function screenshotViews(page: Page, name: string): Promise<string[]> {
  fs.mkdirSync(CONSOLE_SCREENSHOTS, { recursive: true });
  const before = page.viewportSize() ?? { width: 1400, height: 900 };
  const theme = (await page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")) ? 'dark' : 'light';
  const files: string[] = [];
  for (const scheme of THEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const width of SCREENSHOT_WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      await page.waitForTimeout(50);
      const file = path.join(CONSOLE_SCREENSHOTS, `${name}-${scheme}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
      files.push(file);
    }
  }
  await page.emulateMedia({ colorScheme: theme });
  await page.setViewportSize(before);
  return files;
}

/**
 * Every check for one view: axe in light and dark, no overflow at 360 px (axe again there: tables
 * scroll in their wrapper), the four screenshots. `known` as for checkAccessibility.
 */
export async function checkView(page: Page, name: string, known: KnownViolation[] = []): Promise<void> {
  const before = page.viewportSize() ?? { width: 1400, height: 900 };
  for (const theme of THEMES) {
    await page.emulateMedia({ colorScheme: theme });
    await checkAccessibility(page, `${name} (${theme})`, known);
  }
  await page.setViewportSize({ width: 360, height: 800 });
  await page.waitForTimeout(50);
  await assertNoPageOverflow(page, `${name} at 360 px`);
  await checkAccessibility(page, `${name} (dark, 360 px)`, known);
  await page.setViewportSize(before);
  await page.emulateMedia({ colorScheme: 'light' });
  await screenshotViews(page, name);
}

/**
 * Waits until `expression` is truthy in the page. Playwright's `waitForFunction` with a string
 * compiles it inside the page, which the console's CSP (no 'unsafe-eval') refuses; `evaluate`
 * goes through the DevTools protocol, which the policy does not govern.
 */
export async function waitForTrue(page: Page, expression: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${expression}`);
    await page.waitForTimeout(50);
  }
}
