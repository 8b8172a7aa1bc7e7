import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Where a request came in, as the overview shows it (src/request-log/request-activity.ts). */
export const DOORS = ['scim', 'provisioning', 'partner', 'admin'] as const;
export type Door = (typeof DOORS)[number];

/**
 * Requests per tenant, door and hour: the operator overview reads this instead of request_logs, so
 * its cost grows with tenants and hours, not with logged rows. Written by the request-log writer in
 * the same transaction as the rows it counts; kept as long as the request log (its retention task),
 * and not emptied by a purge of the log (it holds counts, none of the requests' content).
 */
@Entity('request_activity')
// The last 24 hours of every tenant, and retention by age.
@Index('IDX_request_activity_hour', ['hour'])
export class RequestActivityEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  tenantId!: string;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  door!: Door;

  /** The start of the hour (UTC). */
  @PrimaryColumn({ type: 'timestamptz' })
  hour!: Date;

  @Column({ type: 'integer', default: 0 })
  requests!: number;

  /** Answers an operator should look at: 5xx, and 401, 403 and 429 (refused credentials, throttling). */
  @Column({ type: 'integer', default: 0 })
  errors!: number;

  /** Other 4xx answers: mostly normal for an identity provider (SCIM 404 on a lookup, 409 on a duplicate). */
  @Column({ type: 'integer', default: 0 })
  clientErrors!: number;

  /** The latest request of the hour. */
  @Column({ type: 'timestamptz' })
  lastAt!: Date;
}
