import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Where a committed change event sits in its tenant's feed: `seq`, the cursor. Written only by the
 * EventSequencer, after the event's transaction committed; the event row itself is never
 * rewritten. Readers see both through the `change_feed` view (migration 1795900000000). No foreign
 * key: its check would lock every numbered event's row (a write to each), and only the sequencer
 * adds positions (of events it has just read) and only retention removes events (with theirs).
 */
@Entity('change_positions')
@Index('UQ_change_positions_tenant_seq', ['tenantId', 'seq'], { unique: true })
export class ChangePositionEntity {
  @PrimaryColumn({ type: 'bigint' })
  eventId!: string;

  @Column({ type: 'varchar', length: 64 })
  tenantId!: string;

  @Column({ type: 'bigint' })
  seq!: string;
}
