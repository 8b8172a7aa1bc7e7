import {
  adminPageSchema,
  jsonAnswer,
  notFound,
  OPERATORS_ONLY,
  PAGE_PARAMETERS,
  TENANT_ID_PARAMETER,
} from '../../admin/admin.openapi';
import { RATE_LIMIT_BUCKETS } from '../../common/rate-limit/rate-limit.constants';
import { MEDIA_JSON, nullable, ref } from '../../openapi/components';
import type { OperationDoc } from '../../openapi/openapi.decorators';
import type { JsonSchema, Parameter } from '../../openapi/openapi.types';
import { envelopeError } from '../../provisioning/provisioning.openapi';
import { DEFAULT_FEED_LIMIT, MAX_FEED_LIMIT, MAX_FEED_WAIT_SECONDS } from './feed-query';

// The pull feed of changes (provisioning credential) and the per-resource history (operators).

const ISO = '2026-12-01T09:30:00.000Z';
const USER = '2819c223-7f76-453a-919d-413861904646';
const DEPARTMENT = '6fa459ea-ee8a-4ca4-894e-db77e160355e';
const string = (description: string, extra: JsonSchema = {}): JsonSchema => ({ type: 'string', description, ...extra });
const seqSchema = (description: string): JsonSchema => string(description, { pattern: '^[0-9]+$' });

const ChangeView: JsonSchema = {
  type: 'object',
  description:
    'One change of a user, a department or an assignment, from any door, recorded in the transaction that made it.',
  required: [
    'seq',
    'eventId',
    'type',
    'resourceType',
    'resourceId',
    'externalId',
    'version',
    'attributes',
    'door',
    'credential',
    'correlationId',
    'transactionId',
    'occurredOn',
  ],
  additionalProperties: false,
  properties: {
    seq: seqSchema("The change's number in its tenant's feed (a decimal bigint): the cursor to resume after."),
    eventId: string('Stable id of the event.', { format: 'uuid' }),
    type: { type: 'string', enum: ['create', 'patch', 'delete', 'activate', 'deactivate'] },
    resourceType: { type: 'string', enum: ['user', 'department', 'assignment'] },
    resourceId: string('The user or department; for an assignment, its department.', { format: 'uuid' }),
    userId: string('Assignment only: the assigned user.', { format: 'uuid' }),
    userTypeId: string('Assignment only: its user type.'),
    externalId: nullable(string("The subject's externalId at the time.")),
    version: nullable({
      type: 'integer',
      description: 'The resource version after the change (its ETag `W/"n"`); null for a delete and an assignment.',
    }),
    attributes: {
      type: 'array',
      items: { type: 'string' },
      description: 'The changed attributes (camelCase; extension attributes by their own key).',
    },
    data: {
      description:
        'Only with `form=full` (and in the history): create: the whole resource; patch: `{attribute: new value}` (null: removed); activate/deactivate: `{active}`; delete: null; assignment: `{userId, departmentId, userTypeId}`.',
    },
    door: { type: 'string', enum: ['scim', 'batch', 'direct', 'partner', 'admin', 'system'] },
    credential: nullable({
      type: 'object',
      required: ['id', 'name'],
      properties: { id: string('The credential that made the change.'), name: nullable(string('Its name.')) },
    }),
    correlationId: nullable(string('X-Request-Id of the request that made the change (or queued its job).')),
    transactionId: nullable(string('The provisioning transaction, for a batch commit.')),
    occurredOn: string('When the writing transaction ran.', { format: 'date-time' }),
  },
};

const ChangesPage: JsonSchema = {
  type: 'object',
  required: ['status', 'changes', 'next', 'hasMore'],
  additionalProperties: false,
  properties: {
    status: { type: 'boolean', const: true },
    changes: { type: 'array', items: ref('ChangeView'), description: 'Changes after `after`, in seq order.' },
    next: seqSchema('The seq to pass as `after` next: the last change’s, or the `after` given when none.'),
    hasMore: { type: 'boolean', description: 'Whether changes after `next` exist already (ask again at once).' },
  },
};

export const FEED_SCHEMAS: Record<string, JsonSchema> = {
  ChangeView,
  ChangesPage,
  ChangeHistoryPage: adminPageSchema('A page of a resource’s changes, newest first.', ref('ChangeView')),
};

