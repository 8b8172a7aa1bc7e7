import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Fleet-wide settings (the server key's fingerprint; never the key: see ServerKey). */
@Entity('server_settings')
export class ServerSettingEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  key!: string;

  @Column({ type: 'text' })
  value!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdOn!: Date;
}
