import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setPageHeaders } from '../admin-web/admin-web.controller';
import { ApiError } from '../common/api-error';
import { OpenApiExcluded } from './openapi.decorators';
import { REFERENCE_CSS, REFERENCE_HTML, REFERENCE_INIT_JS } from './reference/reference-page';

/** One file of the page, held in memory. */
export interface ReferenceFile {
  body: Buffer;
  contentType: string;
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/** The files of `swagger-ui-dist` the page uses: these names only, never a path from a request. */
export const SWAGGER_UI_FILES: Readonly<Record<string, string>> = {
  'swagger-ui-bundle.js': JS,
  'swagger-ui.css': CSS,
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

/**
 * Every file the page loads, read once: Swagger UI's from the installed `swagger-ui-dist` (a missing
 * or broken package stops the start-up rather than serving a page that cannot run), and our own.
 */
export function loadReferenceAssets(
  dir: string = path.dirname(require.resolve('swagger-ui-dist')),
): ReadonlyMap<string, ReferenceFile> {
  const assets = new Map<string, ReferenceFile>();
  for (const [name, contentType] of Object.entries(SWAGGER_UI_FILES)) {
    assets.set(name, { body: fs.readFileSync(path.join(dir, name)), contentType });
  }
  assets.set('init.js', { body: Buffer.from(REFERENCE_INIT_JS), contentType: JS });
  assets.set('reference.css', { body: Buffer.from(REFERENCE_CSS), contentType: CSS });
  return assets;
}

/**
 * The API reference page at `/api/docs`: Swagger UI on `/api/docs/openapi.json`, under the operator
 * page's Content-Security-Policy and headers (nothing inline, nothing from elsewhere, never framed).
 */
@OpenApiExcluded('the API reference page: HTML and its assets')
@Controller('api/docs')
export class ApiReferenceController {
  private readonly page = Buffer.from(REFERENCE_HTML);
  private readonly assets = loadReferenceAssets();

  @Get()
  index(@Res() res: Response): void {
    setPageHeaders(res);
    send(res, { body: this.page, contentType: 'text/html; charset=utf-8' });
  }

  @Get('assets/:name')
  asset(@Param('name') name: string, @Res() res: Response): void {
    const file = this.assets.get(name);
    if (!file) throw ApiError.notFound(`No asset ${name} in the API reference page`);
    setPageHeaders(res);
    send(res, file);
  }
}

/** Names are not versioned (they are Swagger UI's own): revalidated each time by ETag. */
function send(res: Response, file: ReferenceFile): void {
  res.status(200).setHeader('Cache-Control', 'no-cache').type(file.contentType).send(file.body);
}
