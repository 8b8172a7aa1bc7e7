import {
  adminPageSchema,
  jsonAnswer,
  notFound,
  OPERATORS_ONLY,
  PAGE_PARAMETERS,
  RATE_LIMIT_HEADERS,
  WORKER_NOT_FOUND,
} from '../admin/admin.openapi';
import { AUTH_FAILURES } from '../auth/auth-failure';
import { nullable, ref } from '../openapi/components';
import type { OperationDoc } from '../openapi/openapi.decorators';
import type { JsonSchema, Parameter } from '../openapi/openapi.types';
import { SEARCHED_BODY_CHARS } from './capture';
import { MIN_SEARCH_LENGTH } from './dto/request-logs.query';
import { STREAM_KEEPALIVE_MS } from './request-log.stream';
import { COUNT_BUDGET_MS, COUNT_CAP } from './request-logs.service';

const LOG_ID = '8b2f6c1e-3d4a-4e5b-9c7d-1f0a2b3c4d5e';

const summaryExample = {
  id: LOG_ID,
  time: '2026-12-01T12:34:56.000Z',
  method: 'POST',
  path: '/scim/v2/Users',
  status: 201,
  durationMs: 75,
  tenantId: 'acme',
  credentialId: '3f1c2a9e-6b7d-4c1e-9a52-8d0e4b7f1a23',
  credentialName: 'Microsoft Entra ID',
  tenantName: 'Acme Ltd',
  correlationId: 'f0e1d2c3-b4a5-4968-8776-655443322110',
  identifier: 'alice@example.com',
  errorMessage: null,
  authFailure: null,
  clientAddress: '203.0.113.7',
  admin: false,
  keepalive: false,
};

const conflictExample = {
  ...summaryExample,
  id: '0c9d8e7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f',
  time: '2026-12-01T12:35:10.000Z',
  status: 409,
  durationMs: 12,
  correlationId: 'trace-409',
  errorMessage: 'User with userName alice@example.com already exists',
};

const detailExample = {
  ...summaryExample,
  requestHeaders: {
    'content-type': 'application/scim+json',
    authorization: 'Bearer [REDACTED]',
    'x-request-id': 'f0e1d2c3-b4a5-4968-8776-655443322110',
  },
  requestBody:
    '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"alice@example.com","externalId":"7b39e58e-0000-4000-8000-000000000001","displayName":"Alice Example","password":"[REDACTED]"}',
  requestBodyTruncated: false,
  responseHeaders: {
    'content-type': 'application/scim+json; charset=utf-8',
    location: 'https://idp.example.com/scim/v2/Users/2819c223-7f76-453a-919d-413861904646',
  },
  responseBody:
    '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"2819c223-7f76-453a-919d-413861904646","userName":"alice@example.com","active":true}',
  responseBodyTruncated: false,
  detailsOmitted: false,
  related: { transactionId: null, jobId: null },
};

const SUMMARY_PROPERTIES: Record<string, JsonSchema> = {
  id: { type: 'string', format: 'uuid', description: 'The row id.' },
  time: { type: 'string', format: 'date-time', description: 'When the request arrived.' },
  method: { type: 'string', description: 'The HTTP method.' },
  path: {
    type: 'string',
    description: 'Path and query string as sent, secret-looking parameters masked (`[REDACTED]`).',
  },
  status: { type: 'integer', description: 'The status answered.' },
  durationMs: { type: 'integer', minimum: 0, description: 'How long the answer took, in milliseconds.' },
  tenantId: nullable({ type: 'string', description: "The caller's tenant; null when not authenticated." }),
  credentialId: nullable({ type: 'string', description: "The caller's credential id; null when not authenticated." }),
  credentialName: nullable({
    type: 'string',
    description: "The caller's credential's name; null when not authenticated (or the credential is gone).",
  }),
  tenantName: nullable({ type: 'string', description: "The caller's tenant's name; null when not authenticated." }),
  correlationId: nullable({ type: 'string', description: 'The `X-Request-Id` of the exchange.' }),
  identifier: nullable({
    type: 'string',
    description:
      'Who or what the request was about: the userName, email, displayName, name or externalId of its body (for a batch, its first item and how many more).',
  }),
  errorMessage: nullable({ type: 'string', description: "An error answer's message; null for a success." }),
  authFailure: nullable({
    type: 'string',
    enum: [...AUTH_FAILURES, null],
    description:
      "Why the request was refused authentication or authorisation, which the caller's generic 401 or 403 does not say: `missing_credentials`, `malformed_header` (not `Bearer`), `unknown_credential` (no active credential has that secret), `malformed_token`, `bad_signature`, `token_expired`, `invalid_claims` (issuer, algorithm, a partner token's lifetime), `revoked_credential` (a JWT whose credential was revoked), `wrong_tenant`, `insufficient_role`, `unknown_org` (partner org code), `org_code_mismatch` (a partner user of another org), `unknown_client`, `bad_client_secret` (`/oauth/token`). Null when not refused.",
  }),
  clientAddress: nullable({
    type: 'string',
    description:
      "The caller's IP address: the connection's, or the client's in `X-Forwarded-For` when the connection comes from a proxy named by `TRUST_PROXY`.",
  }),
  admin: { type: 'boolean', description: 'A request to the admin API itself.' },
  keepalive: {
    type: 'boolean',
    description: 'Entra ID\'s connectivity probe (`GET /Users?filter=userName eq "<random GUID>"`).',
  },
};

