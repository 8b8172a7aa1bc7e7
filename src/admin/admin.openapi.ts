import { OPERATOR_KINDS } from '../auth/credentials.service';
import { CREDENTIAL_DOORS, CREDENTIAL_KINDS, ROLES } from '../auth/entities/credential.entity';
import { DEFAULT_ADMIN_PAGE_SIZE, MAX_ADMIN_PAGE_SIZE } from '../common/admin-page';
import { JOB_STATUSES } from '../jobs/backend-job.entity';
import { ADMIN_FAILURES_SHOWN } from '../provisioning/admin-transactions.service';
import { ERROR_TYPES } from '../provisioning/entities/operation.entity';
import { TRANSACTION_STATUSES } from '../provisioning/entities/transaction.entity';
import { MEDIA_JSON, nullable, ref, SECURITY } from '../openapi/components';
import type { ControllerDoc, OperationDoc } from '../openapi/openapi.decorators';
import type { Example, Header, JsonSchema, Parameter, Ref, Response } from '../openapi/openapi.types';

// The operators' API: tenants, credentials, user types, and every tenant's jobs and transactions.
// Its failures take the provisioning envelope (`ProvisioningError`).

/** What every admin route can answer besides its own results: body parsing, the guard, limits, faults. */
const ADMIN_ERRORS = [400, 401, 403, 413, 415, 429, 500, 503] as const;

/** `@OpenApiController` of an admin controller: the operator's credentials, the provisioning envelope. */
export function adminController(tag: string, parameters?: Parameter[]): ControllerDoc {
  return {
    tag,
    door: 'provisioning',
    errors: ADMIN_ERRORS,
    security: SECURITY.admin,
    ...(parameters ? { parameters } : {}),
  };
}

/** Said once in every admin operation: who may call. */
export const OPERATORS_ONLY =
  "Operators only: `ADMIN` (all tenants: an admin token, or the JWT of an OAuth client holding `ADMIN`) or `TENANT_ADMIN` (only the tenant it was issued under; another tenant's ids answer exactly as missing ones do). Another valid credential answers 403; none, or an unknown, expired or revoked one, 401.";

/** Said in the operations only an ADMIN may call. */
export const ADMIN_ONLY =
  '`ADMIN` only (all tenants): a `TENANT_ADMIN` answers 403 `Missing required role: ADMIN`; another valid credential 403 too; none, or an unknown, expired or revoked one, 401.';

// ---------------------------------------------------------------------------------------------
// Shared pieces

/** The rate-limit headers the admin bucket sets on an answer it lets through (`RATE_LIMITS=on`). */
export const RATE_LIMIT_HEADERS: Record<string, Header> = {
  'X-RateLimit-Limit': {
    description:
      'Requests this credential may make to the admin API per window (`RATE_LIMIT_ADMIN`, default 600 a minute). Absent when rate limits are off.',
    schema: { type: 'string', pattern: '^[0-9]+$' },
  },
  'X-RateLimit-Remaining': {
    description: 'Requests left in the current window. Absent when rate limits are off.',
    schema: { type: 'string', pattern: '^[0-9]+$' },
  },
};

/** A JSON success answer of the admin API. */
export function jsonAnswer(
  description: string,
  schema: JsonSchema | Ref,
  examples?: Record<string, Example>,
): Response {
  return {
    description,
    headers: RATE_LIMIT_HEADERS,
    content: { [MEDIA_JSON]: { schema, ...(examples ? { examples } : {}) } },
  };
}

/** A 404 in the provisioning envelope, saying which id was not found. */
export function notFound(description: string): Response {
  return {
    description: `${description} A worker instance (\`APP_ROLE=worker\`) answers every API route 404 too.`,
    content: { [MEDIA_JSON]: { schema: ref('ProvisioningError') } },
  };
}

/** A 404 of a route without ids: only a worker instance gives it. */
export const WORKER_NOT_FOUND: Response = {
  description:
    'This instance runs background jobs only (`APP_ROLE=worker`) and serves the `/health` routes alone: send API requests to an api instance.',
  content: { [MEDIA_JSON]: { schema: ref('ProvisioningError') } },
};

const conflict = (description: string): Response => ({
  description,
  content: { [MEDIA_JSON]: { schema: ref('ProvisioningError') } },
});

const dateTime = (description: string): JsonSchema => ({ type: 'string', format: 'date-time', description });

/** `page` and `pageSize` of the admin listings (`src/common/admin-page.ts`). */
export const PAGE_PARAMETERS: Parameter[] = [
  {
    name: 'page',
    in: 'query',
    description: 'The page to answer, counting from 1.',
    schema: { type: 'integer', minimum: 1, default: 1 },
    example: 1,
  },
  {
    name: 'pageSize',
    in: 'query',
    description: `Items per page, at most ${MAX_ADMIN_PAGE_SIZE}.`,
    schema: { type: 'integer', minimum: 1, maximum: MAX_ADMIN_PAGE_SIZE, default: DEFAULT_ADMIN_PAGE_SIZE },
    example: DEFAULT_ADMIN_PAGE_SIZE,
  },
];

/** The answer of a paged admin listing (`AdminPage` in `src/common/admin-page.ts`). */
export function adminPageSchema(description: string, item: JsonSchema | Ref): JsonSchema {
  return {
    type: 'object',
    description,
    required: ['total', 'page', 'pageSize', 'items', 'hasNext'],
    properties: {
      total: { type: 'integer', minimum: 0, description: 'How many items match the filters, over every page.' },
      page: { type: 'integer', minimum: 1, description: 'This page, counting from 1.' },
      pageSize: { type: 'integer', minimum: 1, maximum: MAX_ADMIN_PAGE_SIZE, description: 'Items per page asked.' },
      items: { type: 'array', items: item, description: 'This page of items, newest first.' },
      hasNext: { type: 'boolean', description: 'Whether a later page holds more items.' },
    },
  };
}

/** The answer of an admin listing that is not paged: every item, and their number. */
function unpagedListSchema(description: string, item: JsonSchema | Ref): JsonSchema {
  return {
    type: 'object',
    description,
    required: ['items', 'total'],
    properties: {
      items: { type: 'array', items: item },
      total: { type: 'integer', minimum: 0, description: 'The number of items.' },
    },
  };
}

