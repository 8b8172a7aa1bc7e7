import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { EventStreamEntity } from './event-stream.entity';

/** An event a push stream gave up on after retrying for EVENT_RETRY_MAX_SECONDS. */
@Entity('event_dead_letters')
@Index('IDX_event_dead_letters_stream', ['streamId', 'id'])
export class EventDeadLetterEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'uuid' })
  streamId!: string;

  @ManyToOne(() => EventStreamEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'stream_id' })
  stream?: EventStreamEntity;

  @Column({ type: 'varchar', length: 64 })
  tenantId!: string;

  @Column({ type: 'bigint' })
  seq!: string;

  @Column({ type: 'uuid' })
  eventId!: string;

  /** The SET as last sent. */
  @Column({ type: 'text' })
  setToken!: string;

  @Column({ type: 'text' })
  error!: string;

  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  deadOn!: Date;
}
