// The OpenAPI description of the provisioning transaction API (CONTRACT.md, "Provisioning
// transactions"): its schemas and one exported doc per route handler. Examples come from seeds
// 000, 001 and 004, with the ids and fields this service really answers.
import { checkedPerItem, MEDIA_JSON, nullable, ref } from '../openapi/components';
import type { OperationDoc } from '../openapi/openapi.decorators';
import type { Example, Header, JsonSchema, Parameter, Ref, RequestBody, Response } from '../openapi/openapi.types';
import { DEFAULT_WAIT_MS, MAX_WAIT_MS } from './commit.service';
import { ERROR_TYPES } from './entities/operation.entity';
import { MAX_OPERATIONS_PER_TRANSACTION, TRANSACTION_STATUSES } from './entities/transaction.entity';
import { DATE_RANGE_PRESETS } from './reads/date-range';
import { DEFAULT_LIMIT, MAX_LIMIT } from './reads/read-query';
import { RATE_LIMIT_BUCKETS } from '../common/rate-limit/rate-limit.constants';

const TX = 'a1b2c3d4-e5f6-7890-abcd-ef1234567890';
const JOB = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const CREDENTIAL = '3f2a7b9e-1c4d-4e8a-9b6f-0d5c2e7a1f34';
const DEPT_ENGINEERING = '6fa459ea-ee8a-4ca4-894e-db77e160355e';
const DEPT_TECHNOLOGY = '16fd2706-8baf-433b-82eb-8c7fada847da';
const DEPT_FRONTEND = '886313e1-3b8a-4372-9b90-0c9aee199e5d';
const USER_JANE = 'b3e1c9a2-5d7f-4a8e-9c1b-2f6d8e0a4b7c';

const string = (description: string, extra: JsonSchema = {}): JsonSchema => ({ type: 'string', description, ...extra });
const integer = (description: string, extra: JsonSchema = {}): JsonSchema => ({
  type: 'integer',
  description,
  ...extra,
});
const dateTime = (description: string): JsonSchema => string(description, { format: 'date-time' });
const nullableDateTime = (description: string): JsonSchema => nullable(dateTime(description));

// ---------------------------------------------------------------------------------------------
// Request items
// ---------------------------------------------------------------------------------------------

const ITEM_RULES =
  'Fields other than those listed are not refused with the request: the item becomes a failed operation (`DATA_FORMAT`, `Unrecognized field ...`), as does a field of the wrong type; a missing required field fails it as `VALIDATION`.';

const DepartmentItem: JsonSchema = {
  type: 'object',
  description: `One department to create, update or delete, matched on \`externalId\` (seeds 000 and 004). ${ITEM_RULES}`,
  required: ['externalId'],
  properties: {
    externalId: string("The department's id in your directory; unique per tenant. Matches the department to update.", {
      minLength: 1,
      maxLength: 255,
    }),
    departmentName: string('The display name; required when the department is created. Names may repeat in a tree.', {
      minLength: 1,
      maxLength: 255,
    }),
    active: {
      type: 'boolean',
      description:
        'Whether the department is active. Absent: `true` for a new department, unchanged for an existing one.',
    },
    parentExternalId: nullable(
      string(
        '`externalId` of the parent department. `null`: a root department; absent: keep the current parent (root for a new department). Parents are applied before their children whatever the order they were queued in.',
        { minLength: 1, maxLength: 255 },
      ),
    ),
    cascadeToChildren: {
      type: 'boolean',
      description: 'Apply `active` to the whole subtree below this department, at any depth. Absent: `false`.',
    },
    action: {
      const: 'DELETE',
      description: 'Delete this department. Absent: create it, or update it when `externalId` exists.',
    },
  },
  examples: [{ externalId: 'dept-engineering', departmentName: 'Engineering', active: true, parentExternalId: null }],
};

const UserTypeItem: JsonSchema = {
  type: 'object',
  description: 'One assignment of the user: a user type in a department.',
  required: ['departmentExternalId', 'userTypeId'],
  properties: {
    departmentExternalId: string('`externalId` of the department.', { minLength: 1, maxLength: 255 }),
    userTypeId: string(
      'Id of one of the tenant\'s user types (`"1"`, Member, exists in every tenant). A whole number is read as its string.',
      { minLength: 1, maxLength: 64 },
    ),
  },
};

const UserItem: JsonSchema = {
  type: 'object',
  description: `One user to create, update or delete (seeds 000 and 004). A new user's \`userName\` is its \`email\`. ${ITEM_RULES}`,
  properties: {
    firstName: nullable(string('Given name.', { maxLength: 255 })),
    middleName: nullable(string('Middle name.', { maxLength: 255 })),
    lastName: nullable(string('Family name.', { maxLength: 255 })),
    email: string(
      "Email address, used as the userName of a new user. Required when `matchOnField` is `EMAIL` or `USERNAME`. A create whose email is another user's userName fails as `DUPLICATE`.",
      { format: 'email', minLength: 3, maxLength: 320 },
    ),
    phoneNumber: nullable(string('Contact number.', { maxLength: 64 })),
    externalId: string(
      "The user's id in your directory; unique per tenant. Required when `matchOnField` is `EXTERNAL_ID` (the default).",
      { minLength: 1, maxLength: 255 },
    ),
    active: {
      type: 'boolean',
      description: 'Whether the user is active. Absent: `true` for a new user, unchanged for an existing one.',
    },
    matchOnField: {
      type: 'string',
      enum: ['EXTERNAL_ID', 'EMAIL', 'USERNAME'],
      description: 'Which field finds the existing user to update or delete. Absent: `EXTERNAL_ID`.',
    },
    userTypes: {
      type: 'array',
      items: ref('UserTypeItem'),
      description:
        "Present: replaces the user's assignments with exactly this set (`[]` removes them all). Absent: the assignments are left alone.",
    },
    action: { const: 'DELETE', description: 'Delete this user. Absent: create or update.' },
  },
  examples: [
    {
      firstName: 'Jane',
      lastName: 'Smith',
      email: 'jane.smith@company.com',
      externalId: 'user-jane-001',
      active: true,
      matchOnField: 'EXTERNAL_ID',
      userTypes: [{ departmentExternalId: 'dept-engineering', userTypeId: '1' }],
    },
  ],
};

// ---------------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------------

const transactionId = string('The transaction.', { format: 'uuid' });

const CheckpointAnswer: JsonSchema = {
  type: 'object',
  required: ['status', 'transactionId', 'message'],
  properties: {
    status: { const: true },
    transactionId: string('The new transaction, `OPEN`: name it in every call that follows.', { format: 'uuid' }),
    message: string('`Checkpoint created successfully`.'),
  },
};

const QueuedOperation: JsonSchema = {
  type: 'object',
  required: ['status', 'transactionId', 'orderId', 'message'],
  properties: {
    status: {
      type: 'boolean',
      description:
        '`true`: queued. `false`: the item was refused as sent and recorded as a failed operation; `message` says why, and it is among the `failures` after commit.',
    },
    transactionId,
    orderId: integer("The operation's place in the transaction: one sequence across all its requests, from 1.", {
      minimum: 1,
    }),
    message: string('`Department operation queued`, `User operation queued`, or what is wrong with the item.'),
  },
};

const QueueAnswer: JsonSchema = {
  type: 'object',
  description: 'One entry per item, in the order sent (seed 004).',
  required: ['status', 'transactionId', 'operationsQueued', 'operations'],
  properties: {
    status: { const: true },
    transactionId,
    operationsQueued: integer('How many items were queued (items refused as sent are not counted).', { minimum: 0 }),
    operations: { type: 'array', items: ref('QueuedOperation') },
  },
};