const tenantQuery = (what: string): Parameter => ({
  name: 'tenant',
  in: 'query',
  description: `Only the ${what} of this tenant (its id, exactly).`,
  schema: { type: 'string', minLength: 1, maxLength: 64 },
  example: 'acme',
});

// ---------------------------------------------------------------------------------------------
// Schemas

const TENANT_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
/** No control or bidirectional formatting character (`src/directory/identifiers.ts`). */
const IDENTIFIER_RULE = 'No control or bidirectional formatting character.';
const IDENTIFIER_PATTERN = '^[^\\u0000-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*$';

const ISO_EXAMPLE = '2026-12-01T09:30:00.000Z';
const CREDENTIAL_ID = '3f1c2a9e-6b7d-4c1e-9a52-8d0e4b7f1a23';
const TRANSACTION_ID = '550e8400-e29b-41d4-a716-446655440000';
const JOB_ID = '507f1f77-bcf8-4cd7-9943-9011a2b3c4d5';

const tenantExample = {
  id: 'acme',
  name: 'Acme Ltd',
  orgCode: 'ACME',
  locale: 'en-GB',
  timeZone: 'Europe/London',
  createdOn: ISO_EXAMPLE,
  updatedOn: ISO_EXAMPLE,
};

const credentialExample = {
  id: CREDENTIAL_ID,
  tenantId: 'acme',
  kind: 'API_TOKEN',
  name: 'HR system nightly sync',
  roles: ['PROVISIONING_UPDATE'],
  clientId: null,
  bootstrap: false,
  createdOn: ISO_EXAMPLE,
  revokedOn: null,
  lastUsedAt: '2026-12-01T10:35:00.000Z',
  lastUsedDoor: 'provisioning',
};

const operatorCredentialExample = {
  ...credentialExample,
  id: '5f0c2b7e-8d41-4a93-b6e2-71c9d3a05f18',
  tenantId: null,
  kind: 'ADMIN_TOKEN',
  name: 'Ops on-call',
  roles: ['ADMIN'],
  lastUsedDoor: 'admin',
};

const jobExample = {
  id: JOB_ID,
  version: 'V1',
  tenantId: 'acme',
  status: 'DONE',
  createdBy: CREDENTIAL_ID,
  createdByName: 'HR system nightly sync',
  createdOn: '2026-12-01T10:35:00.000Z',
  startedOn: '2026-12-01T10:35:01.000Z',
  startOn: '2026-12-01T10:35:00.000Z',
  finishedOn: '2026-12-01T10:35:04.000Z',
  priority: 5,
  job: {
    type: 'EXECUTE_IAM_COMMIT_TRANSACTION_JOB',
    userId: CREDENTIAL_ID,
    tenantId: 'acme',
    transactionId: TRANSACTION_ID,
  },
  errorMessage: null,
  stackTrace: null,
  donePercentage: 100,
  updates: [
    { timestamp: '2026-12-01T10:35:02.000Z', message: 'Processing departments: 2/2 completed' },
    { timestamp: '2026-12-01T10:35:03.000Z', message: 'Processing users: 1/1 completed' },
  ],
  results: {
    totalDepartments: 2,
    totalUsers: 1,
    successfulDepartments: 1,
    successfulUsers: 1,
    failedDepartments: 1,
    failedUsers: 0,
  },
};

const transactionExample = {
  id: TRANSACTION_ID,
  tenantId: 'acme',
  status: 'COMPLETED',
  operationCount: 3,
  completedCount: 2,
  failedCount: 1,
  donePercentage: 100,
  jobId: JOB_ID,
  correlationId: 'c0ffee00-1234-4abc-9def-0123456789ab',
  atomic: false,
  createdBy: CREDENTIAL_ID,
  createdByName: 'HR system nightly sync',
  createdOn: '2026-12-01T10:30:00.000Z',
  committedOn: '2026-12-01T10:35:00.000Z',
  completedOn: '2026-12-01T10:35:04.000Z',
};

const failureExample = {
  orderId: 2,
  entityType: 'DEPARTMENT',
  externalId: 'dept-orphan',
  entityName: 'Orphan',
  errorType: 'NOT_FOUND',
  errorMessage: 'Parent department not found: dept-missing',
  failedOn: '2026-12-01T10:35:03.000Z',
  payload: { externalId: 'dept-orphan', departmentName: 'Orphan', parentExternalId: 'dept-missing' },
  failure: {
    operationId: 'op-2',
    operationType: 'DEPARTMENT',
    operationAction: 'CREATE',
    externalId: 'dept-orphan',
    entityName: 'Orphan',
    errorMessage: 'Parent department not found: dept-missing',
    errorType: 'NOT_FOUND',
    failedOn: '2026-12-01T10:35:03.000Z',
    details: { operationId: '2', transactionId: TRANSACTION_ID },
  },
};

