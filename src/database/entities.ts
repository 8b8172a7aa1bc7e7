import { CredentialEntity } from '../auth/entities/credential.entity';
import { AssignmentEntity } from '../directory/entities/assignment.entity';
import { DepartmentEntity } from '../directory/entities/department.entity';
import { TenantEntity } from '../directory/entities/tenant.entity';
import { UserTypeEntity } from '../directory/entities/user-type.entity';
import { UserEntity } from '../directory/entities/user.entity';
import { BackendJobEntity } from '../jobs/backend-job.entity';
import { OperationEntity } from '../provisioning/entities/operation.entity';
import { TransactionEntity } from '../provisioning/entities/transaction.entity';
import { RequestActivityEntity } from '../request-log/entities/request-activity.entity';
import { RequestLogEntity } from '../request-log/entities/request-log.entity';
import { ChangeEventEntity } from '../events/entities/change-event.entity';
import { ChangeRunEntity } from '../events/entities/change-run.entity';
import { ChangeSequenceEntity } from '../events/entities/change-sequence.entity';
import { ChangeSequencerEntity } from '../events/entities/change-sequencer.entity';
import { EventDeadLetterEntity } from '../events/entities/event-dead-letter.entity';
import { EventStreamEntity } from '../events/entities/event-stream.entity';
import { PeriodicTaskEntity } from './periodic-task.entity';
import { ServerSettingEntity } from './server-setting.entity';

/** Every entity of the schema; the migration-drift check compares these with `migrations/`. */
export const ENTITIES = [
  TenantEntity,
  DepartmentEntity,
  UserEntity,
  UserTypeEntity,
  AssignmentEntity,
  CredentialEntity,
  ServerSettingEntity,
  TransactionEntity,
  OperationEntity,
  BackendJobEntity,
  RequestLogEntity,
  RequestActivityEntity,
  PeriodicTaskEntity,
  ChangeEventEntity,
  ChangeRunEntity,
  ChangeSequenceEntity,
  ChangeSequencerEntity,
  EventStreamEntity,
  EventDeadLetterEntity,
];