const errorMessages: JsonSchema = {
  type: 'array',
  items: {
    type: 'object',
    required: ['locale', 'message', 'key'],
    properties: {
      locale: { type: 'string', description: 'Always `US`.' },
      message: { type: 'string' },
      key: { type: 'string', description: 'A stable message key (`identum.sync.not_found`).' },
    },
  },
};

const errorType: JsonSchema = { type: 'string', enum: [...ERROR_TYPES], description: 'The error category (seed 001).' };

const DirectSyncError: JsonSchema = {
  type: 'object',
  description: 'One failed item of a direct-mode request.',
  required: ['code', 'type', 'paths', 'field', 'message', 'messages'],
  properties: {
    code: errorType,
    type: { ...errorType, description: 'The same as `code`.' },
    paths: {
      type: 'array',
      items: { type: 'string' },
      description: 'The item and field: `departments.2.parentExternalId`, `users.0.email`.',
    },
    field: { type: 'array', items: { type: 'string' }, description: 'The field concerned, when one is.' },
    message: { type: 'string' },
    messages: errorMessages,
  },
};

const action: JsonSchema = {
  type: 'string',
  enum: ['CREATE', 'UPDATE', 'DELETE'],
  description: 'What was done.',
};

const DirectDepartmentResult: JsonSchema = {
  type: 'object',
  description: 'A department written in direct mode (seed 004 plus its name, state and action).',
  required: [
    'id',
    'directoryUniqueIdentifier',
    'parentDepartmentId',
    'parentDirectoryUniqueIdentifier',
    'name',
    'active',
    'action',
  ],
  properties: {
    id: string("The department's id in this service.", { format: 'uuid' }),
    directoryUniqueIdentifier: nullable(string('Its `externalId`.')),
    parentDepartmentId: nullable(string("The parent's id; `null` for a root department.", { format: 'uuid' })),
    parentDirectoryUniqueIdentifier: nullable(string("The parent's `externalId`.")),
    name: string('The department name.'),
    active: { type: 'boolean' },
    action,
  },
};

const DirectUserResult: JsonSchema = {
  type: 'object',
  description: 'A user written in direct mode, with its assignments.',
  required: [
    'id',
    'directoryUniqueIdentifier',
    'externalId',
    'userName',
    'firstName',
    'middleName',
    'lastName',
    'email',
    'phoneNumber',
    'active',
    'userTypes',
    'action',
  ],
  properties: {
    id: string("The user's id in this service.", { format: 'uuid' }),
    directoryUniqueIdentifier: nullable(string('Its `externalId`.')),
    externalId: nullable(string("The user's id in your directory.")),
    userName: string("Unique per tenant ignoring case; a batch user's email."),
    firstName: nullable(string('Given name.')),
    middleName: nullable(string('Middle name.')),
    lastName: nullable(string('Family name.')),
    email: nullable(string('Email address.')),
    phoneNumber: nullable(string('Contact number.')),
    active: { type: 'boolean' },
    userTypes: { type: 'array', items: ref('UserTypeEntry') },
    action,
  },
};

const DirectDeleteResult: JsonSchema = {
  type: 'object',
  description: 'A department or user deleted in direct mode.',
  required: ['action'],
  properties: { action: { const: 'DELETE' } },
};

const DirectSyncAnswer: JsonSchema = {
  type: 'object',
  description: 'Direct mode (seed 004): the items were applied at once, in one database transaction.',
  required: ['status', 'processed', 'errors', 'results'],
  properties: {
    status: { type: 'boolean', description: '`false` when any item failed (the others are still applied).' },
    processed: integer('How many items were applied.', { minimum: 0 }),
    errors: { type: 'array', items: ref('DirectSyncError'), description: 'One per failed item.' },
    results: {
      type: 'array',
      description: 'One per applied item, in the order sent.',
      items: {
        anyOf: [ref('DirectDepartmentResult'), ref('DirectUserResult'), ref('DirectDeleteResult')],
      },
    },
  },
};

const CommitAccepted: JsonSchema = {
  type: 'object',
  required: ['status', 'transactionId', 'jobId', 'message'],
  properties: {
    status: { const: true },
    transactionId,
    jobId: string('The background job applying the transaction: poll `GET /api/user/job/{jobId}`.', {
      format: 'uuid',
    }),
    message: string('`Transaction commit has been scheduled for background processing.`'),
  },
};

const CommitError: JsonSchema = {
  type: 'object',
  description: 'One failed operation of a waited commit (seed 004).',
  required: ['code', 'type', 'paths', 'messages'],
  properties: {
    code: errorType,
    type: { ...errorType, description: 'The same as `code`.' },
    paths: {
      type: 'array',
      items: { type: 'string' },
      description: 'The operation, by its `orderId`: `operation.15`.',
    },
    messages: errorMessages,
  },
};

const transactionStatus: JsonSchema = {
  type: 'string',
  enum: [...TRANSACTION_STATUSES],
  description:
    '`OPEN` accepts operations; `COMMITTED` waits for its job; `PROCESSING` is being applied; `COMPLETED` every operation was processed (some may have failed); `FAILED` none succeeded, a system fault stopped it, or an operator cancelled its job; `ROLLED_BACK` rolled back while open, or an atomic commit with a failure (nothing applied); `EXPIRED` left open without activity longer than `TRANSACTION_OPEN_TTL_MINUTES` (nothing applied).',
};

const CommitOutcome: JsonSchema = {
  type: 'object',
  description: 'A waited commit whose job ended in time (seed 004).',
  required: [
    'status',
    'transactionId',
    'jobId',
    'transactionStatus',
    'totalOperations',
    'successfulOperations',
    'failedOperations',
    'errors',
    'message',
  ],
  properties: {
    status: { const: true },
    transactionId,
    jobId: string('The job that applied the transaction.', { format: 'uuid' }),
    transactionStatus,
    totalOperations: integer('Operations in the transaction.', { minimum: 0 }),
    successfulOperations: integer('Operations applied.', { minimum: 0 }),
    failedOperations: integer('Operations that failed.', { minimum: 0 }),
    errors: { type: 'array', items: ref('CommitError'), description: 'One per failed operation.' },
    message: string('`Transaction completed`, `Transaction failed`, `Transaction rolled back`.'),
  },
};

const RollbackAnswer: JsonSchema = {
  type: 'object',
  required: ['status', 'transactionId', 'transactionStatus', 'message'],
  properties: {
    status: { const: true },
    transactionId,
    transactionStatus: { const: 'ROLLED_BACK' },
    message: string('`Transaction rolled back`.'),
  },
};

const TransactionFailure: JsonSchema = {
  type: 'object',
  description: "One failed operation (seed 001's failure object).",
  required: [
    'operationId',
    'operationType',
    'operationAction',
    'externalId',
    'entityName',
    'errorMessage',
    'errorType',
    'failedOn',
    'details',
  ],
  properties: {
    operationId: string("`op-` and the operation's `orderId`.", { pattern: '^op-[0-9]+$' }),
    operationType: { type: 'string', enum: ['DEPARTMENT', 'USER'] },
    operationAction: { ...action, description: 'What the operation attempted.' },
    externalId: nullable(string("The item's `externalId`; `null` when it had none.")),
    entityName: nullable(string("The department name, or the user's full name (else email).")),
    errorMessage: nullable(string('What went wrong, for a person.')),
    errorType: nullable(errorType),
    failedOn: nullableDateTime('When it failed.'),
    details: {
      type: 'object',
      description:
        'Context: always `operationId` and `transactionId`; usually `exceptionType` (`ValidationError`, `UnrecognizedPropertyException`, `EntityNotFoundException`, `DuplicateKeyException`...), `field`, and for a taken email the `email`.',
      required: ['operationId', 'transactionId'],
      properties: {
        operationId: string('The `orderId`, as a string.'),
        transactionId,
        exceptionType: string('The kind of failure.'),
        field: string('The field of the item concerned.'),
        email: string('The email that is taken.'),
      },
    },
  },
};

