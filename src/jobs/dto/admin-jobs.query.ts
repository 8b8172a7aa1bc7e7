import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { AdminPageQuery } from '../../common/admin-page';
import { JOB_STATUSES, JobStatus } from '../backend-job.entity';

/** `GET /api/admin/jobs`: every tenant's jobs, newest first. */
export class AdminJobsQuery extends AdminPageQuery {
  @ApiPropertyOptional({ description: 'tenant id' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  tenant?: string;

  @ApiPropertyOptional({ enum: JOB_STATUSES })
  @IsOptional()
  @IsIn(JOB_STATUSES)
  status?: JobStatus;

  @ApiPropertyOptional({ description: 'job type, e.g. EXECUTE_IAM_COMMIT_TRANSACTION_JOB' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  type?: string;
}
