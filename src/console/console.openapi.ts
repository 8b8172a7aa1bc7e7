import { adminPageSchema, jsonAnswer, notFound, OPERATORS_ONLY, TENANT_ID_PARAMETER } from '../admin/admin.openapi';
import { MEDIA_JSON, nullable, ref } from '../openapi/components';
import type { OperationDoc } from '../openapi/openapi.decorators';
import type { JsonSchema, Parameter } from '../openapi/openapi.types';
import { DEFAULT_DIRECTORY_PAGE_SIZE, MAX_DIRECTORY_PAGE_SIZE } from './dto/directory-query.dto';
import { USER_LOG_ROWS } from './directory-browser.repository';
import { IDP_CHECK_TIMEOUT_MS } from './idp-setup.service';

// The operator console's own routes: the directory browser and identity-provider setup.
// Failures take the provisioning envelope, as every admin route's.

const DOORS = ['scim', 'batch', 'partner'];
const ISO = '2026-12-01T09:30:00.000Z';
const dateTime = (description: string): JsonSchema => ({ type: 'string', format: 'date-time', description });
const uuid = (description: string): JsonSchema => ({ type: 'string', format: 'uuid', description });

const PAGE: Parameter[] = [
  {
    name: 'page',
    in: 'query',
    description: 'The page to answer, counting from 1.',
    schema: { type: 'integer', minimum: 1, default: 1 },
  },
  {
    name: 'pageSize',
    in: 'query',
    description: `Rows per page, at most ${MAX_DIRECTORY_PAGE_SIZE}.`,
    schema: { type: 'integer', minimum: 1, maximum: MAX_DIRECTORY_PAGE_SIZE, default: DEFAULT_DIRECTORY_PAGE_SIZE },
  },
];

const USER_SUMMARY_PROPERTIES: Record<string, JsonSchema> = {
  id: uuid('The user id (the SCIM id).'),
  userName: { type: 'string' },
  displayName: nullable({ type: 'string' }),
  email: nullable({ type: 'string', description: 'The primary email address.' }),
  externalId: nullable({ type: 'string' }),
  active: { type: 'boolean' },
  createdBy: { type: 'string', enum: DOORS, description: 'The door that created the user.' },
  changedBy: { type: 'string', enum: DOORS, description: 'The door that changed it last.' },
  updatedOn: dateTime('When it last changed.'),
};
const USER_SUMMARY_REQUIRED = Object.keys(USER_SUMMARY_PROPERTIES);

