import { Controller, Delete, Get, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { AdminScope, adminScope, canSeeTenant, scopedTenantFilter } from '../auth/admin-scope';
import type { AuthenticatedRequest } from '../auth/principal';
import { DeleteRequestLogsQuery, RequestLogFiltersQuery, RequestLogsQuery } from './dto/request-logs.query';
import { RequestLogStream } from './request-log.stream';
import type { LogDetail } from './request-log.views';
import { LogPage, LogStats, RelatedLinks, RequestLogsService, toFilters } from './request-logs.service';
import { RateLimit, RateLimitGuard } from '../common/rate-limit';
import { FairShareExempt } from '../common/fair-share/fair-share.decorator';
import { adminController } from '../admin/admin.openapi';
import { OpenApiController, OpenApiOperation } from '../openapi/openapi.decorators';
import { TAGS } from '../openapi/tags';
import {
  CLEAR_REQUEST_LOGS,
  GET_REQUEST_LOG,
  GET_REQUEST_LOG_STATS,
  LIST_REQUEST_LOGS,
  STREAM_REQUEST_LOGS,
} from './request-logs.openapi';

@OpenApiController(adminController(TAGS.requestLogs.name))
@UseGuards(AdminAuthGuard, RateLimitGuard)
@RateLimit('admin')
@Controller('api/admin/logs')
export class RequestLogsController {
  constructor(
    private readonly logs: RequestLogsService,
    private readonly stream: RequestLogStream,
  ) {}

  @Get()
  @OpenApiOperation(LIST_REQUEST_LOGS)
  list(@Req() req: AuthenticatedRequest, @Query() query: RequestLogsQuery): Promise<LogPage> {
    return this.logs.list({ ...query, tenant: scopedTenantFilter(adminScope(req), query.tenant) });
  }

  @Get('stream')
  @FairShareExempt()
  @OpenApiOperation(STREAM_REQUEST_LOGS)
  async live(
    @Req() req: AuthenticatedRequest,
    @Query() query: RequestLogFiltersQuery,
    @Res() res: Response,
  ): Promise<void> {
    await this.stream.serve(res, toFilters({ ...query, tenant: scopedTenantFilter(adminScope(req), query.tenant) }));
  }

  @Get('stats')
  @OpenApiOperation(GET_REQUEST_LOG_STATS)
  stats(@Req() req: AuthenticatedRequest): Promise<LogStats> {
    return this.logs.stats(ownTenant(adminScope(req)));
  }

  @Get(':id')
  @OpenApiOperation(GET_REQUEST_LOG)
  find(@Req() req: AuthenticatedRequest, @Param('id') id: string): Promise<LogDetail & { related: RelatedLinks }> {
    const scope = adminScope(req);
    // The row itself: another tenant's answers as a missing one; `related` links only into tenants it sees.
    return this.logs.find(id, ownTenant(scope), (tenantId) => canSeeTenant(scope, tenantId));
  }

  @Delete()
  @OpenApiOperation(CLEAR_REQUEST_LOGS)
  delete(@Req() req: AuthenticatedRequest, @Query() query: DeleteRequestLogsQuery): Promise<{ deleted: number }> {
    return this.logs.delete(query.before ? new Date(query.before) : undefined, ownTenant(adminScope(req)));
  }
}

/** A TENANT_ADMIN's tenant; undefined for an ADMIN (every tenant). */
function ownTenant(scope: AdminScope): string | undefined {
  return scope.kind === 'tenant' ? scope.tenantId : undefined;
}
