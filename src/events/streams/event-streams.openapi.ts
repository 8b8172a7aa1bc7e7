// Event streams (issue 20, design §3): the operators' CRUD, the receivers' JWKS and RFC 8936 poll.
import {
  adminController,
  jsonAnswer,
  notFound,
  OPERATORS_ONLY,
  TENANT_ID_PARAMETER,
  WORKER_NOT_FOUND,
} from '../../admin/admin.openapi';
import { MEDIA_JSON, nullable, ref, SECURITY } from '../../openapi/components';
import type { ControllerDoc, OperationDoc } from '../../openapi/openapi.decorators';
import type { JsonSchema, Parameter } from '../../openapi/openapi.types';
import { TAGS } from '../../openapi/tags';
import { PROVISIONING_ERRORS } from '../../provisioning/provisioning.openapi';
import { SCIM_EVENT_URIS } from '../sets/set-token';
import {
  ENDPOINT_URL_MAX,
  POLL_DEFAULT_EVENTS,
  POLL_MAX_EVENTS,
  STREAM_DELIVERIES,
  STREAM_EVENT_TYPES,
  STREAM_FORMS,
  STREAM_RESOURCE_TYPES,
} from './dto/event-stream.dto';

export const EVENT_STREAMS_CONTROLLER: ControllerDoc = adminController(TAGS.eventStreams.name, [TENANT_ID_PARAMETER]);

export const JWKS_CONTROLLER: ControllerDoc = {
  tag: TAGS.securityEvents.name,
  door: 'provisioning',
  errors: [500, 503],
  security: SECURITY.public,
};

export const POLL_CONTROLLER: ControllerDoc = {
  tag: TAGS.securityEvents.name,
  door: 'provisioning',
  errors: PROVISIONING_ERRORS,
  security: SECURITY.provisioning,
};

const ISO_EXAMPLE = '2026-12-01T09:30:00.000Z';
const STREAM_ID_EXAMPLE = '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';
const KID_EXAMPLE = 'Jq2QbE0p9m9VY0QmZ1yqkqf3p9y1ZlKxj2pPqf8c3aQ';

const dateTime = (description: string): JsonSchema => ({ type: 'string', format: 'date-time', description });
const seq = (description: string): JsonSchema => ({ type: 'string', pattern: '^[0-9]+$', description });

const STREAM_ID_PARAMETER: Parameter = {
  name: 'streamId',
  in: 'path',
  description: 'The event stream id (404 when the tenant has no such stream).',
  schema: { type: 'string' },
  example: STREAM_ID_EXAMPLE,
};

const eventTypes: JsonSchema = {
  type: 'array',
  minItems: 1,
  uniqueItems: true,
  items: { type: 'string', enum: [...STREAM_EVENT_TYPES] },
  description: 'The changes the stream carries (default: all).',
};
const resourceTypes: JsonSchema = {
  type: 'array',
  minItems: 1,
  uniqueItems: true,
  items: { type: 'string', enum: [...STREAM_RESOURCE_TYPES] },
  description:
    'The resources whose changes it carries: users, departments (SCIM groups), assignments (group members). Default: all.',
};
const form: JsonSchema = {
  type: 'string',
  enum: [...STREAM_FORMS],
  description:
    '`notice`: SETs name the changed attributes (`prov:*:notice`); `full`: they carry the values (`prov:*:full`). Default `notice`.',
};
const endpointUrl: JsonSchema = {
  type: 'string',
  format: 'uri',
  maxLength: ENDPOINT_URL_MAX,
  description:
    'Push only (required there, refused for poll): the receiver. Must be `https` and every address its host resolves to public (not loopback, private, link-local, CGNAT, unique-local, multicast or a metadata address), unless `EVENT_RECEIVER_ALLOWLIST` names the host, address or network (then `http` is allowed too). No user info. Checked again at every connection; redirects are never followed.',
};