export const CONSOLE_SCHEMAS: Record<string, JsonSchema> = {
  ConsoleDepartmentNode: {
    type: 'object',
    description: 'A department of one tree level, with how many departments and users sit directly under it.',
    required: ['id', 'name', 'externalId', 'parentId', 'childCount', 'userCount', 'active'],
    properties: {
      id: uuid('The department id (the SCIM Group id).'),
      name: { type: 'string' },
      externalId: nullable({ type: 'string' }),
      parentId: nullable(uuid('Its parent; null for a root.')),
      childCount: { type: 'integer', minimum: 0, description: 'Departments directly under it.' },
      userCount: { type: 'integer', minimum: 0, description: 'Distinct users assigned to it directly.' },
      active: { type: 'boolean' },
    },
  },
  ConsoleDepartmentLevel: adminPageSchema('One level of the tree, by name.', ref('ConsoleDepartmentNode')),
  ConsoleUserSummary: {
    type: 'object',
    description: 'A user as the directory browser lists it.',
    required: USER_SUMMARY_REQUIRED,
    properties: USER_SUMMARY_PROPERTIES,
  },
  ConsoleUserPage: adminPageSchema('A page of matching users, oldest first.', ref('ConsoleUserSummary')),
  ConsoleUserDetail: {
    type: 'object',
    description: 'One user in full: its attributes, assignments, and the newest request-log rows about it.',
    required: [
      ...USER_SUMMARY_REQUIRED,
      'givenName',
      'familyName',
      'phoneNumber',
      'role',
      'metadata',
      'attributes',
      'createdOn',
      'assignments',
      'requestLogs',
    ],
    properties: {
      ...USER_SUMMARY_PROPERTIES,
      givenName: nullable({ type: 'string' }),
      familyName: nullable({ type: 'string' }),
      phoneNumber: nullable({ type: 'string' }),
      role: nullable({ type: 'string' }),
      metadata: nullable({ type: 'object', additionalProperties: true }),
      attributes: {
        type: 'object',
        additionalProperties: true,
        description: 'Every other attribute as sent (SCIM extensions included), and `emails`; never a secret.',
      },
      createdOn: dateTime('When it was created.'),
      assignments: {
        type: 'array',
        items: {
          type: 'object',
          required: ['departmentId', 'departmentName', 'userTypeId', 'userTypeName'],
          properties: {
            departmentId: uuid('The department.'),
            departmentName: { type: 'string' },
            userTypeId: { type: 'string' },
            userTypeName: nullable({ type: 'string' }),
          },
        },
      },
      requestLogs: {
        type: 'array',
        maxItems: USER_LOG_ROWS,
        description: `The newest ${USER_LOG_ROWS} request-log rows of the tenant naming the user: its id in the path, or its userName, email or externalId as the request's identifier.`,
        items: {
          type: 'object',
          required: ['id', 'time', 'method', 'path', 'status', 'correlationId'],
          properties: {
            id: uuid('The log row (`GET /api/admin/logs/{id}`).'),
            time: dateTime('When the request arrived.'),
            method: { type: 'string' },
            path: { type: 'string' },
            status: { type: 'integer' },
            correlationId: nullable({ type: 'string' }),
          },
        },
      },
    },
  },
  ConsoleIdpMapping: {
    type: 'object',
    required: ['source', 'target'],
    properties: {
      source: { type: 'string', description: "The identity provider's attribute or expression." },
      target: { type: 'string', description: 'The SCIM attribute this service reads it as.' },
      note: { type: 'string' },
    },
  },
  ConsoleIdpGuide: {
    type: 'object',
    required: ['steps', 'mappings'],
    properties: {
      steps: {
        type: 'array',
        items: { type: 'string' },
        description: "The path through the provider's admin console.",
      },
      mappings: { type: 'array', items: ref('ConsoleIdpMapping') },
    },
  },
  ConsoleIdpSetup: {
    type: 'object',
    description: 'What to enter in an identity provider to provision this tenant.',
    required: ['scimBaseUrl', 'tokenEndpoint', 'credentials', 'entra', 'okta'],
    properties: {
      scimBaseUrl: {
        type: 'string',
        format: 'uri',
        description:
          "The tenant's SCIM root (`PUBLIC_BASE_URL`, else the request's origin): a credential of another tenant is refused there.",
      },
      tokenEndpoint: { type: 'string', format: 'uri', description: 'Where an OAuth client gets its token.' },
      credentials: {
        type: 'array',
        description: "The tenant's unrevoked credentials holding the SCIM role (SCIM secrets and OAuth clients).",
        items: {
          type: 'object',
          required: ['id', 'name', 'kind', 'lastUsedAt'],
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            kind: { type: 'string', enum: ['SCIM_SECRET', 'OAUTH_CLIENT'] },
            lastUsedAt: nullable(dateTime('When it last authenticated; null: not known.')),
          },
        },
      },
      entra: ref('ConsoleIdpGuide'),
      okta: ref('ConsoleIdpGuide'),
    },
  },
  ConsoleIdpTestRequest: {
    type: 'object',
    description:
      'A SCIM secret (`token`), or an OAuth client (`clientId` and `clientSecret`). Neither stored nor logged.',
    properties: {
      token: { type: 'string', minLength: 1, maxLength: 4096 },
      clientId: { type: 'string', minLength: 1, maxLength: 200 },
      clientSecret: { type: 'string', minLength: 1, maxLength: 512 },
    },
  },
  ConsoleIdpTestResult: {
    type: 'object',
    required: ['ok', 'checks'],
    properties: {
      ok: { type: 'boolean', description: 'Whether every check passed.' },
      checks: {
        type: 'array',
        items: {
          type: 'object',
          required: ['name', 'method', 'path', 'status', 'durationMs', 'ok', 'detail'],
          properties: {
            name: { type: 'string' },
            method: { type: 'string' },
            path: { type: 'string' },
            status: nullable({ type: 'integer', description: 'null: no answer.' }),
            durationMs: { type: 'integer', minimum: 0 },
            ok: { type: 'boolean' },
            detail: { type: 'string', description: "The answer in a line: its size, or the error's own words." },
          },
        },
      },
    },
  },
};

const USER_ID_PARAMETER: Parameter = {
  name: 'userId',
  in: 'path',
  description: 'The user id (404 when the tenant has no such user).',
  schema: { type: 'string' },
  example: '2819c223-7f76-453a-919d-413861904646',
};

export const LIST_DEPARTMENT_LEVEL: OperationDoc = {
  id: 'listConsoleDepartments',
  summary: 'One level of the department tree',
  description: `The children of \`parentId\` (the roots without it), by name, each with its direct child departments and users counted. ${OPERATORS_ONLY}`,
  parameters: [
    TENANT_ID_PARAMETER,
    {
      name: 'parentId',
      in: 'query',
      description: 'The department whose children to answer (404 when the tenant has none with this id).',
      schema: { type: 'string', format: 'uuid' },
    },
    ...PAGE,
  ],
  responses: {
    '200': jsonAnswer('The level.', ref('ConsoleDepartmentLevel'), {
      roots: {
        value: {
          items: [
            {
              id: '6a2f41a0-0c3e-4a8e-9d7a-1b2c3d4e5f60',
              name: 'Engineering',
              externalId: 'eng',
              parentId: null,
              childCount: 3,
              userCount: 12,
              active: true,
            },
          ],
          total: 1,
          page: 1,
          pageSize: 50,
          hasNext: false,
        },
      },
    }),
    '404': notFound('No tenant has this id, or the tenant has no department `parentId`.'),
  },
};

