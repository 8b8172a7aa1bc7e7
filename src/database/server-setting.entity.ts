import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Fleet-wide settings that must be the same on every instance (the generated server key). */
@Entity('server_settings')
export class ServerSettingEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  key!: string;

  @Column({ type: 'text' })
  value!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdOn!: Date;
}
