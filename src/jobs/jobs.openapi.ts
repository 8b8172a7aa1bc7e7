// The job endpoint (seed 001's `GET /user/job/{jobId}`) and the operator's cancel.
import { MEDIA_JSON, nullable, ref, SECURITY } from '../openapi/components';
import { envelopeError } from '../provisioning/provisioning.openapi';
import type { OperationDoc } from '../openapi/openapi.decorators';
import type { JsonSchema, Parameter } from '../openapi/openapi.types';
import { JOB_STATUSES } from './backend-job.entity';

const JOB = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const TX = 'a1b2c3d4-e5f6-7890-abcd-ef1234567890';
const CREDENTIAL = '3f2a7b9e-1c4d-4e8a-9b6f-0d5c2e7a1f34';

const dateTime = (description: string): JsonSchema => ({ type: 'string', format: 'date-time', description });

const BackendJob: JsonSchema = {
  type: 'object',
  description: "Seed 001's BackendJob document.",
  required: [
    'id',
    'version',
    'tenantId',
    'status',
    'createdBy',
    'createdOn',
    'startedOn',
    'startOn',
    'finishedOn',
    'priority',
    'job',
    'errorMessage',
    'stackTrace',
    'donePercentage',
    'updates',
    'results',
  ],
  properties: {
    id: { type: 'string', format: 'uuid', description: 'The job.' },
    version: { const: 'V1', description: 'The document version.' },
    tenantId: { type: 'string', description: 'The tenant whose work it is.' },
    status: {
      type: 'string',
      enum: [...JOB_STATUSES],
      description:
        '`NOT_STARTED` queued; `STARTED` running; `DONE` every operation processed (some may have failed); `FAILED` nothing succeeded, a system fault, or an atomic commit rolled back (`errorMessage` says which); `CANCELLED` by an operator.',
    },
    createdBy: { type: 'string', description: 'The credential that committed.' },
    createdByName: nullable({
      type: 'string',
      description:
        "That credential's name, in operators' answers only (the admin job list, and an operator's read or cancel); null when it no longer exists.",
    }),
    createdOn: dateTime('When the job was made (at commit).'),
    startedOn: nullable(dateTime('When a worker started it; `null` before.')),
    startOn: dateTime('When it may start.'),
    finishedOn: nullable(dateTime('When it ended; `null` before.')),
    priority: { type: 'integer', description: 'Higher runs first.' },
    job: {
      type: 'object',
      description: 'What the job does: its type, who asked, for which tenant, and its parameters (`transactionId`).',
      required: ['type', 'userId', 'tenantId'],
      properties: {
        type: { type: 'string', description: '`EXECUTE_IAM_COMMIT_TRANSACTION_JOB` for a commit.' },
        userId: { type: 'string', description: 'The credential that committed (the same as `createdBy`).' },
        tenantId: { type: 'string' },
        transactionId: { type: 'string', description: 'For a commit: the committed transaction.' },
      },
    },
    errorMessage: nullable({ type: 'string', description: 'Why it failed or was cancelled; `null` otherwise.' }),
    stackTrace: nullable({
      type: 'string',
      description: 'Where it failed: shown to operators only, always `null` for a provisioning token.',
    }),
    donePercentage: { type: 'integer', minimum: 0, maximum: 100, description: 'Progress.' },
    updates: {
      type: 'array',
      description: 'Progress messages, oldest first.',
      items: {
        type: 'object',
        required: ['timestamp', 'message'],
        properties: { timestamp: dateTime('When.'), message: { type: 'string' } },
      },
    },
    results: {
      anyOf: [
        {
          type: 'object',
          description: 'For a commit: the department and user counts of seed 001.',
          properties: {
            totalDepartments: { type: 'integer', minimum: 0 },
            totalUsers: { type: 'integer', minimum: 0 },
            successfulDepartments: { type: 'integer', minimum: 0 },
            successfulUsers: { type: 'integer', minimum: 0 },
            failedDepartments: { type: 'integer', minimum: 0 },
            failedUsers: { type: 'integer', minimum: 0 },
          },
        },
        { type: 'null' },
      ],
      description: 'What the job did, once it ended; `null` before.',
    },
    correlationId: nullable({
      type: 'string',
      description:
        'Operators only (absent for a provisioning token): the `X-Request-Id` of the request that queued it, which the request log filters by.',
    }),
  },
};

const JobAnswer: JsonSchema = {
  type: 'object',
  required: ['status', 'value'],
  properties: { status: { const: true }, value: ref('BackendJob') },
};

/** Component schemas this module's operations refer to. */
export const JOBS_SCHEMAS: Record<string, JsonSchema> = { BackendJob, JobAnswer };

const JOB_PATH: Parameter = {
  name: 'jobId',
  in: 'path',
  required: true,
  description: 'The job, as the commit answered it (`jobId`).',
  schema: { type: 'string' },
  example: JOB,
};

const SEED_001_JOB = {
  id: JOB,
  version: 'V1',
  tenantId: 'tenant-123',
  status: 'DONE',
  createdBy: CREDENTIAL,
  createdOn: '2024-01-15T10:35:00.000Z',
  startedOn: '2024-01-15T10:35:30.000Z',
  startOn: '2024-01-15T10:35:00.000Z',
  finishedOn: '2024-01-15T10:45:00.000Z',
  priority: 5,
  job: {
    type: 'EXECUTE_IAM_COMMIT_TRANSACTION_JOB',
    userId: CREDENTIAL,
    tenantId: 'tenant-123',
    transactionId: TX,
  },
  errorMessage: null,
  stackTrace: null,
  donePercentage: 100,
  updates: [
    { timestamp: '2024-01-15T10:40:00.000Z', message: 'Processing departments: 50/100 completed' },
    { timestamp: '2024-01-15T10:42:00.000Z', message: 'Processing users: 25/50 completed' },
  ],
  results: {
    totalDepartments: 100,
    totalUsers: 50,
    successfulDepartments: 98,
    successfulUsers: 47,
    failedDepartments: 2,
    failedUsers: 3,
  },
};

