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

@Entity('departments')
@Index('UQ_departments_tenant_external_id', ['tenantId', 'externalId'], {
  unique: true,
  where: 'external_id IS NOT NULL',
})
@Index('IDX_departments_tenant_parent', ['tenantId', 'parentId'])
@Index('IDX_departments_tenant_created_on_id', ['tenantId', 'createdOn', 'id'])
@Index('IDX_departments_tenant_updated_on', ['tenantId', 'updatedOn'])
// Expression index (SCIM displayName filters and uniqueness), created by migration only.
@Index('IDX_departments_tenant_lower_name', { synchronize: false })
@Index('IDX_departments_trgm_name', { synchronize: false })
export class DepartmentEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  tenantId!: string;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant?: TenantEntity;

  @Column({ type: 'varchar', length: 255, nullable: true })
  externalId!: string | null;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  @Column({ type: 'uuid', nullable: true })
  parentId!: string | null;

  @ManyToOne(() => DepartmentEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'parent_id' })
  parent?: DepartmentEntity | null;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  /** What a SCIM client sent that has no column, returned as sent. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  attributes!: Record<string, unknown>;

  /** Bumped on every write, members included (a trigger on assignments); SCIM answers it as the ETag. */
  @VersionColumn({ default: 1 })
  version!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdOn!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedOn!: Date;
}
