import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { AdminPageQuery } from '../../common/admin-page';
import { JOB_STATUSES, JobStatus } from '../backend-job.entity';

/** `GET /api/admin/jobs`: every tenant's jobs, newest first. */
export class AdminJobsQuery extends AdminPageQuery {
  @IsOptional()
  @IsString()
  @Length(1, 64)
  tenant?: string;

  @IsOptional()
  @IsIn(JOB_STATUSES)
  status?: JobStatus;

  @IsOptional()
  @IsString()
  @Length(1, 100)
  type?: string;

  @IsOptional()
  @IsString()
  @Length(1, 128)
  correlationId?: string;
}
