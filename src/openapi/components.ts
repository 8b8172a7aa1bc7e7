import type { Header, JsonSchema, Ref, Response, Responses, SecurityRequirement } from './openapi.types';

/** What each credential really is (CONTRACT.md, "Tenancy and credentials"). */
export const SECURITY_SCHEMES = {
  authTenantId: {
    type: 'apiKey',
    in: 'header',
    name: 'auth-tenant-id',
    description: 'The id of the tenant the `auth-token` belongs to. Always sent together with `auth-token`.',
  },
  authToken: {
    type: 'apiKey',
    in: 'header',
    name: 'auth-token',
    description:
      'An API token of the tenant named by `auth-tenant-id`: an opaque random secret (not a JWT), issued by an operator with the roles `PROVISIONING_UPDATE` and/or `PROVISIONING_SEARCH`.',
  },
  scimBearer: {
    type: 'http',
    scheme: 'bearer',
    description:
      'The tenant\'s SCIM shared secret, an opaque random string (not a JWT), as an identity provider\'s "Secret token".',
  },
  oauthClientCredentials: {
    type: 'oauth2',
    description:
      'OAuth 2.0 client credentials (RFC 6749 §4.4). `POST /oauth/token` exchanges a client id and secret for an HS256 JWT valid one hour, carrying the roles of the client (`SCIM` for the SCIM routes, `ADMIN` for the admin API).',
    flows: { clientCredentials: { tokenUrl: '/oauth/token', scopes: {} } },
  },
  adminBearer: {
    type: 'http',
    scheme: 'bearer',
    description: 'An operator token: an opaque random secret (not a JWT) holding the `ADMIN` role.',
  },
  metricsBearer: {
    type: 'http',
    scheme: 'bearer',
    description:
      'The `METRICS_TOKEN` of the deployment, an opaque random secret (not a JWT) for the Prometheus server; it grants nothing else.',
  },
  partnerJwt: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      "A JWT the partner signs with HS256 under the tenant's partner secret. Claims: `orgCode` (the tenant's org code, equal to every `users[].orgCode`) and `exp` (required).",
  },
} as const;

type Scheme = keyof typeof SECURITY_SCHEMES;
const requirement = (...schemes: Scheme[]): SecurityRequirement =>
  Object.fromEntries(schemes.map((scheme) => [scheme, []]));

/** The accepted credentials of each door; each array entry is one alternative. */
export const SECURITY = {
  provisioning: [requirement('authTenantId', 'authToken')],
  scim: [requirement('scimBearer'), requirement('oauthClientCredentials')],
  admin: [requirement('adminBearer'), requirement('oauthClientCredentials')],
  partner: [requirement('partnerJwt')],
  metrics: [requirement('metricsBearer')],
  public: [],
} satisfies Record<string, SecurityRequirement[]>;

export const MEDIA_JSON = 'application/json';
export const MEDIA_SCIM = 'application/scim+json';
/** The Prometheus text exposition format. */
export const MEDIA_PROMETHEUS = 'text/plain; version=0.0.4';

export const ref = (name: string): Ref => ({ $ref: `#/components/schemas/${name}` });

/**
 * An array the service checks item by item (provisioning items, partner users): an item its schema
 * calls invalid is not a refused request but a failed item, reported in the answer. `items` says
 * what a valid item is (what typed clients send); a validator of accepted requests checks the
 * array itself where `x-invalid-items` is set, not each item.
 */
export const INVALID_ITEMS = 'x-invalid-items';

export function checkedPerItem(array: JsonSchema): JsonSchema {
  return {
    ...array,
    [INVALID_ITEMS]:
      'An item that does not match `items` is not refused with the request: it is recorded as a failed item, and the answer says why.',
  };
}

/** `type: [T, 'null']`: how OpenAPI 3.1 (JSON Schema 2020-12) says a value may be null. */
export function nullable(schema: JsonSchema): JsonSchema {
  const type = schema.type;
  if (typeof type === 'string') return { ...schema, type: [type, 'null'] };
  return { anyOf: [schema, { type: 'null' }] };
}

const errorDetail: JsonSchema = {
  type: 'object',
  required: ['code', 'type', 'paths', 'field', 'message', 'messages'],
  properties: {
    code: { type: 'string', description: 'A stable error code: `VALIDATION`, `NOT_FOUND`, `DUPLICATE`...' },
    type: { type: 'string', description: 'The same as `code` (seed 004 reads `type`).' },
    paths: { type: 'array', items: { type: 'string' }, description: 'Where in the request, as a dotted path.' },
    field: { type: 'array', items: { type: 'string' }, description: 'The field names concerned.' },
    message: { type: 'string' },
    messages: {
      type: 'array',
      items: {
        type: 'object',
        required: ['locale', 'message', 'key'],
        properties: { locale: { type: 'string' }, message: { type: 'string' }, key: { type: 'string' } },
      },
    },
  },
};

