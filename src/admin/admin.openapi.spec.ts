import { getMetadataStorage } from 'class-validator';
import { AdminJobsQuery } from '../jobs/dto/admin-jobs.query';
import type { OperationDoc } from '../openapi/openapi.decorators';
import type { JsonSchema } from '../openapi/openapi.types';
import { AdminTransactionsQuery } from '../provisioning/dto/admin-transactions.query';
import {
  DeleteRequestLogsQuery,
  RequestLogFiltersQuery,
  RequestLogsQuery,
} from '../request-log/dto/request-logs.query';
import {
  CLEAR_REQUEST_LOGS,
  LIST_REQUEST_LOGS,
  REQUEST_LOG_SCHEMAS,
  STREAM_REQUEST_LOGS,
} from '../request-log/request-logs.openapi';
import { ADMIN_SCHEMAS, LIST_ADMIN_JOBS, LIST_ADMIN_TRANSACTIONS } from './admin.openapi';
import { CreateCredentialDto } from './dto/credential.dto';
import { CreateTenantDto, UpdateTenantDto } from './dto/tenant.dto';
import { CreateUserTypeDto, RenameUserTypeDto } from './dto/user-type.dto';

/** The fields the global pipe lets through (`whitelist` + `forbidNonWhitelisted`): those with a rule. */
function validatedFields(dto: new () => object): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  return [...new Set(metadata.map((rule) => rule.propertyName))].sort();
}

// The document is written by hand beside the DTOs: a field added to one and not the other would
// be refused by the pipe while documented, or accepted while undocumented.
describe('the admin OpenAPI document and the DTOs the pipe validates', () => {
  it.each([
    ['AdminCreateTenantRequest', CreateTenantDto],
    ['AdminUpdateTenantRequest', UpdateTenantDto],
    ['AdminIssueCredentialRequest', CreateCredentialDto],
    ['AdminCreateUserTypeRequest', CreateUserTypeDto],
    ['AdminRenameUserTypeRequest', RenameUserTypeDto],
  ])('%s documents exactly the fields of its DTO', (name, dto) => {
    const schema = ADMIN_SCHEMAS[name] as JsonSchema & { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties).sort()).toEqual(validatedFields(dto));
    expect(schema.additionalProperties).toBe(false);
  });

  it.each<[string, OperationDoc, new () => object]>([
    ['listAdminJobs', LIST_ADMIN_JOBS, AdminJobsQuery],
    ['listAdminTransactions', LIST_ADMIN_TRANSACTIONS, AdminTransactionsQuery],
    ['listRequestLogs', LIST_REQUEST_LOGS, RequestLogsQuery],
    ['streamRequestLogs', STREAM_REQUEST_LOGS, RequestLogFiltersQuery],
    ['clearRequestLogs', CLEAR_REQUEST_LOGS, DeleteRequestLogsQuery],
  ])('%s documents exactly the query parameters of its DTO', (_id, operation, dto) => {
    const documented = (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    expect(documented.sort()).toEqual(validatedFields(dto));
  });

  it('names every schema after its module, so that no other module can overwrite it', () => {
    expect(Object.keys(ADMIN_SCHEMAS).filter((name) => !name.startsWith('Admin'))).toEqual([]);
    expect(Object.keys(REQUEST_LOG_SCHEMAS).filter((name) => !name.startsWith('RequestLog'))).toEqual([]);
  });
});
