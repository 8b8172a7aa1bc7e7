import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One request to the service and its answer, as operators read them: every secret already masked
 * (src/request-log/redaction.ts). No foreign key to tenants: a log outlives its tenant, and a
 * refused request may name a tenant that does not exist.
 */
@Entity('request_logs')
@Index('IDX_request_logs_time_id', ['time', 'id'])
@Index('IDX_request_logs_tenant_time', ['tenantId', 'time'])
@Index('IDX_request_logs_status_time', ['status', 'time'])
@Index('IDX_request_logs_method_time', ['method', 'time'])
@Index('IDX_request_logs_logged_at', ['loggedAt'])
@Index('IDX_request_logs_errors_time', ['time'], { where: 'error_message IS NOT NULL' })
// The `correlationId` filter: the handful of rows of one request (and the jobs it queued).
@Index('IDX_request_logs_correlation_id', ['correlationId'], { where: 'correlation_id IS NOT NULL' })
// Created by migration only: a pg_trgm GIN index, which makes `search` (ILIKE '%term%') fast.
@Index('IDX_request_logs_search_text', { synchronize: false })
export class RequestLogEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** When the request arrived. */
  @Column({ type: 'timestamptz' })
  time!: Date;

  /** When the row was written: the live stream follows this, since rows arrive out of `time` order. */
  @Column({ type: 'timestamptz', default: () => 'now()' })
  loggedAt!: Date;

  @Column({ type: 'varchar', length: 16 })
  method!: string;

  /** Path and query string, secret parameters masked. */
  @Column({ type: 'text' })
  path!: string;

  @Column({ type: 'smallint' })
  status!: number;

  @Column({ type: 'integer' })
  durationMs!: number;

  @Column({ type: 'varchar', length: 64, nullable: true })
  tenantId!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  credentialId!: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  correlationId!: string | null;

  /** userName, email, displayName or externalId of the resource concerned. */
  @Column({ type: 'text', nullable: true })
  identifier!: string | null;

  @Column({ type: 'text', nullable: true })
  errorMessage!: string | null;

  /** Why authentication failed (AUTH_FAILURES), which the caller's generic answer does not say. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  authFailure!: string | null;

  /** The caller's address: the socket's, or X-Forwarded-For's under TRUST_PROXY. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  clientAddress!: string | null;

  /** A request to the admin API itself (hidden unless asked for). */
  @Column({ type: 'boolean', default: false })
  admin!: boolean;

  /** Entra ID's connectivity probe. */
  @Column({ type: 'boolean', default: false })
  keepalive!: boolean;

  @Column({ type: 'jsonb' })
  requestHeaders!: Record<string, string>;

  @Column({ type: 'text', nullable: true })
  requestBody!: string | null;

  @Column({ type: 'boolean', default: false })
  requestBodyTruncated!: boolean;

  @Column({ type: 'jsonb' })
  responseHeaders!: Record<string, string>;

  @Column({ type: 'text', nullable: true })
  responseBody!: string | null;

  @Column({ type: 'boolean', default: false })
  responseBodyTruncated!: boolean;

  /** The full row was refused, so it was written without its bodies (and perhaps headers). */
  @Column({ type: 'boolean', default: false })
  detailsOmitted!: boolean;

  /** Lower-cased path, identifier and the start of both bodies, written with the row. */
  @Column({ type: 'text', select: false })
  searchText!: string;
}
