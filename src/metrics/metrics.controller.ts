import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { bearerToken } from '../auth/bearer';
import { ApiError } from '../common/api-error';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { SECURITY } from '../openapi/components';
import { OpenApiController, OpenApiOperation } from '../openapi/openapi.decorators';
import { TAGS } from '../openapi/tags';
import { Metrics } from './metrics';
import { GET_METRICS } from './metrics.openapi';

/**
 * `GET /metrics` on the main port, for Prometheus with `Authorization: Bearer <METRICS_TOKEN>`.
 * Without METRICS_TOKEN it answers 404 (metrics off, or served only on METRICS_PORT). Not rate
 * limited and not in the request log: a scrape every few seconds would flood both.
 */
@OpenApiController({ tag: TAGS.metrics.name, door: 'provisioning', errors: [500], security: SECURITY.metrics })
@Controller('metrics')
export class MetricsController {
  private readonly token: Buffer | null;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly metrics: Metrics,
  ) {
    this.token = config.metrics.token ? digest(config.metrics.token) : null;
  }

  @Get()
  @OpenApiOperation(GET_METRICS)
  async scrape(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (!this.token || !this.metrics.enabled) {
      throw ApiError.notFound('Metrics are not served on this port: set METRICS_TOKEN to scrape them here');
    }
    const bearer = bearerToken(req);
    // Both sides hashed first: equal lengths for timingSafeEqual, and nothing learnt from timing.
    if (!('token' in bearer) || !timingSafeEqual(digest(bearer.token), this.token)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      throw ApiError.unauthorized('token' in bearer ? 'Invalid metrics token' : bearer.problem);
    }
    const { contentType, body } = await this.metrics.exposition();
    // Not res.send(): it would rewrite the content type with its parameters reordered.
    res.status(200).setHeader('Cache-Control', 'no-store').setHeader('Content-Type', contentType).end(body);
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
