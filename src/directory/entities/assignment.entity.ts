import { CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, Column } from 'typeorm';
import { DepartmentEntity } from './department.entity';
import { UserTypeEntity } from './user-type.entity';
import { UserEntity } from './user.entity';

/** A user's membership of a department with a user type. */
@Entity('assignments')
@Index('IDX_assignments_department_user', ['departmentId', 'userId'])
export class AssignmentEntity {
  @PrimaryColumn({ type: 'uuid' })
  userId!: string;

  @PrimaryColumn({ type: 'uuid' })
  departmentId!: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  userTypeId!: string;

  @Column({ type: 'varchar', length: 64 })
  tenantId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  @ManyToOne(() => DepartmentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'department_id' })
  department?: DepartmentEntity;

  @ManyToOne(() => UserTypeEntity, { onDelete: 'RESTRICT' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId' },
    { name: 'user_type_id', referencedColumnName: 'id' },
  ])
  userType?: UserTypeEntity;

  @CreateDateColumn({ type: 'timestamptz' })
  createdOn!: Date;
}
