import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { TenantEntity } from '../../directory/entities/tenant.entity';

export const CREDENTIAL_KINDS = ['API_TOKEN', 'SCIM_SECRET', 'OAUTH_CLIENT', 'PARTNER_SECRET', 'ADMIN_TOKEN'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

export const ROLES = ['PROVISIONING_UPDATE', 'PROVISIONING_SEARCH', 'SCIM', 'ADMIN', 'TENANT_ADMIN'] as const;
export type Role = (typeof ROLES)[number];

/** The doors a credential authenticates at, as its last use records them. */
export const CREDENTIAL_DOORS = ['scim', 'provisioning', 'partner', 'admin', 'oauth', 'metrics'] as const;
export type CredentialDoor = (typeof CREDENTIAL_DOORS)[number];

@Entity('credentials')
@Index('IDX_credentials_tenant', ['tenantId'])
export class CredentialEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Null for operator (ADMIN) credentials, which span all tenants. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  tenantId!: string | null;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant?: TenantEntity;

  @Column({ type: 'varchar', length: 32 })
  kind!: CredentialKind;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  roles!: Role[];

  /** HMAC-SHA256 of the bearer secret under the server key: looked up by equality, never reversed. */
  @Index('UQ_credentials_secret_hash', { unique: true, where: 'secret_hash IS NOT NULL AND revoked_on IS NULL' })
  @Column({ type: 'varchar', length: 64, nullable: true })
  secretHash!: string | null;

  /** OAuth client id (client credentials grant). */
  @Index('UQ_credentials_client_id', { unique: true, where: 'client_id IS NOT NULL AND revoked_on IS NULL' })
  @Column({ type: 'varchar', length: 200, nullable: true })
  clientId!: string | null;

  /** Partner secrets must be readable to verify signatures: AES-256-GCM under the server key. */
  @Column({ type: 'text', nullable: true })
  secretEncrypted!: string | null;

  /** Created from the environment at start; a start with a new value replaces it. */
  @Column({ type: 'boolean', default: false })
  bootstrap!: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdOn!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  revokedOn!: Date | null;

  /** The last successful authentication (recorded at most once a minute per instance). */
  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  lastUsedDoor!: CredentialDoor | null;
}
