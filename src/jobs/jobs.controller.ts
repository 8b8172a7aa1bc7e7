import { Controller, Get, HttpCode, HttpStatus, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { hasRole } from '../auth/principal';
import type { Principal } from '../auth/principal';
import { CurrentPrincipal, RequireRoles } from '../auth/roles.decorator';
import { DomainError } from '../common/domain-error';
import { RateLimit, RateLimitGuard } from '../common/rate-limit';
import { JobAuthGuard } from './job-auth.guard';
import { JobView } from './job-view';
import { JobsService } from './jobs.service';

interface JobAnswer {
  status: true;
  value: JobView;
}

@ApiTags('jobs')
@Controller('api/user/job')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Get(':jobId')
  @UseGuards(JobAuthGuard)
  @RequireRoles('PROVISIONING_SEARCH')
  @ApiSecurity('auth-token')
  @ApiBearerAuth()
  @ApiOperation({
    summary: "A background job (seed 001's BackendJob): the caller's tenant's, or any tenant's for operators",
  })
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
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Cancel a job: at once if it has not started, at its next batch if it is running' })
  async cancel(@Param('jobId') jobId: string): Promise<JobAnswer> {
    const job = await this.jobs.requestCancel(jobId);
    return { status: true, value: this.jobs.toView(job, { includeStackTrace: true }) };
  }
}
