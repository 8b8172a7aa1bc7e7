import { Controller, Get, HttpCode, HttpStatus, Param, Post, Req, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { AdminScope, adminScope } from '../auth/admin-scope';
import { CredentialsService } from '../auth/credentials.service';
import type { AuthenticatedRequest } from '../auth/principal';
import { RequireRoles } from '../auth/roles.decorator';
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
  constructor(
    private readonly jobs: JobsService,
    private readonly credentials: CredentialsService,
  ) {}

  @Get(':jobId')
  @UseGuards(JobAuthGuard)
  @RequireRoles('PROVISIONING_SEARCH')
  @OpenApiOperation(GET_JOB)
  async find(@Param('jobId') jobId: string, @Req() req: AuthenticatedRequest): Promise<JobAnswer> {
    // An operator (admin bearer) sees every tenant's jobs, a TENANT_ADMIN its tenant's; an
    // integration its own tenant's. Another tenant's job answers exactly like a missing one.
    const operator = req.headers.authorization !== undefined;
    const tenantId = operator ? jobTenant(adminScope(req)) : req.principal!.tenantId;
    const job = await this.jobs.find(jobId, tenantId);
    if (!job) throw DomainError.notFound('Job not found');
    const value = this.jobs.toView(job, { includeStackTrace: operator });
    return { status: true, value: operator ? (await this.credentials.withCreatorNames([value]))[0] : value };
  }

  @Post(':jobId/cancel')
  @HttpCode(HttpStatus.OK)
  @UseGuards(AdminAuthGuard, RateLimitGuard)
  @RateLimit('admin')
  @OpenApiOperation(CANCEL_JOB)
  async cancel(@Param('jobId') jobId: string, @Req() req: AuthenticatedRequest): Promise<JobAnswer> {
    const tenantId = jobTenant(adminScope(req));
    if (tenantId !== null && !(await this.jobs.find(jobId, tenantId))) throw DomainError.notFound('Job not found');
    const job = await this.jobs.requestCancel(jobId);
    const [value] = await this.credentials.withCreatorNames([this.jobs.toView(job, { includeStackTrace: true })]);
    return { status: true, value };
  }
}

/** The tenant an operator's job reads are narrowed to; null: every tenant. */
function jobTenant(scope: AdminScope): string | null {
  return scope.kind === 'tenant' ? scope.tenantId : null;
}