/** Component schemas this module's operations refer to. */
export const ADMIN_SCHEMAS: Record<string, JsonSchema> = {
  AdminTenant: {
    type: 'object',
    description: 'A tenant: one directory of departments, users and user types, with its own credentials.',
    required: ['id', 'name', 'orgCode', 'locale', 'timeZone', 'createdOn', 'updatedOn'],
    properties: {
      id: { type: 'string', pattern: TENANT_ID_PATTERN, description: 'The tenant id (`auth-tenant-id`).' },
      name: { type: 'string', description: 'Display name.' },
      orgCode: nullable({
        type: 'string',
        description: "The org code partner sync selects the tenant by (the partner JWT's `orgCode`); null: none.",
      }),
      locale: {
        type: 'string',
        description: 'BCP 47 locale in which date presets of the provisioning reads are computed (weeks start by it).',
      },
      timeZone: { type: 'string', description: 'IANA time zone in which date presets are computed.' },
      createdOn: dateTime('When the tenant was created.'),
      updatedOn: dateTime('When the tenant last changed.'),
    },
    examples: [tenantExample],
  },
  AdminMe: {
    type: 'object',
    description: 'The credential that signed in, and how far it sees: `all` tenants (ADMIN) or one `tenant`.',
    required: ['credentialId', 'name', 'kind', 'roles', 'scope', 'tenantId', 'tenantName'],
    properties: {
      credentialId: { type: 'string', description: 'The credential id.' },
      name: { type: 'string', description: "The credential's name." },
      kind: { type: 'string', enum: [...CREDENTIAL_KINDS] },
      roles: { type: 'array', items: { type: 'string', enum: [...ROLES] } },
      scope: {
        type: 'string',
        enum: ['all', 'tenant'],
        description: '`all`: every tenant; `tenant`: `tenantId` only.',
      },
      tenantId: nullable({
        type: 'string',
        description: 'The one tenant a tenant-scoped operator sees; null for all.',
      }),
      tenantName: nullable({ type: 'string', description: "That tenant's name." }),
    },
  },
  AdminTenantList: unpagedListSchema('Every tenant, oldest first (not paged).', ref('AdminTenant')),
  AdminCreateTenantRequest: {
    type: 'object',
    description: 'A new tenant. Its user type `"1"` (Member) is created with it.',
    required: ['id', 'name'],
    additionalProperties: false,
    properties: {
      id: {
        type: 'string',
        pattern: TENANT_ID_PATTERN,
        description: '1-64 letters, digits, `.`, `_` or `-`, starting with a letter or digit. Cannot change later.',
      },
      name: {
        type: 'string',
        minLength: 1,
        maxLength: 200,
        pattern: IDENTIFIER_PATTERN,
        description: `Display name. ${IDENTIFIER_RULE}`,
      },
      orgCode: {
        type: 'string',
        minLength: 1,
        maxLength: 100,
        pattern: IDENTIFIER_PATTERN,
        description: `The org code partner sync selects the tenant by; unique among tenants (409 when taken). ${IDENTIFIER_RULE}`,
      },
      locale: {
        type: 'string',
        minLength: 2,
        maxLength: 35,
        default: 'en-GB',
        description: 'A BCP 47 locale the runtime knows (400 otherwise).',
      },
      timeZone: {
        type: 'string',
        minLength: 1,
        maxLength: 64,
        default: 'Europe/London',
        description: 'An IANA time zone the runtime knows (400 otherwise).',
      },
    },
  },
  AdminUpdateTenantRequest: {
    type: 'object',
    description: 'The fields to change; absent fields are kept.',
    additionalProperties: false,
    properties: {
      name: {
        type: 'string',
        minLength: 1,
        maxLength: 200,
        pattern: IDENTIFIER_PATTERN,
        description: `Display name. ${IDENTIFIER_RULE}`,
      },
      orgCode: nullable({
        type: 'string',
        minLength: 1,
        maxLength: 100,
        pattern: IDENTIFIER_PATTERN,
        description: `A new org code (409 when another tenant has it); \`null\` removes it, which turns partner sync off. ${IDENTIFIER_RULE}`,
      }),
      locale: { type: 'string', minLength: 2, maxLength: 35, description: 'A BCP 47 locale the runtime knows.' },
      timeZone: { type: 'string', minLength: 1, maxLength: 64, description: 'An IANA time zone the runtime knows.' },
    },
  },
  AdminCredential: {
    type: 'object',
    description:
      'A credential of a tenant, or an operator credential (no tenant). Its secret is never shown again after issue.',
    required: [
      'id',
      'tenantId',
      'kind',
      'name',
      'roles',
      'clientId',
      'bootstrap',
      'createdOn',
      'revokedOn',
      'lastUsedAt',
      'lastUsedDoor',
    ],
    properties: {
      id: { type: 'string', format: 'uuid', description: 'The credential id (the `createdBy` of what it does).' },
      tenantId: nullable({
        type: 'string',
        description: 'The tenant it belongs to; null for an operator (`ADMIN`) credential, which spans all tenants.',
      }),
      kind: {
        type: 'string',
        enum: [...CREDENTIAL_KINDS],
        description:
          '`API_TOKEN`: the `auth-token` of the provisioning API. `SCIM_SECRET`: a SCIM bearer secret. `OAUTH_CLIENT`: a client-credentials pair for `POST /oauth/token`. `PARTNER_SECRET`: the HS256 key partner JWTs are signed with. `ADMIN_TOKEN`: an operator bearer token.',
      },
      name: { type: 'string', description: 'What the operator called it.' },
      roles: { type: 'array', items: { type: 'string', enum: [...ROLES] }, description: 'What it may do.' },
      clientId: nullable({ type: 'string', description: 'The OAuth client id; null for other kinds.' }),
      bootstrap: {
        type: 'boolean',
        description: 'Created from the environment at start (a start with a new value replaces it).',
      },
      createdOn: dateTime('When it was issued.'),
      revokedOn: nullable({
        type: 'string',
        format: 'date-time',
        description: 'When it was revoked; null while it is active.',
      }),
      lastUsedAt: nullable({
        type: 'string',
        format: 'date-time',
        description:
          'When it last authenticated successfully; null if never. Recorded at most once a minute per instance, so it can be up to a minute behind.',
      }),
      lastUsedDoor: nullable({
        type: 'string',
        enum: [...CREDENTIAL_DOORS, null],
        description:
          'Where it last authenticated: the SCIM, provisioning, partner or admin API, or the OAuth token endpoint.',
      }),
    },
    examples: [credentialExample],
  },
  AdminIssuedCredential: {
    allOf: [
      ref('AdminCredential'),
      {
        type: 'object',
        required: ['secret'],
        properties: {
          secret: {
            type: 'string',
            description:
              'The secret, shown this once (only a keyed hash is stored; a partner secret is also sealed to verify signatures). Generated ones look like `idp_api_<43 base64url characters>` (prefix by kind: `idp_api`, `idp_scim`, `idp_oauth`, `idp_partner`, `idp_admin`).',
          },
        },
      },
    ],
    description: 'The credential just issued, with its secret.',
  },
  AdminCredentialList: unpagedListSchema(
    "Every credential of the tenant, revoked ones included, oldest first (not paged). Secrets aren't shown.",
    ref('AdminCredential'),
  ),
  AdminIssueCredentialRequest: {
    type: 'object',
    description: 'The credential to issue.',
    required: ['kind', 'name'],
    additionalProperties: false,
    properties: {
      kind: {
        type: 'string',
        enum: [...CREDENTIAL_KINDS],
        description:
          'What it is: `API_TOKEN` (roles `PROVISIONING_UPDATE` and/or `PROVISIONING_SEARCH`; default `PROVISIONING_UPDATE`), `SCIM_SECRET` (`SCIM`), `OAUTH_CLIENT` (`SCIM` and/or `TENANT_ADMIN`; default `SCIM`), `PARTNER_SECRET` (no roles: it signs partner JWTs), `ADMIN_TOKEN` (`TENANT_ADMIN`: administers this tenant only). `ADMIN` is never issued under a tenant (400): operator credentials are issued at `POST /api/admin/credentials`. Only an `ADMIN` issues `TENANT_ADMIN` credentials.',
      },
      name: {
        type: 'string',
        minLength: 1,
        maxLength: 200,
        pattern: IDENTIFIER_PATTERN,
        description: `What it is for, as listings and request logs show it. ${IDENTIFIER_RULE}`,
      },
      roles: {
        type: 'array',
        uniqueItems: true,
        items: { type: 'string', enum: [...ROLES] },
        description:
          "The roles it carries, among those its kind allows (400 otherwise). Absent or empty: the kind's default.",
      },
      clientId: {
        type: 'string',
        minLength: 3,
        maxLength: 200,
        description: `\`OAUTH_CLIENT\` only (ignored for other kinds): the client id, unique among active clients (409 when taken). Absent: generated (\`idp_client_...\`). ${IDENTIFIER_RULE}`,
      },
      secret: {
        type: 'string',
        minLength: 32,
        maxLength: 512,
        description:
          "`PARTNER_SECRET` only: the signing secret the partner already holds, at least 32 characters and 128 bits of estimated entropy (`openssl rand -base64 32`); 400 when weak, 409 when another credential has it. Absent: generated. Any other kind's secret is always generated, and sending one answers 400.",
      },
    },
  },
  AdminIssueOperatorCredentialRequest: {
    type: 'object',
    description: 'The operator credential to issue: it holds `ADMIN` and belongs to no tenant.',
    required: ['kind', 'name'],
    additionalProperties: false,
    properties: {
      kind: {
        type: 'string',
        enum: [...OPERATOR_KINDS],
        description:
          '`ADMIN_TOKEN`: a bearer token for the admin API and the operator page. `OAUTH_CLIENT`: a client-credentials pair whose `POST /oauth/token` JWTs are admin bearers.',
      },
      name: {
        type: 'string',
        minLength: 1,
        maxLength: 200,
        pattern: IDENTIFIER_PATTERN,
        description: `Who or what it is for, as listings and request logs show it. ${IDENTIFIER_RULE}`,
      },
    },
  },
  AdminUserType: {
    type: 'object',
    description: 'A user type of a tenant; users are assigned to departments under a user type.',
    required: ['id', 'name', 'createdOn', 'updatedOn'],
    properties: {
      id: { type: 'string', description: 'The user type id, as provisioning items name it in `userTypes`.' },
      name: { type: 'string', description: 'Display name.' },
      createdOn: dateTime('When it was created.'),
      updatedOn: dateTime('When it last changed.'),
    },
    examples: [{ id: '2', name: 'Manager', createdOn: ISO_EXAMPLE, updatedOn: ISO_EXAMPLE }],
  },
  AdminUserTypeList: unpagedListSchema('Every user type of the tenant, by id (not paged).', ref('AdminUserType')),
  AdminCreateUserTypeRequest: {
    type: 'object',
    description: 'A new user type.',
    required: ['id', 'name'],
    additionalProperties: false,
    properties: {
      id: {
        type: 'string',
        pattern: '^[A-Za-z0-9._-]{1,64}$',
        description: '1-64 letters, digits, `.`, `_` or `-`; unique in the tenant (409 when taken).',
      },
      name: {
        type: 'string',
        minLength: 1,
        maxLength: 200,
        pattern: IDENTIFIER_PATTERN,
        description: `Display name. ${IDENTIFIER_RULE}`,
      },
    },
  },
  AdminRenameUserTypeRequest: {
    type: 'object',
    description: 'The new name of a user type.',
    required: ['name'],
    additionalProperties: false,
    properties: {
      name: {
        type: 'string',
        minLength: 1,
        maxLength: 200,
        pattern: IDENTIFIER_PATTERN,
        description: `Display name. ${IDENTIFIER_RULE}`,
      },
    },
  },
  AdminJobPage: adminPageSchema(
    "A page of every tenant's background jobs, newest first, each with its stack trace.",
    ref('BackendJob'),
  ),
  AdminTransaction: {
    type: 'object',
    description: 'A provisioning transaction of any tenant, with its progress.',
    required: [
      'id',
      'tenantId',
      'status',
      'operationCount',
      'completedCount',
      'failedCount',
      'donePercentage',
      'jobId',
      'correlationId',
      'atomic',
      'createdBy',
      'createdByName',
      'createdOn',
      'committedOn',
      'completedOn',
    ],
    properties: {
      id: { type: 'string', format: 'uuid', description: 'The transaction id.' },
      tenantId: { type: 'string', description: 'Its tenant.' },
      status: {
        type: 'string',
        enum: [...TRANSACTION_STATUSES],
        description:
          'Where it is. `EXPIRED`: left `OPEN` longer than `TRANSACTION_OPEN_TTL_MINUTES` without activity; nothing of it was applied.',
      },
      operationCount: { type: 'integer', minimum: 0, description: 'Operations queued.' },
      completedCount: { type: 'integer', minimum: 0, description: 'Operations that succeeded.' },
      failedCount: { type: 'integer', minimum: 0, description: 'Operations that failed.' },
      donePercentage: {
        type: 'integer',
        minimum: 0,
        maximum: 100,
        description:
          'Processed operations out of all; 100 once it ended (`COMPLETED`, `FAILED`, `ROLLED_BACK`, `EXPIRED`).',
      },
      jobId: nullable({ type: 'string', format: 'uuid', description: 'The job of its commit; null until committed.' }),
      correlationId: nullable({
        type: 'string',
        description:
          'The `X-Request-Id` of the checkpoint request that opened it (the request log filters by it); null for transactions opened before it was recorded.',
      }),
      atomic: { type: 'boolean', description: 'Committed with `?atomic=true` (all or nothing).' },
      createdBy: { type: 'string', description: 'The id of the credential that opened it.' },
      createdByName: nullable({
        type: 'string',
        description: "That credential's name (revoked ones keep theirs); null when it no longer exists.",
      }),
      createdOn: dateTime('When it was opened (checkpoint).'),
      committedOn: nullable({ type: 'string', format: 'date-time', description: 'When it was committed.' }),
      completedOn: nullable({ type: 'string', format: 'date-time', description: 'When it ended.' }),
    },
    examples: [transactionExample],
  },
  AdminTransactionFailure: {
    type: 'object',
    description: 'A failed operation of a transaction.',
    required: [
      'orderId',
      'entityType',
      'externalId',
      'entityName',
      'errorType',
      'errorMessage',
      'failedOn',
      'payload',
      'failure',
    ],
    properties: {
      orderId: { type: 'integer', minimum: 1, description: 'Its place in the transaction, counting from 1.' },
      entityType: { type: 'string', enum: ['DEPARTMENT', 'USER'], description: 'What it was about.' },
      externalId: nullable({ type: 'string', description: "The item's externalId, if it had one." }),
      entityName: nullable({ type: 'string', description: "The item's name (department name or user email)." }),
      errorType: nullable({ type: 'string', enum: [...ERROR_TYPES, null], description: 'Why, as a stable code.' }),
      errorMessage: nullable({ type: 'string', description: 'Why, in words.' }),
      failedOn: nullable({ type: 'string', format: 'date-time', description: 'When it failed.' }),
      payload: nullable({
        type: 'object',
        additionalProperties: true,
        description:
          'The item as it was queued and stored (secret-looking fields such as `password` already dropped; `action` only when `DELETE`). `null` for an item refused when queued (`DATA_FORMAT`, `VALIDATION`): it was not stored.',
      }),
      failure: ref('TransactionFailure'),
    },
    examples: [failureExample],
  },
  AdminTransactionDetail: {
    allOf: [
      ref('AdminTransaction'),
      {
        type: 'object',
        required: ['failures'],
        properties: {
          failures: {
            type: 'array',
            maxItems: ADMIN_FAILURES_SHOWN,
            items: ref('AdminTransactionFailure'),
            description: `Its first ${ADMIN_FAILURES_SHOWN} failed operations, in order (the tenant's status route answers them all).`,
          },
        },
      },
    ],
    description: 'A transaction with its failed operations.',
  },
  AdminTransactionRetry: {
    type: 'object',
    description: 'The new transaction holding the retried operations, and the job of its commit.',
    required: ['transactionId', 'jobId', 'operationsQueued'],
    properties: {
      transactionId: { type: 'string', format: 'uuid', description: 'The new transaction (same tenant).' },
      jobId: { type: 'string', format: 'uuid', description: 'The job applying it; follow it like any commit.' },
      operationsQueued: {
        type: 'integer',
        minimum: 0,
        description: 'Items that passed validation again and were queued (the others are failed operations of it).',
      },
    },
    examples: [{ transactionId: '6fa459ea-ee8a-4ca4-894e-db77e160355e', jobId: JOB_ID, operationsQueued: 1 }],
  },
  AdminTransactionRetryRequest: {
    type: 'object',
    additionalProperties: false,
    description: 'Which failed operations to retry; every failed operation with a stored item when left out.',
    properties: {
      orderIds: {
        type: 'array',
        minItems: 1,
        maxItems: 10_000,
        items: { type: 'integer', minimum: 1 },
        description:
          'Order ids of failed operations of the transaction. One that did not fail, or whose item was refused when queued (not stored), answers 400 naming it.',
      },
    },
  },
  AdminTransactionPage: adminPageSchema(
    "A page of every tenant's provisioning transactions, newest first.",
    ref('AdminTransaction'),
  ),
};

