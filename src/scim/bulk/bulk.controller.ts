import { Body, Controller, Inject, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { AuthenticatedRequest } from '../../auth/principal';
import { ScimAuthGuard } from '../../auth/scim-auth.guard';
import { RateLimit, RateLimitCost, RateLimitGuard } from '../../common/rate-limit';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { SECURITY } from '../../openapi/components';
import { OpenApiController, OpenApiOperation } from '../../openapi/openapi.decorators';
import { TAGS } from '../../openapi/tags';
import { scimContext } from '../scim-context';
import { ScimExceptionFilter } from '../scim-exception.filter';
import { SCIM_ID_SUFFIXES, scimRoutes, sendJson } from '../scim-http';
import { SCIM_ERRORS, SCIM_TENANT_PARAMETER } from '../scim.openapi';
import { BulkLimitsGuard } from './bulk-limits.guard';
import { operationsOf, parseBulkRequest } from './bulk-request';
import { ScimBulkService } from './bulk.service';
import { SCIM_BULK } from './bulk.openapi';

/** One SCIM rate-limit unit per operation: a thousand writes cost the same in one bulk or one by one. */
export const bulkCost = (req: { body?: unknown }): number => Math.max(1, operationsOf(req.body)?.length ?? 1);

/** RFC 7644 §3.7: many writes in one request, each through the same services as alone. */
@OpenApiController({
  tag: TAGS.scimBulk.name,
  door: 'scim',
  errors: SCIM_ERRORS,
  security: SECURITY.scim,
  idSuffixes: SCIM_ID_SUFFIXES,
  parameters: [SCIM_TENANT_PARAMETER],
})
@Controller(scimRoutes('Bulk'))
// The limits before the rate limit: a bulk refused with 413 draws no unit.
@UseGuards(ScimAuthGuard, BulkLimitsGuard, RateLimitGuard)
@RateLimit('scim')
@UseFilters(ScimExceptionFilter)
export class ScimBulkController {
  constructor(
    private readonly bulk: ScimBulkService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @RateLimitCost(bulkCost)
  @OpenApiOperation(SCIM_BULK)
  async run(@Req() req: AuthenticatedRequest, @Body() body: unknown, @Res() res: Response): Promise<void> {
    const request = parseBulkRequest(body);
    sendJson(res, 200, await this.bulk.run(scimContext(req, this.config.publicBaseUrl), request));
  }
}
