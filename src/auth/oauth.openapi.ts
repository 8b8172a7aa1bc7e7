// `POST /oauth/token`: OAuth 2.0 client credentials (RFC 6749 §4.4).
import { MEDIA_JSON } from '../openapi/components';
import type { OperationDoc } from '../openapi/openapi.decorators';
import type { Header, JsonSchema, Response } from '../openapi/openapi.types';

const MEDIA_FORM = 'application/x-www-form-urlencoded';

const OAuthTokenRequest: JsonSchema = {
  type: 'object',
  description:
    'RFC 6749 §4.4.2. The client authenticates either with `client_id` and `client_secret` here, or with HTTP Basic (`Authorization: Basic base64(client_id:client_secret)`, RFC 6749 §2.3.1); Basic wins when both are sent.',
  required: ['grant_type'],
  properties: {
    grant_type: { const: 'client_credentials', description: 'The only grant supported.' },
    client_id: { type: 'string', description: 'The OAuth client id (when not sent with HTTP Basic).' },
    client_secret: {
      type: 'string',
      description: 'The client secret, shown once when the credential was issued (when not sent with HTTP Basic).',
    },
    scope: {
      type: 'string',
      description: 'Ignored: the token carries the roles of the client, whatever is asked.',
    },
  },
};

const OAuthToken: JsonSchema = {
  type: 'object',
  description: 'RFC 6749 §5.1.',
  required: ['access_token', 'token_type', 'expires_in', 'scope'],
  properties: {
    access_token: {
      type: 'string',
      description:
        'An HS256 JWT carrying the tenant, the roles and the issuing credential; send it as `Authorization: Bearer`. It stops working at once if the client credential is revoked.',
    },
    token_type: { const: 'Bearer' },
    expires_in: { type: 'integer', description: 'Seconds the token is valid: 3600.', minimum: 1 },
    scope: {
      type: 'string',
      description: 'The roles the token carries, space-separated (`SCIM`, `ADMIN`).',
    },
  },
};

/** Component schemas this module's operations refer to. */
export const OAUTH_SCHEMAS: Record<string, JsonSchema> = { OAuthTokenRequest, OAuthToken };

const NO_STORE: Record<string, Header> = {
  'Cache-Control': {
    description: '`no-store` (RFC 6749 §5.1): the answer must not be cached.',
    required: true,
    schema: { const: 'no-store' },
  },
};

const oauthError = (
  description: string,
  examples: Record<string, { summary: string; error: string; description: string }>,
  headers: Record<string, Header | { $ref: string }> = {},
): Response => ({
  description,
  headers: { ...NO_STORE, ...headers },
  content: {
    [MEDIA_JSON]: {
      schema: { $ref: '#/components/schemas/OAuthError' },
      examples: Object.fromEntries(
        Object.entries(examples).map(([name, { summary, error, description: text }]) => [
          name,
          { summary, value: { error, error_description: text } },
        ]),
      ),
    },
  },
});

const CLIENT = 'entra-connector';
const SECRET = 'k7Qm2vX9pL4sT8wZ1nR6yB3cF5hJ0dG';

export const ISSUE_OAUTH_TOKEN: OperationDoc = {
  id: 'issueOAuthToken',
  summary: 'Exchange client credentials for an access token',
  description: `OAuth 2.0 client credentials grant (RFC 6749 §4.4): an OAuth client of a tenant exchanges its id and secret for a one-hour HS256 JWT carrying the client's roles (\`SCIM\` for the SCIM API, \`ADMIN\` for the admin API).

The body is a form (\`application/x-www-form-urlencoded\`, as RFC 6749 specifies) or JSON with the same fields. The client authenticates in one of two ways:
- **In the body**: \`client_id\` and \`client_secret\` beside \`grant_type\`;
- **HTTP Basic**: \`Authorization: Basic base64(urlencode(client_id) ":" urlencode(client_secret))\` (RFC 6749 §2.3.1), and only \`grant_type\` in the body.

Errors follow RFC 6749 §5.2 (\`invalid_request\`, \`invalid_client\`, \`unsupported_grant_type\`). Failed attempts are counted per client id and per address: past the budget the endpoint answers 429 \`slow_down\` with \`Retry-After\`, whatever the secret, until the window passes.`,
  requestBody: {
    description: 'The token request, as a form or as JSON.',
    required: true,
    content: {
      [MEDIA_FORM]: {
        schema: { $ref: '#/components/schemas/OAuthTokenRequest' },
        examples: {
          inBody: {
            summary: 'Client id and secret in the form',
            value: { grant_type: 'client_credentials', client_id: CLIENT, client_secret: SECRET },
          },
          basic: {
            summary: 'With HTTP Basic: only the grant in the form',
            value: { grant_type: 'client_credentials' },
          },
        },
      },
      [MEDIA_JSON]: {
        schema: { $ref: '#/components/schemas/OAuthTokenRequest' },
        examples: {
          inBody: {
            summary: 'Client id and secret as JSON',
            value: { grant_type: 'client_credentials', client_id: CLIENT, client_secret: SECRET },
          },
        },
      },
    },
  },
  responses: {
    '200': {
      description: 'The access token.',
      headers: {
        ...NO_STORE,
        Pragma: { description: '`no-cache`, for HTTP/1.0 caches.', required: true, schema: { const: 'no-cache' } },
      },
      content: {
        [MEDIA_JSON]: {
          schema: { $ref: '#/components/schemas/OAuthToken' },
          examples: {
            scim: {
              summary: 'A SCIM client',
              value: {
                access_token:
                  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0aWQiOiJkZWZhdWx0Iiwicm9sZXMiOlsiU0NJTSJdfQ.c2lnbmF0dXJl',
                token_type: 'Bearer',
                expires_in: 3600,
                scope: 'SCIM',
              },
            },
          },
        },
      },
    },
    '400': oauthError('The request is not valid: no `grant_type`, another grant, or a body that cannot be read.', {
      noGrant: { summary: 'No grant_type', error: 'invalid_request', description: 'grant_type is required' },
      otherGrant: {
        summary: 'Another grant',
        error: 'unsupported_grant_type',
        description: 'Only the client_credentials grant is supported',
      },
    }),
    '401': oauthError(
      'The client is unknown, its secret is wrong, it was revoked, or no credentials were sent.',
      {
        invalidClient: {
          summary: 'Bad client credentials',
          error: 'invalid_client',
          description: 'Client authentication failed',
        },
      },
      {
        'WWW-Authenticate': {
          description: 'The challenge: `Basic realm="oauth"`.',
          required: true,
          schema: { type: 'string' },
        },
      },
    ),
    '429': oauthError(
      'Too many failed attempts for this client id or from this address; retry after `Retry-After` seconds.',
      {
        slowDown: {
          summary: 'Guessing budget spent',
          error: 'slow_down',
          description: 'Too many failed attempts for this client id; retry after 60 seconds',
        },
      },
      { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } },
    ),
  },
};
