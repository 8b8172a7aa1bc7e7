// `POST /Bulk` in the OpenAPI document (RFC 7644 §3.7).
import { MEDIA_JSON, MEDIA_SCIM, ref } from '../../openapi/components';
import type { OperationDoc } from '../../openapi/openapi.decorators';
import type { Example, JsonSchema } from '../../openapi/openapi.types';
import { URN_GROUP, URN_USER } from '../schemas';
import { SCIM_LIMITS } from '../scim-limits';
import { URN_BULK_REQUEST, URN_BULK_RESPONSE } from './bulk-request';

const BASE = 'https://idp-hub.example.com/scim/v2';

const BULK_REQUEST: JsonSchema = {
  type: 'object',
  description:
    'RFC 7644 §3.7.1. Required: `schemas` and `Operations`; keys are matched ignoring case (which `required` cannot say). An operation that does not parse (not even an object) fails alone, its `response` saying why; the others run.',
  properties: {
    schemas: {
      type: 'array',
      items: { type: 'string' },
      description: `Must list \`${URN_BULK_REQUEST}\` (else 400 \`invalidSyntax\`).`,
    },
    failOnErrors: {
      type: 'integer',
      minimum: 1,
      description: 'Stop after this many failed operations; operations not run are not in the answer.',
    },
    Operations: {
      type: 'array',
      minItems: 1,
      description: `At most \`maxOperations\` (${SCIM_LIMITS.bulkOperations}, fewer when RATE_LIMIT_SCIM is lower; see /ServiceProviderConfig), else 413. Each draws one SCIM rate-limit unit.`,
      items: {
        description: 'An operation; one that is not an object fails alone with 400 `invalidSyntax`.',
        properties: {
          method: { type: 'string', description: '`POST`, `PUT`, `PATCH` or `DELETE`, in any case.' },
          bulkId: {
            type: 'string',
            description:
              "Required for POST; unique in the request. `bulkId:<bulkId>` in another operation's `path` or in any string value of its `data` stands for the id this POST creates, in any order, cycles included.",
          },
          version: { type: 'string', description: "The ETag the operation's `If-Match` would carry (412 otherwise)." },
          path: {
            type: 'string',
            description:
              '`/Users` or `/Groups` for POST; `/Users/{id}` or `/Groups/{id}` else (`{id}` may be `bulkId:<bulkId>`).',
          },
          data: {
            type: 'object',
            additionalProperties: true,
            description: 'The body the same request alone would carry: a User or Group (POST, PUT) or a PatchOp.',
          },
        },
      },
    },
  },
};

const BULK_RESPONSE: JsonSchema = {
  type: 'object',
  description: 'RFC 7644 §3.7.3: one answer per operation run, in the order of the request.',
  required: ['schemas', 'Operations'],
  properties: {
    schemas: { type: 'array', items: { const: URN_BULK_RESPONSE }, minItems: 1 },
    Operations: {
      type: 'array',
      items: {
        type: 'object',
        required: ['method', 'status'],
        properties: {
          method: { type: 'string' },
          bulkId: { type: 'string' },
          location: { type: 'string', format: 'uri', description: "The resource's `meta.location`." },
          version: { type: 'string', description: "The resource's ETag after the operation." },
          status: { type: 'string', pattern: '^[1-5][0-9][0-9]$', description: 'The HTTP status, as a string.' },
          response: {
            ...ref('ScimError'),
            description: 'On failure: the SCIM Error the same request alone would have answered.',
          },
        },
      },
    },
  },
};

const USER_ID = '92b725cd-9465-4e7d-8c16-01f8e146b87a';
const GROUP_ID = 'e9e30dba-f08f-4109-8486-d5c6a331660a';

const REQUEST_EXAMPLES: Record<string, Example> = {
  userAndGroup: {
    summary: 'A user, and a group that lists it by bulkId',
    value: {
      schemas: [URN_BULK_REQUEST],
      failOnErrors: 1,
      Operations: [
        {
          method: 'POST',
          path: '/Users',
          bulkId: 'qwerty',
          data: { schemas: [URN_USER], userName: 'alice@example.com' },
        },
        {
          method: 'POST',
          path: '/Groups',
          bulkId: 'ytrewq',
          data: {
            schemas: [URN_GROUP],
            displayName: 'Tour Guides',
            members: [{ type: 'User', value: 'bulkId:qwerty' }],
          },
        },
      ],
    },
  },
};

const RESPONSE_EXAMPLES: Record<string, Example> = {
  userAndGroup: {
    summary: 'Both created',
    value: {
      schemas: [URN_BULK_RESPONSE],
      Operations: [
        { method: 'POST', bulkId: 'qwerty', location: `${BASE}/Users/${USER_ID}`, version: 'W/"1"', status: '201' },
        { method: 'POST', bulkId: 'ytrewq', location: `${BASE}/Groups/${GROUP_ID}`, version: 'W/"1"', status: '201' },
      ],
    },
  },
  duplicate: {
    summary: 'A POST refused: the userName is taken',
    value: {
      schemas: [URN_BULK_RESPONSE],
      Operations: [
        {
          method: 'POST',
          bulkId: 'qwerty',
          status: '409',
          response: {
            schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
            status: '409',
            scimType: 'uniqueness',
            detail: "userName 'alice@example.com' is already taken",
          },
        },
      ],
    },
  },
};

export const SCIM_BULK: OperationDoc = {
  id: 'scimBulk',
  summary: 'Run many writes in one request',
  description:
    'RFC 7644 §3.7: POST, PUT, PATCH and DELETE of users and groups, each answered on its own in a BulkResponse, each meeting the rules it meets alone (uniqueness, ETags via `version`, `password` dropped, the bounds). Operations run in request order, except that one referring to `bulkId:<x>` runs once the POST with bulkId `x` has; POSTs that refer to each other (users managing each other) are created without those references, which are then added; a cycle is kept whole or not at all, and two groups each a member of the other answer 409 on both sides (groups are departments, one tree: RFC 7644 §3.7.1 lets a provider answer 409 for a cycle it cannot resolve). A reference to a POST that failed fails with 409, to no POST of the request with 400 `invalidValue`. The whole request is refused with 413 over `maxOperations` or `maxPayloadSize`, with 400 for a body that is not a BulkRequest or repeats a bulkId, and with 429 when its operations exceed the remaining SCIM rate budget (one unit per operation).',
  requestBody: {
    description: 'The BulkRequest.',
    required: true,
    content: {
      [MEDIA_SCIM]: { schema: BULK_REQUEST, examples: REQUEST_EXAMPLES },
      [MEDIA_JSON]: { schema: BULK_REQUEST, examples: REQUEST_EXAMPLES },
    },
  },
  responses: {
    '200': {
      description: 'The BulkResponse: each operation run, with its status.',
      content: { [MEDIA_SCIM]: { schema: BULK_RESPONSE, examples: RESPONSE_EXAMPLES } },
    },
  },
};