const TransactionStatusAnswer: JsonSchema = {
  type: 'object',
  description: "Every field of seed 001's answer, plus the commit's `jobId` and `atomic`.",
  required: [
    'status',
    'transactionId',
    'transactionStatus',
    'totalOperations',
    'completedOperations',
    'failedOperations',
    'createdOn',
    'committedOn',
    'completedOn',
    'jobId',
    'atomic',
    'failures',
  ],
  properties: {
    status: { const: true },
    transactionId,
    transactionStatus,
    totalOperations: integer('Operations queued, failed items included.', { minimum: 0 }),
    completedOperations: integer('Operations applied.', { minimum: 0 }),
    failedOperations: integer('Operations that failed (items refused as sent count once committed).', {
      minimum: 0,
    }),
    createdOn: dateTime('When the checkpoint was made.'),
    committedOn: nullableDateTime('When it was committed; `null` before.'),
    completedOn: nullableDateTime('When it ended (or was rolled back); `null` before.'),
    jobId: nullable(string("The commit's job; `null` before the commit.", { format: 'uuid' })),
    atomic: { type: 'boolean', description: 'Whether it was committed with `?atomic=true`.' },
    failures: {
      anyOf: [{ type: 'array', items: ref('TransactionFailure'), minItems: 1 }, { type: 'null' }],
      description: 'Each failed operation; `null` when none failed.',
    },
  },
};

const TransactionListItem: JsonSchema = {
  type: 'object',
  description: 'One transaction of the listing (seed 004).',
  required: [
    'id',
    'transactionId',
    'status',
    'operationCount',
    'completedCount',
    'failedCount',
    'createdBy',
    'createdOn',
    'committedOn',
    'completedOn',
    'updatedBy',
    'updatedOn',
    'jobId',
  ],
  properties: {
    id: string('The transaction (the same as `transactionId`).', { format: 'uuid' }),
    transactionId,
    status: transactionStatus,
    operationCount: integer('Operations queued.', { minimum: 0 }),
    completedCount: integer('Operations applied.', { minimum: 0 }),
    failedCount: integer('Operations that failed.', { minimum: 0 }),
    createdBy: string('The credential that made the checkpoint.'),
    createdOn: dateTime('When the checkpoint was made.'),
    committedOn: nullableDateTime('When it was committed.'),
    completedOn: nullableDateTime('When it ended.'),
    updatedBy: nullable(string('The credential that last changed it.')),
    updatedOn: dateTime('When it last changed.'),
    jobId: nullable(string("The commit's job.", { format: 'uuid' })),
  },
};

const TransactionList: JsonSchema = {
  type: 'object',
  required: ['status', 'transactions', 'totalCount', 'page', 'pageSize'],
  properties: {
    status: { const: true },
    transactions: { type: 'array', items: ref('TransactionListItem'), description: 'Newest first.' },
    totalCount: integer('Transactions matching the filters, whatever the page.', { minimum: 0 }),
    page: integer('The page, from 0.', { minimum: 0 }),
    pageSize: integer('The page size.', { minimum: 1, maximum: 1000 }),
  },
};

const DepartmentEntry: JsonSchema = {
  type: 'object',
  description:
    "Seed 001's department object, with seed 004's names for the same ids (`directoryUniqueIdentifier`, `parentDirectoryUniqueIdentifier`).",
  required: [
    'id',
    'name',
    'externalId',
    'parentDepartmentId',
    'parentExternalId',
    'directoryUniqueIdentifier',
    'parentDirectoryUniqueIdentifier',
    'createdOn',
    'updatedOn',
    'active',
  ],
  properties: {
    id: string("The department's id in this service.", { format: 'uuid' }),
    name: string('The display name.'),
    externalId: nullable(string('Its id in your directory (`null` for a SCIM group created without one).')),
    parentDepartmentId: nullable(string("The parent's id; `null` for a root department.", { format: 'uuid' })),
    parentExternalId: nullable(string("The parent's `externalId`.")),
    directoryUniqueIdentifier: nullable(string('The same as `externalId` (seed 004).')),
    parentDirectoryUniqueIdentifier: nullable(string('The same as `parentExternalId` (seed 004).')),
    createdOn: dateTime('When it was created.'),
    updatedOn: dateTime('When it last changed.'),
    active: { type: 'boolean' },
  },
};

const page = {
  totalCount: integer('Rows matching the filters, whatever the page.', { minimum: 0 }),
  skip: integer('Rows skipped.', { minimum: 0 }),
  limit: integer('The page size asked for.', { minimum: 1, maximum: MAX_LIMIT }),
};

const DepartmentPage: JsonSchema = {
  type: 'object',
  required: ['status', 'departments', 'entries', 'totalCount', 'skip', 'limit'],
  properties: {
    status: { const: true },
    departments: { type: 'array', items: ref('DepartmentEntry'), description: 'The page (seed 001).' },
    entries: { type: 'array', items: ref('DepartmentEntry'), description: 'The same array (seed 004).' },
    ...page,
  },
};

const UserTypeEntry: JsonSchema = {
  type: 'object',
  description: "One of the user's assignments: a user type in a department.",
  required: ['departmentId', 'departmentName', 'departmentExternalId', 'userTypeId', 'userTypeName'],
  properties: {
    departmentId: string("The department's id.", { format: 'uuid' }),
    departmentName: string("The department's name."),
    departmentExternalId: nullable(string("The department's `externalId`.")),
    userTypeId: string('The user type\'s id (`"1"` is Member).'),
    userTypeName: string("The user type's name."),
  },
};

const UserEntry: JsonSchema = {
  type: 'object',
  description: "Seed 004's user entry, with the user's own `externalId`, `userName`, state and times.",
  required: [
    'id',
    'firstName',
    'middleName',
    'lastName',
    'email',
    'phoneNumber',
    'directoryUniqueIdentifier',
    'externalId',
    'userName',
    'active',
    'createdOn',
    'updatedOn',
    'userTypes',
  ],
  properties: {
    id: string("The user's id in this service.", { format: 'uuid' }),
    firstName: nullable(string('Given name.')),
    middleName: nullable(string('Middle name.')),
    lastName: nullable(string('Family name.')),
    email: nullable(string('Email address.')),
    phoneNumber: nullable(string('Contact number.')),
    directoryUniqueIdentifier: nullable(string('The same as `externalId`.')),
    externalId: nullable(string("The user's id in your directory.")),
    userName: string('Unique per tenant ignoring case.'),
    active: { type: 'boolean' },
    createdOn: dateTime('When it was created.'),
    updatedOn: dateTime('When it last changed.'),
    userTypes: { type: 'array', items: ref('UserTypeEntry') },
  },
};

const UserPage: JsonSchema = {
  type: 'object',
  required: ['status', 'entries', 'totalCount', 'skip', 'limit'],
  properties: {
    status: { const: true },
    entries: { type: 'array', items: ref('UserEntry'), description: 'The page.' },
    ...page,
  },
};

/** Component schemas this module's operations refer to. */
export const PROVISIONING_SCHEMAS: Record<string, JsonSchema> = {
  DepartmentItem,
  UserItem,
  UserTypeItem,
  CheckpointAnswer,
  QueueAnswer,
  QueuedOperation,
  DirectSyncAnswer,
  DirectSyncError,
  DirectDepartmentResult,
  DirectUserResult,
  DirectDeleteResult,
  CommitAccepted,
  CommitOutcome,
  CommitError,
  RollbackAnswer,
  TransactionStatusAnswer,
  TransactionFailure,
  TransactionList,
  TransactionListItem,
  DepartmentEntry,
  DepartmentPage,
  UserTypeEntry,
  UserEntry,
  UserPage,
};

