import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity('tenants')
export class TenantEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** Partner sync's `orgCode` claim selects the tenant by this. */
  @Index('UQ_tenants_org_code', { unique: true, where: 'org_code IS NOT NULL' })
  @Column({ type: 'varchar', length: 100, nullable: true })
  orgCode!: string | null;

  @Column({ type: 'varchar', length: 35, default: 'en-GB' })
  locale!: string;

  @Column({ type: 'varchar', length: 64, default: 'Europe/London' })
  timeZone!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdOn!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedOn!: Date;
}
