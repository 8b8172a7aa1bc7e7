// `GET /health/live` and `GET /health/ready` for orchestrators and load balancers, and `GET /health`
// as it was before them (every dependency up), for the callers that already use it.
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

const database = dependency('PostgreSQL (a `SELECT 1` within 2 seconds)');
const queue = dependency('the job queue', {
  mode: {
    type: 'string',
    enum: ['redis', 'in-process'],
    description: '`redis` (Bull, `REDIS_URL` set) or `in-process` (one node only).',
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
    database,
    queue,
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

const Liveness: JsonSchema = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string', enum: ['ok'], description: 'The process answers.' } },
};

const Readiness: JsonSchema = {
  type: 'object',
  description: 'The same shape whether the instance is ready (200) or not (503).',
  required: ['status', 'database', 'queue'],
  properties: {
    status: {
      type: 'string',
      enum: ['ok', 'degraded', 'unavailable', 'stopping'],
      description:
        '`ok` ready; `degraded` ready without the queue (an `api` or `all` instance while Redis is down: everything is served, and workers pick up new jobs from PostgreSQL); `unavailable` PostgreSQL is down, or the queue on a `worker`; `stopping` the process is draining after SIGTERM.',
    },
    database,
    queue,
  },
};

/** Component schemas this module's operations refer to. */
export const HEALTH_SCHEMAS: Record<string, JsonSchema> = { Health, Liveness, Readiness };

const READY_ONLY = { status: 'ok', database: { status: 'up' }, queue: { status: 'up', mode: 'redis' } };
const READY = { ...READY_ONLY, requestLog: { buffered: 0, dropped: 0, detailsOmitted: 0 } };

export const GET_HEALTH: OperationDoc = {
  id: 'getHealth',
  summary: 'Readiness of the service',
  description:
    'Kept for compatibility; new probes use `getHealthLive` and `getHealthReady`. Answers 200 when PostgreSQL and the job queue are ready, and 503 naming the one that is not, or while the process is stopping (so a load balancer drains it first). Unlike readiness, a Redis outage makes it 503 on every role. No credentials.',
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

export const GET_HEALTH_LIVE: OperationDoc = {
  id: 'getHealthLive',
  summary: 'Liveness of the process',
  description:
    'For a liveness probe: answers 200 whenever the process runs and its event loop turns, also while it drains and while PostgreSQL or Redis is down (restarting the process would not bring them back). It asks no dependency. No credentials.',
  responses: {
    '200': {
      description: 'Alive.',
      content: {
        [MEDIA_JSON]: { schema: ref('Liveness'), examples: { alive: { summary: 'Alive', value: { status: 'ok' } } } },
      },
    },
  },
};

export const GET_HEALTH_READY: OperationDoc = {
  id: 'getHealthReady',
  summary: 'Readiness of this instance for traffic',
  description:
    'For a readiness probe or a load balancer. 503 once SIGTERM has started the drain, and while PostgreSQL does not answer. A Redis outage leaves an `api` or `all` instance ready (200, `status: degraded`, the queue `down`): it still serves reads, SCIM, partner sync, the admin API and commits, whose jobs wait in PostgreSQL. A `worker` is not ready without its queue (503). No credentials.',
  responses: {
    '200': {
      description: 'Ready, possibly without the queue (`degraded`).',
      content: {
        [MEDIA_JSON]: {
          schema: ref('Readiness'),
          examples: {
            ready: { summary: 'Ready', value: READY_ONLY },
            degraded: {
              summary: 'An api instance while Redis is down',
              value: {
                ...READY_ONLY,
                status: 'degraded',
                queue: { status: 'down', mode: 'redis', error: 'Redis did not answer PING in time' },
              },
            },
          },
        },
      },
    },
    '503': {
      description: 'Not ready: stopping, PostgreSQL down, or (on a worker) the queue down.',
      content: {
        [MEDIA_JSON]: {
          schema: ref('Readiness'),
          examples: {
            databaseDown: {
              summary: 'PostgreSQL does not answer',
              value: {
                ...READY_ONLY,
                status: 'unavailable',
                database: { status: 'down', error: 'PostgreSQL did not answer in time' },
              },
            },
            stopping: { summary: 'Draining after SIGTERM', value: { ...READY_ONLY, status: 'stopping' } },
          },
        },
      },
    },
  },
};
