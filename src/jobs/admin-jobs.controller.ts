import { Controller, Get, Query, Req, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { adminScope, scopedTenantFilter } from '../auth/admin-scope';
import { CredentialsService } from '../auth/credentials.service';
import type { AuthenticatedRequest } from '../auth/principal';
import { AdminPage } from '../common/admin-page';
import { AdminJobsQuery } from './dto/admin-jobs.query';
import { JobView } from './job-view';
import { JobsService } from './jobs.service';
import { RateLimit, RateLimitGuard } from '../common/rate-limit';
import { adminController, LIST_ADMIN_JOBS } from '../admin/admin.openapi';
import { OpenApiController, OpenApiOperation } from '../openapi/openapi.decorators';
import { TAGS } from '../openapi/tags';

@OpenApiController(adminController(TAGS.adminJobs.name))
@Controller('api/admin/jobs')
@UseGuards(AdminAuthGuard, RateLimitGuard)
@RateLimit('admin')
export class AdminJobsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly credentials: CredentialsService,
  ) {}

  @Get()
  @OpenApiOperation(LIST_ADMIN_JOBS)
  async list(@Req() req: AuthenticatedRequest, @Query() query: AdminJobsQuery): Promise<AdminPage<JobView>> {
    const page = await this.jobs.listAll({ ...query, tenant: scopedTenantFilter(adminScope(req), query.tenant) });
    return { ...page, items: await this.credentials.withCreatorNames(page.items) };
  }
}