// ---------------------------------------------------------------------------------------------
// Parameters

export const TENANT_ID_PARAMETER: Parameter = {
  name: 'tenantId',
  in: 'path',
  description: 'The tenant id (404 when no tenant has it).',
  schema: { type: 'string' },
  example: 'acme',
};

const CREDENTIAL_ID_PARAMETER: Parameter = {
  name: 'credentialId',
  in: 'path',
  description: 'The credential id, as listed (any other string answers 404).',
  schema: { type: 'string' },
  example: CREDENTIAL_ID,
};

const USER_TYPE_ID_PARAMETER: Parameter = {
  name: 'userTypeId',
  in: 'path',
  description: 'The user type id (404 when the tenant has none by that id).',
  schema: { type: 'string' },
  example: '2',
};

const TRANSACTION_ID_PARAMETER: Parameter = {
  name: 'id',
  in: 'path',
  description: "The transaction id, of any tenant (any other string answers 404 'Transaction not found').",
  schema: { type: 'string' },
  example: TRANSACTION_ID,
};

// ---------------------------------------------------------------------------------------------
// Tenants

export const CREATE_TENANT: OperationDoc = {
  id: 'createTenant',
  summary: 'Create a tenant',
  description: `Creates a tenant with its default user type \`"1"\` (Member). Its credentials are issued next (\`issueCredential\`). ${OPERATORS_ONLY}`,
  requestBody: {
    description: 'The tenant.',
    required: true,
    content: {
      [MEDIA_JSON]: {
        schema: ref('AdminCreateTenantRequest'),
        examples: {
          acme: {
            summary: 'A tenant with an org code for partner sync',
            value: { id: 'acme', name: 'Acme Ltd', orgCode: 'ACME', locale: 'en-GB', timeZone: 'Europe/London' },
          },
          minimal: { summary: 'Only what is required', value: { id: 'globex', name: 'Globex Corporation' } },
        },
      },
    },
  },
  responses: {
    '201': jsonAnswer('The tenant, created.', ref('AdminTenant'), { acme: { value: tenantExample } }),
    '404': WORKER_NOT_FOUND,
    '409': conflict('A tenant has this id already, or another tenant has this org code.'),
  },
};

