import { JOB_STATUSES } from '../jobs/backend-job.entity';
import { jsonAnswer, notFound, OPERATORS_ONLY } from '../admin/admin.openapi';
import { nullable, ref } from '../openapi/components';
import type { OperationDoc } from '../openapi/openapi.decorators';
import type { JsonSchema } from '../openapi/openapi.types';
import { DOORS } from '../request-log/entities/request-activity.entity';
import { OVERVIEW_HOURS } from './overview.service';
import { RUNNING_JOBS_SHOWN } from './overview.repository';

// The operator console's overview (src/console/overview.*).

const count = (description: string): JsonSchema => ({ type: 'integer', minimum: 0, description });
const time = (description: string): JsonSchema => nullable({ type: 'string', format: 'date-time', description });

const COUNTED =
  '`errors`: 5xx answers, and 401, 403 and 429 (a refused credential, throttling); `clientErrors`: the other 4xx answers, mostly normal from an identity provider (SCIM 404 on a lookup, 409 on a duplicate).';

const hourExample = (hour: string, requests: number, errors: number, clientErrors = 0) => ({
  hour,
  requests,
  errors,
  clientErrors,
});

const overviewExample = {
  generatedAt: '2026-12-07T10:42:00.000Z',
  tenants: [
    {
      tenantId: 'acme',
      tenantName: 'Acme Corporation',
      doors: {
        scim: { lastAt: '2026-12-07T10:41:12.000Z' },
        provisioning: { lastAt: '2026-12-06T22:03:40.000Z' },
        partner: { lastAt: null },
        admin: { lastAt: '2026-12-07T10:40:01.000Z' },
      },
      last24h: {
        requests: 412,
        errors: 3,
        clientErrors: 17,
        hourly: [
          ...Array.from({ length: OVERVIEW_HOURS - 2 }, (_, i) =>
            hourExample(new Date(Date.UTC(2026, 11, 6, 11 + i)).toISOString(), 17, 0, 1),
          ),
          hourExample('2026-12-07T09:00:00.000Z', 12, 3, 0),
          hourExample('2026-12-07T10:00:00.000Z', 26, 0, 0),
        ],
      },
      transactions: { open: 1, failed24h: 2 },
      runningJobs: [
        {
          id: '7d1c6a52-0f0e-4f4b-9c55-1a8f1f3f3a10',
          type: 'EXECUTE_IAM_COMMIT_TRANSACTION_JOB',
          status: 'STARTED',
          donePercentage: 40,
          startedOn: '2026-12-07T10:41:50.000Z',
        },
      ],
    },
  ],
};

/** Component schemas of the overview. */
export const OVERVIEW_SCHEMAS: Record<string, JsonSchema> = {
  AdminOverview: {
    type: 'object',
    description: 'Every tenant the operator sees, oldest first, with its recent activity.',
    required: ['generatedAt', 'tenants'],
    properties: {
      generatedAt: { type: 'string', format: 'date-time', description: 'When the answer was computed.' },
      tenants: { type: 'array', items: ref('AdminTenantOverview') },
    },
  },
  AdminTenantOverview: {
    type: 'object',
    required: ['tenantId', 'tenantName', 'doors', 'last24h', 'transactions', 'runningJobs'],
    properties: {
      tenantId: { type: 'string' },
      tenantName: { type: 'string' },
      doors: {
        type: 'object',
        description:
          "The latest request through each door, as long as the request log's retention keeps it: `scim` (SCIM and the identity providers' `/oauth/token`), `provisioning` (transactions, operations, reads and `/api/user/job`), `partner` (`/api/admin/users/sync`), `admin` (the operators' API).",
        required: [...DOORS],
        additionalProperties: false,
        properties: Object.fromEntries(
          DOORS.map((door) => [
            door,
            {
              type: 'object',
              required: ['lastAt'],
              properties: { lastAt: time('The latest request through this door; null when none is on record.') },
            },
          ]),
        ),
      },
      last24h: {
        type: 'object',
        description: `Requests of the last 24 hours, all doors together. ${COUNTED}`,
        required: ['requests', 'errors', 'clientErrors', 'hourly'],
        properties: {
          requests: count('Requests in the 24 hours shown.'),
          errors: count('Of these, errors.'),
          clientErrors: count('Of these, other 4xx answers.'),
          hourly: {
            type: 'array',
            description: `${OVERVIEW_HOURS} hours, oldest first, the current hour last; an hour without requests is there with zeros.`,
            minItems: OVERVIEW_HOURS,
            maxItems: OVERVIEW_HOURS,
            items: {
              type: 'object',
              required: ['hour', 'requests', 'errors', 'clientErrors'],
              properties: {
                hour: { type: 'string', format: 'date-time', description: 'The start of the hour (UTC).' },
                requests: count('Requests that arrived in this hour.'),
                errors: count('Of these, errors.'),
                clientErrors: count('Of these, other 4xx answers.'),
              },
            },
          },
        },
      },
      transactions: {
        type: 'object',
        required: ['open', 'failed24h'],
        properties: {
          open: count('Transactions still OPEN (not committed or rolled back).'),
          failed24h: count(
            'Transactions that ended in the last 24 hours with at least one failed operation (FAILED, or COMPLETED with failures).',
          ),
        },
      },
      runningJobs: {
        type: 'array',
        description: `Queued (NOT_STARTED) and running (STARTED) jobs, oldest first, ${RUNNING_JOBS_SHOWN} at most.`,
        maxItems: RUNNING_JOBS_SHOWN,
        items: {
          type: 'object',
          required: ['id', 'type', 'status', 'donePercentage', 'startedOn'],
          properties: {
            id: { type: 'string', format: 'uuid' },
            type: { type: 'string' },
            status: { type: 'string', enum: [...JOB_STATUSES] },
            donePercentage: { type: 'integer', minimum: 0, maximum: 100 },
            startedOn: time('When a worker started it; null while it waits.'),
          },
        },
      },
    },
  },
};

export const GET_OVERVIEW: OperationDoc = {
  id: 'getAdminOverview',
  summary: 'Overview of every tenant',
  description: `Per tenant: the latest request through each door, requests and errors of the last 24 hours by hour, open transactions and those that ended with failures in the last 24 hours, and queued or running jobs. Read from an hourly rollup of the request log, so its cost does not grow with logged requests; it counts what the request log holds (\`REQUEST_LOG=off\` counts nothing) and survives a purge of the log. ${OPERATORS_ONLY}`,
  parameters: [
    {
      name: 'tenant',
      in: 'query',
      description: 'Only this tenant (its id, exactly); a tenant that does not exist answers 404.',
      schema: { type: 'string', minLength: 1, maxLength: 64 },
      example: 'acme',
    },
  ],
  responses: {
    '200': jsonAnswer('Every tenant shown, with its activity.', ref('AdminOverview'), {
      one: { value: overviewExample },
    }),
    '404': notFound('No tenant has the id given in `tenant`.'),
  },
};
