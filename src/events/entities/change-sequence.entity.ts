import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The last `seq` the EventSequencer gave in each tenant. */
@Entity('change_sequences')
export class ChangeSequenceEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  tenantId!: string;

  @Column({ type: 'bigint', default: 0 })
  lastSeq!: string;
}
