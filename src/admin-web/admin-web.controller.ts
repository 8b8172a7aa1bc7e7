import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiError } from '../common/api-error';
import { OpenApiExcluded } from '../openapi/openapi.decorators';
import { WebBundle, WebFile } from './web-bundle';

/**
 * The page shows what identity providers and partners sent: it runs only its own script, loads
 * nothing from elsewhere, and cannot be framed. Vite emits no inline script or style, so none is allowed.
 */
export const ADMIN_PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export const NOT_BUILT_MESSAGE =
  'The operator page is not built. Run `npm run build` (it builds the server and the page into dist/), then restart.\n';

/** The operator page at `/admin`; its data comes from the admin API under `/api/admin`. */
@OpenApiExcluded('the operator web page: HTML and its assets, not an API')
@Controller('admin')
export class AdminWebController {
  constructor(private readonly bundle: WebBundle) {}

  @Get()
  index(@Res() res: Response): void {
    setPageHeaders(res);
    if (!this.bundle.index) {
      res.status(503).setHeader('Cache-Control', 'no-store').type('text/plain; charset=utf-8').send(NOT_BUILT_MESSAGE);
      return;
    }
    // Revalidated each time (ETag), so a new build is picked up at once.
    send(res, this.bundle.index, 'no-cache');
  }

  @Get('assets/:name')
  asset(@Param('name') name: string, @Res() res: Response): void {
    const file = this.bundle.asset(name);
    if (!file) throw ApiError.notFound(`No asset ${name} in the operator page`);
    setPageHeaders(res);
    // Hashed names: a new build has new names, so a name's content never changes.
    send(res, file, 'public, max-age=31536000, immutable');
  }
}

export function setPageHeaders(res: Response): void {
  res.setHeader('Content-Security-Policy', ADMIN_PAGE_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
}

function send(res: Response, file: WebFile, cacheControl: string): void {
  res.status(200).setHeader('Cache-Control', cacheControl).type(file.contentType).send(file.body);
}
