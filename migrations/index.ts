import { MigrationInterface } from 'typeorm';
import { Init1795454452051 } from './1795454452051-init';
import { BackendJobs1795460000000 } from './1795460000000-backend-jobs';
import { ProvisioningTransactions1795460100000 } from './1795460100000-provisioning-transactions';
import { ScimGroups1795470000000 } from './1795470000000-scim-groups';
import { RequestLogs1795480000000 } from './1795480000000-request-logs';
import { PagingIndexes1795490000000 } from './1795490000000-paging-indexes';
import { PeriodicTasks1795500000000 } from './1795500000000-periodic-tasks';
import { UserNameNfc1795514000000 } from './1795514000000-user-name-nfc';
import { RequestLogDetailsOmitted1795515000000 } from './1795515000000-request-log-details-omitted';
import { DropStoredSecrets1795516000000 } from './1795516000000-drop-stored-secrets';
import { ScimListReads1795518000000 } from './1795518000000-scim-list-reads';
import { RetentionIndexes1795522000000 } from './1795522000000-retention-indexes';
import { JobCorrelationId1795524000000 } from './1795524000000-job-correlation-id';
import { RequestLogAuthFailure1795524100000 } from './1795524100000-request-log-auth-failure';
import { OperatorCredentials1795600000000 } from './1795600000000-operator-credentials';
import { TransactionCorrelationId1795610000000 } from './1795610000000-transaction-correlation-id';
import { RequestActivity1795630000000 } from './1795630000000-request-activity';
import { AssignmentsDepartmentUser1795700000000 } from './1795700000000-assignments-department-user';
import { ChangeEvents1795800000000 } from './1795800000000-change-events';
import { ChangePositions1795900000000 } from './1795900000000-change-positions';
import { CompactChangeEvents1796000000000 } from './1796000000000-compact-change-events';
import { ChangeRuns1796100000000 } from './1796100000000-change-runs';

/** Every migration, oldest first. A new migration file is listed here too. */
export const MIGRATIONS: (new () => MigrationInterface)[] = [
  Init1795454452051,
  BackendJobs1795460000000,
  ProvisioningTransactions1795460100000,
  ScimGroups1795470000000,
  RequestLogs1795480000000,
  PagingIndexes1795490000000,
  PeriodicTasks1795500000000,
  UserNameNfc1795514000000,
  RequestLogDetailsOmitted1795515000000,
  DropStoredSecrets1795516000000,
  ScimListReads1795518000000,
  RetentionIndexes1795522000000,
  JobCorrelationId1795524000000,
  RequestLogAuthFailure1795524100000,
  OperatorCredentials1795600000000,
  TransactionCorrelationId1795610000000,
  RequestActivity1795630000000,
  AssignmentsDepartmentUser1795700000000,
  ChangeEvents1795800000000,
  ChangePositions1795900000000,
  CompactChangeEvents1796000000000,
  ChangeRuns1796100000000,
];