// ---------------------------------------------------------------------------------------------
// Shared pieces of the operations
// ---------------------------------------------------------------------------------------------

/** `X-RateLimit-*` headers of a rate-limited route's answers (absent when rate limits are off). */
export const RATE_LIMIT_HEADERS: Record<string, Header> = {
  'X-RateLimit-Limit': {
    description: "The route's budget per credential and minute (absent when `RATE_LIMITS=off`).",
    schema: { type: 'string', pattern: '^[0-9]+$' },
  },
  'X-RateLimit-Remaining': {
    description: 'What is left of it in the current window.',
    schema: { type: 'string', pattern: '^[0-9]+$' },
  },
};

const json = (schema: JsonSchema | Ref, examples?: Record<string, Example>) => ({
  [MEDIA_JSON]: { schema, ...(examples ? { examples } : {}) },
});

/** A provisioning-envelope error answer with examples (the shared components carry none). */
export function envelopeError(
  description: string,
  examples: Record<string, { summary: string; code: string; message: string; error: string; path?: string }>,
  headers?: Response['headers'],
): Response {
  const valueOf = ({
    code,
    message,
    error,
    path,
  }: {
    code: string;
    message: string;
    error: string;
    path?: string;
  }) => ({
    status: false,
    message,
    error,
    errors: [
      {
        code,
        type: code,
        paths: path ? [path] : [],
        field: path ? [path] : [],
        message: error,
        messages: [{ locale: 'US', message: error, key: `error.${code.toLowerCase()}` }],
      },
    ],
    correlationId: '0f8fad5b-d9cb-469f-a165-70867728950e',
  });
  return {
    description,
    ...(headers ? { headers } : {}),
    content: json(
      ref('ProvisioningError'),
      Object.fromEntries(
        Object.entries(examples).map(([name, example]) => [
          name,
          { summary: example.summary, value: valueOf(example) },
        ]),
      ),
    ),
  };
}

const unauthorized = envelopeError('`auth-tenant-id` or `auth-token` is missing, or the token is not valid.', {
  missingToken: {
    summary: 'No valid auth-token (CONTRACT.md)',
    code: 'AUTHENTICATION',
    message: 'Authentication failed',
    error: 'Invalid or missing auth-token',
  },
});

const forbidden = (role: 'PROVISIONING_UPDATE' | 'PROVISIONING_SEARCH') =>
  envelopeError(
    `The token lacks \`${role}\`${role === 'PROVISIONING_SEARCH' ? ' (or `PROVISIONING_UPDATE`, which grants it)' : ''}, or belongs to another tenant than \`auth-tenant-id\`.`,
    {
      missingRole: {
        summary: 'A role is missing (CONTRACT.md)',
        code: 'AUTHORIZATION',
        message: 'Access denied',
        error: `Missing required role: ${role}`,
      },
      otherTenant: {
        summary: 'The token is another tenant’s',
        code: 'AUTHORIZATION',
        message: 'Access denied',
        error: 'The auth-token does not belong to the tenant in auth-tenant-id',
      },
    },
  );

function tooManyRequests(bucket: keyof typeof RATE_LIMIT_BUCKETS | null): Response {
  const limit = bucket ? RATE_LIMIT_BUCKETS[bucket].limit : null;
  const examples: Parameters<typeof envelopeError>[1] = {
    fairShare: {
      summary: "The tenant's fair share of the service is in use",
      code: 'RATE_LIMITED',
      message: 'Too many requests',
      error: 'Too many concurrent requests for this tenant (8 at once, and the queue is full); retry shortly',
    },
  };
  if (bucket && limit) {
    examples.rateLimit = {
      summary: `Seed 004's limit: ${limit} per minute per credential`,
      code: 'RATE_LIMITED',
      message: 'Too many requests',
      error: `Rate limit of ${limit} requests per minute exceeded for ${bucket}; retry after 12 seconds`,
    };
  }
  return envelopeError(
    bucket
      ? `Seed 004's rate limit of this route (${limit} requests per minute per credential) is spent, or the tenant's fair share of the service is in use; retry after \`Retry-After\` seconds.`
      : "The tenant's fair share of the service is in use; retry after `Retry-After` seconds.",
    examples,
    { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } },
  );
}

const FAIR_SHARE_TOO_MANY = tooManyRequests(null);
const SYNC_TOO_MANY = tooManyRequests('sync');

const transactionNotFound = envelopeError(
  "No such transaction in the caller's tenant (another tenant's id, or an id that is not a uuid, answers the same).",
  {
    notFound: {
      summary: 'Transaction not found (seed 004)',
      code: 'NOT_FOUND',
      message: 'Transaction not found',
      error: `Transaction with ID ${TX} not found`,
      path: 'transactionId',
    },
  },
);

const commitConflict = envelopeError(
  'The transaction was rolled back: it cannot be committed (a transaction committed before answers its job again instead).',
  {
    rolledBack: {
      summary: 'A rolled-back transaction',
      code: 'CONFLICT',
      message: 'Conflict',
      error: `Transaction ${TX} is ROLLED_BACK; only an OPEN transaction can be committed`,
      path: 'transactionId',
    },
  },
);

const transactionIdPath = (description: string): Parameter => ({
  name: 'transactionId',
  in: 'path',
  required: true,
  description,
  schema: { type: 'string' },
  example: TX,
});

const TX_PATH = transactionIdPath('The transaction, as the checkpoint answered it (a uuid).');

const flag = (name: string, description: string): Parameter => ({
  name,
  in: 'query',
  required: false,
  description: `${description} \`true\`/\`1\` or \`false\`/\`0\`; anything else answers 400.`,
  schema: { type: 'boolean', default: false },
});

const COMMIT_PARAMETERS: Parameter[] = [
  flag('wait', 'Hold the answer until the job ends (at most `timeoutMs`), then answer 200 with the totals.'),
  {
    name: 'timeoutMs',
    in: 'query',
    required: false,
    description: `With \`wait=true\`: how long to wait, in milliseconds (at most ${MAX_WAIT_MS}). When it runs out the answer is the plain 202.`,
    schema: { type: 'integer', minimum: 0, maximum: MAX_WAIT_MS, default: DEFAULT_WAIT_MS },
  },
  flag(
    'atomic',
    'All or nothing: if any operation fails, nothing is applied, the transaction ends `ROLLED_BACK` and its job `FAILED`.',
  ),
];

const QUERY_TRANSACTION_ID = (description: string, required: boolean): Parameter => ({
  name: 'transactionId',
  in: 'query',
  required,
  description,
  schema: { type: 'string' },
  example: TX,
});

// ---------------------------------------------------------------------------------------------
// Examples
// ---------------------------------------------------------------------------------------------

const QUICK_START_DEPARTMENTS = [
  { externalId: 'dept-engineering', departmentName: 'Engineering', active: true, parentExternalId: null },
];

const SEED_004_DEPARTMENTS = [
  {
    externalId: 'dept-engineering',
    departmentName: 'Engineering Department',
    active: true,
    parentExternalId: 'dept-technology',
    cascadeToChildren: false,
  },
  {
    externalId: 'dept-frontend',
    departmentName: 'Frontend Team',
    active: true,
    parentExternalId: 'dept-engineering',
    cascadeToChildren: true,
  },
];

const QUICK_START_USERS = [
  {
    firstName: 'Jane',
    lastName: 'Smith',
    email: 'jane.smith@company.com',
    externalId: 'user-jane-001',
    active: true,
    matchOnField: 'EXTERNAL_ID',
    userTypes: [{ departmentExternalId: 'dept-engineering', userTypeId: '1' }],
  },
];