export const GET_ME: OperationDoc = {
  id: 'getAdminMe',
  summary: 'Who is signed in',
  description: `The calling operator credential: its name, roles and which tenants it sees. ${OPERATORS_ONLY}`,
  responses: {
    '200': jsonAnswer('The calling credential.', ref('AdminMe')),
  },
};

export const LIST_TENANTS: OperationDoc = {
  id: 'listTenants',
  summary: 'List tenants',
  description: `Every tenant, oldest first, in one answer. ${OPERATORS_ONLY}`,
  responses: {
    '200': jsonAnswer('Every tenant.', ref('AdminTenantList'), {
      two: {
        value: {
          items: [
            { ...tenantExample, id: 'default', name: 'default', orgCode: null },
            { ...tenantExample, createdOn: '2026-12-01T09:31:00.000Z', updatedOn: '2026-12-01T09:31:00.000Z' },
          ],
          total: 2,
        },
      },
    }),
    '404': WORKER_NOT_FOUND,
  },
};

export const GET_TENANT: OperationDoc = {
  id: 'getTenant',
  summary: 'Get a tenant',
  description: `One tenant. ${OPERATORS_ONLY}`,
  parameters: [TENANT_ID_PARAMETER],
  responses: {
    '200': jsonAnswer('The tenant.', ref('AdminTenant'), { acme: { value: tenantExample } }),
    '404': notFound('No tenant has this id.'),
  },
};