/** The error bodies of each door, as `src/common/error-envelope.ts` writes them. */
export const ERROR_SCHEMAS: Record<string, JsonSchema> = {
  ProvisioningError: {
    type: 'object',
    description:
      'The error envelope of the provisioning, jobs and admin APIs: a superset of what the clients of seeds 001 and 004 read.',
    required: ['status', 'message', 'error', 'errors'],
    properties: {
      status: { const: false },
      message: { type: 'string', description: 'What failed, in general terms.' },
      error: { type: 'string', description: 'Why, in one sentence.' },
      errors: { type: 'array', items: errorDetail },
      correlationId: { type: 'string', description: 'Also in the `x-correlation-id` answer header.' },
    },
  },
  PartnerError: {
    type: 'object',
    description: "Seed 002's error shape for partner sync.",
    required: ['success', 'error'],
    additionalProperties: false,
    properties: { success: { const: false }, error: { type: 'string' } },
  },
  ScimError: {
    type: 'object',
    description: 'RFC 7644 §3.12 error response.',
    required: ['schemas', 'status'],
    properties: {
      schemas: { type: 'array', items: { const: 'urn:ietf:params:scim:api:messages:2.0:Error' }, minItems: 1 },
      status: { type: 'string', description: 'The HTTP status code, as a string.', pattern: '^[1-5][0-9][0-9]$' },
      scimType: {
        type: 'string',
        description: 'RFC 7644 Table 9 detail error keyword (`invalidFilter`, `uniqueness`, `tooMany`...).',
      },
      detail: { type: 'string' },
    },
  },
  OAuthError: {
    type: 'object',
    description: 'RFC 6749 §5.2 error response.',
    required: ['error'],
    properties: {
      error: { type: 'string', enum: ['invalid_request', 'invalid_client', 'unsupported_grant_type', 'slow_down'] },
      error_description: { type: 'string' },
    },
  },
};

export const HEADERS: Record<string, Header> = {
  RetryAfter: {
    description: 'Whole seconds to wait before trying again (RFC 9110 §10.2.3).',
    required: true,
    schema: { type: 'string', pattern: '^[0-9]+$' },
  },
  ScimWwwAuthenticate: {
    description: 'The challenge: `Bearer realm="SCIM"`.',
    required: true,
    schema: { type: 'string' },
  },
};

export type Door = 'provisioning' | 'scim' | 'partner' | 'oauth';
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 412 | 413 | 415 | 429 | 500 | 503;

const DOOR: Record<Door, { prefix: string; schema: string; media: string }> = {
  provisioning: { prefix: 'Provisioning', schema: 'ProvisioningError', media: MEDIA_JSON },
  scim: { prefix: 'Scim', schema: 'ScimError', media: MEDIA_SCIM },
  partner: { prefix: 'Partner', schema: 'PartnerError', media: MEDIA_JSON },
  oauth: { prefix: 'OAuth', schema: 'OAuthError', media: MEDIA_JSON },
};

const STATUS: Record<ErrorStatus, { name: string; description: string }> = {
  400: { name: 'BadRequest', description: 'The request is malformed or a value is invalid.' },
  401: { name: 'Unauthorized', description: 'No credentials, or credentials that are not valid.' },
  403: { name: 'Forbidden', description: 'The credentials are valid but lack a role this route needs.' },
  404: {
    name: 'NotFound',
    description: "No such resource in the caller's tenant (another tenant's id answers the same).",
  },
  409: {
    name: 'Conflict',
    description: 'The request conflicts with the current state (a taken unique value, a closed transaction).',
  },
  412: { name: 'PreconditionFailed', description: '`If-Match` names a version that is no longer current.' },
  413: {
    name: 'PayloadTooLarge',
    description: 'The body is larger than `BODY_LIMIT`, or the request asks for more work than one request may do.',
  },
  415: {
    name: 'UnsupportedMediaType',
    description: 'The body is not JSON (`application/json` or `application/scim+json`).',
  },
  429: {
    name: 'TooManyRequests',
    description:
      'A rate limit of this credential, or the tenant fair share, was reached; retry after `Retry-After` seconds.',
  },
  500: { name: 'InternalError', description: 'An unexpected failure; the body carries nothing internal.' },
  503: {
    name: 'Unavailable',
    description: 'PostgreSQL cannot be reached right now, or the service is stopping; retry later.',
  },
};

const responseName = (door: Door, status: ErrorStatus) => `${DOOR[door].prefix}${STATUS[status].name}`;

function errorResponse(door: Door, status: ErrorStatus): Response {
  const headers: Record<string, Ref> = {};
  if (status === 429) headers['Retry-After'] = { $ref: '#/components/headers/RetryAfter' };
  if (status === 401 && door === 'scim')
    headers['WWW-Authenticate'] = { $ref: '#/components/headers/ScimWwwAuthenticate' };
  return {
    description: STATUS[status].description,
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    content: { [DOOR[door].media]: { schema: ref(DOOR[door].schema) } },
  };
}

/** Every door's error answers, as `components.responses`; operations refer to them by `errors()`. */
export function errorResponseComponents(): Record<string, Response> {
  const components: Record<string, Response> = {};
  for (const door of Object.keys(DOOR) as Door[]) {
    for (const status of Object.keys(STATUS).map(Number) as ErrorStatus[]) {
      components[responseName(door, status)] = errorResponse(door, status);
    }
  }
  return components;
}

/**
 * Every GET can answer 304: Express tags each answer with an ETag and answers 304, without a body,
 * to an `If-None-Match` naming it (`*` included).
 */
export const NOT_MODIFIED: Response = {
  description: '`If-None-Match` names the ETag of the current answer: nothing has changed, and there is no body.',
};
export const NOT_MODIFIED_REF: Ref = { $ref: '#/components/responses/NotModified' };

/** The error answers an operation can give, in its door's format: `errors('scim', 400, 401, 404)`. */
export function errors(door: Door, ...statuses: ErrorStatus[]): Responses {
  return Object.fromEntries(
    statuses.map((status) => [String(status), { $ref: `#/components/responses/${responseName(door, status)}` }]),
  );
}