const EXAMPLE_CHANGE = {
  seq: '1042',
  eventId: '0b6c4d1e-8f0a-4b8e-9d55-6c2f1a7e3b90',
  type: 'patch',
  resourceType: 'user',
  resourceId: USER,
  externalId: 'user-12345',
  version: 4,
  attributes: ['familyName'],
  door: 'scim',
  credential: { id: '3f2a7b9e-1c4d-4e8a-9b6f-0d5c2e7a1f34', name: 'entra' },
  correlationId: '0f8fad5b-d9cb-469f-a165-70867728950e',
  transactionId: null,
  occurredOn: ISO,
};

const FEED_PARAMETERS: Parameter[] = [
  {
    name: 'after',
    in: 'query',
    required: false,
    description:
      'Answer the changes with a seq above this: `0` (the default) from the start, then `next` of the last answer.',
    schema: { type: 'string', pattern: '^[0-9]+$' },
    example: '1041',
  },
  {
    name: 'limit',
    in: 'query',
    required: false,
    description: `At most this many changes (1 to ${MAX_FEED_LIMIT}, default ${DEFAULT_FEED_LIMIT}).`,
    schema: { type: 'integer', minimum: 1, maximum: MAX_FEED_LIMIT, default: DEFAULT_FEED_LIMIT },
  },
  {
    name: 'wait',
    in: 'query',
    required: false,
    description: `Seconds (0 to ${MAX_FEED_WAIT_SECONDS}) to hold the answer while there is nothing after \`after\`: it comes as soon as a change is recorded, or empty when the time is up (or the instance stops).`,
    schema: { type: 'integer', minimum: 0, maximum: MAX_FEED_WAIT_SECONDS, default: 0 },
  },
  {
    name: 'form',
    in: 'query',
    required: false,
    description: '`notice` (default): which attributes changed; `full`: their values too (`data`).',
    schema: { type: 'string', enum: ['notice', 'full'], default: 'notice' },
  },
];

export const LIST_CHANGES: OperationDoc = {
  id: 'listChanges',
  summary: "The tenant's change feed",
  description:
    "Every change to the tenant's users, departments and assignments, from any door (SCIM, batch, direct, partner, admin), in seq order. Resume with `after` = `next` of the last answer: nothing is missed and nothing is answered twice. Needs `PROVISIONING_SEARCH` (`PROVISIONING_UPDATE` grants it). Unknown query parameters are ignored.",
  parameters: FEED_PARAMETERS,
  responses: {
    '200': {
      description: 'Changes after `after`.',
      content: {
        [MEDIA_JSON]: {
          schema: ref('ChangesPage'),
          examples: {
            page: {
              summary: 'One change',
              value: { status: true, changes: [EXAMPLE_CHANGE], next: '1042', hasMore: false },
            },
          },
        },
      },
    },
    '429': envelopeError(
      `The route's rate limit (${RATE_LIMIT_BUCKETS.list.limit} requests per minute per credential) is spent; retry after \`Retry-After\` seconds.`,
      {
        rateLimit: {
          summary: 'Rate limit spent',
          code: 'RATE_LIMITED',
          message: 'Too many requests',
          error: `Rate limit of ${RATE_LIMIT_BUCKETS.list.limit} requests per minute exceeded for list; retry after 12 seconds`,
        },
      },
      { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } },
    ),
  },
};

const id = (name: string, what: string, example: string): Parameter => ({
  name,
  in: 'path',
  description: `The ${what} id (404 when the tenant has neither such a ${what} nor a change of one).`,
  schema: { type: 'string' },
  example,
});

const historyOf = (what: 'user' | 'department', includes: string): OperationDoc => ({
  id: what === 'user' ? 'getUserHistory' : 'getDepartmentHistory',
  summary: `A ${what}'s change history`,
  description: `The ${what}'s changes, newest first, with their values (\`data\`): ${includes}. A deleted ${what} keeps its history until retention (\`EVENT_RETENTION_DAYS\`) removes it. ${OPERATORS_ONLY}`,
  parameters: [
    TENANT_ID_PARAMETER,
    id(what === 'user' ? 'userId' : 'departmentId', what, what === 'user' ? USER : DEPARTMENT),
    ...PAGE_PARAMETERS,
  ],
  responses: {
    '200': jsonAnswer('A page of changes.', ref('ChangeHistoryPage')),
    '404': notFound(`No tenant has this id, or the tenant has no such ${what} and no change of one.`),
  },
});

export const GET_USER_HISTORY = historyOf('user', "its own and its assignments' (to or from any department)");
export const GET_DEPARTMENT_HISTORY = historyOf('department', "its own and its members' assignments");
