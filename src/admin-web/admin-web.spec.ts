import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { AllExceptionsFilter } from '../common/all-exceptions.filter';
import { ADMIN_PAGE_CSP, AdminWebController } from './admin-web.controller';
import { defaultWebDir, WebBundle } from './web-bundle';

const made: string[] = [];
afterAll(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-web-'));
  made.push(dir);
  return dir;
}

/** What `vite build` leaves: index.html and hashed assets. */
function fakeBuild(): string {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(
    path.join(dir, 'index.html'),
    '<!doctype html><script type="module" src="/admin/assets/index-Ab1.js"></script>',
  );
  fs.writeFileSync(path.join(dir, 'assets', 'index-Ab1.js'), 'console.log(1)');
  fs.writeFileSync(path.join(dir, 'assets', 'style-Cd2.css'), 'body{}');
  fs.writeFileSync(path.join(dir, 'assets', 'notes.txt'), 'not served');
  return dir;
}

async function appServing(bundle: WebBundle): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    controllers: [AdminWebController],
    providers: [{ provide: WebBundle, useValue: bundle }],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.useGlobalFilters(new AllExceptionsFilter());
  await app.init();
  return app;
}

describe('WebBundle', () => {
  it('holds index.html and the hashed assets of a build, and nothing else', () => {
    const bundle = WebBundle.load(fakeBuild());
    expect(bundle.built).toBe(true);
    expect(bundle.asset('index-Ab1.js')?.contentType).toBe('text/javascript; charset=utf-8');
    expect(bundle.asset('style-Cd2.css')?.contentType).toBe('text/css; charset=utf-8');
    expect(bundle.asset('notes.txt')).toBeUndefined();
    expect(bundle.asset('../index.html')).toBeUndefined();
    expect(bundle.asset('..')).toBeUndefined();
  });

  it('is "not built" when the folder is missing or has no index.html', () => {
    expect(WebBundle.load(path.join(tempDir(), 'nothing')).built).toBe(false);
    const half = tempDir();
    fs.mkdirSync(path.join(half, 'assets'));
    expect(WebBundle.load(half).built).toBe(false);
  });

  it('finds dist/web beside the package.json above it', () => {
    const root = tempDir();
    fs.writeFileSync(path.join(root, 'package.json'), '{}');
    const compiled = path.join(root, 'dist', 'src', 'admin-web');
    fs.mkdirSync(compiled, { recursive: true });
    expect(defaultWebDir(compiled)).toBe(path.join(root, 'dist', 'web'));
    expect(defaultWebDir(path.join(root, 'src', 'admin-web'))).toBe(path.join(root, 'dist', 'web'));
  });
});

describe('AdminWebController', () => {
  let app: INestApplication | undefined;
  afterEach(() => app?.close());

  it('serves the page with its security and cache headers', async () => {
    app = await appServing(WebBundle.load(fakeBuild()));
    const page = await request(app.getHttpServer()).get('/admin').expect(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(ADMIN_PAGE_CSP);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.text).toContain('/admin/assets/index-Ab1.js');
    const asset = await request(app.getHttpServer()).get('/admin/assets/index-Ab1.js').expect(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-security-policy']).toBe(ADMIN_PAGE_CSP);
    await request(app.getHttpServer()).get('/admin/assets/notes.txt').expect(404);
  });

  it('answers 503 with what to run when the page was not built', async () => {
    app = await appServing(WebBundle.load(path.join(tempDir(), 'missing')));
    const res = await request(app.getHttpServer()).get('/admin').expect(503);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.text).toContain('npm run build');
    expect(res.headers['content-security-policy']).toBe(ADMIN_PAGE_CSP);
  });
});
