import type { BackendJobEntity, JobStatus, JobUpdate } from './backend-job.entity';

/** Seed 001's BackendJob document (`value` of `GET /api/user/job/{jobId}`). */
export interface JobView {
  id: string;
  version: 'V1';
  tenantId: string;
  status: JobStatus;
  createdBy: string;
  /** The creating credential's name: operators' views only (admin listing, an operator's job read). */
  createdByName?: string | null;
  createdOn: string;
  startedOn: string | null;
  startOn: string;
  finishedOn: string | null;
  priority: number;
  job: { type: string; userId: string; tenantId: string; [key: string]: unknown };
  errorMessage: string | null;
  stackTrace: string | null;
  donePercentage: number;
  updates: JobUpdate[];
  results: Record<string, unknown> | null;
  /** Operators only: the X-Request-Id of the request that queued it (the request log filters by it). */
  correlationId?: string | null;
}

/** The stack trace names server internals and the correlation id links to the request log: only operators see them. */
export function toJobView(job: BackendJobEntity, options: { includeStackTrace: boolean }): JobView {
  // The payload cannot pass itself off as another type, user or tenant.
  const { type: _type, userId: _userId, tenantId: _tenantId, ...parameters } = job.payload;
  return {
    id: job.id,
    version: 'V1',
    tenantId: job.tenantId,
    status: job.status,
    createdBy: job.createdBy,
    createdOn: job.createdOn.toISOString(),
    startedOn: iso(job.startedOn),
    startOn: job.startOn.toISOString(),
    finishedOn: iso(job.finishedOn),
    priority: job.priority,
    job: { type: job.type, userId: job.createdBy, tenantId: job.tenantId, ...parameters },
    errorMessage: job.errorMessage,
    stackTrace: options.includeStackTrace ? job.stackTrace : null,
    donePercentage: job.donePercentage,
    updates: job.updates,
    results: job.results,
    ...(options.includeStackTrace ? { correlationId: job.correlationId } : {}),
  };
}

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}
