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
import type { ChangeEventType, ChangeResourceType } from './change-event.entity';

export type StreamDelivery = 'push' | 'poll';
export type StreamForm = 'notice' | 'full';
export type StreamStatus = 'active' | 'paused';

/** A receiver of a tenant's changes as signed SETs: pushed to a URL (RFC 8935) or polled (RFC 8936). */
@Entity('event_streams')
@Index('IDX_event_streams_tenant', ['tenantId'])
export class EventStreamEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  tenantId!: string;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant?: TenantEntity;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  @Column({ type: 'varchar', length: 8 })
  delivery!: StreamDelivery;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  endpointUrl!: string | null;

  @Column({ type: 'text', array: true })
  eventTypes!: ChangeEventType[];

  @Column({ type: 'text', array: true })
  resourceTypes!: ChangeResourceType[];

  @Column({ type: 'varchar', length: 8, default: 'notice' })
  form!: StreamForm;

  @Column({ type: 'varchar', length: 8, default: 'active' })
  status!: StreamStatus;

  /** Every event with seq <= cursor has been delivered (or acknowledged, or dead-lettered). */
  @Column({ type: 'bigint', default: 0 })
  cursor!: string;

  /** Poll streams: seqs above `cursor` the receiver acknowledged out of order. */
  @Column({ type: 'bigint', array: true, default: () => "'{}'" })
  acked!: string[];

  @Column({ type: 'varchar', length: 64 })
  signingKid!: string;

  /** The private JWK, sealed with the server key (ServerKey.encrypt). */
  @Column({ type: 'text' })
  signingKeySealed!: string;

  @Column({ type: 'jsonb' })
  publicJwk!: Record<string, unknown>;

  @Column({ type: 'varchar', length: 64, nullable: true })
  previousKid!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  previousPublicJwk!: Record<string, unknown> | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ type: 'timestamptz', nullable: true })
  failingSince!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  nextAttemptOn!: Date | null;

  @Column({ type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastErrorOn!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastDeliveredOn!: Date | null;

  @Column({ type: 'uuid', nullable: true })
  deliveryJobId!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdOn!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedOn!: Date;
}