const SEED_004_USERS = [
  {
    firstName: 'John',
    middleName: 'Michael',
    lastName: 'Smith',
    email: 'john.smith@company.com',
    phoneNumber: '+1-555-123-4567',
    externalId: 'user-12345',
    active: true,
    userTypes: [
      { departmentExternalId: 'dept-engineering', userTypeId: '1' },
      { departmentExternalId: 'dept-frontend', userTypeId: '2' },
    ],
  },
];

const itemsBody = (kind: 'department' | 'user'): RequestBody => ({
  description:
    kind === 'department'
      ? 'A JSON array of department items. Anything else (an object, a string) is refused whole with 400, and nothing is queued.'
      : 'A JSON array of user items. Anything else (an object, a string) is refused whole with 400, and nothing is queued.',
  required: true,
  content: json(
    checkedPerItem({ type: 'array', items: ref(kind === 'department' ? 'DepartmentItem' : 'UserItem') }),
    kind === 'department'
      ? {
          quickStart: { summary: 'Seed 000: one root department', value: QUICK_START_DEPARTMENTS },
          tree: { summary: 'Seed 004: two departments of a tree', value: SEED_004_DEPARTMENTS },
          delete: { summary: 'Delete a department', value: [{ externalId: 'dept-legacy', action: 'DELETE' }] },
          cascade: {
            summary: 'Seed 004: deactivate a branch',
            value: [
              { externalId: 'dept-legacy', departmentName: 'Legacy Systems', active: false, cascadeToChildren: true },
            ],
          },
        }
      : {
          quickStart: { summary: 'Seed 000: one user in one department', value: QUICK_START_USERS },
          twoAssignments: { summary: 'Seed 004: a user with two assignments', value: SEED_004_USERS },
          delete: { summary: 'Delete a user', value: [{ externalId: 'user-12345', action: 'DELETE' }] },
        },
  ),
});

const queuedAnswer = (kind: 'Department' | 'User', orderIds: number[]) => ({
  status: true,
  transactionId: TX,
  operationsQueued: orderIds.length,
  operations: orderIds.map((orderId) => ({
    status: true,
    transactionId: TX,
    orderId,
    message: `${kind} operation queued`,
  })),
});

const QUEUE_EXAMPLES = (kind: 'Department' | 'User'): Record<string, Example> => ({
  queued: {
    summary: kind === 'Department' ? 'Seed 004: two departments queued' : 'Seed 004: one user queued',
    value: kind === 'Department' ? queuedAnswer('Department', [1, 2]) : queuedAnswer('User', [3]),
  },
  oneRefused: {
    summary: 'An item with an unknown field is recorded as a failed operation',
    value: {
      status: true,
      transactionId: TX,
      operationsQueued: 0,
      operations: [
        {
          status: false,
          transactionId: TX,
          orderId: 4,
          message:
            kind === 'Department'
              ? "Invalid department data format: Unrecognized field 'name' (expected 'departmentName')"
              : "Invalid user data format: Unrecognized field 'emailAddress' (expected 'email')",
        },
      ],
    },
  },
});

const DIRECT_EXAMPLES = (kind: 'Department' | 'User'): Record<string, Example> =>
  kind === 'Department'
    ? {
        applied: {
          summary: 'Seed 004: two departments applied',
          value: {
            status: true,
            processed: 2,
            errors: [],
            results: [
              {
                id: DEPT_ENGINEERING,
                directoryUniqueIdentifier: 'dept-engineering',
                parentDepartmentId: DEPT_TECHNOLOGY,
                parentDirectoryUniqueIdentifier: 'dept-technology',
                name: 'Engineering Department',
                active: true,
                action: 'CREATE',
              },
              {
                id: DEPT_FRONTEND,
                directoryUniqueIdentifier: 'dept-frontend',
                parentDepartmentId: DEPT_ENGINEERING,
                parentDirectoryUniqueIdentifier: 'dept-engineering',
                name: 'Frontend Team',
                active: true,
                action: 'CREATE',
              },
            ],
          },
        },
        oneFailed: {
          summary: 'A parent that does not exist',
          value: {
            status: false,
            processed: 0,
            errors: [
              {
                code: 'NOT_FOUND',
                type: 'NOT_FOUND',
                paths: ['departments.0.parentExternalId'],
                field: ['parentExternalId'],
                message: 'Parent department not found: dept-nonexistent',
                messages: [
                  {
                    locale: 'US',
                    message: 'Parent department not found: dept-nonexistent',
                    key: 'identum.sync.not_found',
                  },
                ],
              },
            ],
            results: [],
          },
        },
      }
    : {
        applied: {
          summary: 'Seed 000: one user applied',
          value: {
            status: true,
            processed: 1,
            errors: [],
            results: [
              {
                id: USER_JANE,
                directoryUniqueIdentifier: 'user-jane-001',
                externalId: 'user-jane-001',
                userName: 'jane.smith@company.com',
                firstName: 'Jane',
                middleName: null,
                lastName: 'Smith',
                email: 'jane.smith@company.com',
                phoneNumber: null,
                active: true,
                userTypes: [
                  {
                    departmentId: DEPT_ENGINEERING,
                    departmentExternalId: 'dept-engineering',
                    departmentName: 'Engineering',
                    userTypeId: '1',
                    userTypeName: 'Member',
                  },
                ],
                action: 'CREATE',
              },
            ],
          },
        },
      };

const ROUTE_RULES =
  'Each item is checked on its own: an item with an unknown field, a wrong type or a missing required field does not refuse the request; it is recorded as a failed operation (`status: false` in its entry) and listed among the `failures` after commit. Departments are applied before users, parents before children, whatever the order they were queued in.';

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

export const CREATE_CHECKPOINT: OperationDoc = {
  id: 'createCheckpoint',
  summary: 'Open a transaction (checkpoint)',
  description: `Starts a provisioning transaction: department and user operations are queued into it, then committed together as one background job. Answers the new \`transactionId\`. Needs \`PROVISIONING_UPDATE\`. Rate limit (seed 004): ${RATE_LIMIT_BUCKETS.checkpoint.limit} per minute per credential.`,
  responses: {
    '200': {
      description: 'The transaction is open.',
      headers: RATE_LIMIT_HEADERS,
      content: json(ref('CheckpointAnswer'), {
        quickStart: {
          summary: 'Seed 000',
          value: { status: true, transactionId: TX, message: 'Checkpoint created successfully' },
        },
      }),
    },
    '401': unauthorized,
    '403': forbidden('PROVISIONING_UPDATE'),
    '429': tooManyRequests('checkpoint'),
  },
};

const commitDescription = (route: string) =>
  `Commits the transaction (${route}): its operations are applied by a background job, and the answer comes at once with \`jobId\` (202). Poll \`GET /api/provisioning/iam/transaction/{transactionId}/status\` or \`GET /api/user/job/{jobId}\` until it ends.

- \`?wait=true\` holds the answer until the job ends (at most \`timeoutMs\`, ${MAX_WAIT_MS} ms at most) and answers 200 with the totals and one error per failed operation (seed 004); when the time runs out it answers 202 with the plain body.
- \`?atomic=true\` applies all or nothing.
- Committing again answers the same \`jobId\` (202, or 200 with \`wait\`). A transaction that is not \`OPEN\` and has no job answers 409; an unknown transaction (or another tenant's) 404.

Aliases: \`POST /api/provisioning/iam/{transactionId}/commit\`, \`POST /api/provisioning/iam/transaction/{transactionId}/commit\`, \`POST /api/provisioning/iam/commit?transactionId=\`. Needs \`PROVISIONING_UPDATE\`. Not counted against the tenant's fair share (a commit only schedules work).`;

