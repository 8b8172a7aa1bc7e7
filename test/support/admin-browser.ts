import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Browser, chromium } from 'playwright-core';

/** Debian's chromium package: the browser comes from the system, never from a test tool's download. */
export const CHROMIUM = '/usr/bin/chromium';

const ROOT = path.resolve(__dirname, '..', '..');
const WEB_SOURCES = [path.join(ROOT, 'web'), path.join(ROOT, 'package-lock.json')];
const BUILT_INDEX = path.join(ROOT, 'dist', 'web', 'index.html');

function newestChange(file: string): number {
  const stat = fs.statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...fs.readdirSync(file).map((name) => newestChange(path.join(file, name))));
}

/**
 * Builds the operator page into dist/web, where the app serves it from, unless the build there is
 * newer than every source of it: `npm test` on a fresh clone builds it, after `npm run build` it is kept.
 */
export function buildAdminPage(): void {
  if (fs.existsSync(BUILT_INDEX)) {
    const built = fs.statSync(BUILT_INDEX).mtimeMs;
    if (Math.max(...WEB_SOURCES.map(newestChange)) < built) return;
  }
  const vite = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--config', 'web/vite.config.mts', '--logLevel', 'warn'], {
    cwd: ROOT,
    encoding: 'utf8',
    // As `npm run build` runs it: jest's NODE_ENV=test and --experimental-vm-modules are for jest alone.
    env: { ...process.env, NODE_ENV: 'production', NODE_OPTIONS: '' },
    timeout: 120_000,
  });
  if (result.status !== 0) {
    throw new Error(`vite build of the operator page failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
}

/** Headless Chromium on a fresh profile; a missing browser fails the test, it is never skipped. */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `Debian's chromium is not installed (${CHROMIUM} is missing): run 'apt-get install -y chromium'. ` +
        'The operator page test drives the real browser and does not skip without it.',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
