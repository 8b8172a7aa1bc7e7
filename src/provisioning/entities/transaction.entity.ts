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
import { TenantEntity } from '../../directory/entities/tenant.entity';

export const TRANSACTION_STATUSES = [
  'OPEN',
  'COMMITTED',
  'PROCESSING',
  'COMPLETED',
  'FAILED',
  'ROLLED_BACK',
  'EXPIRED',
] as const;
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];
/** A transaction in one of these never changes again. */
export const ENDED_TRANSACTION_STATUSES: readonly TransactionStatus[] = [
  'COMPLETED',
  'FAILED',
  'ROLLED_BACK',
  'EXPIRED',
];

/** At most this many operations in one transaction (seed 004). */
export const MAX_OPERATIONS_PER_TRANSACTION = 10_000;

@Entity('provisioning_transactions')
@Index('IDX_provisioning_transactions_tenant_created_on', ['tenantId', 'createdOn'])
@Index('IDX_provisioning_transactions_tenant_status', ['tenantId', 'status'])
// Retention finds ended transactions by when they ended.
@Index('IDX_provisioning_transactions_completed_on', ['completedOn'])
// Expiry finds OPEN transactions by their last activity; only OPEN ones are indexed.
@Index('IDX_provisioning_transactions_open_updated_on', ['updatedOn'], { where: `status = 'OPEN'` })
// The overview counts a tenant's transactions that ended with failures in the last 24 hours.
@Index('IDX_provisioning_transactions_tenant_failed', ['tenantId', 'completedOn'], { where: 'failed_count > 0' })
export class TransactionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  tenantId!: string;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant?: TenantEntity;

  @Column({ type: 'varchar', length: 16, default: 'OPEN' })
  status!: TransactionStatus;

  /** The credential that opened it. */
  @Column({ type: 'varchar', length: 64 })
  createdBy!: string;

  @Column({ type: 'varchar', length: 64 })
  updatedBy!: string;

  @Column({ type: 'int', default: 0 })
  operationCount!: number;

  @Column({ type: 'int', default: 0 })
  completedCount!: number;

  @Column({ type: 'int', default: 0 })
  failedCount!: number;

  /** The last `orderId` handed out: one sequence per transaction across queue requests. */
  @Column({ type: 'int', default: 0 })
  lastOrderId!: number;

  @Column({ type: 'boolean', default: false })
  atomic!: boolean;

  @Column({ type: 'uuid', nullable: true })
  jobId!: string | null;

  /** The X-Request-Id of the checkpoint request that opened it, to find that request in the log. */
  @Column({ type: 'varchar', length: 128, nullable: true })
  correlationId!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdOn!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  committedOn!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  completedOn!: Date | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedOn!: Date;
}
