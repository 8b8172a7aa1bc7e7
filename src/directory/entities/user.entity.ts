import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { TenantEntity } from './tenant.entity';

/** Which API created or last changed a user. */
export type FrontDoor = 'scim' | 'batch' | 'partner';

/** One address as the client sent it (SCIM `emails[]`; batch and partner send one). */
export interface UserEmail {
  value: string;
  type?: string;
  primary?: boolean;
  display?: string;
}

@Entity('users')
@Index('UQ_users_tenant_external_id', ['tenantId', 'externalId'], {
  unique: true,
  where: 'external_id IS NOT NULL',
})
@Index('IDX_users_tenant_active', ['tenantId', 'active'])
@Index('IDX_users_tenant_created_on_id', ['tenantId', 'createdOn', 'id'])
@Index('IDX_users_tenant_updated_on', ['tenantId', 'updatedOn'])
// Expression indexes, created by migration only: userName is unique ignoring case,
// email matching ignores case, and every address in `emails` is searchable.
@Index('UQ_users_tenant_lower_user_name', { synchronize: false })
@Index('IDX_users_tenant_lower_email', { synchronize: false })
@Index('IDX_users_emails', { synchronize: false })
// SCIM co/sw/ew (migration 1795518000000): trigram indexes over the filter compiler's expressions.
@Index('IDX_users_trgm_user_name', { synchronize: false })
@Index('IDX_users_trgm_display_name', { synchronize: false })
@Index('IDX_users_trgm_external_id', { synchronize: false })
@Index('IDX_users_trgm_emails', { synchronize: false })
@Index('IDX_users_tenant_user_name_prefix', { synchronize: false })
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  tenantId!: string;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant?: TenantEntity;

  @Column({ type: 'varchar', length: 320 })
  userName!: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  externalId!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  givenName!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  middleName!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  familyName!: string | null;

  @Column({ type: 'varchar', length: 512, nullable: true })
  displayName!: string | null;

  /** The primary (or first) address of `emails`, kept in a column for matching by email. */
  @Column({ type: 'varchar', length: 320, nullable: true })
  email!: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  emails!: UserEmail[];

  @Column({ type: 'varchar', length: 64, nullable: true })
  phoneNumber!: string | null;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  /** Partner sync's `role`. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  role!: string | null;

  /** Partner sync's `metadata`, merged on every sync. */
  @Column({ type: 'jsonb', nullable: true })
  metadata!: Record<string, unknown> | null;

  /** What a client sent that has no column (SCIM attributes and extensions), returned as sent. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  attributes!: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16 })
  createdBy!: FrontDoor;

  @Column({ type: 'varchar', length: 16 })
  changedBy!: FrontDoor;

  /** Bumped on every write; SCIM answers it as the ETag. */
  @VersionColumn({ default: 1 })
  version!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdOn!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedOn!: Date;
}
