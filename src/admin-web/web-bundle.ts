import * as fs from 'node:fs';
import * as path from 'node:path';

/** One file of the built page, held in memory: the whole page is a few tens of kilobytes. */
export interface WebFile {
  body: Buffer;
  contentType: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** Vite names every asset `<name>-<hash>.<ext>`; anything else in the request is refused unread. */
const ASSET_NAME = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.[a-z0-9]+$/;

/**
 * The operator page as `vite build` left it (`index.html` and `assets/`), read once at start-up.
 * Only the files found then are served, so a request can never name a path of its own.
 */
export class WebBundle {
  private constructor(
    readonly index: WebFile | null,
    private readonly assets: ReadonlyMap<string, WebFile>,
  ) {}

  /** A missing or half-written build (a rebuild running beside us) is "not built", never a crash. */
  static load(dir: string): WebBundle {
    try {
      const index = readFile(path.join(dir, 'index.html'));
      const assets = new Map<string, WebFile>();
      const assetDir = path.join(dir, 'assets');
      const names = fs.existsSync(assetDir) ? fs.readdirSync(assetDir) : [];
      for (const name of names) {
        const file = ASSET_NAME.test(name) ? readFile(path.join(assetDir, name)) : null;
        if (file) assets.set(name, file);
      }
      return new WebBundle(index, assets);
    } catch {
      return new WebBundle(null, new Map());
    }
  }

  get built(): boolean {
    return this.index !== null;
  }

  asset(name: string): WebFile | undefined {
    return ASSET_NAME.test(name) ? this.assets.get(name) : undefined;
  }
}

function readFile(file: string): WebFile | null {
  const contentType = CONTENT_TYPES[path.extname(file)];
  if (!contentType || !fs.statSync(file).isFile()) return null;
  return { body: fs.readFileSync(file), contentType };
}

/**
 * `dist/web` of the project: found from this file upwards (the folder holding package.json), so it
 * is the same whether the app runs compiled (`dist/src/admin-web`), from source under ts-node or
 * jest (`src/admin-web`), or in the image (`/app/dist/src/admin-web`).
 */
export function defaultWebDir(from: string = __dirname): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(from, '..', '..', 'web');
    dir = parent;
  }
  return path.join(dir, 'dist', 'web');
}