const EventStream: JsonSchema = {
  type: 'object',
  description: 'An event stream, its delivery state and its signing key (never the private key).',
  required: [
    'id',
    'tenantId',
    'name',
    'delivery',
    'endpointUrl',
    'pollUrl',
    'eventTypes',
    'resourceTypes',
    'form',
    'status',
    'cursor',
    'lag',
    'attempts',
    'lastError',
    'lastErrorOn',
    'lastDeliveredOn',
    'failingSince',
    'nextAttemptOn',
    'deadLetters',
    'signingKey',
    'createdOn',
    'updatedOn',
  ],
  properties: {
    id: { type: 'string', format: 'uuid' },
    tenantId: { type: 'string' },
    name: { type: 'string' },
    delivery: { type: 'string', enum: [...STREAM_DELIVERIES] },
    endpointUrl: nullable({ type: 'string', description: 'Push: the receiver.' }),
    pollUrl: nullable({ type: 'string', description: 'Poll: where the receiver polls (RFC 8936).' }),
    eventTypes: { type: 'array', items: { type: 'string', enum: [...STREAM_EVENT_TYPES] } },
    resourceTypes: { type: 'array', items: { type: 'string', enum: [...STREAM_RESOURCE_TYPES] } },
    form: { type: 'string', enum: [...STREAM_FORMS] },
    status: { type: 'string', enum: ['active', 'paused'] },
    cursor: seq(
      'Every event of the change feed with seq <= cursor is delivered (acknowledged, filtered out or dead-lettered).',
    ),
    lag: { type: 'integer', minimum: 0, description: "The tenant's last seq minus the cursor." },
    attempts: { type: 'integer', minimum: 0, description: 'Push: failed attempts in a row.' },
    lastError: nullable({ type: 'string', description: "The last failure, or the receiver's last `setErrs`." }),
    lastErrorOn: nullable(dateTime('When.')),
    lastDeliveredOn: nullable(dateTime('When a SET was last delivered (push) or acknowledged (poll).')),
    failingSince: nullable(dateTime('Push: since when delivery fails.')),
    nextAttemptOn: nullable(dateTime('Push: the next attempt after a failure.')),
    deadLetters: { type: 'integer', minimum: 0, description: 'SETs given up on.' },
    signingKey: {
      type: 'object',
      required: ['kid', 'alg', 'jwksUri', 'previousKid'],
      properties: {
        kid: { type: 'string', description: 'The `kid` of the current key (the header of every new SET).' },
        alg: { type: 'string', enum: ['ES256'] },
        jwksUri: { type: 'string', description: "The tenant's JWKS: current and previous public keys." },
        previousKid: nullable({ type: 'string', description: 'The key before the last rotation, still in the JWKS.' }),
      },
    },
    createdOn: dateTime('When it was created.'),
    updatedOn: dateTime('When it last changed.'),
  },
};

const STREAM_EXAMPLE = {
  id: STREAM_ID_EXAMPLE,
  tenantId: 'acme',
  name: 'HR replica',
  delivery: 'poll',
  endpointUrl: null,
  pollUrl: `https://idp.example.com/api/events/streams/${STREAM_ID_EXAMPLE}/poll`,
  eventTypes: [...STREAM_EVENT_TYPES],
  resourceTypes: [...STREAM_RESOURCE_TYPES],
  form: 'notice',
  status: 'active',
  cursor: '1041',
  lag: 3,
  attempts: 0,
  lastError: null,
  lastErrorOn: null,
  lastDeliveredOn: ISO_EXAMPLE,
  failingSince: null,
  nextAttemptOn: null,
  deadLetters: 0,
  signingKey: {
    kid: KID_EXAMPLE,
    alg: 'ES256',
    jwksUri: 'https://idp.example.com/api/events/acme/jwks.json',
    previousKid: null,
  },
  createdOn: ISO_EXAMPLE,
  updatedOn: ISO_EXAMPLE,
};

const Jwk: JsonSchema = {
  type: 'object',
  required: ['kty', 'crv', 'x', 'y', 'kid', 'alg', 'use'],
  properties: {
    kty: { const: 'EC' },
    crv: { const: 'P-256' },
    x: { type: 'string' },
    y: { type: 'string' },
    kid: { type: 'string' },
    alg: { const: 'ES256' },
    use: { const: 'sig' },
  },
};

