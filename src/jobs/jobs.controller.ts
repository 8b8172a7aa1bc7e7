import { Controller, Get, HttpCode, HttpStatus, Param, Post, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { hasRole } from '../auth/principal';
import type { Principal } from '../auth/principal';
import { CurrentPrincipal, RequireRoles } from '../auth/roles.decorator';
import { DomainError } from '../common/domain-error';
import { RateLimit, RateLimitGuard } from '../common/rate-limit';
import { SECURITY } from '../openapi/components';
import { OpenApiController, OpenApiOperation } from '../openapi/openapi.decorators';
import { TAGS } from '../openapi/tags';
import { JobAuthGuard } from './job-auth.guard';
import { JobView } from './job-view';
import { CANCEL_JOB, GET_JOB } from './jobs.openapi';
import { JobsService } from './jobs.service';

interface JobAnswer {
  status: true;
  value: JobView;
}

@OpenApiController({
  tag: TAGS.jobs.name,
  door: 'provisioning',
  errors: [400, 401, 403, 413, 415, 429, 500, 503],
  security: [...SECURITY.provisioning, ...SECURITY.admin],
})
@Controller('api/user/job')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Get(':jobId')
  @UseGuards(JobAuthGuard)
  @RequireRoles('PROVISIONING_SEARCH')
  @OpenApiOperation(GET_JOB)
  async find(@Param('jobId') jobId: string, @CurrentPrincipal() principal: Principal): Promise<JobAnswer> {
    const operator = hasRole(principal.roles, 'ADMIN');
    // Another tenant's job answers exactly like a missing one.
    const job = await this.jobs.find(jobId, operator ? null : principal.tenantId);
    if (!job) throw DomainError.notFound('Job not found');
    return { status: true, value: this.jobs.toView(job, { includeStackTrace: operator }) };
  }

  @Post(':jobId/cancel')
  @HttpCode(HttpStatus.OK)
  @UseGuards(AdminAuthGuard, RateLimitGuard)
  @RateLimit('admin')
  @OpenApiOperation(CANCEL_JOB)
  async cancel(@Param('jobId') jobId: string): Promise<JobAnswer> {
    const job = await this.jobs.requestCancel(jobId);
    return { status: true, value: this.jobs.toView(job, { includeStackTrace: true }) };
  }
}