const jobNotFound = envelopeError(
  "No such job (for a provisioning token: none in the caller's tenant; another tenant's answers the same).",
  { notFound: { summary: 'Unknown job', code: 'NOT_FOUND', message: 'Not found', error: 'Job not found' } },
);

const bearerRefused = {
  noToken: {
    summary: 'No bearer token',
    code: 'AUTHENTICATION',
    message: 'Authentication failed',
    error: 'No authorization token provided',
  },
  badToken: {
    summary: 'A bearer token that is not valid',
    code: 'AUTHENTICATION',
    message: 'Authentication failed',
    error: 'Invalid, expired or revoked bearer token',
  },
};

const notAdmin = {
  summary: 'A bearer without ADMIN',
  code: 'AUTHORIZATION',
  message: 'Access denied',
  error: 'Missing required role: ADMIN',
};

export const GET_JOB: OperationDoc = {
  id: 'getJob',
  summary: 'A background job: state, progress and results',
  description:
    "The BackendJob of a commit (seed 001): its state, `donePercentage`, progress `updates` and, once it ended, `results`. Poll it every second or two until `status` is `DONE`, `FAILED` or `CANCELLED`.\n\nTwo callers: an integration with its `auth-tenant-id` + `auth-token` (`PROVISIONING_SEARCH`, or `PROVISIONING_UPDATE` which grants it) sees its own tenant's jobs; an operator with an `Authorization: Bearer` admin token (or the JWT of an OAuth client holding `ADMIN`) sees every tenant's, with `stackTrace`. When an `Authorization` header is sent, it is the one checked.",
  security: [...SECURITY.provisioning, ...SECURITY.admin],
  parameters: [JOB_PATH],
  responses: {
    '200': {
      description: 'The job.',
      content: {
        [MEDIA_JSON]: {
          schema: ref('JobAnswer'),
          examples: {
            done: { summary: 'Seed 001: a finished commit', value: { status: true, value: SEED_001_JOB } },
            running: {
              summary: 'A commit in progress',
              value: {
                status: true,
                value: {
                  ...SEED_001_JOB,
                  status: 'STARTED',
                  finishedOn: null,
                  donePercentage: 40,
                  updates: [
                    { timestamp: '2024-01-15T10:40:00.000Z', message: 'Processing departments: 50/100 completed' },
                  ],
                  results: null,
                },
              },
            },
          },
        },
      },
    },
    '401': envelopeError(
      'No credentials, or credentials that are not valid: the `auth-token` (without an `Authorization` header) or the bearer token.',
      {
        missingToken: {
          summary: 'No valid auth-token (CONTRACT.md)',
          code: 'AUTHENTICATION',
          message: 'Authentication failed',
          error: 'Invalid or missing auth-token',
        },
        badToken: bearerRefused.badToken,
      },
    ),
    '403': envelopeError(
      "The `auth-token` lacks `PROVISIONING_SEARCH` (or `PROVISIONING_UPDATE`) or is another tenant's than `auth-tenant-id`; or the bearer lacks `ADMIN`.",
      {
        missingRole: {
          summary: 'A role is missing (CONTRACT.md)',
          code: 'AUTHORIZATION',
          message: 'Access denied',
          error: 'Missing required role: PROVISIONING_SEARCH',
        },
        notAdmin,
      },
    ),
    '404': jobNotFound,
  },
};

export const CANCEL_JOB: OperationDoc = {
  id: 'cancelJob',
  summary: 'Cancel a job (operators)',
  description:
    'Cancels a job of any tenant: at once if it has not started (it ends `CANCELLED`), or at its next batch if it is running (the answer still says `STARTED`; poll it). The transaction of a cancelled commit ends `FAILED`. A job that has already ended answers 409. Operators only: the admin token or the JWT of an OAuth client holding `ADMIN`.',
  security: SECURITY.admin,
  parameters: [JOB_PATH],
  responses: {
    '200': {
      description: 'The job, cancelled or asked to stop.',
      content: {
        [MEDIA_JSON]: {
          schema: ref('JobAnswer'),
          examples: {
            cancelled: {
              summary: 'Cancelled before it started',
              value: {
                status: true,
                value: {
                  ...SEED_001_JOB,
                  status: 'CANCELLED',
                  startedOn: null,
                  donePercentage: 0,
                  errorMessage: 'Cancelled by an operator',
                  updates: [],
                  results: null,
                },
              },
            },
          },
        },
      },
    },
    '401': envelopeError(
      'No bearer token, or one that is not valid (a provisioning `auth-token` is not accepted here).',
      bearerRefused,
    ),
    '403': envelopeError('The bearer token does not hold `ADMIN`.', { notAdmin }),
    '404': jobNotFound,
    '409': envelopeError('The job has already ended.', {
      ended: {
        summary: 'Already done',
        code: 'CONFLICT',
        message: 'Conflict',
        error: `Job ${JOB} has already ended (DONE)`,
      },
    }),
  },
};
