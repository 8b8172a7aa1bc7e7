import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { AdminPage } from '../common/admin-page';
import { AdminJobsQuery } from './dto/admin-jobs.query';
import { JobView } from './job-view';
import { JobsService } from './jobs.service';
import { RateLimit, RateLimitGuard } from '../common/rate-limit';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('api/admin/jobs')
@UseGuards(AdminAuthGuard, RateLimitGuard)
@RateLimit('admin')
export class AdminJobsController {
  constructor(private readonly jobs: JobsService) {}

  @Get()
  @ApiOperation({ summary: "Every tenant's background jobs, newest first, with donePercentage" })
  list(@Query() query: AdminJobsQuery): Promise<AdminPage<JobView>> {
    return this.jobs.listAll(query);
  }
}