export const EVENT_STREAM_SCHEMAS: Record<string, JsonSchema> = {
  EventStream,
  EventStreamList: {
    type: 'object',
    description: 'Every event stream of the tenant, oldest first (not paged).',
    required: ['items', 'total'],
    properties: { items: { type: 'array', items: ref('EventStream') }, total: { type: 'integer', minimum: 0 } },
  },
  EventStreamCreateRequest: {
    type: 'object',
    required: ['name', 'delivery'],
    additionalProperties: false,
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 255 },
      delivery: {
        type: 'string',
        enum: [...STREAM_DELIVERIES],
        description: '`push` (RFC 8935) or `poll` (RFC 8936).',
      },
      endpointUrl: nullable(endpointUrl),
      eventTypes,
      resourceTypes,
      form,
      startAfter: {
        type: 'integer',
        minimum: 0,
        description:
          "Where the stream starts: after this seq of the change feed (`0`: every event kept). Default: the tenant's last seq, so the stream carries the changes made from now on.",
      },
    },
  },
  EventStreamUpdateRequest: {
    type: 'object',
    additionalProperties: false,
    description: 'The members to change; the delivery method cannot change (make another stream).',
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 255 },
      endpointUrl: { ...endpointUrl, description: 'Push streams only. ' + String(endpointUrl.description) },
      eventTypes,
      resourceTypes,
      form,
    },
  },
  EventJwks: {
    type: 'object',
    description: 'RFC 7517 JWK Set: the public keys of every event stream of the tenant, current and previous.',
    required: ['keys'],
    properties: { keys: { type: 'array', items: Jwk } },
  },
  EventPollRequest: {
    type: 'object',
    additionalProperties: false,
    description: 'RFC 8936 §2.4; every member is optional, `{}` is a long poll for up to 100 SETs.',
    properties: {
      maxEvents: {
        type: 'integer',
        minimum: 0,
        maximum: POLL_MAX_EVENTS,
        description: `The most SETs to answer (default ${POLL_DEFAULT_EVENTS}); \`0\` acknowledges only.`,
      },
      returnImmediately: {
        type: 'boolean',
        description: '`true`: answer at once; `false` (default): wait up to 25 s for an event (long poll).',
      },
      ack: {
        type: 'array',
        items: { type: 'string', maxLength: 128 },
        maxItems: 10000,
        description: "`jti`s of this stream's SETs the receiver has stored; others are ignored.",
      },
      setErrs: {
        type: 'object',
        description:
          "`jti` -> `{err, description}` (RFC 8935 error codes): SETs the receiver refused; kept as the stream's `lastError`.",
        additionalProperties: {
          type: 'object',
          required: ['err'],
          properties: { err: { type: 'string' }, description: { type: 'string' } },
        },
      },
    },
  },
  EventPollAnswer: {
    type: 'object',
    description: 'RFC 8936 §2.3.',
    required: ['sets', 'moreAvailable'],
    properties: {
      sets: {
        type: 'object',
        description:
          '`jti` -> SET (compact JWS, ES256, `typ` `secevent+jwt`): the events after the cursor not yet acknowledged, in change-feed order; sent again until acknowledged. Event URIs: ' +
          SCIM_EVENT_URIS.map((uri) => `\`${uri}\``).join(', ') +
          '.',
        additionalProperties: { type: 'string' },
      },
      moreAvailable: { type: 'boolean', description: 'More unacknowledged SETs wait beyond `maxEvents`.' },
    },
  },
};

const streamAnswer = (description: string) =>
  jsonAnswer(description, ref('EventStream'), { poll: { value: STREAM_EXAMPLE } });
const streamMissing = notFound('No tenant has this id, or the tenant has no event stream with this id.');

export const CREATE_EVENT_STREAM: OperationDoc = {
  id: 'createEventStream',
  summary: 'Create an event stream',
  description: `Registers a receiver of the tenant's changes as signed SCIM events (RFC 9967 SETs), pushed to \`endpointUrl\` (RFC 8935) or polled at \`pollUrl\` (RFC 8936). A new ES256 key signs its SETs; its public half is in \`signingKey.jwksUri\`. ${OPERATORS_ONLY}`,
  requestBody: {
    description: 'The stream.',
    required: true,
    content: {
      [MEDIA_JSON]: {
        schema: ref('EventStreamCreateRequest'),
        examples: {
          poll: { value: { name: 'HR replica', delivery: 'poll' } },
          push: {
            value: {
              name: 'Audit',
              delivery: 'push',
              endpointUrl: 'https://hooks.example.com/scim-events',
              eventTypes: ['create', 'delete'],
              resourceTypes: ['user'],
              form: 'full',
            },
          },
        },
      },
    },
  },
  responses: {
    '201': streamAnswer('The stream, created.'),
    '404': notFound('No tenant has this id.'),
  },
};

export const LIST_EVENT_STREAMS: OperationDoc = {
  id: 'listEventStreams',
  summary: 'List event streams',
  description: `Every event stream of the tenant with its delivery state. ${OPERATORS_ONLY}`,
  responses: {
    '200': jsonAnswer('The streams.', ref('EventStreamList'), {
      one: { value: { items: [STREAM_EXAMPLE], total: 1 } },
    }),
    '404': notFound('No tenant has this id.'),
  },
};