export const UPDATE_TENANT: OperationDoc = {
  id: 'updateTenant',
  summary: 'Update a tenant',
  description: `Changes a tenant's name, org code, locale or time zone; absent fields are kept. The id cannot change. ${OPERATORS_ONLY}`,
  parameters: [TENANT_ID_PARAMETER],
  requestBody: {
    description: 'The fields to change; an absent or empty body changes nothing.',
    required: false,
    content: {
      [MEDIA_JSON]: {
        schema: ref('AdminUpdateTenantRequest'),
        examples: {
          zone: { summary: 'Move to US dates', value: { locale: 'en-US', timeZone: 'America/New_York' } },
          orgCode: { summary: 'Turn partner sync off', value: { orgCode: null } },
        },
      },
    },
  },
  responses: {
    '200': jsonAnswer('The tenant as it is now.', ref('AdminTenant'), {
      acme: {
        value: {
          ...tenantExample,
          locale: 'en-US',
          timeZone: 'America/New_York',
          updatedOn: '2026-12-02T08:00:00.000Z',
        },
      },
    }),
    '404': notFound('No tenant has this id.'),
    '409': conflict('Another tenant has this org code.'),
  },
};

// ---------------------------------------------------------------------------------------------
// Credentials

const issued = (value: Record<string, unknown>, secret: string) => ({ ...credentialExample, ...value, secret });

export const ISSUE_CREDENTIAL: OperationDoc = {
  id: 'issueCredential',
  summary: 'Issue a credential',
  description: `Issues a credential of the tenant. The answer holds its secret, shown this once: only a keyed hash is stored. ${OPERATORS_ONLY}`,
  parameters: [TENANT_ID_PARAMETER],
  requestBody: {
    description: 'The credential to issue.',
    required: true,
    content: {
      [MEDIA_JSON]: {
        schema: ref('AdminIssueCredentialRequest'),
        examples: {
          apiToken: {
            summary: 'An API token for the provisioning API (auth-token)',
            value: { kind: 'API_TOKEN', name: 'HR system nightly sync', roles: ['PROVISIONING_UPDATE'] },
          },
          readOnly: {
            summary: 'A read-only API token',
            value: { kind: 'API_TOKEN', name: 'Reporting', roles: ['PROVISIONING_SEARCH'] },
          },
          scimSecret: {
            summary: "A SCIM secret for Entra ID's Secret token",
            value: { kind: 'SCIM_SECRET', name: 'Microsoft Entra ID' },
          },
          oauthClient: {
            summary: 'An OAuth client for Okta',
            value: { kind: 'OAUTH_CLIENT', name: 'Okta', clientId: 'okta-acme' },
          },
          partner: {
            summary: 'The partner secret (seed 002 WRAPPER_SECRET_KEY) the CRM already signs with',
            value: {
              kind: 'PARTNER_SECRET',
              name: 'CRM wrapper',
              secret: 'q7Yt2mVx9LcR4bN8sKd3Wf6Hj1Pz5Ag0TeUoXi',
            },
          },
          adminToken: { summary: 'An operator token', value: { kind: 'ADMIN_TOKEN', name: 'Ops on-call' } },
        },
      },
    },
  },
  responses: {
    '201': jsonAnswer('The credential with its secret, shown this once.', ref('AdminIssuedCredential'), {
      apiToken: { value: issued({}, 'idp_api_Zk3y8QpW1vN5tR7xB2cL9mJ4hD6fG0sA3eK8uY1oPqE') },
      scimSecret: {
        value: issued(
          { kind: 'SCIM_SECRET', name: 'Microsoft Entra ID', roles: ['SCIM'] },
          'idp_scim_Hx2Vb7Nq4Lc9Wm1Rt6Yp3Ks8Dg5Fj0Za2Ue7Io4QwXc',
        ),
      },
      oauthClient: {
        value: issued(
          { kind: 'OAUTH_CLIENT', name: 'Okta', roles: ['SCIM'], clientId: 'okta-acme' },
          'idp_oauth_Pm4Ks9Xc2Vn7Bq1Lw6Rt3Yh8Jd5Gf0Za4Ue9Io2QsMv',
        ),
      },
      partner: {
        value: issued(
          { kind: 'PARTNER_SECRET', name: 'CRM wrapper', roles: [] },
          'q7Yt2mVx9LcR4bN8sKd3Wf6Hj1Pz5Ag0TeUoXi',
        ),
      },
    }),
    '404': notFound('No tenant has this id.'),
    '409': conflict('The OAuth client id, or the chosen partner secret, is already in use by an active credential.'),
  },
};