const SUMMARY_REQUIRED = Object.keys(SUMMARY_PROPERTIES);

const headerMap = (description: string): JsonSchema => ({
  type: 'object',
  description,
  additionalProperties: { type: 'string' },
});

/** Component schemas this module's operations refer to. */
export const REQUEST_LOG_SCHEMAS: Record<string, JsonSchema> = {
  RequestLogSummary: {
    type: 'object',
    description: 'A logged request, without its headers and bodies: a list item and a stream event.',
    required: SUMMARY_REQUIRED,
    properties: SUMMARY_PROPERTIES,
    examples: [summaryExample],
  },
  RequestLogDetail: {
    type: 'object',
    description:
      'A logged request in full. Secrets were masked (`[REDACTED]`) before the row was written: the `authorization`, `auth-token` and cookie headers (the scheme is kept: `Bearer [REDACTED]`), query-string tokens, form bodies, and body values under secret-looking keys or SCIM paths. Bodies are text, to show as text, never as markup.',
    required: [
      ...SUMMARY_REQUIRED,
      'requestHeaders',
      'requestBody',
      'requestBodyTruncated',
      'responseHeaders',
      'responseBody',
      'responseBodyTruncated',
      'detailsOmitted',
      'related',
    ],
    properties: {
      ...SUMMARY_PROPERTIES,
      requestHeaders: headerMap('The request headers by lower-case name, masked.'),
      requestBody: nullable({
        type: 'string',
        description: 'The request body as text, masked and cut to the body budget; null when none or not text.',
      }),
      requestBodyTruncated: { type: 'boolean', description: 'Whether `requestBody` is only the start of the body.' },
      responseHeaders: headerMap('The answer headers by lower-case name, masked.'),
      responseBody: nullable({
        type: 'string',
        description: 'The answer body as text, masked and cut to the body budget; null when none or not text.',
      }),
      responseBodyTruncated: { type: 'boolean', description: 'Whether `responseBody` is only the start of the body.' },
      detailsOmitted: {
        type: 'boolean',
        description:
          'The full row could not be stored, so it was written without its bodies (or also without headers and identifier).',
      },
      related: {
        type: 'object',
        description: 'The records this request concerns, to open next.',
        required: ['transactionId', 'jobId'],
        properties: {
          transactionId: nullable({
            type: 'string',
            format: 'uuid',
            description:
              'A provisioning transaction its path names (queue, commit, status, rollback), else the one its checkpoint opened; null when none (or it is gone).',
          }),
          jobId: nullable({
            type: 'string',
            format: 'uuid',
            description:
              "A job its path names, else the job it queued (same correlation id), else the named transaction's commit job; null when none.",
          }),
        },
      },
    },
    examples: [detailExample],
  },
  RequestLogPage: {
    allOf: [
      adminPageSchema('A page of logged requests, newest first.', ref('RequestLogSummary')),
      {
        type: 'object',
        required: ['totalIsLowerBound'],
        properties: {
          totalIsLowerBound: {
            type: 'boolean',
            description: `True when more rows match than were counted (counting stops at ${COUNT_CAP.toLocaleString('en-GB')} rows or after ${COUNT_BUDGET_MS} ms): \`total\` then means "at least".`,
          },
        },
      },
    ],
  },
  RequestLogStats: {
    type: 'object',
    description: 'The state of the request log.',
    required: ['rows', 'rowsEstimated', 'buffered', 'dropped', 'detailsOmitted', 'oldest'],
    properties: {
      rows: { type: 'integer', minimum: 0, description: 'Rows stored.' },
      rowsEstimated: {
        type: 'boolean',
        description: "True when counting took too long and `rows` is PostgreSQL's estimate.",
      },
      buffered: { type: 'integer', minimum: 0, description: 'Rows waiting in this instance to be written.' },
      dropped: { type: 'integer', minimum: 0, description: 'Rows this instance dropped (its buffer was full).' },
      detailsOmitted: {
        type: 'integer',
        minimum: 0,
        description: 'Rows this instance wrote without their details because the full row was refused.',
      },
      oldest: nullable({ type: 'string', format: 'date-time', description: 'The oldest request stored; null: none.' }),
    },
    examples: [
      {
        rows: 18234,
        rowsEstimated: false,
        buffered: 3,
        dropped: 0,
        detailsOmitted: 0,
        oldest: '2026-11-07T00:00:04.000Z',
      },
    ],
  },
  RequestLogsDeleted: {
    type: 'object',
    description: 'How many rows were deleted.',
    required: ['deleted'],
    properties: { deleted: { type: 'integer', minimum: 0, description: 'Rows deleted.' } },
    examples: [{ deleted: 1204 }],
  },
};

