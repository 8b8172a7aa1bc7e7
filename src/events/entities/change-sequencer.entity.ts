import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The EventSequencer's one row: how far it knows it is done, by event id.
 * - `watermark`: every event with an id up to it has its seq (a run holds it), or never will (its transaction
 *   rolled back). A pass reads only the events above it (a range of the primary key).
 * - `nextWatermark` and `nextXid`: the last event id given out when a pass began, and a transaction
 *   id above every transaction that could hold an event id up to it. Once every transaction below
 *   `nextXid` has ended, `nextWatermark` becomes the watermark.
 */
@Entity('change_sequencer')
export class ChangeSequencerEntity {
  @PrimaryColumn({ type: 'smallint', default: 1 })
  id!: number;

  @Column({ type: 'bigint', default: 0 })
  watermark!: string;

  @Column({ type: 'bigint', default: 0 })
  nextWatermark!: string;

  @Column({ type: 'bigint', default: 0 })
  nextXid!: string;
}
