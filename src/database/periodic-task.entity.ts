import { Column, Entity, PrimaryColumn } from 'typeorm';

/** When a fleet-wide periodic task last started, so that it starts once per interval across the fleet. */
@Entity('periodic_tasks')
export class PeriodicTaskEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  name!: string;

  @Column({ type: 'timestamptz' })
  lastStartedOn!: Date;

  /** The instance that started it (host:pid:random, as a job runner's worker id). */
  @Column({ type: 'varchar', length: 100 })
  lastStartedBy!: string;
}
