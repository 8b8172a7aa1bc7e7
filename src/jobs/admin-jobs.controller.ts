import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
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
  constructor(private readonly jobs: JobsService) {}

  @Get()
  @OpenApiOperation(LIST_ADMIN_JOBS)
  list(@Query() query: AdminJobsQuery): Promise<AdminPage<JobView>> {
    return this.jobs.listAll(query);
  }
}
