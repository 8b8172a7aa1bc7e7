import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Where a span of committed change events sits in its tenant's feed: the events with ids
 * `firstId`..`lastId`, consecutive and all of `tenantId`, have seqs `firstSeq`..`lastSeq`, the
 * cursor. Written only by the EventSequencer, one row per such span of a numbering pass, after
 * the events' transactions committed; the event rows themselves are never rewritten. Runs never
 * overlap, so the run holding an event is the one with the smallest `lastId` at or above its id.
 * Readers see events with their seq through the `change_feed` view and `change_feed_after()`
 * (migration 1796100000000). Only retention deletes a run, once none of its events is left.
 */
@Entity('change_runs')
@Index('UQ_change_runs_tenant_seq', ['tenantId', 'lastSeq'], { unique: true })
export class ChangeRunEntity {
  @PrimaryColumn({ type: 'bigint', primaryKeyConstraintName: 'PK_change_runs' })
  lastId!: string;

  @Column({ type: 'bigint' })
  firstId!: string;

  @Column({ type: 'varchar', length: 64 })
  tenantId!: string;

  @Column({ type: 'bigint' })
  firstSeq!: string;

  @Column({ type: 'bigint' })
  lastSeq!: string;
}