const COMMIT_RESPONSES: OperationDoc['responses'] = {
  '200': {
    description: '`wait=true` and the job ended in time: the outcome.',
    content: json(ref('CommitOutcome'), {
      completed: {
        summary: 'Seed 004: some operations failed',
        value: {
          status: true,
          transactionId: TX,
          jobId: JOB,
          transactionStatus: 'COMPLETED',
          totalOperations: 25,
          successfulOperations: 23,
          failedOperations: 2,
          errors: [
            {
              code: 'NOT_FOUND',
              type: 'NOT_FOUND',
              paths: ['operation.15'],
              messages: [{ locale: 'US', message: 'Department not found: dept-xyz', key: 'identum.commit.user.error' }],
            },
            {
              code: 'DUPLICATE',
              type: 'DUPLICATE',
              paths: ['operation.21'],
              messages: [
                {
                  locale: 'US',
                  message: "User email 'john.smith@company.com' is already registered",
                  key: 'identum.commit.user.error',
                },
              ],
            },
          ],
          message: 'Transaction completed',
        },
      },
    }),
  },
  '202': {
    description:
      'The commit is scheduled (or was already): the job runs in the background. Also the answer of `wait=true` when `timeoutMs` ran out.',
    content: json(ref('CommitAccepted'), {
      scheduled: {
        summary: 'Seed 000',
        value: {
          status: true,
          transactionId: TX,
          jobId: JOB,
          message: 'Transaction commit has been scheduled for background processing.',
        },
      },
    }),
  },
  '400': envelopeError(
    'A query parameter is not valid (`wait`, `atomic`, `timeoutMs`, or a missing `transactionId`).',
    {
      timeout: {
        summary: 'timeoutMs above 60000',
        code: 'VALIDATION',
        message: 'Validation failed',
        error: `timeoutMs cannot exceed ${MAX_WAIT_MS}`,
        path: 'timeoutMs',
      },
    },
  ),
  '401': unauthorized,
  '403': forbidden('PROVISIONING_UPDATE'),
  '404': transactionNotFound,
  '409': commitConflict,
};

export const COMMIT_TRANSACTION: OperationDoc = {
  id: ['commitTransaction', 'commitTransactionById'],
  summary: 'Commit a transaction as a background job',
  description: commitDescription('the transaction named in the path'),
  parameters: [TX_PATH, ...COMMIT_PARAMETERS],
  responses: COMMIT_RESPONSES,
};

export const COMMIT_TRANSACTION_BY_QUERY: OperationDoc = {
  id: 'commitTransactionByQuery',
  summary: 'Commit a transaction as a background job (transaction in the query)',
  description: commitDescription('named by `?transactionId=`, as seed 004 writes it'),
  parameters: [
    QUERY_TRANSACTION_ID('The transaction to commit (required; missing answers 400).', true),
    ...COMMIT_PARAMETERS,
  ],
  responses: COMMIT_RESPONSES,
};

export const ROLLBACK_TRANSACTION: OperationDoc = {
  id: 'rollbackTransaction',
  summary: 'Roll back an open transaction',
  description:
    'Discards an `OPEN` transaction: nothing of it is applied, it ends `ROLLED_BACK` and no job is made. A transaction that is not `OPEN` answers 409. Needs `PROVISIONING_UPDATE`.',
  parameters: [TX_PATH],
  responses: {
    '200': {
      description: 'The transaction is rolled back.',
      content: json(ref('RollbackAnswer'), {
        rolledBack: {
          summary: 'Rolled back',
          value: {
            status: true,
            transactionId: TX,
            transactionStatus: 'ROLLED_BACK',
            message: 'Transaction rolled back',
          },
        },
      }),
    },
    '401': unauthorized,
    '403': forbidden('PROVISIONING_UPDATE'),
    '404': transactionNotFound,
    '429': FAIR_SHARE_TOO_MANY,
    '409': envelopeError('The transaction is not `OPEN` (committed, ended or already rolled back).', {
      notOpen: {
        summary: 'Already committed',
        code: 'CONFLICT',
        message: 'Conflict',
        error: `Transaction ${TX} is COMMITTED; only an OPEN transaction can be rolled back`,
        path: 'transactionId',
      },
    }),
  },
};

const SEED_001_FAILURES = [
  {
    operationId: 'op-42',
    operationType: 'DEPARTMENT',
    operationAction: 'CREATE',
    externalId: 'ext-dept-orphan',
    entityName: 'Marketing Department',
    errorMessage: 'Parent department not found: ext-dept-missing',
    errorType: 'NOT_FOUND',
    failedOn: '2024-01-15T10:42:30.000Z',
    details: {
      operationId: '42',
      transactionId: TX,
      exceptionType: 'EntityNotFoundException',
      field: 'parentExternalId',
    },
  },
  {
    operationId: 'op-87',
    operationType: 'USER',
    operationAction: 'CREATE',
    externalId: 'ext-user-001',
    entityName: 'John Smith',
    errorMessage: "User email 'john.smith@company.com' is already registered",
    errorType: 'DUPLICATE',
    failedOn: '2024-01-15T10:43:15.000Z',
    details: {
      operationId: '87',
      transactionId: TX,
      exceptionType: 'DuplicateKeyException',
      email: 'john.smith@company.com',
    },
  },
  {
    operationId: 'op-73',
    operationType: 'USER',
    operationAction: 'CREATE',
    externalId: null,
    entityName: null,
    errorMessage: "Invalid user data format: Unrecognized field 'emailAddress' (expected 'email')",
    errorType: 'DATA_FORMAT',
    failedOn: '2024-01-15T10:44:12.000Z',
    details: {
      operationId: '73',
      transactionId: TX,
      exceptionType: 'UnrecognizedPropertyException',
      field: 'emailAddress',
    },
  },
];

export const GET_TRANSACTION_STATUS: OperationDoc = {
  id: 'getTransactionStatus',
  summary: 'Status, counts and failures of a transaction',
  description:
    "The transaction's state, its operation counts and each failed operation (seed 001's failure objects; `failures` is `null` when none failed). Poll it every 1–2 seconds after a commit until `transactionStatus` is `COMPLETED`, `FAILED`, `ROLLED_BACK` or `EXPIRED`. Needs `PROVISIONING_SEARCH` (`PROVISIONING_UPDATE` grants it).",
  parameters: [TX_PATH],
  responses: {
    '200': {
      description: 'The transaction.',
      content: json(ref('TransactionStatusAnswer'), {
        completed: {
          summary: 'Seed 000: the quick start, completed',
          value: {
            status: true,
            transactionId: TX,
            transactionStatus: 'COMPLETED',
            totalOperations: 2,
            completedOperations: 2,
            failedOperations: 0,
            createdOn: '2024-01-15T10:30:00.000Z',
            committedOn: '2024-01-15T10:31:00.000Z',
            completedOn: '2024-01-15T10:31:30.000Z',
            jobId: JOB,
            atomic: false,
            failures: null,
          },
        },
        withFailures: {
          summary: 'Seed 001: completed with failures',
          value: {
            status: true,
            transactionId: TX,
            transactionStatus: 'COMPLETED',
            totalOperations: 150,
            completedOperations: 147,
            failedOperations: 3,
            createdOn: '2024-01-15T10:30:00.000Z',
            committedOn: '2024-01-15T10:35:00.000Z',
            completedOn: '2024-01-15T10:45:00.000Z',
            jobId: JOB,
            atomic: false,
            failures: SEED_001_FAILURES,
          },
        },
        open: {
          summary: 'Open, not yet committed',
          value: {
            status: true,
            transactionId: TX,
            transactionStatus: 'OPEN',
            totalOperations: 2,
            completedOperations: 0,
            failedOperations: 0,
            createdOn: '2024-01-15T10:30:00.000Z',
            committedOn: null,
            completedOn: null,
            jobId: null,
            atomic: false,
            failures: null,
          },
        },
      }),
    },
    '401': unauthorized,
    '403': forbidden('PROVISIONING_SEARCH'),
    '404': transactionNotFound,
    '429': FAIR_SHARE_TOO_MANY,
  },
};

