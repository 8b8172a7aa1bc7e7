import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { TenantEntity } from '../directory/entities/tenant.entity';

export const JOB_STATUSES = ['NOT_STARTED', 'STARTED', 'DONE', 'FAILED', 'CANCELLED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const FINISHED_STATUSES: readonly JobStatus[] = ['DONE', 'FAILED', 'CANCELLED'];

/** One line of a job's progress log (seed 001's `updates[]`). */
export interface JobUpdate {
  timestamp: string;
  message: string;
}

/**
 * A background job (seed 001's BackendJob). PostgreSQL is its only record and owner: the queue
 * only says "look at this row", and the lease columns decide which worker may run it.
 */
@Entity('backend_jobs')
// The sweeper and the in-process runner look for runnable rows by status and expired lease.
@Index('IDX_backend_jobs_status_lease', ['status', 'leaseExpiresAt'])
@Index('IDX_backend_jobs_tenant_created_on', ['tenantId', 'createdOn'])
// Retention finds finished jobs by when they ended.
@Index('IDX_backend_jobs_finished_on', ['finishedOn'])
// The admin list's `correlationId` filter and a request log's related job.
@Index('IDX_backend_jobs_correlation_id', ['correlationId'], { where: 'correlation_id IS NOT NULL' })
// The overview lists a tenant's queued and running jobs: only those are in this index.
@Index('IDX_backend_jobs_tenant_unfinished', ['tenantId', 'createdOn'], {
  where: "status IN ('NOT_STARTED', 'STARTED')",
})
export class BackendJobEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  tenantId!: string;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant?: TenantEntity;

  @Column({ type: 'varchar', length: 64 })
  type!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: JobStatus;

  /** The credential that created the job (seed 001's `createdBy` / `job.userId`). */
  @Column({ type: 'varchar', length: 64 })
  createdBy!: string;

  /** The X-Request-Id of the request that created the job: its log lines carry it too. */
  @Column({ type: 'varchar', length: 128, nullable: true })
  correlationId!: string | null;

  /** Higher runs first. */
  @Column({ type: 'int', default: 5 })
  priority!: number;

  /** What the handler needs to find its work, e.g. `{ transactionId }`. */
  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  /** Scheduled time: no worker claims the job before it. */
  @Column({ type: 'timestamptz', default: () => 'now()' })
  startOn!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  startedOn!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedOn!: Date | null;

  @Column({ type: 'text', nullable: true })
  errorMessage!: string | null;

  /** Shown to operators only. */
  @Column({ type: 'text', nullable: true })
  stackTrace!: string | null;

  @Column({ type: 'int', default: 0 })
  donePercentage!: number;

  /** The last MAX_JOB_UPDATES progress lines, oldest first. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  updates!: JobUpdate[];

  @Column({ type: 'jsonb', nullable: true })
  results!: Record<string, unknown> | null;

  /** The worker that holds the job while it runs; null when nobody does. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  leaseOwner!: string | null;

  /** After this instant any worker may take the job over (its owner is presumed dead). */
  @Column({ type: 'timestamptz', nullable: true })
  leaseExpiresAt!: Date | null;

  /** How many times a worker has claimed the job. */
  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ type: 'boolean', default: false })
  cancelRequested!: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdOn!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedOn!: Date;
}