export const LIST_CREDENTIALS: OperationDoc = {
  id: 'listCredentials',
  summary: "List a tenant's credentials",
  description: `Every credential of the tenant, revoked ones included, oldest first, without secrets. ${OPERATORS_ONLY}`,
  parameters: [TENANT_ID_PARAMETER],
  responses: {
    '200': jsonAnswer('Every credential of the tenant.', ref('AdminCredentialList'), {
      acme: {
        value: {
          items: [
            credentialExample,
            {
              ...credentialExample,
              id: '9a4e7c21-0b3d-4f6a-8e15-2c7d9b0f4e61',
              kind: 'OAUTH_CLIENT',
              name: 'Okta',
              roles: ['SCIM'],
              clientId: 'okta-acme',
              revokedOn: '2026-12-03T12:00:00.000Z',
            },
          ],
          total: 2,
        },
      },
    }),
    '404': notFound('No tenant has this id.'),
  },
};

export const REVOKE_CREDENTIAL: OperationDoc = {
  id: 'revokeCredential',
  summary: 'Revoke a credential',
  description: `Revokes a credential at once, on every instance: its secret and every JWT issued for it stop working. It stays listed, with \`revokedOn\`. ${OPERATORS_ONLY}`,
  parameters: [TENANT_ID_PARAMETER, CREDENTIAL_ID_PARAMETER],
  responses: {
    '204': { description: 'Revoked.', headers: RATE_LIMIT_HEADERS },
    '404': notFound("The tenant has no active credential with this id (another tenant's, or one already revoked)."),
  },
};

export const LIST_OPERATOR_CREDENTIALS: OperationDoc = {
  id: 'listOperatorCredentials',
  summary: 'List operator credentials',
  description: `Every operator (\`ADMIN\`) credential, revoked ones included, oldest first, without secrets: they belong to no tenant. ${ADMIN_ONLY}`,
  responses: {
    '200': jsonAnswer('Every operator credential.', ref('AdminCredentialList'), {
      ops: { value: { items: [operatorCredentialExample], total: 1 } },
    }),
    '404': WORKER_NOT_FOUND,
  },
};

export const ISSUE_OPERATOR_CREDENTIAL: OperationDoc = {
  id: 'issueOperatorCredential',
  summary: 'Issue an operator credential',
  description: `Issues an \`ADMIN\` credential outside any tenant: an admin token, or an OAuth client whose JWTs are admin bearers. The answer holds its secret, shown this once. ${ADMIN_ONLY}`,
  requestBody: {
    description: 'The operator credential to issue.',
    required: true,
    content: {
      [MEDIA_JSON]: {
        schema: ref('AdminIssueOperatorCredentialRequest'),
        examples: {
          adminToken: { summary: 'An operator token', value: { kind: 'ADMIN_TOKEN', name: 'Ops on-call' } },
          oauthClient: {
            summary: 'An OAuth client for automation',
            value: { kind: 'OAUTH_CLIENT', name: 'Terraform' },
          },
        },
      },
    },
  },
  responses: {
    '201': jsonAnswer(
      'The credential with its secret (and client id), shown this once.',
      ref('AdminIssuedCredential'),
      {
        adminToken: {
          value: {
            ...operatorCredentialExample,
            lastUsedAt: null,
            lastUsedDoor: null,
            secret: 'idp_admin_Qm7Tz2Lk9Vb4Xn1Rc6Wp3Hs8Jd5Fg0Ya2Ue7Io4Kw',
          },
        },
      },
    ),
    '404': WORKER_NOT_FOUND,
  },
};

export const REVOKE_OPERATOR_CREDENTIAL: OperationDoc = {
  id: 'revokeOperatorCredential',
  summary: 'Revoke an operator credential',
  description: `Revokes an operator credential at once, on every instance. It stays listed, with \`revokedOn\`. ${ADMIN_ONLY}`,
  parameters: [CREDENTIAL_ID_PARAMETER],
  responses: {
    '204': { description: 'Revoked.', headers: RATE_LIMIT_HEADERS },
    '404': notFound("No active operator credential has this id (a tenant's credential, or one already revoked)."),
  },
};

// ---------------------------------------------------------------------------------------------
// User types

export const LIST_USER_TYPES: OperationDoc = {
  id: 'listUserTypes',
  summary: "List a tenant's user types",
  description: `Every user type of the tenant, by id; \`"1"\` (Member) is always there. ${OPERATORS_ONLY}`,
  parameters: [TENANT_ID_PARAMETER],
  responses: {
    '200': jsonAnswer('Every user type of the tenant.', ref('AdminUserTypeList'), {
      acme: {
        value: {
          items: [
            { id: '1', name: 'Member', createdOn: ISO_EXAMPLE, updatedOn: ISO_EXAMPLE },
            { id: '2', name: 'Manager', createdOn: ISO_EXAMPLE, updatedOn: ISO_EXAMPLE },
          ],
          total: 2,
        },
      },
    }),
    '404': notFound('No tenant has this id.'),
  },
};

export const CREATE_USER_TYPE: OperationDoc = {
  id: 'createUserType',
  summary: 'Create a user type',
  description: `Adds a user type to the tenant; provisioning items then name it in \`userTypes\`. ${OPERATORS_ONLY}`,
  parameters: [TENANT_ID_PARAMETER],
  requestBody: {
    description: 'The user type.',
    required: true,
    content: {
      [MEDIA_JSON]: {
        schema: ref('AdminCreateUserTypeRequest'),
        examples: { manager: { value: { id: '2', name: 'Manager' } } },
      },
    },
  },
  responses: {
    '201': jsonAnswer('The user type, created.', ref('AdminUserType'), {
      manager: { value: { id: '2', name: 'Manager', createdOn: ISO_EXAMPLE, updatedOn: ISO_EXAMPLE } },
    }),
    '404': notFound('No tenant has this id.'),
    '409': conflict('The tenant has a user type with this id already.'),
  },
};

export const UPDATE_USER_TYPE: OperationDoc = {
  id: 'updateUserType',
  summary: 'Rename a user type',
  description: `Renames a user type of the tenant (its id stays). ${OPERATORS_ONLY}`,
  parameters: [TENANT_ID_PARAMETER, USER_TYPE_ID_PARAMETER],
  requestBody: {
    description: 'The new name.',
    required: true,
    content: {
      [MEDIA_JSON]: {
        schema: ref('AdminRenameUserTypeRequest'),
        examples: { lineManager: { value: { name: 'Line manager' } } },
      },
    },
  },
  responses: {
    '200': jsonAnswer('The user type as it is now.', ref('AdminUserType'), {
      lineManager: {
        value: { id: '2', name: 'Line manager', createdOn: ISO_EXAMPLE, updatedOn: '2026-12-02T08:00:00.000Z' },
      },
    }),
    '404': notFound('No tenant has this id, or the tenant has no user type with this id.'),
  },
};