export const LIST_TRANSACTIONS: OperationDoc = {
  id: 'listTransactions',
  summary: "List the tenant's transactions",
  description: `The tenant's transactions, newest first, with seed 004's filters and paging. Needs \`PROVISIONING_SEARCH\`. Rate limit (seed 004): ${RATE_LIMIT_BUCKETS.list.limit} per minute per credential.`,
  parameters: [
    {
      name: 'status',
      in: 'query',
      required: false,
      description: 'Only transactions in this state.',
      schema: { type: 'string', enum: [...TRANSACTION_STATUSES] },
    },
    {
      name: 'createdBy',
      in: 'query',
      required: false,
      description: 'Only transactions made by this credential (its id, as `createdBy` shows it).',
      schema: { type: 'string' },
    },
    {
      name: 'createdAfter',
      in: 'query',
      required: false,
      description:
        'Only transactions created at or after this instant (ISO 8601, e.g. `2024-01-15T10:30:00`; without an offset it is UTC).',
      schema: { type: 'string' },
      example: '2024-01-15T10:30:00',
    },
    {
      name: 'createdBefore',
      in: 'query',
      required: false,
      description: 'Only transactions created before this instant (ISO 8601).',
      schema: { type: 'string' },
      example: '2024-02-01T00:00:00',
    },
    {
      name: 'page',
      in: 'query',
      required: false,
      description: 'The page, from 0.',
      schema: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
    },
    {
      name: 'pageSize',
      in: 'query',
      required: false,
      description: 'Transactions per page, 1 to 1000 (more answers 400 `pageSize cannot exceed 1000`).',
      schema: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
    },
  ],
  responses: {
    '200': {
      description: 'A page of transactions.',
      headers: RATE_LIMIT_HEADERS,
      content: json(ref('TransactionList'), {
        page: {
          summary: 'Seed 004: completed transactions, 20 per page',
          value: {
            status: true,
            transactions: [
              {
                id: TX,
                transactionId: TX,
                status: 'COMPLETED',
                operationCount: 25,
                completedCount: 23,
                failedCount: 2,
                createdBy: CREDENTIAL,
                createdOn: '2024-01-15T10:30:00.000Z',
                committedOn: '2024-01-15T10:31:00.000Z',
                completedOn: '2024-01-15T10:31:30.000Z',
                updatedBy: CREDENTIAL,
                updatedOn: '2024-01-15T10:31:30.000Z',
                jobId: JOB,
              },
            ],
            totalCount: 157,
            page: 0,
            pageSize: 20,
          },
        },
      }),
    },
    '400': envelopeError('A filter or paging value is not valid.', {
      pageSize: {
        summary: 'pageSize above 1000',
        code: 'VALIDATION',
        message: 'Validation failed',
        error: 'pageSize cannot exceed 1000',
        path: 'pageSize',
      },
      status: {
        summary: 'An unknown status',
        code: 'VALIDATION',
        message: 'Validation failed',
        error: `status must be one of ${TRANSACTION_STATUSES.join(', ')}`,
        path: 'status',
      },
    }),
    '401': unauthorized,
    '403': forbidden('PROVISIONING_SEARCH'),
    '429': tooManyRequests('list'),
  },
};

/** The 400 of every items route whose body is not a JSON array. */
const NOT_AN_ARRAY = {
  notArray: {
    summary: 'Not an array',
    code: 'VALIDATION',
    message: 'Bad request',
    error: 'The request body must be a JSON array of items',
    path: 'body',
  },
};

const queueDoc = (kind: 'Department' | 'User'): OperationDoc => {
  const lower = kind.toLowerCase() as 'department' | 'user';
  return {
    id: kind === 'Department' ? ['queueDepartments', 'queueDepartmentsSync'] : ['queueUsers', 'queueUsersSync'],
    summary: `Queue ${lower} operations into a transaction`,
    description: `Records each item of the array as one ${lower} operation of the \`OPEN\` transaction, to be applied at commit. Answers one entry per item (seed 004). ${ROUTE_RULES}

A transaction holds at most ${MAX_OPERATIONS_PER_TRANSACTION} operations: a request that would go beyond answers 400 and queues nothing. A transaction that is not \`OPEN\` answers 409.

Aliases: \`POST /api/provisioning/iam/{transactionId}/${lower}\` (seed 000), \`POST /api/provisioning/iam/${lower}/sync/{transactionId}\` (seed 001), \`POST /api/provisioning/iam/${lower}?transactionId=\` (seed 004). Needs \`PROVISIONING_UPDATE\`. Rate limit (seed 004, sync operations): ${RATE_LIMIT_BUCKETS.sync.limit} requests per minute per credential.`,
    parameters: [TX_PATH],
    requestBody: itemsBody(lower),
    responses: {
      '200': {
        description: 'One entry per item: queued, or refused as sent (a failed operation).',
        headers: RATE_LIMIT_HEADERS,
        content: json(ref('QueueAnswer'), QUEUE_EXAMPLES(kind)),
      },
      '400': envelopeError(
        `The body is not a JSON array, or the transaction would hold more than ${MAX_OPERATIONS_PER_TRANSACTION} operations.`,
        NOT_AN_ARRAY,
      ),
      '401': unauthorized,
      '403': forbidden('PROVISIONING_UPDATE'),
      '404': transactionNotFound,
      '429': SYNC_TOO_MANY,
      '409': envelopeError('The transaction is not `OPEN`: operations can only be queued while it is.', {
        notOpen: {
          summary: 'Already committed',
          code: 'CONFLICT',
          message: 'Conflict',
          error: `Transaction ${TX} is COMMITTED; operations can only be queued while it is OPEN`,
          path: 'transactionId',
        },
      }),
    },
  };
};

const directDoc = (kind: 'Department' | 'User'): OperationDoc => {
  const lower = kind.toLowerCase() as 'department' | 'user';
  return {
    id: kind === 'Department' ? 'syncDepartments' : 'syncUsers',
    summary: `Apply ${lower} items at once, or queue them with ?transactionId=`,
    description: `Without \`transactionId\` (direct mode, seed 004): the items are applied at once, in one database transaction, with the same rules as a commit, and the answer lists what was written (\`processed\`, \`errors\`, \`results\`). With \`?transactionId=\`: the items are queued into that transaction, exactly as \`POST /api/provisioning/iam/{transactionId}/${lower}\` does.

${ROUTE_RULES} Needs \`PROVISIONING_UPDATE\`. Rate limit (seed 004, sync operations): ${RATE_LIMIT_BUCKETS.sync.limit} requests per minute per credential.`,
    parameters: [
      QUERY_TRANSACTION_ID(
        'Queue into this transaction instead of applying at once (seed 004). Absent or empty: direct mode.',
        false,
      ),
    ],
    requestBody: itemsBody(lower),
    responses: {
      '200': {
        description: 'Direct mode: what was applied and what failed. With `transactionId`: one entry per queued item.',
        headers: RATE_LIMIT_HEADERS,
        content: json(
          { oneOf: [ref('DirectSyncAnswer'), ref('QueueAnswer')] },
          { ...DIRECT_EXAMPLES(kind), queued: QUEUE_EXAMPLES(kind).queued },
        ),
      },
      '400': envelopeError('The body is not a JSON array (nothing is applied or queued).', NOT_AN_ARRAY),
      '401': unauthorized,
      '403': forbidden('PROVISIONING_UPDATE'),
      '404': transactionNotFound,
      '429': SYNC_TOO_MANY,
      '409': envelopeError('With `transactionId`: the transaction is not `OPEN`.', {
        notOpen: {
          summary: 'Already committed',
          code: 'CONFLICT',
          message: 'Conflict',
          error: `Transaction ${TX} is COMMITTED; operations can only be queued while it is OPEN`,
          path: 'transactionId',
        },
      }),
    },
  };
};