export const GET_EVENT_STREAM: OperationDoc = {
  id: 'getEventStream',
  summary: 'Read an event stream',
  description: `One event stream: filters, cursor and lag, errors, dead letters, signing key. ${OPERATORS_ONLY}`,
  parameters: [STREAM_ID_PARAMETER],
  responses: { '200': streamAnswer('The stream.'), '404': streamMissing },
};

export const UPDATE_EVENT_STREAM: OperationDoc = {
  id: 'updateEventStream',
  summary: 'Change an event stream',
  description: `Changes the name, the push endpoint or the filters; later SETs follow them. ${OPERATORS_ONLY}`,
  parameters: [STREAM_ID_PARAMETER],
  requestBody: {
    description: 'The members to change.',
    required: true,
    content: {
      [MEDIA_JSON]: {
        schema: ref('EventStreamUpdateRequest'),
        examples: { full: { value: { form: 'full', eventTypes: ['create', 'patch'] } } },
      },
    },
  },
  responses: { '200': streamAnswer('The stream as it is now.'), '404': streamMissing },
};

export const DELETE_EVENT_STREAM: OperationDoc = {
  id: 'deleteEventStream',
  summary: 'Delete an event stream',
  description: `Stops the stream and forgets it, its dead letters and its keys (they leave the JWKS). ${OPERATORS_ONLY}`,
  parameters: [STREAM_ID_PARAMETER],
  responses: { '204': { description: 'Deleted.' }, '404': streamMissing },
};

export const ROTATE_EVENT_STREAM_KEY: OperationDoc = {
  id: 'rotateEventStreamKey',
  summary: "Rotate an event stream's signing key",
  description: `New SETs are signed with a new key; the previous key stays in the JWKS (until the next rotation) so SETs already sent still verify. ${OPERATORS_ONLY}`,
  parameters: [STREAM_ID_PARAMETER],
  responses: {
    '201': streamAnswer('The stream with its new key (`signingKey.previousKid` is the old one).'),
    '404': streamMissing,
  },
};

export const GET_EVENT_JWKS: OperationDoc = {
  id: 'getEventJwks',
  summary: "A tenant's SET verification keys",
  description:
    "The JWK Set of the tenant's event streams: each stream's current key and the one before its last rotation (`kid` is in every SET's header). Public: no credentials. An unknown tenant has no keys.",
  parameters: [
    { name: 'tenantId', in: 'path', description: 'The tenant id.', schema: { type: 'string' }, example: 'acme' },
  ],
  responses: {
    '200': {
      description: 'The keys.',
      content: {
        [MEDIA_JSON]: {
          schema: ref('EventJwks'),
          examples: {
            one: {
              value: {
                keys: [
                  {
                    kty: 'EC',
                    crv: 'P-256',
                    x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
                    y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
                    kid: KID_EXAMPLE,
                    alg: 'ES256',
                    use: 'sig',
                  },
                ],
              },
            },
          },
        },
      },
    },
    '404': WORKER_NOT_FOUND,
  },
};

export const POLL_EVENT_STREAM: OperationDoc = {
  id: 'pollEventStream',
  summary: 'Poll a stream for SETs (RFC 8936)',
  description:
    "For a receiver of a poll stream, with an API token of the stream's tenant (`PROVISIONING_SEARCH`). Acknowledges `ack`, records `setErrs`, then answers the SETs not yet acknowledged, oldest first; with `returnImmediately: false` (the default) it waits up to 25 s for one. A push stream answers 409.",
  parameters: [STREAM_ID_PARAMETER],
  requestBody: {
    description: 'The poll.',
    required: false,
    content: {
      [MEDIA_JSON]: {
        schema: ref('EventPollRequest'),
        examples: {
          poll: { value: { returnImmediately: true } },
          ackAndPoll: { value: { ack: ['4d3559ec67504aaba65d40b0363faad8.6f1c2d3e4b5a'], maxEvents: 50 } },
        },
      },
    },
  },
  responses: {
    '200': {
      description: 'SETs, or none.',
      content: {
        [MEDIA_JSON]: {
          schema: ref('EventPollAnswer'),
          examples: { none: { value: { sets: {}, moreAvailable: false } } },
        },
      },
    },
    '404': notFound("The tenant has no event stream with this id (another tenant's answers the same)."),
    '409': {
      description: 'A push stream: its SETs are pushed, it cannot be polled.',
      content: { [MEDIA_JSON]: { schema: ref('ProvisioningError') } },
    },
  },
};