// ---------------------------------------------------------------------------------------------
// Jobs and transactions of every tenant

export const LIST_ADMIN_JOBS: OperationDoc = {
  id: 'listAdminJobs',
  summary: "List every tenant's jobs",
  description: `Background jobs of every tenant, newest first, filtered and paged, with their progress and (operators only) stack traces. ${OPERATORS_ONLY}`,
  parameters: [
    ...PAGE_PARAMETERS,
    tenantQuery('jobs'),
    {
      name: 'status',
      in: 'query',
      description: 'Only jobs in this state.',
      schema: { type: 'string', enum: [...JOB_STATUSES] },
      example: 'FAILED',
    },
    {
      name: 'type',
      in: 'query',
      description: 'Only jobs of this type, exactly.',
      schema: { type: 'string', minLength: 1, maxLength: 100 },
      example: 'EXECUTE_IAM_COMMIT_TRANSACTION_JOB',
    },
    {
      name: 'correlationId',
      in: 'query',
      description: 'Only jobs queued by the request with this `X-Request-Id` (as the request log shows it).',
      schema: { type: 'string', minLength: 1, maxLength: 128 },
      example: 'c0ffee00-1234-4abc-9def-0123456789ab',
    },
  ],
  responses: {
    '200': jsonAnswer('A page of jobs.', ref('AdminJobPage'), {
      one: { value: { total: 1, page: 1, pageSize: 50, items: [jobExample], hasNext: false } },
    }),
    '404': WORKER_NOT_FOUND,
  },
};

export const LIST_ADMIN_TRANSACTIONS: OperationDoc = {
  id: 'listAdminTransactions',
  summary: "List every tenant's transactions",
  description: `Provisioning transactions of every tenant, newest first, filtered and paged, with their progress. ${OPERATORS_ONLY}`,
  parameters: [
    ...PAGE_PARAMETERS,
    tenantQuery('transactions'),
    {
      name: 'status',
      in: 'query',
      description: 'Only transactions in this state.',
      schema: { type: 'string', enum: [...TRANSACTION_STATUSES] },
      example: 'COMPLETED',
    },
    {
      name: 'since',
      in: 'query',
      description: 'Only transactions opened at or after this instant (ISO 8601, such as `2026-12-01T00:00:00Z`).',
      schema: { type: 'string' },
      example: '2026-12-01T00:00:00Z',
    },
    {
      name: 'until',
      in: 'query',
      description: 'Only transactions opened before this instant (ISO 8601).',
      schema: { type: 'string' },
      example: '2026-12-02T00:00:00Z',
    },
  ],
  responses: {
    '200': jsonAnswer('A page of transactions.', ref('AdminTransactionPage'), {
      two: {
        value: {
          total: 2,
          page: 1,
          pageSize: 50,
          items: [
            {
              ...transactionExample,
              id: '6fa459ea-ee8a-4ca4-894e-db77e160355e',
              status: 'OPEN',
              operationCount: 0,
              completedCount: 0,
              failedCount: 0,
              donePercentage: 0,
              jobId: null,
              createdOn: '2026-12-01T11:00:00.000Z',
              committedOn: null,
              completedOn: null,
            },
            transactionExample,
          ],
          hasNext: false,
        },
      },
    }),
    '404': WORKER_NOT_FOUND,
  },
};

export const GET_ADMIN_TRANSACTION: OperationDoc = {
  id: 'getAdminTransaction',
  summary: 'Get a transaction of any tenant',
  description: `One transaction of any tenant, with its first ${ADMIN_FAILURES_SHOWN} failed operations. ${OPERATORS_ONLY}`,
  parameters: [TRANSACTION_ID_PARAMETER],
  responses: {
    '200': jsonAnswer('The transaction and its failures.', ref('AdminTransactionDetail'), {
      completed: { value: { ...transactionExample, failures: [failureExample] } },
    }),
    '404': notFound('No transaction has this id.'),
  },
};

export const ROLLBACK_ADMIN_TRANSACTION: OperationDoc = {
  id: 'rollbackAdminTransaction',
  summary: 'Roll back an open transaction of any tenant',
  description: `Discards an \`OPEN\` transaction as its tenant's rollback route does: nothing of it is applied and it ends \`ROLLED_BACK\`. ${OPERATORS_ONLY}`,
  parameters: [TRANSACTION_ID_PARAMETER],
  responses: {
    '200': jsonAnswer('The transaction, rolled back.', ref('AdminTransaction'), {
      rolledBack: {
        value: {
          ...transactionExample,
          status: 'ROLLED_BACK',
          completedCount: 0,
          failedCount: 0,
          jobId: null,
          committedOn: null,
        },
      },
    }),
    '404': notFound('No transaction has this id.'),
    '409': conflict('The transaction is not `OPEN` (committed, ended, or expired).'),
  },
};

export const RETRY_ADMIN_TRANSACTION: OperationDoc = {
  id: 'retryAdminTransaction',
  summary: 'Retry the failed operations of a transaction',
  description: `Once the cause of the failures is fixed: queues the failed operations of an ended transaction (all of them, or those \`orderIds\` names) into a new transaction of the same tenant, opened by the calling operator's credential, in their original order and validated as the queue routes validate them, then commits it (same \`atomic\` as the original) without waiting. Items refused when first queued were never stored and cannot be retried. ${OPERATORS_ONLY}`,
  parameters: [TRANSACTION_ID_PARAMETER],
  requestBody: {
    description: 'Optional: which failed operations.',
    required: false,
    content: {
      [MEDIA_JSON]: {
        schema: ref('AdminTransactionRetryRequest'),
        examples: { some: { summary: 'Two of the failed operations', value: { orderIds: [2, 5] } } },
      },
    },
  },
  responses: {
    '202': jsonAnswer('The new transaction is committed; its job applies it.', ref('AdminTransactionRetry')),
    '404': notFound('No transaction has this id.'),
    '409': conflict('The transaction has not ended, or has no failed operation whose item was stored.'),
  },
};
