import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** What a change did to its resource (RFC 9967's prov events, plus activate/deactivate). */
export type ChangeEventType = 'create' | 'patch' | 'delete' | 'activate' | 'deactivate';
export const CHANGE_EVENT_TYPES: readonly ChangeEventType[] = ['create', 'patch', 'delete', 'activate', 'deactivate'];

/** An assignment event's resource is the department; its user is `memberId`. */
export type ChangeResourceType = 'user' | 'department' | 'assignment';
export const CHANGE_RESOURCE_TYPES: readonly ChangeResourceType[] = ['user', 'department', 'assignment'];

/** Which API made a change; 'system' when no door labelled the transaction (a migration, psql). */
export type ChangeDoor = 'scim' | 'batch' | 'direct' | 'partner' | 'admin' | 'system';

/**
 * One change to a user, a department or an assignment. Written only by the capture triggers
 * (migration 1795800000000), in the transaction that made the change, and never rewritten: its
 * `seq`, the tenant's cursor, comes from a ChangeRunEntity the EventSequencer writes after commit.
 * It leaves out what its other columns already say (a create's attribute names, ids in `data`):
 * readers put those back with restoredContent() (src/events/capture/stored-change.ts).
 */
@Entity('change_events')
@Index('IDX_change_events_resource', ['tenantId', 'resourceId', 'id'])
@Index('IDX_change_events_member', ['tenantId', 'memberId', 'id'], { where: 'member_id IS NOT NULL' })
export class ChangeEventEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  tenantId!: string;

  /**
   * The UUID of an event written before migration 1796000000000; null since, when the change_feed
   * view derives it from `id` (change_event_id()).
   */
  @Column({ type: 'uuid', nullable: true })
  eventId!: string | null;

  @Column({ type: 'varchar', length: 16 })
  resourceType!: ChangeResourceType;

  @Column({ type: 'uuid' })
  resourceId!: string;

  @Column({ type: 'uuid', nullable: true })
  memberId!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  userTypeId!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  externalId!: string | null;

  @Column({ type: 'integer', nullable: true })
  version!: number | null;

  @Column({ type: 'varchar', length: 16 })
  eventType!: ChangeEventType;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  attributes!: string[];

  @Column({ type: 'jsonb', nullable: true })
  data!: Record<string, unknown> | null;

  @Column({ type: 'varchar', length: 16 })
  door!: ChangeDoor;

  @Column({ type: 'varchar', length: 64, nullable: true })
  credentialId!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  credentialName!: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  correlationId!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  transactionId!: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  occurredOn!: Date;
}