export const SEARCH_DIRECTORY_USERS: OperationDoc = {
  id: 'searchConsoleUsers',
  summary: "Search a tenant's users",
  description: `Users matching every given condition, oldest first. \`search\`: a case-insensitive substring of userName, email, displayName or externalId; \`filter\`: a SCIM filter, as \`GET /scim/v2/Users?filter=\` reads it (a bad one answers 400 with the parser's message); \`departmentId\`: users assigned to that department. ${OPERATORS_ONLY}`,
  parameters: [
    TENANT_ID_PARAMETER,
    {
      name: 'search',
      in: 'query',
      description: 'A substring of userName, email, displayName or externalId, any case.',
      schema: { type: 'string', minLength: 1, maxLength: 200 },
      example: 'jensen',
    },
    {
      name: 'filter',
      in: 'query',
      description: 'A SCIM filter (RFC 7644 §3.4.2.2).',
      schema: { type: 'string', minLength: 1, maxLength: 2000 },
      example: 'active eq false',
    },
    {
      name: 'departmentId',
      in: 'query',
      description: 'Only users assigned to this department.',
      schema: { type: 'string', format: 'uuid' },
    },
    ...PAGE,
  ],
  responses: {
    '200': jsonAnswer('The page.', ref('ConsoleUserPage'), {
      one: {
        value: {
          items: [
            {
              id: '2819c223-7f76-453a-919d-413861904646',
              userName: 'bjensen@example.com',
              displayName: 'Barbara Jensen',
              email: 'bjensen@example.com',
              externalId: 'bjensen',
              active: true,
              createdBy: 'scim',
              changedBy: 'scim',
              updatedOn: ISO,
            },
          ],
          total: 1,
          page: 1,
          pageSize: 50,
          hasNext: false,
        },
      },
    }),
    '404': notFound('No tenant has this id.'),
  },
};

export const GET_DIRECTORY_USER: OperationDoc = {
  id: 'getConsoleUser',
  summary: 'One user in full',
  description: `The user's attributes, who created and changed it, its assignments with department and user type names, and the newest request-log rows about it. ${OPERATORS_ONLY}`,
  parameters: [TENANT_ID_PARAMETER, USER_ID_PARAMETER],
  responses: {
    '200': jsonAnswer('The user.', ref('ConsoleUserDetail')),
    '404': notFound('No tenant has this id, or the tenant has no user with this id.'),
  },
};

export const GET_IDP_SETUP: OperationDoc = {
  id: 'getConsoleIdentityProviders',
  summary: 'Identity-provider setup',
  description: `The SCIM base URL and token endpoint to enter in Entra ID or Okta, the tenant's credentials that can authenticate there, and each provider's setup steps and attribute mappings. ${OPERATORS_ONLY}`,
  parameters: [TENANT_ID_PARAMETER],
  responses: {
    '200': jsonAnswer('The setup.', ref('ConsoleIdpSetup')),
    '404': notFound('No tenant has this id.'),
  },
};

export const TEST_IDP_CONNECTION: OperationDoc = {
  id: 'testConsoleIdentityProvider',
  summary: 'Test an identity-provider connection',
  description: `Makes the discovery calls Entra ID and Okta make (ServiceProviderConfig, ResourceTypes, Schemas, a userName lookup, the first page of users and of groups) against this service over loopback, under the tenant's SCIM root, with the given credential (an OAuth client first gets a token). Each call gives up after ${IDP_CHECK_TIMEOUT_MS / 1000} s and follows no redirect. The secret is never stored, logged or answered. ${OPERATORS_ONLY}`,
  parameters: [TENANT_ID_PARAMETER],
  requestBody: {
    description: 'The credential to test.',
    required: true,
    content: {
      [MEDIA_JSON]: {
        schema: ref('ConsoleIdpTestRequest'),
        examples: {
          secret: { summary: 'A SCIM secret', value: { token: 'scim-secret-as-issued' } },
          oauth: {
            summary: 'An OAuth client',
            value: { clientId: 'entra-acme', clientSecret: 'client-secret-as-issued' },
          },
        },
      },
    },
  },
  responses: {
    '200': jsonAnswer(
      'Each check, and whether all passed (a refused credential is `ok: false`, not an error).',
      ref('ConsoleIdpTestResult'),
    ),
    '404': notFound('No tenant has this id.'),
  },
};