export const QUEUE_DEPARTMENTS = queueDoc('Department');
export const QUEUE_USERS = queueDoc('User');
export const SYNC_DEPARTMENTS = directDoc('Department');
export const SYNC_USERS = directDoc('User');

// ---------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------

const RANGE_DESCRIPTION = (field: 'createdOn' | 'updatedOn') =>
  `Only rows whose \`${field}\` falls in this PipelineDateRange (seed 001): a preset (${DATE_RANGE_PRESETS.filter(
    (p) => p !== 'CUSTOM',
  )
    .map((p) => `\`${p}\``)
    .join(
      ', ',
    )}, any case) or \`CUSTOM\` as a JSON object \`{"preset":"CUSTOM","start":"2024-01-01","end":"2024-01-31"}\` (\`start\`/\`end\`: ISO dates or date-times; a date-only \`end\` includes its whole day). Computed in the tenant's locale and time zone (default \`en-GB\`, \`Europe/London\`: weeks start on Monday). Absent, empty or \`null\`: no filter. An unknown preset answers 400.`;

const READ_PARAMETERS: Parameter[] = [
  {
    name: 'active',
    in: 'query',
    required: false,
    description: 'Only active (`true`) or inactive (`false`) rows; absent, empty or `null`: all (seed 001).',
    schema: { type: ['boolean', 'null'] },
  },
  {
    name: 'createdOn',
    in: 'query',
    required: false,
    description: RANGE_DESCRIPTION('createdOn'),
    schema: {
      type: 'string',
      examples: ['LAST_30_DAYS', '{"preset":"CUSTOM","start":"2024-01-01","end":"2024-01-31"}'],
    },
    example: 'LAST_30_DAYS',
  },
  {
    name: 'updatedOn',
    in: 'query',
    required: false,
    description: RANGE_DESCRIPTION('updatedOn'),
    schema: {
      type: 'string',
      examples: ['LAST_7_DAYS', '{"preset":"CUSTOM","start":"2024-01-01","end":"2024-01-31"}'],
    },
    example: 'LAST_7_DAYS',
  },
  {
    name: 'skip',
    in: 'query',
    required: false,
    description: 'Rows to skip, for paging.',
    schema: { type: 'integer', minimum: 0, default: 0 },
  },
  {
    name: 'limit',
    in: 'query',
    required: false,
    description: `Rows per page, 1 to ${MAX_LIMIT} (more answers 400 \`Limit cannot exceed ${MAX_LIMIT}\`).`,
    schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT },
  },
];

const readErrors = envelopeError('A filter or paging value is not valid; every bad parameter is listed in `errors`.', {
  preset: {
    summary: 'Seed 001: an unknown preset',
    code: 'VALIDATION',
    message: 'Validation failed',
    error: `Invalid date range preset. Valid values are: ${DATE_RANGE_PRESETS.join(', ')}`,
    path: 'createdOn',
  },
  format: {
    summary: 'Seed 001: not a range',
    code: 'VALIDATION',
    message: 'Validation failed',
    error: 'Invalid date range format. Expected PipelineDateRange JSON object or preset string.',
    path: 'updatedOn',
  },
  limit: {
    summary: 'Seed 001: limit above 1000',
    code: 'VALIDATION',
    message: 'Validation failed',
    error: `Limit cannot exceed ${MAX_LIMIT}`,
    path: 'limit',
  },
});

const departmentRead = (
  id: string,
  name: string,
  externalId: string,
  parentId: string | null,
  parentExternalId: string | null,
  createdOn: string,
  updatedOn: string,
) => ({
  id,
  name,
  externalId,
  parentDepartmentId: parentId,
  parentExternalId,
  directoryUniqueIdentifier: externalId,
  parentDirectoryUniqueIdentifier: parentExternalId,
  createdOn,
  updatedOn,
  active: true,
});

const DEPARTMENTS_EXAMPLE = [
  departmentRead(
    DEPT_ENGINEERING,
    'Engineering Department',
    'ext-eng-001',
    DEPT_TECHNOLOGY,
    'ext-root',
    '2024-01-15T10:30:00.000Z',
    '2024-02-01T14:45:00.000Z',
  ),
  departmentRead(
    DEPT_FRONTEND,
    'Marketing Department',
    'ext-mkt-001',
    DEPT_TECHNOLOGY,
    'ext-root',
    '2024-01-20T09:15:00.000Z',
    '2024-01-25T16:20:00.000Z',
  ),
];

export const LIST_DEPARTMENTS: OperationDoc = {
  id: 'listDepartments',
  summary: "List the tenant's departments",
  description:
    "The tenant's departments with seed 001's filters (`active`, `createdOn`, `updatedOn`) and paging (`skip`, `limit`), oldest first. The page is answered twice, as `departments` (seed 001) and `entries` (seed 004). For an incremental sync, read `updatedOn=LAST_7_DAYS`. Needs `PROVISIONING_SEARCH` (`PROVISIONING_UPDATE` grants it). Unknown query parameters are ignored.",
  parameters: READ_PARAMETERS,
  responses: {
    '200': {
      description: 'A page of departments.',
      content: json(ref('DepartmentPage'), {
        page: {
          summary: 'Seed 001: two of 25 departments',
          value: {
            status: true,
            departments: DEPARTMENTS_EXAMPLE,
            entries: DEPARTMENTS_EXAMPLE,
            totalCount: 25,
            skip: 0,
            limit: 50,
          },
        },
      }),
    },
    '400': readErrors,
    '401': unauthorized,
    '403': forbidden('PROVISIONING_SEARCH'),
    '429': FAIR_SHARE_TOO_MANY,
  },
};

export const LIST_USERS: OperationDoc = {
  id: 'listUsers',
  summary: "List the tenant's users with their assignments",
  description:
    "The tenant's users, each with its assignments (`userTypes`: department and user type, with their names), as seed 004 shows them; the same filters and paging as the department read. Needs `PROVISIONING_SEARCH` (`PROVISIONING_UPDATE` grants it). Unknown query parameters are ignored.",
  parameters: READ_PARAMETERS,
  responses: {
    '200': {
      description: 'A page of users.',
      content: json(ref('UserPage'), {
        page: {
          summary: 'Seed 004: one user with two assignments',
          value: {
            status: true,
            entries: [
              {
                id: USER_JANE,
                firstName: 'John',
                middleName: 'Michael',
                lastName: 'Smith',
                email: 'john.smith@company.com',
                phoneNumber: '+1-555-123-4567',
                directoryUniqueIdentifier: 'user-12345',
                externalId: 'user-12345',
                userName: 'john.smith@company.com',
                active: true,
                createdOn: '2024-01-15T10:31:30.000Z',
                updatedOn: '2024-01-15T10:31:30.000Z',
                userTypes: [
                  {
                    departmentId: DEPT_ENGINEERING,
                    departmentName: 'Engineering Department',
                    departmentExternalId: 'dept-engineering',
                    userTypeId: '1',
                    userTypeName: 'Developer',
                  },
                  {
                    departmentId: DEPT_FRONTEND,
                    departmentName: 'Frontend Team',
                    departmentExternalId: 'dept-frontend',
                    userTypeId: '2',
                    userTypeName: 'Senior Developer',
                  },
                ],
              },
            ],
            totalCount: 1,
            skip: 0,
            limit: 50,
          },
        },
      }),
    },
    '400': readErrors,
    '401': unauthorized,
    '403': forbidden('PROVISIONING_SEARCH'),
    '429': FAIR_SHARE_TOO_MANY,
  },
};

/** The errors every route of the provisioning controllers can give, beside each operation's own. */
export const PROVISIONING_ERRORS = [400, 401, 403, 413, 415, 500, 503] as const;
