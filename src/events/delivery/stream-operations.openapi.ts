// Operations on an event stream's delivery (issue 20, H4): pause, resume, replay, dead letters.
import {
  adminController,
  jsonAnswer,
  notFound,
  OPERATORS_ONLY,
  PAGE_PARAMETERS,
  TENANT_ID_PARAMETER,
} from '../../admin/admin.openapi';
import { MEDIA_JSON, nullable, ref } from '../../openapi/components';
import type { ControllerDoc, OperationDoc } from '../../openapi/openapi.decorators';
import type { JsonSchema, Parameter, Response } from '../../openapi/openapi.types';
import { TAGS } from '../../openapi/tags';

export const STREAM_OPERATIONS_CONTROLLER: ControllerDoc = adminController(TAGS.eventStreams.name, [
  TENANT_ID_PARAMETER,
]);

const STREAM_ID = '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';
const seq = (description: string): JsonSchema => ({ type: 'string', pattern: '^[0-9]+$', description });
const dateTime = (description: string): JsonSchema => ({ type: 'string', format: 'date-time', description });

const STREAM_ID_PARAMETER: Parameter = {
  name: 'streamId',
  in: 'path',
  description: 'The event stream id (404 when the tenant has no such stream).',
  schema: { type: 'string' },
  example: STREAM_ID,
};

const DeliveryState: JsonSchema = {
  type: 'object',
  description: "The stream's delivery state after the operation.",
  required: ['id', 'status', 'delivery', 'cursor', 'attempts', 'failingSince'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', format: 'uuid', description: 'The stream.' },
    status: { type: 'string', enum: ['active', 'paused'], description: 'A paused stream delivers nothing.' },
    delivery: { type: 'string', enum: ['push', 'poll'], description: 'Pushed to its receiver, or polled by it.' },
    cursor: seq('Every event with a seq up to this one is delivered (or acknowledged, or dead-lettered).'),
    attempts: { type: 'integer', minimum: 0, description: 'Failed attempts in a row on the first undelivered event.' },
    failingSince: nullable(
      dateTime('Since when the first undelivered event has been failing; null when nothing fails.'),
    ),
  },
};

const DeadLetter: JsonSchema = {
  type: 'object',
  required: ['seq', 'eventId', 'set', 'error', 'attempts', 'deadOn'],
  additionalProperties: false,
  properties: {
    seq: seq('The event it was.'),
    eventId: { type: 'string', format: 'uuid', description: 'The change event.' },
    set: { type: 'string', description: 'The SET as last sent (compact JWS).' },
    error: { type: 'string', description: 'The last failure, e.g. `receiver answered 503`.' },
    attempts: { type: 'integer', minimum: 1, description: 'Attempts made on it.' },
    deadOn: dateTime('When it was given up on.'),
  },
};

const DeadLetterPage: JsonSchema = {
  type: 'object',
  required: ['total', 'page', 'pageSize', 'items', 'hasNext'],
  properties: {
    total: { type: 'integer', minimum: 0, description: 'Dead letters of the stream.' },
    page: { type: 'integer', minimum: 1, description: 'This page.' },
    pageSize: { type: 'integer', minimum: 1, description: 'Items per page.' },
    hasNext: { type: 'boolean', description: 'Another page follows.' },
    items: { type: 'array', items: DeadLetter, description: 'Newest first.' },
  },
};

const STATE_EXAMPLE = {
  id: STREAM_ID,
  status: 'paused',
  delivery: 'push',
  cursor: '1042',
  attempts: 0,
  failingSince: null,
};

const state = (description: string, example: Record<string, unknown>): Response =>
  jsonAnswer(description, DeliveryState, { stream: { value: example } });
const missing = notFound('No tenant has this id, or the tenant has no event stream with this id.');
const badRequest: Response = {
  description: "`after` is not a seq, or is beyond the tenant's last seq.",
  content: { [MEDIA_JSON]: { schema: ref('ProvisioningError') } },
};

export const PAUSE_EVENT_STREAM: OperationDoc = {
  id: 'pauseEventStream',
  summary: 'Pause an event stream',
  description: `Stops delivering: a push stream sends nothing more (a SET in flight may still arrive) and a poll answers nothing new until the stream is resumed. Events keep being recorded; the cursor stays. ${OPERATORS_ONLY}`,
  parameters: [STREAM_ID_PARAMETER],
  responses: { '200': state('The stream, paused.', STATE_EXAMPLE), '404': missing },
};

export const RESUME_EVENT_STREAM: OperationDoc = {
  id: 'resumeEventStream',
  summary: 'Resume an event stream',
  description: `Delivers again from the cursor, at once (a pending retry wait is dropped). ${OPERATORS_ONLY}`,
  parameters: [STREAM_ID_PARAMETER],
  responses: { '200': state('The stream, active.', { ...STATE_EXAMPLE, status: 'active' }), '404': missing },
};

export const REPLAY_EVENT_STREAM: OperationDoc = {
  id: 'replayEventStream',
  summary: 'Replay an event stream',
  description: `Sets the cursor to \`after\`: every later event is delivered again (same jti as before), acknowledgements and the failure count start over. ${OPERATORS_ONLY}`,
  parameters: [STREAM_ID_PARAMETER],
  requestBody: {
    description: 'Where to start again.',
    required: true,
    content: {
      [MEDIA_JSON]: {
        schema: {
          type: 'object',
          required: ['after'],
          properties: { after: seq("Deliver the events after this seq: 0 for all, at most the tenant's last seq.") },
        },
        examples: { all: { value: { after: '0' } } },
      },
    },
  },
  responses: {
    '200': state('The stream, its cursor moved.', { ...STATE_EXAMPLE, status: 'active', cursor: '0' }),
    '400': badRequest,
    '404': missing,
  },
};

export const LIST_DEAD_LETTERS: OperationDoc = {
  id: 'listEventStreamDeadLetters',
  summary: "List an event stream's dead letters",
  description: `Events the stream gave up on after failing for longer than \`EVENT_RETRY_MAX_SECONDS\`, newest first, with the SET as last sent and the last error. ${OPERATORS_ONLY}`,
  parameters: [STREAM_ID_PARAMETER, ...PAGE_PARAMETERS],
  responses: {
    '200': jsonAnswer('A page of dead letters.', DeadLetterPage, {
      one: {
        value: {
          total: 1,
          page: 1,
          pageSize: 50,
          hasNext: false,
          items: [
            {
              seq: '17',
              eventId: '0b7f2a4c-9d1e-4f3a-8c5b-6e2d1a0f9b37',
              set: 'eyJhbGciOiJFUzI1NiIsInR5cCI6InNlY2V2ZW50K2p3dCJ9.e30.c2ln',
              error: 'receiver answered 503',
              attempts: 12,
              deadOn: '2026-12-02T09:30:00.000Z',
            },
          ],
        },
      },
    }),
    '404': missing,
  },
};