// ---------------------------------------------------------------------------------------------
// Parameters

const ISO_INSTANT = 'ISO 8601, such as `2026-12-01T00:00:00Z`';

/** The filters of `GET /api/admin/logs` and of its stream (`RequestLogFiltersQuery`). */
const FILTER_PARAMETERS: Parameter[] = [
  {
    name: 'method',
    in: 'query',
    description: 'Only requests with this HTTP method (any case).',
    schema: { type: 'string', pattern: '^[A-Za-z]{1,16}$' },
    example: 'POST',
  },
  {
    name: 'status',
    in: 'query',
    description: 'Only requests answered with this status (`404`) or status class (`4xx`).',
    schema: { type: 'string', pattern: '^[1-5]([0-9]{2}|[xX]{2})$' },
    example: '4xx',
  },
  {
    name: 'hasError',
    in: 'query',
    description: '`true`: only requests answered with an error message; `false`: only those without.',
    schema: { type: 'boolean' },
    example: true,
  },
  {
    name: 'authFailure',
    in: 'query',
    description:
      'Only requests refused for this reason (see `RequestLogSummary.authFailure`); `any`: refused for any reason.',
    schema: { type: 'string', enum: [...AUTH_FAILURES, 'any'] },
    example: 'token_expired',
  },
  {
    name: 'path',
    in: 'query',
    description: 'Only requests whose path and query string contain this text, ignoring case.',
    schema: { type: 'string', minLength: 1, maxLength: 500 },
    example: '/scim/v2/Users',
  },
  {
    name: 'search',
    in: 'query',
    description: `Only requests where this text (${MIN_SEARCH_LENGTH} to 500 characters, ignoring case) appears in the path and query, the identifier, the correlation id, or the first ${SEARCHED_BODY_CHARS.toLocaleString('en-GB')} characters of either body.`,
    schema: { type: 'string', minLength: MIN_SEARCH_LENGTH, maxLength: 500 },
    example: 'alice@example.com',
  },
  {
    name: 'since',
    in: 'query',
    description: `Only requests at or after this instant (${ISO_INSTANT}).`,
    schema: { type: 'string' },
    example: '2026-12-01T00:00:00Z',
  },
  {
    name: 'until',
    in: 'query',
    description: `Only requests before this instant (${ISO_INSTANT}).`,
    schema: { type: 'string' },
    example: '2026-12-02T00:00:00Z',
  },
  {
    name: 'tenant',
    in: 'query',
    description: "Only requests of this tenant's credentials (its id, exactly).",
    schema: { type: 'string', minLength: 1, maxLength: 64 },
    example: 'acme',
  },
  {
    name: 'correlationId',
    in: 'query',
    description:
      "Only the request with this correlation id (its `X-Request-Id`, given or made), and the admin requests or job log lines' request that share it.",
    schema: { type: 'string', minLength: 1, maxLength: 128 },
    example: 'c0ffee00-1234-4abc-9def-0123456789ab',
  },
  {
    name: 'includeAdmin',
    in: 'query',
    description: 'Also show requests to the admin API itself (hidden by default).',
    schema: { type: 'boolean', default: false },
    example: false,
  },
  {
    name: 'hideKeepalive',
    in: 'query',
    description: 'Hide Entra ID\'s connectivity probe (`GET /Users?filter=userName eq "<random GUID>"`).',
    schema: { type: 'boolean', default: false },
    example: true,
  },
];

// ---------------------------------------------------------------------------------------------
// Operations

