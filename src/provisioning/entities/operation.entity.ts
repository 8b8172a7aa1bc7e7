import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { TransactionEntity } from './transaction.entity';

export type EntityType = 'DEPARTMENT' | 'USER';
export type RequestedAction = 'UPSERT' | 'DELETE';
/** INVALID: refused when queued (DATA_FORMAT / VALIDATION); it counts as failed at commit. */
export type OperationStatus = 'QUEUED' | 'INVALID' | 'SUCCEEDED' | 'FAILED' | 'SKIPPED';
export type OperationAction = 'CREATE' | 'UPDATE' | 'DELETE';
export const ERROR_TYPES = ['VALIDATION', 'DATA_FORMAT', 'DUPLICATE', 'NOT_FOUND', 'PERMISSION', 'SYSTEM'] as const;
export type OperationErrorType = (typeof ERROR_TYPES)[number];

/** One queued item of a transaction, and what became of it. */
@Entity('provisioning_operations')
@Index('IDX_provisioning_operations_transaction_status', ['transactionId', 'status'])
export class OperationEntity {
  @PrimaryColumn({ type: 'uuid' })
  transactionId!: string;

  @ManyToOne(() => TransactionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'transaction_id' })
  transaction?: TransactionEntity;

  @PrimaryColumn({ type: 'int' })
  orderId!: number;

  @Column({ type: 'varchar', length: 16 })
  entityType!: EntityType;

  @Column({ type: 'varchar', length: 16 })
  requestedAction!: RequestedAction;

  /** The item as the client sent it (valid items only). */
  @Column({ type: 'jsonb', nullable: true })
  payload!: Record<string, unknown> | null;

  @Column({ type: 'varchar', length: 16 })
  status!: OperationStatus;

  @Column({ type: 'varchar', length: 16, nullable: true })
  action!: OperationAction | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  externalId!: string | null;

  @Column({ type: 'varchar', length: 512, nullable: true })
  entityName!: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  errorType!: OperationErrorType | null;

  @Column({ type: 'text', nullable: true })
  errorMessage!: string | null;

  /** `details` of seed 001's failure object beyond operationId and transactionId. */
  @Column({ type: 'jsonb', nullable: true })
  errorDetails!: Record<string, unknown> | null;

  @Column({ type: 'timestamptz', nullable: true })
  failedOn!: Date | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  queuedOn!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  processedOn!: Date | null;
}
