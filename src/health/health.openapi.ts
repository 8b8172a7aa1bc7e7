// `GET /health`: readiness of the database and the job queue, for load balancers and orchestrators.
import { MEDIA_JSON, ref } from '../openapi/components';
import type { OperationDoc } from '../openapi/openapi.decorators';
import type { JsonSchema } from '../openapi/openapi.types';

const dependency = (name: string, extra: Record<string, JsonSchema> = {}): JsonSchema => ({
  type: 'object',
  required: ['status', ...Object.keys(extra)],
  properties: {
    status: { type: 'string', enum: ['up', 'down'], description: `Whether ${name} answers.` },
    ...extra,
    error: { type: 'string', description: `Why ${name} is down (only when it is).` },
  },
});

const Health: JsonSchema = {
  type: 'object',
  description: 'The same shape whether the service is ready (200) or not (503).',
  required: ['status', 'database', 'queue', 'requestLog'],
  properties: {
    status: {
      type: 'string',
      enum: ['ok', 'unavailable', 'stopping'],
      description:
        '`ok` ready; `unavailable` the database or the queue is down; `stopping` the process is shutting down.',
    },
    database: dependency('PostgreSQL (a `SELECT 1` within 2 seconds)'),
    queue: dependency('the job queue', {
      mode: {
        type: 'string',
        enum: ['redis', 'in-process'],
        description: '`redis` (Bull, `REDIS_URL` set) or `in-process` (one node only).',
      },
    }),
    requestLog: {
      type: 'object',
      description: "The request log writer's buffer. Informational: it never makes the service unhealthy.",
      required: ['buffered', 'dropped', 'detailsOmitted'],
      properties: {
        buffered: { type: 'integer', minimum: 0, description: 'Rows waiting to be written.' },
        dropped: { type: 'integer', minimum: 0, description: 'Rows dropped because the buffer was full.' },
        detailsOmitted: {
          type: 'integer',
          minimum: 0,
          description: 'Rows written without their bodies to keep up.',
        },
      },
    },
  },
};

/** Component schemas this module's operations refer to. */
export const HEALTH_SCHEMAS: Record<string, JsonSchema> = { Health };

const READY = {
  status: 'ok',
  database: { status: 'up' },
  queue: { status: 'up', mode: 'redis' },
  requestLog: { buffered: 0, dropped: 0, detailsOmitted: 0 },
};

export const GET_HEALTH: OperationDoc = {
  id: 'getHealth',
  summary: 'Readiness of the service',
  description:
    'Answers 200 when PostgreSQL and the job queue are ready, and 503 naming the one that is not, or while the process is stopping (so a load balancer drains it first). No credentials.',
  responses: {
    '200': {
      description: 'Ready.',
      content: { [MEDIA_JSON]: { schema: ref('Health'), examples: { ready: { summary: 'Ready', value: READY } } } },
    },
    '503': {
      description: 'Not ready: the database or the queue is down, or the service is stopping.',
      content: {
        [MEDIA_JSON]: {
          schema: ref('Health'),
          examples: {
            databaseDown: {
              summary: 'PostgreSQL does not answer',
              value: {
                ...READY,
                status: 'unavailable',
                database: { status: 'down', error: 'PostgreSQL did not answer in time' },
              },
            },
            stopping: { summary: 'Shutting down', value: { ...READY, status: 'stopping' } },
          },
        },
      },
    },
  },
};