export const LIST_REQUEST_LOGS: OperationDoc = {
  id: 'listRequestLogs',
  summary: 'List logged requests',
  description: `Requests to the service, newest first, filtered and paged, without headers and bodies (\`getRequestLog\` shows one in full). Requests to \`/health\`, \`/api/docs\` and the operator page are never logged; the admin API's own only with \`includeAdmin=true\`. Counting stops at ${COUNT_CAP.toLocaleString('en-GB')} rows or ${COUNT_BUDGET_MS} ms: past that, \`total\` is a lower bound and \`totalIsLowerBound\` says so. ${OPERATORS_ONLY}`,
  parameters: [...PAGE_PARAMETERS, ...FILTER_PARAMETERS],
  responses: {
    '200': jsonAnswer('A page of logged requests.', ref('RequestLogPage'), {
      two: {
        value: {
          total: 2,
          page: 1,
          pageSize: 50,
          items: [conflictExample, summaryExample],
          hasNext: false,
          totalIsLowerBound: false,
        },
      },
    }),
    '404': WORKER_NOT_FOUND,
  },
};

export const STREAM_REQUEST_LOGS: OperationDoc = {
  id: 'streamRequestLogs',
  summary: 'Follow new requests live (Server-Sent Events)',
  description: `Server-Sent Events: the stream opens with the comment \`: connected\`, then sends one \`log\` event per new request matching the filters (those of \`listRequestLogs\`, without paging), its \`data\` a \`RequestLogSummary\` as JSON. A \`: keepalive\` comment comes after ${STREAM_KEEPALIVE_MS / 1000} s without events. It shows the requests of every instance (it reads PostgreSQL), and ends when the client goes away or the service stops. Refusals (401, 403, 400 for a bad filter, 429) come before the stream opens, as JSON. ${OPERATORS_ONLY}`,
  parameters: FILTER_PARAMETERS,
  responses: {
    '200': {
      description: 'The event stream, open until the client goes away or the service stops.',
      headers: {
        ...RATE_LIMIT_HEADERS,
        'Cache-Control': { description: '`no-cache, no-transform`.', schema: { type: 'string' } },
        'X-Accel-Buffering': { description: '`no`: proxies pass events on at once.', schema: { type: 'string' } },
      },
      content: {
        'text/event-stream': {
          schema: {
            type: 'string',
            description:
              'text/event-stream (HTML Living Standard, server-sent events): `event: log` with `data:` one RequestLogSummary as JSON per event; comment lines (`: connected`, `: keepalive`) between.',
          },
          examples: {
            events: {
              summary: 'The start of a stream with one request',
              value: `: connected\n\nevent: log\ndata: ${JSON.stringify(summaryExample)}\n\n: keepalive\n\n`,
            },
          },
        },
      },
    },
    '404': WORKER_NOT_FOUND,
  },
};

export const GET_REQUEST_LOG_STATS: OperationDoc = {
  id: 'getRequestLogStats',
  summary: 'Request log statistics',
  description: `Rows stored, rows waiting in this instance's buffer, rows it dropped or wrote without details, and the oldest request stored. Counting takes at most half a second; past it \`rows\` is PostgreSQL's estimate. ${OPERATORS_ONLY}`,
  responses: {
    '200': jsonAnswer('The statistics.', ref('RequestLogStats'), {
      stats: {
        value: {
          rows: 18234,
          rowsEstimated: false,
          buffered: 3,
          dropped: 0,
          detailsOmitted: 0,
          oldest: '2026-11-07T00:00:04.000Z',
        },
      },
    }),
    '404': WORKER_NOT_FOUND,
  },
};

export const GET_REQUEST_LOG: OperationDoc = {
  id: 'getRequestLog',
  summary: 'Get one logged request in full',
  description: `One request with its headers and bodies as stored: secrets masked before the row was written, bodies as text (show them as text, never as markup). ${OPERATORS_ONLY}`,
  parameters: [
    {
      name: 'id',
      in: 'path',
      description: 'The row id, as listed (any other string answers 404).',
      schema: { type: 'string' },
      example: LOG_ID,
    },
  ],
  responses: {
    '200': jsonAnswer('The request in full.', ref('RequestLogDetail'), { created: { value: detailExample } }),
    '404': notFound('No logged request has this id (or it was deleted).'),
  },
};

export const CLEAR_REQUEST_LOGS: OperationDoc = {
  id: 'clearRequestLogs',
  summary: 'Delete logged requests',
  description: `Deletes every logged request, or those before \`before\` (in batches, so writers are not held up). Retention deletes rows older than \`REQUEST_LOG_RETENTION_DAYS\` (default 30) by itself. ${OPERATORS_ONLY}`,
  parameters: [
    {
      name: 'before',
      in: 'query',
      description: `Delete only the requests before this instant (${ISO_INSTANT}); absent: delete all.`,
      schema: { type: 'string' },
      example: '2026-11-01T00:00:00Z',
    },
  ],
  responses: {
    '200': jsonAnswer('How many rows were deleted.', ref('RequestLogsDeleted'), {
      deleted: { value: { deleted: 1204 } },
    }),
    '404': WORKER_NOT_FOUND,
  },
};
