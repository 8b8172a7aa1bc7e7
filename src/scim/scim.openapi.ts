// The SCIM door in the OpenAPI document: RFC 7643/7644 schemas and the operations of the SCIM
// controllers. Resource schemas are generated from the attribute definitions `/Schemas` serves,
// so the document and the discovery endpoint cannot disagree.
import { errors, MEDIA_JSON, MEDIA_SCIM, ref } from '../openapi/components';
import type { OperationDoc } from '../openapi/openapi.decorators';
import type { Example, Header, JsonSchema, Parameter, RequestBody, Response } from '../openapi/openapi.types';
import {
  AttributeDefinition,
  COMMON_ATTRIBUTES,
  ENTERPRISE_USER_SCHEMA,
  GROUP_SCHEMA,
  MAX_RESULTS,
  URN_ENTERPRISE_USER,
  URN_GROUP,
  URN_LIST_RESPONSE,
  URN_PATCH_OP,
  URN_RESOURCE_TYPE,
  URN_SCHEMA,
  URN_SEARCH_REQUEST,
  URN_SERVICE_PROVIDER_CONFIG,
  URN_SERVICE_PROVIDER_LIMITS,
  URN_USER,
  USER_SCHEMA,
  serviceProviderConfig,
} from './schemas';
import { DEFAULT_COUNT } from './scim-list-query';
import { SCIM_LIMITS } from './scim-limits';
import { SCIM_EVENT_URIS } from '../events/sets/set-token';

// ---------------------------------------------------------------------------------------------
// Schemas

/** A pattern matching `text` in any case (the service compares URNs and keywords ignoring case). */
const anyCase = (text: string): string =>
  text.replace(/[A-Za-z]/g, (c) => `[${c.toUpperCase()}${c.toLowerCase()}]`).replace(/[.$]/g, '\\$&');

const BOOLEAN_TEXT = `^\\s*(${anyCase('true')}|${anyCase('false')})\\s*$`;

/** Where a generated schema is used: what the service answers, or what it accepts. */
type Direction = 'answer' | 'request';

const canonical = (definition: AttributeDefinition): string =>
  definition.canonicalValues
    ? ` Canonical values: ${definition.canonicalValues.map((v) => `\`${v}\``).join(', ')}.`
    : '';

/** One attribute as the service answers it: RFC 7643 types, names in the schema's case. */
function answerSchema(definition: AttributeDefinition): JsonSchema {
  const description = definition.description.replace(/\s+/g, ' ') + canonical(definition);
  let single: JsonSchema;
  switch (definition.type) {
    case 'complex':
      single = {
        type: 'object',
        properties: Object.fromEntries((definition.subAttributes ?? []).map((sub) => [sub.name, answerSchema(sub)])),
        additionalProperties: true,
      };
      break;
    case 'boolean':
      single = { type: 'boolean' };
      break;
    case 'integer':
      single = { type: 'integer' };
      break;
    case 'decimal':
      single = { type: 'number' };
      break;
    case 'dateTime':
      single = { type: 'string', format: 'date-time' };
      break;
    default:
      single = { type: 'string' };
  }
  const flags = {
    ...(definition.mutability === 'readOnly' ? { readOnly: true } : {}),
    ...(definition.mutability === 'writeOnly' ? { writeOnly: true } : {}),
  };
  if (definition.multiValued) {
    return { type: 'array', description, items: single, ...flags };
  }
  return { ...single, description, ...flags };
}

/**
 * One attribute as the service accepts it: besides the RFC shape, what identity providers send
 * (`"True"` for true, a number where a string is due, one element for a multi-valued attribute,
 * `null` to unassign). Read-only attributes are left out: sent anyway, they are ignored.
 */
function requestSchema(definition: AttributeDefinition): JsonSchema | undefined {
  if (definition.mutability === 'readOnly') return undefined;
  const description = definition.description.replace(/\s+/g, ' ') + canonical(definition);
  let single: JsonSchema;
  switch (definition.type) {
    case 'complex': {
      const properties = Object.fromEntries(
        (definition.subAttributes ?? []).flatMap((sub) => {
          const schema = requestSchema(sub);
          return schema ? [[sub.name, schema]] : [];
        }),
      );
      const referenceLike = !definition.multiValued && 'value' in properties;
      single = referenceLike
        ? {
            type: ['object', 'string', 'number', 'array', 'null'],
            properties,
            additionalProperties: true,
            maxItems: 1,
            description: `${description} Also accepted: the id alone, or a one-element array.`,
          }
        : { type: ['object', 'null'], properties, additionalProperties: true };
      break;
    }
    case 'boolean':
      single = { type: ['boolean', 'string', 'null'], pattern: BOOLEAN_TEXT };
      break;
    case 'integer':
      single = { type: ['integer', 'string', 'null'], pattern: '^\\s*-?\\d+\\s*$' };
      break;
    case 'decimal':
      single = { type: ['number', 'string', 'null'] };
      break;
    case 'dateTime':
      single = { type: ['string', 'null'], format: 'date-time' };
      break;
    default:
      single = { type: ['string', 'number', 'boolean', 'null'] };
  }
  const flags = definition.mutability === 'writeOnly' ? { writeOnly: true } : {};
  if (definition.multiValued) {
    return {
      description: `${description} One element alone is taken as a one-element list.`,
      anyOf: [{ type: 'array', items: single }, single],
      ...flags,
    };
  }
  return { description, ...single, ...flags };
}

const schemaOf = (definitions: readonly AttributeDefinition[], direction: Direction): Record<string, JsonSchema> =>
  Object.fromEntries(
    definitions.flatMap((definition) => {
      if (definition.name === 'meta') return direction === 'answer' ? [['meta', { ...ref('ScimMeta') }]] : [];
      const schema = direction === 'answer' ? answerSchema(definition) : requestSchema(definition);
      return schema ? [[definition.name, schema]] : [];
    }),
  );

const UNKNOWN_KEPT =
  'Attributes the schema does not define are kept as sent and answered back, so more properties than listed here may appear.';

const answerSchemas = (core: string): JsonSchema => ({
  type: 'array',
  description: 'The schemas the resource holds attributes of: the core schema first, then its extensions in use.',
  minItems: 1,
  prefixItems: [{ const: core }],
  items: { type: 'string' },
});

const requestSchemas = (core: string): JsonSchema => ({
  type: 'array',
  description: `Must list \`${core}\` (compared ignoring case); extension URNs may follow.`,
  items: { type: 'string' },
  contains: { type: 'string', pattern: `^${anyCase(core)}$` },
});

const REQUEST_LENIENCE =
  'Attribute names are matched ignoring case (`UserName`, `Primary`) and answered in the schema\'s case; `"True"`/`"False"` strings are taken as booleans and numbers as strings; `null` unassigns. Read-only attributes (`id`, `meta`, `groups`) may be echoed back and are ignored.';

/** Keys are matched ignoring case (`USERNAME` is `userName`), which `required` cannot say: it is said in words. */
const requiredInAnyCase = (attribute: string): string =>
  `Required: \`schemas\` listing the core schema, and a non-blank ${attribute} (missing, 400 \`invalidSyntax\` or \`invalidValue\`).`;

const isCommon = (name: string) => (definition: AttributeDefinition) => definition.name === name;
const ID: JsonSchema = {
  type: 'string',
  format: 'uuid',
  readOnly: true,
  description: 'The identifier the service assigned to the resource (a UUID).',
};

const USER_EXAMPLE_ID = '2819c223-7f76-453a-919d-413861904646';
const GROUP_EXAMPLE_ID = 'e9e30dba-f08f-4109-8486-d5c6a331660a';
const BASE = 'https://idp-hub.example.com/scim/v2';
const CREATED = '2025-12-29T12:34:56.000Z';

export const SCIM_SCHEMAS: Record<string, JsonSchema> = {
  ScimMeta: {
    type: 'object',
    description: 'RFC 7643 §3.1 `meta`: set by the service, ignored when a client sends it.',
    readOnly: true,
    properties: {
      resourceType: { type: 'string', description: '`User`, `Group`, or the discovery resource type.' },
      created: { type: 'string', format: 'date-time', description: 'When the resource was created.' },
      lastModified: { type: 'string', format: 'date-time', description: 'When the resource last changed.' },
      location: {
        type: 'string',
        format: 'uri',
        description: "The URI of the resource (`PUBLIC_BASE_URL` or the request's host).",
      },
      version: {
        type: 'string',
        description:
          'The weak ETag of this version (`W/"3"`), the same as the `ETag` answer header; send it in `If-Match`.',
      },
    },
  },
  ScimUser: {
    type: 'object',
    description: `RFC 7643 §4.1 User, as the service answers it, with the Enterprise User extension (§4.3) under its URN. \`schemas\` and \`id\` are always present; \`attributes\`/\`excludedAttributes\` may leave out anything else. ${UNKNOWN_KEPT}`,
    required: ['schemas', 'id'],
    properties: {
      schemas: answerSchemas(URN_USER),
      id: ID,
      ...schemaOf(COMMON_ATTRIBUTES.filter(isCommon('externalId')), 'answer'),
      ...schemaOf(USER_SCHEMA.attributes, 'answer'),
      [URN_ENTERPRISE_USER]: ref('ScimEnterpriseUser'),
      meta: ref('ScimMeta'),
    },
    additionalProperties: true,
    examples: [
      {
        schemas: [URN_USER],
        id: USER_EXAMPLE_ID,
        externalId: '7b39e58e-0000-4000-8000-000000000001',
        userName: 'alice@example.com',
        name: { givenName: 'Alice', familyName: 'Example' },
        displayName: 'Alice Example',
        active: true,
        emails: [{ value: 'alice@example.com', type: 'work', primary: true }],
        meta: {
          resourceType: 'User',
          created: CREATED,
          lastModified: CREATED,
          location: `${BASE}/Users/${USER_EXAMPLE_ID}`,
          version: 'W/"1"',
        },
      },
    ],
  },
  ScimEnterpriseUser: {
    type: 'object',
    description: `RFC 7643 §4.3 Enterprise User extension (\`${URN_ENTERPRISE_USER}\`). ${UNKNOWN_KEPT}`,
    properties: schemaOf(ENTERPRISE_USER_SCHEMA.attributes, 'answer'),
    additionalProperties: true,
  },
  ScimGroup: {
    type: 'object',
    description: `RFC 7643 §4.2 Group, as the service answers it. A group is a department: \`displayName\` is its name, \`members\` the users assigned to it and its child departments (type \`Group\`). \`schemas\` and \`id\` are always present; \`members\` is left out by \`excludedAttributes=members\`. ${UNKNOWN_KEPT}`,
    required: ['schemas', 'id'],
    properties: {
      schemas: answerSchemas(URN_GROUP),
      id: ID,
      ...schemaOf(COMMON_ATTRIBUTES.filter(isCommon('externalId')), 'answer'),
      ...schemaOf(GROUP_SCHEMA.attributes, 'answer'),
      meta: ref('ScimMeta'),
    },
    additionalProperties: true,
    examples: [
      {
        schemas: [URN_GROUP],
        id: GROUP_EXAMPLE_ID,
        externalId: '3f1c0a52-0000-4000-8000-000000000002',
        displayName: 'GroupDisplayName2',
        members: [
          { value: USER_EXAMPLE_ID, $ref: `${BASE}/Users/${USER_EXAMPLE_ID}`, display: 'Alice Example', type: 'User' },
        ],
        meta: {
          resourceType: 'Group',
          created: CREATED,
          lastModified: CREATED,
          location: `${BASE}/Groups/${GROUP_EXAMPLE_ID}`,
          version: 'W/"1"',
        },
      },
    ],
  },
  ScimUserRequest: {
    type: 'object',
    description: `A User as a client sends it (POST, PUT): the RFC 7643 User (see ScimUser). ${requiredInAnyCase('`userName`')} ${REQUEST_LENIENCE} ${UNKNOWN_KEPT}`,
    properties: {
      schemas: requestSchemas(URN_USER),
      ...schemaOf(COMMON_ATTRIBUTES, 'request'),
      ...schemaOf(USER_SCHEMA.attributes, 'request'),
      userName: {
        ...requestSchema(USER_SCHEMA.attributes.find((a) => a.name === 'userName') as AttributeDefinition),
        type: ['string', 'number', 'boolean'],
        minLength: 1,
        pattern: '\\S',
      },
      [URN_ENTERPRISE_USER]: {
        type: ['object', 'null'],
        description: `The Enterprise User extension; its attributes may also be sent flat, as \`${URN_ENTERPRISE_USER}:department\`.`,
        properties: schemaOf(ENTERPRISE_USER_SCHEMA.attributes, 'request'),
        additionalProperties: true,
      },
    },
    additionalProperties: true,
  },
  ScimGroupRequest: {
    type: 'object',
    description: `A Group as a client sends it (POST, PUT). ${requiredInAnyCase('`displayName`')} \`members\` lists the users (and child groups) by id; a PUT without \`members\` keeps them. ${REQUEST_LENIENCE} ${UNKNOWN_KEPT}`,
    properties: {
      schemas: requestSchemas(URN_GROUP),
      ...schemaOf(COMMON_ATTRIBUTES, 'request'),
      displayName: {
        type: ['string', 'number', 'boolean'],
        minLength: 1,
        pattern: '\\S',
        description: "The group's name, the department's name: unique in the tenant ignoring case.",
      },
      members: {
        description: `The members, by id: objects with \`value\` (the member's id; the key in any case), or the ids alone; one member alone is taken as a list; \`null\` or \`[]\` for none. At most ${SCIM_LIMITS.membersPerRequest} in one request.`,
        anyOf: [
          { type: 'array', maxItems: SCIM_LIMITS.membersPerRequest, items: ref('ScimMemberRequest') },
          ref('ScimMemberRequest'),
          { type: 'null' },
        ],
      },
    },
    additionalProperties: true,
  },
  ScimMemberRequest: {
    description: "A member of a Group: the member's id, alone or as `value` (`display` and `$ref` are ignored).",
    anyOf: [
      { type: 'string', minLength: 1, pattern: '\\S' },
      {
        type: 'object',
        properties: {
          value: {
            type: 'string',
            minLength: 1,
            pattern: '\\S',
            description: 'The id of a User or a Group of the tenant.',
          },
          $ref: { type: 'string', description: 'The URI of the member; ignored.' },
          type: { type: 'string', description: '`User` or `Group`; the id decides.' },
          display: { description: 'Read-only: ignored.' },
        },
        additionalProperties: true,
      },
    ],
  },
  ScimListResponse: {
    type: 'object',
    description:
      'RFC 7644 §3.4.2 ListResponse: one page of results. An index page (`startIndex`) carries `startIndex`; a cursor page (RFC 9865, `cursor` given) carries none, and names its neighbours by `nextCursor` and `previousCursor`.',
    required: ['schemas', 'totalResults', 'itemsPerPage', 'Resources'],
    properties: {
      schemas: { type: 'array', items: { const: URN_LIST_RESPONSE }, minItems: 1, maxItems: 1 },
      totalResults: { type: 'integer', minimum: 0, description: 'How many resources match the filter in all.' },
      startIndex: {
        type: 'integer',
        minimum: 1,
        description: 'The 1-based index of the first resource of this page (index pagination only).',
      },
      itemsPerPage: { type: 'integer', minimum: 0, description: 'How many resources this page holds.' },
      nextCursor: {
        type: 'string',
        pattern: '^[A-Za-z0-9_.-]+$',
        description:
          'RFC 9865: the `cursor` of the next page, when there is one (absent on the last page). Opaque, URL-safe, valid for `pagination.cursorTimeout` seconds, and only for the same resource type, filter, sortBy and sortOrder.',
      },
      previousCursor: {
        type: 'string',
        pattern: '^[A-Za-z0-9_.-]+$',
        description: 'RFC 9865: the `cursor` of the page before this one; absent on the first page.',
      },
      Resources: {
        type: 'array',
        items: { type: 'object', additionalProperties: true },
        description: 'The resources of this page.',
      },
    },
  },
  ScimUserListResponse: listOf('ScimUser', 'Users'),
  ScimGroupListResponse: listOf('ScimGroup', 'Groups'),
  ScimResourceTypeListResponse: listOf('ScimResourceType', 'resource types'),
  ScimSchemaListResponse: listOf('ScimSchema', 'schemas'),
  ScimPatchOp: {
    type: 'object',
    description: `RFC 7644 §3.5.2 PATCH request. The whole request applies or nothing does. Required: \`schemas\` listing the PatchOp URN and a non-empty \`Operations\`, each with an \`op\`; keys and \`op\` values are matched ignoring case (Entra ID sends \`"Replace"\`), which \`required\` cannot say. At most ${SCIM_LIMITS.patchOperations} operations, ${SCIM_LIMITS.valuesPerOperation} values in one operation (${SCIM_LIMITS.membersPerOperation} for a Group's \`members\`) and ${SCIM_LIMITS.valuesPerPatch} in the whole request (more answers 400 \`tooMany\`).`,
    properties: {
      schemas: {
        type: 'array',
        items: { type: 'string' },
        contains: { type: 'string', pattern: `^${anyCase(URN_PATCH_OP)}$` },
        description: `Must list \`${URN_PATCH_OP}\`.`,
      },
      Operations: {
        type: 'array',
        minItems: 1,
        maxItems: SCIM_LIMITS.patchOperations,
        items: {
          type: 'object',
          properties: {
            op: {
              type: 'string',
              pattern: `^\\s*(${anyCase('add')}|${anyCase('remove')}|${anyCase('replace')})\\s*$`,
              description: '`add`, `remove` or `replace`, in any case.',
              examples: ['add', 'replace', 'Replace', 'remove'],
            },
            path: {
              type: ['string', 'null'],
              description:
                'An attribute path (`userName`, `name.givenName`, `emails[type eq "work"].value`, `members[value eq "<id>"]`, an extension attribute by URN). Without it, `value` is an object of attributes to add or replace; `remove` needs a path.',
            },
            value: { description: 'The value to add or replace with: its type follows the attribute `path` names.' },
          },
        },
      },
    },
  },
  ScimSearchRequest: {
    type: 'object',
    description:
      'RFC 7644 §3.4.3 SearchRequest (`POST /.search`): the list parameters in a body, names matched ignoring case. Its `schemas` is not checked; a body that is not an object counts as an empty one.',
    properties: {
      schemas: { type: 'array', items: { type: 'string' }, examples: [[URN_SEARCH_REQUEST]] },
      attributes: {
        type: ['array', 'string', 'null'],
        items: { type: 'string' },
        description: 'Attributes to return, besides `id` and `schemas` (names, or one comma-separated string).',
      },
      excludedAttributes: {
        type: ['array', 'string', 'null'],
        items: { type: 'string' },
        description: 'Attributes to leave out.',
      },
      filter: { type: ['string', 'number', 'null'], description: 'A filter, as the `filter` query parameter.' },
      sortBy: { type: ['string', 'number', 'null'], description: 'The attribute to sort by.' },
      sortOrder: {
        type: ['string', 'null'],
        pattern: `^(${anyCase('ascending')}|${anyCase('descending')})$`,
        description: '`ascending` (the default) or `descending`, in any case.',
      },
      startIndex: {
        type: ['integer', 'string', 'null'],
        pattern: '^\\s*[-+]?\\d+\\s*$',
        description: 'The 1-based index of the first result; below 1 counts as 1.',
      },
      cursor: {
        type: ['string', 'null'],
        description:
          'RFC 9865 cursor pagination: `""` for the first page, then a `nextCursor` or `previousCursor` of the last answer (the same filter, sortBy and sortOrder). Not with `startIndex`. A cursor this service did not issue for this query answers 400 `invalidCursor`; one older than `pagination.cursorTimeout` seconds 400 `expiredCursor`.',
      },
      count: {
        type: ['integer', 'string', 'null'],
        pattern: '^\\s*[-+]?\\d+\\s*$',
        description: `Results per page (default ${DEFAULT_COUNT}, at most ${MAX_RESULTS}); negative counts as 0.`,
      },
    },
  },
  ScimServiceProviderConfig: {
    type: 'object',
    description: "RFC 7643 §5 ServiceProviderConfig, with this service's request limits under its own extension URN.",
    required: [
      'schemas',
      'patch',
      'bulk',
      'filter',
      'pagination',
      'changePassword',
      'sort',
      'etag',
      'authenticationSchemes',
      'securityEvents',
      'meta',
    ],
    properties: {
      schemas: {
        type: 'array',
        items: { type: 'string' },
        prefixItems: [{ const: URN_SERVICE_PROVIDER_CONFIG }],
        minItems: 1,
      },
      documentationUri: { type: 'string', format: 'uri' },
      patch: supported('PATCH is supported.'),
      bulk: {
        ...supported('`POST /Bulk` is served (RFC 7644 §3.7).'),
        required: ['supported', 'maxOperations', 'maxPayloadSize'],
        properties: {
          supported: { type: 'boolean' },
          maxOperations: {
            type: 'integer',
            minimum: 0,
            description: `Operations in one bulk: ${SCIM_LIMITS.bulkOperations}, or the SCIM rate limit's budget when that is lower (a bulk draws one unit per operation). More answers 413.`,
          },
          maxPayloadSize: {
            type: 'integer',
            minimum: 0,
            description: `The largest bulk body in bytes: ${SCIM_LIMITS.bulkPayloadBytes}, or \`BODY_LIMIT\` when that is lower. More answers 413.`,
          },
        },
      },
      pagination: {
        type: 'object',
        description:
          'RFC 9865 §4: index (`startIndex`) and cursor (`cursor`) pagination are both served; index is the default.',
        required: ['cursor', 'index', 'defaultPaginationMethod', 'defaultPageSize', 'maxPageSize', 'cursorTimeout'],
        properties: {
          cursor: { type: 'boolean' },
          index: { type: 'boolean' },
          defaultPaginationMethod: { type: 'string', enum: ['cursor', 'index'] },
          defaultPageSize: { type: 'integer', minimum: 1 },
          maxPageSize: { type: 'integer', minimum: 1 },
          cursorTimeout: { type: 'integer', minimum: 1, description: 'Seconds a cursor stays valid.' },
        },
      },
      filter: {
        ...supported('Filters are supported.'),
        required: ['supported', 'maxResults'],
        properties: {
          supported: { type: 'boolean' },
          maxResults: { type: 'integer', minimum: 1, description: 'The most resources one page answers.' },
        },
      },
      changePassword: supported('Passwords are not kept: no change-password.'),
      sort: supported('`sortBy`/`sortOrder` are supported.'),
      etag: supported('ETags are supported (`If-Match`, `If-None-Match`).'),
      authenticationSchemes: {
        type: 'array',
        items: {
          type: 'object',
          required: ['type', 'name', 'description'],
          properties: {
            type: { type: 'string', examples: ['oauthbearertoken'] },
            name: { type: 'string' },
            description: { type: 'string' },
            specUri: { type: 'string', format: 'uri' },
            documentationUri: { type: 'string', format: 'uri' },
            primary: { type: 'boolean' },
          },
        },
      },
      securityEvents: {
        type: 'object',
        description:
          'RFC 9967 §4: the SCIM events (SETs) an event stream (`/api/admin/tenants/{tenantId}/event-streams`) can carry, pushed (RFC 8935) or polled (RFC 8936). SCIM requests are never answered asynchronously.',
        required: ['asyncRequest', 'eventUris'],
        properties: {
          asyncRequest: { type: 'string', enum: ['none', 'long', 'request'] },
          eventUris: { type: 'array', items: { type: 'string', examples: [SCIM_EVENT_URIS[0]] } },
        },
      },
      [URN_SERVICE_PROVIDER_LIMITS]: {
        type: 'object',
        description: "This service's bounds on one SCIM request (sizes in bytes).",
        required: Object.keys(SCIM_LIMITS),
        properties: Object.fromEntries(Object.keys(SCIM_LIMITS).map((key) => [key, { type: 'integer', minimum: 0 }])),
      },
      meta: ref('ScimMeta'),
    },
  },
  ScimResourceType: {
    type: 'object',
    description: 'RFC 7643 §6 ResourceType.',
    required: ['schemas', 'id', 'name', 'endpoint', 'schema', 'meta'],
    properties: {
      schemas: { type: 'array', items: { const: URN_RESOURCE_TYPE }, minItems: 1 },
      id: { type: 'string', examples: ['User'] },
      name: { type: 'string' },
      endpoint: { type: 'string', description: 'Relative to the SCIM root: `/Users`.' },
      description: { type: 'string' },
      schema: { type: 'string', description: 'The URN of the core schema.' },
      schemaExtensions: {
        type: 'array',
        items: {
          type: 'object',
          required: ['schema', 'required'],
          properties: { schema: { type: 'string' }, required: { type: 'boolean' } },
        },
      },
      meta: ref('ScimMeta'),
    },
  },
  ScimSchema: {
    type: 'object',
    description: 'RFC 7643 §7 Schema: the attribute definitions of a resource schema.',
    required: ['schemas', 'id', 'name', 'attributes', 'meta'],
    properties: {
      schemas: { type: 'array', items: { const: URN_SCHEMA }, minItems: 1 },
      id: { type: 'string', description: 'The schema URN.', examples: [URN_USER] },
      name: { type: 'string' },
      description: { type: 'string' },
      attributes: { type: 'array', items: ref('ScimSchemaAttribute') },
      meta: ref('ScimMeta'),
    },
  },
  ScimSchemaAttribute: {
    type: 'object',
    description: 'RFC 7643 §7 attribute definition.',
    required: [
      'name',
      'type',
      'multiValued',
      'description',
      'required',
      'caseExact',
      'mutability',
      'returned',
      'uniqueness',
    ],
    properties: {
      name: { type: 'string' },
      type: {
        type: 'string',
        enum: ['string', 'boolean', 'decimal', 'integer', 'dateTime', 'binary', 'reference', 'complex'],
      },
      multiValued: { type: 'boolean' },
      description: { type: 'string' },
      required: { type: 'boolean' },
      caseExact: { type: 'boolean' },
      mutability: { type: 'string', enum: ['readOnly', 'readWrite', 'immutable', 'writeOnly'] },
      returned: { type: 'string', enum: ['always', 'never', 'default', 'request'] },
      uniqueness: { type: 'string', enum: ['none', 'server', 'global'] },
      canonicalValues: { type: 'array', items: { type: 'string' } },
      referenceTypes: { type: 'array', items: { type: 'string' } },
      subAttributes: { type: 'array', items: ref('ScimSchemaAttribute') },
      filterable: {
        const: false,
        description:
          'Present (false) when a filter may not name this attribute: such a filter answers 400 invalidFilter. ' +
          'Absent means the attribute can be filtered on (a complex one through its sub-attributes, or its `value`). ' +
          'Not an RFC 7643 characteristic: an addition of this service.',
      },
    },
  },
};

function listOf(item: string, what: string): JsonSchema {
  return {
    description: `A ListResponse of ${what}.`,
    allOf: [
      ref('ScimListResponse'),
      { type: 'object', properties: { Resources: { type: 'array', items: ref(item) } } },
    ],
  };
}

function supported(description: string): JsonSchema {
  return {
    type: 'object',
    description,
    required: ['supported'],
    properties: { supported: { type: 'boolean' } },
  };
}

// ---------------------------------------------------------------------------------------------
// Parameters, headers, answers

export const SCIM_TENANT_PARAMETER: Parameter = {
  name: 'tenantId',
  in: 'path',
  description:
    "The tenant this SCIM endpoint serves. The bearer credential must belong to it: another tenant's credential answers 403 (the data of one tenant is never reached with another's).",
  schema: { type: 'string', minLength: 1 },
  example: 'default',
};

const idParameter = (resource: string): Parameter => ({
  name: 'id',
  in: 'path',
  description: `The ${resource}'s \`id\`. Any string is accepted: one that is not the id of a ${resource} of the caller's tenant answers 404.`,
  schema: { type: 'string' },
  example: resource === 'Group' ? GROUP_EXAMPLE_ID : USER_EXAMPLE_ID,
});

const ATTRIBUTES: Parameter = {
  name: 'attributes',
  in: 'query',
  description:
    'RFC 7644 §3.9: a comma-separated list of the attributes to return (`userName,emails`, `name.givenName`, an extension attribute by URN); `id` and `schemas` are always returned.',
  schema: { type: 'string' },
  example: 'userName,emails',
};

const EXCLUDED_ATTRIBUTES: Parameter = {
  name: 'excludedAttributes',
  in: 'query',
  description:
    "RFC 7644 §3.9: a comma-separated list of attributes to leave out (`members` spares reading a group's members); `id` and `schemas` stay.",
  schema: { type: 'string' },
  example: 'members',
};

const LIST_PARAMETERS: Parameter[] = [
  {
    name: 'filter',
    in: 'query',
    description:
      'RFC 7644 §3.4.2.2 filter: `eq ne co sw ew pr gt ge lt le`, `and`/`or`/`not`, parentheses and value paths (`emails[type eq "work"]`); attribute names ignore case, and unquoted values are accepted (`externalId eq jyoung`). A filter the grammar refuses answers 400 `invalidFilter`.',
    schema: { type: 'string' },
    example: 'userName eq "alice@example.com"',
  },
  {
    name: 'startIndex',
    in: 'query',
    description: 'The 1-based index of the first result (default 1); below 1 counts as 1 (RFC 7644 §3.4.2.4).',
    schema: { type: 'integer', default: 1 },
    example: 1,
  },
  {
    name: 'cursor',
    in: 'query',
    description:
      'RFC 9865 cursor pagination: given without a value (`?cursor` or `cursor=`), the first page; then the `nextCursor` or `previousCursor` of the last answer, with the same filter, sortBy and sortOrder (count, attributes and excludedAttributes may change). Pages are keyset pages: page 1,000 costs what page 1 costs, and a walk meets every resource that exists throughout exactly once, whatever is created or deleted meanwhile. `count` is clamped as for index pages. Not with `startIndex` (400 `invalidValue`). A cursor this service did not issue for this tenant, resource type and query, or altered, answers 400 `invalidCursor`; one older than `pagination.cursorTimeout` seconds, 400 `expiredCursor`.',
    schema: { type: 'string' },
    example: '',
  },
  {
    name: 'count',
    in: 'query',
    description: `How many results per page (default ${DEFAULT_COUNT}, more than ${MAX_RESULTS} counts as ${MAX_RESULTS}); a negative count counts as 0, which answers \`totalResults\` alone (RFC 7644 §3.4.2.4).`,
    schema: { type: 'integer', default: DEFAULT_COUNT },
    example: 50,
  },
  {
    name: 'sortBy',
    in: 'query',
    description:
      'The attribute to sort by (`userName`, `meta.created`...); without it, results come in a stable order.',
    schema: { type: 'string' },
    example: 'userName',
  },
  {
    name: 'sortOrder',
    in: 'query',
    description: '`ascending` (the default) or `descending`, in any case.',
    schema: { type: 'string', enum: ['ascending', 'descending'], default: 'ascending' },
  },
  ATTRIBUTES,
  EXCLUDED_ATTRIBUTES,
];

const IF_MATCH: Parameter = {
  name: 'If-Match',
  in: 'header',
  description:
    'RFC 7644 §3.14: apply only if the resource is still at this version (its `ETag`, `meta.version`); a list and `*` are accepted. A version that is no longer current answers 412.',
  schema: { type: 'string' },
  example: 'W/"1"',
};

const IF_NONE_MATCH: Parameter = {
  name: 'If-None-Match',
  in: 'header',
  description: 'The `ETag` the client holds: if it is still current, the answer is 304 without a body.',
  schema: { type: 'string' },
  example: 'W/"1"',
};

const ETAG: Header = {
  description:
    'The version of the answer: for a resource its `meta.version` (`W/"3"`), for a list or discovery answer a weak hash of the body.',
  required: true,
  schema: { type: 'string' },
};

const LOCATION: Header = {
  description: 'The URI of the created resource (its `meta.location`).',
  required: true,
  schema: { type: 'string', format: 'uri' },
};

const scimContent = (schema: string, examples?: Record<string, Example>) => ({
  [MEDIA_SCIM]: { schema: ref(schema), ...(examples ? { examples } : {}) },
});

const answer = (
  description: string,
  schema: string,
  examples?: Record<string, Example>,
  headers: Record<string, Header> = { ETag: ETAG },
): Response => ({ description, headers, content: scimContent(schema, examples) });

const NOT_MODIFIED: Response = {
  description: '`If-None-Match` names the current version: nothing changed since the client read it. No body.',
  headers: { ETag: ETAG },
};

function requestBody(description: string, schema: string, examples: Record<string, Example>): RequestBody {
  // Both media types parse as JSON (RFC 7644 §3.1 names application/scim+json; clients send either).
  return {
    description,
    required: true,
    content: {
      [MEDIA_SCIM]: { schema: ref(schema), examples },
      [MEDIA_JSON]: { schema: ref(schema), examples },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Examples (seed 003, the Microsoft Entra ID and Okta conformance suites)

const userMeta = (id: string, version = 1, lastModified = CREATED) => ({
  resourceType: 'User',
  created: CREATED,
  lastModified,
  location: `${BASE}/Users/${id}`,
  version: `W/"${version}"`,
});

const SEED_003_USER = {
  schemas: [URN_USER],
  userName: 'alice@example.com',
  externalId: '7b39e58e-0000-4000-8000-000000000001',
  displayName: 'Alice Example',
  name: { givenName: 'Alice', familyName: 'Example' },
  emails: [{ value: 'alice@example.com', type: 'work', primary: true }],
};

const ALICE = {
  schemas: [URN_USER],
  id: USER_EXAMPLE_ID,
  externalId: SEED_003_USER.externalId,
  userName: 'alice@example.com',
  name: { givenName: 'Alice', familyName: 'Example' },
  displayName: 'Alice Example',
  active: true,
  emails: [{ value: 'alice@example.com', type: 'work', primary: true }],
  meta: userMeta(USER_EXAMPLE_ID),
};

const ENTRA_USER_ID = '6e3a1b2c-51b4-4c8e-9d0e-2f7a8b9c0d1e';
const ENTRA_USER = {
  userName: 'UserName222',
  active: true,
  displayName: 'lennay',
  schemas: [URN_ENTERPRISE_USER, URN_USER],
  externalId: '0a21f0f2-8d2a-4f8e-bfab-7b3b3c1e2d4f',
  name: { formatted: 'Adrew Ryan', familyName: 'Ryan', givenName: 'Andrew' },
  emails: [
    { Primary: true, type: 'work', value: 'testing@bob2.com' },
    { Primary: false, type: 'home', value: 'testinghome@bob3.com' },
  ],
  [URN_ENTERPRISE_USER]: { Department: 'bob', Manager: { Value: 'SuzzyQ' } },
};

const ENTRA_USER_ANSWER = {
  schemas: [URN_USER, URN_ENTERPRISE_USER],
  id: ENTRA_USER_ID,
  externalId: ENTRA_USER.externalId,
  userName: 'UserName222',
  name: { formatted: 'Adrew Ryan', givenName: 'Andrew', familyName: 'Ryan' },
  displayName: 'lennay',
  active: true,
  emails: [
    { primary: true, type: 'work', value: 'testing@bob2.com' },
    { primary: false, type: 'home', value: 'testinghome@bob3.com' },
  ],
  [URN_ENTERPRISE_USER]: { department: 'bob', manager: { value: 'SuzzyQ' } },
  meta: userMeta(ENTRA_USER_ID),
};

const OKTA_USER = {
  schemas: [URN_USER],
  userName: 'ojx4v2k9@example.com',
  name: { givenName: 'Ojx4', familyName: 'V2k9' },
  emails: [{ primary: true, value: 'ojx4v2k9@example.com', type: 'work' }],
  displayName: 'Ojx4 V2k9',
  active: true,
};

const GROUP_MEMBER_ID = '9b0f6c1d-2e3f-4a5b-8c7d-6e5f4a3b2c1d';
const ENTRA_GROUP = {
  schemas: [URN_GROUP],
  externalId: '3f1c0a52-0000-4000-8000-000000000002',
  displayName: 'GroupDisplayName2',
  members: [{ value: GROUP_MEMBER_ID, display: 'VP' }],
};

const groupMeta = (version = 1, lastModified = CREATED) => ({
  resourceType: 'Group',
  created: CREATED,
  lastModified,
  location: `${BASE}/Groups/${GROUP_EXAMPLE_ID}`,
  version: `W/"${version}"`,
});

const ENTRA_GROUP_ANSWER = {
  schemas: [URN_GROUP],
  id: GROUP_EXAMPLE_ID,
  externalId: ENTRA_GROUP.externalId,
  displayName: 'GroupDisplayName2',
  members: [{ value: GROUP_MEMBER_ID, $ref: `${BASE}/Users/${GROUP_MEMBER_ID}`, display: 'VP', type: 'User' }],
  meta: groupMeta(),
};

const { members: _members, ...ENTRA_GROUP_WITHOUT_MEMBERS } = ENTRA_GROUP_ANSWER;

/** What the operations of one SCIM resource type say about it. */
export interface ScimResourceDoc {
  /** `User` or `Group`. */
  name: 'User' | 'Group';
  /** `Users` or `Groups`: the collection, and the operationId suffix (`scimListUsers`). */
  plural: 'Users' | 'Groups';
  schema: string;
  requestSchema: string;
  listSchema: string;
  /** A phrase for descriptions. */
  what: string;
  createExamples: Record<string, Example>;
  createdExamples: Record<string, Example>;
  replaceExamples: Record<string, Example>;
  replacedExamples: Record<string, Example>;
  patchExamples: Record<string, Example>;
  patchedExamples: Record<string, Example>;
  listExamples: Record<string, Example>;
  searchExamples: Record<string, Example>;
  getExamples: Record<string, Example>;
}

const page = (resources: unknown[], totalResults = resources.length, startIndex = 1) => ({
  schemas: [URN_LIST_RESPONSE],
  totalResults,
  startIndex,
  itemsPerPage: resources.length,
  Resources: resources,
});

export const SCIM_USERS_DOC: ScimResourceDoc = {
  name: 'User',
  plural: 'Users',
  schema: 'ScimUser',
  requestSchema: 'ScimUserRequest',
  listSchema: 'ScimUserListResponse',
  what: 'user',
  createExamples: {
    seed003: { summary: 'Seed 003: POST /scim/v2/Users', value: SEED_003_USER },
    entraEnterprise: {
      summary: 'Entra ID conformance: an Enterprise User, attribute names in any case',
      value: ENTRA_USER,
    },
    okta: { summary: 'Okta SCIM 2.0 spec test: create a user', value: OKTA_USER },
  },
  createdExamples: {
    seed003: { summary: 'Seed 003: the user created', value: ALICE },
    entraEnterprise: { summary: "Names answered in the schema's case", value: ENTRA_USER_ANSWER },
  },
  replaceExamples: {
    entra: {
      summary: 'Entra ID conformance: replace a user (the echoed `id` is ignored)',
      value: {
        userName: 'UserNameReplace2',
        active: true,
        displayName: 'BobIsAmazing',
        schemas: [URN_ENTERPRISE_USER, URN_USER],
        id: ENTRA_USER_ID,
        externalId: ENTRA_USER.externalId,
        name: { formatted: 'NewName', familyName: 'Leenay', givenName: 'Ryan' },
        emails: [
          { Primary: true, type: 'work', value: 'testing@bobREPLACE.com' },
          { Primary: false, type: 'home', value: 'testinghome@bob.com' },
        ],
      },
    },
  },
  replacedExamples: {
    entra: {
      summary: 'The user as replaced',
      value: {
        schemas: [URN_USER],
        id: ENTRA_USER_ID,
        externalId: ENTRA_USER.externalId,
        userName: 'UserNameReplace2',
        name: { formatted: 'NewName', givenName: 'Ryan', familyName: 'Leenay' },
        displayName: 'BobIsAmazing',
        active: true,
        emails: [
          { primary: true, type: 'work', value: 'testing@bobREPLACE.com' },
          { primary: false, type: 'home', value: 'testinghome@bob.com' },
        ],
        meta: userMeta(ENTRA_USER_ID, 2, '2025-12-29T12:40:02.000Z'),
      },
    },
  },
  patchExamples: {
    entraReplace: {
      summary: 'Entra ID conformance: `"Replace"` in capitals',
      value: { schemas: [URN_PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: false }] },
    },
    rename: {
      summary: 'Entra ID conformance: a new userName',
      value: { schemas: [URN_PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: 'ryan3' }] },
    },
    noPath: {
      summary: 'Several attributes without a path',
      value: {
        schemas: [URN_PATCH_OP],
        Operations: [
          { op: 'replace', value: { displayName: 'Alice Example-Smith', 'name.familyName': 'Example-Smith' } },
          { op: 'add', path: 'emails[type eq "home"].value', value: 'alice@home.example' },
        ],
      },
    },
  },
  patchedExamples: {
    projected: {
      summary: 'With `?attributes=userName,active`',
      value: { schemas: [URN_USER], id: USER_EXAMPLE_ID, userName: 'alice@example.com', active: false },
    },
  },
  listExamples: {
    oktaFilter: {
      summary: 'Okta: `filter=userName eq "alice@example.com"`',
      value: page([ALICE]),
    },
    empty: { summary: 'No user matches', value: page([], 0) },
  },
  searchExamples: {
    byUserName: {
      summary: 'Users by userName',
      value: {
        schemas: [URN_SEARCH_REQUEST],
        filter: 'userName eq "alice@example.com"',
        attributes: ['userName', 'emails'],
        startIndex: 1,
        count: 10,
      },
    },
  },
  getExamples: { seed003: { summary: 'The user of seed 003', value: ALICE } },
};

export const SCIM_GROUPS_DOC: ScimResourceDoc = {
  name: 'Group',
  plural: 'Groups',
  schema: 'ScimGroup',
  requestSchema: 'ScimGroupRequest',
  listSchema: 'ScimGroupListResponse',
  what: 'group (a department)',
  createExamples: {
    entraFilled: { summary: 'Entra ID conformance: a group with a member', value: ENTRA_GROUP },
    entraEmpty: {
      summary: 'Entra ID conformance: an empty group',
      value: {
        schemas: [URN_GROUP],
        externalId: '8c4e2a10-0000-4000-8000-000000000003',
        displayName: 'GroupDisplayName',
      },
    },
  },
  createdExamples: { entraFilled: { summary: 'The group created', value: ENTRA_GROUP_ANSWER } },
  replaceExamples: {
    entra: {
      summary: 'Entra ID conformance: rename and set the members',
      value: {
        schemas: [URN_GROUP],
        id: GROUP_EXAMPLE_ID,
        displayName: 'putName',
        members: [
          { value: GROUP_MEMBER_ID, display: 'VP' },
          { value: USER_EXAMPLE_ID, display: 'SenorVP' },
        ],
      },
    },
  },
  replacedExamples: {
    entra: {
      summary: 'The group as replaced',
      value: {
        schemas: [URN_GROUP],
        id: GROUP_EXAMPLE_ID,
        externalId: ENTRA_GROUP.externalId,
        displayName: 'putName',
        members: [
          { value: GROUP_MEMBER_ID, $ref: `${BASE}/Users/${GROUP_MEMBER_ID}`, display: 'VP', type: 'User' },
          { value: USER_EXAMPLE_ID, $ref: `${BASE}/Users/${USER_EXAMPLE_ID}`, display: 'Alice Example', type: 'User' },
        ],
        meta: groupMeta(2, '2025-12-29T12:40:02.000Z'),
      },
    },
  },
  patchExamples: {
    addMember: {
      summary: 'Entra ID conformance: add a member',
      value: {
        schemas: [URN_PATCH_OP],
        Operations: [{ op: 'add', path: 'members', value: [{ value: USER_EXAMPLE_ID }] }],
      },
    },
    removeMember: {
      summary: 'Entra ID conformance: remove a member',
      value: {
        schemas: [URN_PATCH_OP],
        Operations: [{ op: 'remove', path: `members[value eq "${USER_EXAMPLE_ID}"]` }],
      },
    },
    rename: {
      summary: 'Rename the group',
      value: {
        schemas: [URN_PATCH_OP],
        Operations: [{ op: 'Replace', path: 'displayName', value: 'Sales EMEA' }],
      },
    },
  },
  patchedExamples: {
    projected: {
      summary: 'With `?excludedAttributes=members`',
      value: {
        schemas: [URN_GROUP],
        id: GROUP_EXAMPLE_ID,
        externalId: ENTRA_GROUP.externalId,
        displayName: 'Sales EMEA',
        meta: groupMeta(3, '2025-12-29T12:41:15.000Z'),
      },
    },
  },
  listExamples: {
    entraByName: {
      summary: 'Entra ID: `filter=displayName eq "GroupDisplayName2"&excludedAttributes=members`',
      value: page([ENTRA_GROUP_WITHOUT_MEMBERS]),
    },
  },
  searchExamples: {
    byName: {
      summary: 'Groups by displayName, without members',
      value: {
        schemas: [URN_SEARCH_REQUEST],
        filter: 'displayName eq "GroupDisplayName2"',
        excludedAttributes: ['members'],
      },
    },
  },
  getExamples: { entra: { summary: 'A group and its members', value: ENTRA_GROUP_ANSWER } },
};

// ---------------------------------------------------------------------------------------------
// Operations of ScimResourceController, one per resource type through the controller's context

/** What a Group answer says of its members' cap (the same sentence wherever a Group is answered). */
const membersCap = (r: ScimResourceDoc): string =>
  r.name === 'Group'
    ? ` One answer carries at most ${SCIM_LIMITS.membersPerResponse.toLocaleString('en-GB')} members across its groups; more answers 400 \`tooMany\` (counted before any member is read; a PATCH asked to answer so is undone), except that a POST or PUT is kept and answers the group without \`members\`. Read a larger group with \`excludedAttributes=members\` (which reads no members at all) and page its members with \`GET /Users?filter=groups.value eq "<id>"\`.`
    : '';

const UNIQUE: Record<ScimResourceDoc['name'], string> = {
  User: '`userName` (ignoring case) or `externalId`',
  Group: '`displayName` (ignoring case) or `externalId`',
};

export const SCIM_LIST = (r: ScimResourceDoc): OperationDoc => ({
  id: `scimList${r.plural}`,
  summary: `List ${r.plural.toLowerCase()}`,
  description: `RFC 7644 §3.4.2: a page of the tenant's ${r.plural.toLowerCase()}, filtered, sorted and projected. Identity providers look a ${r.what} up by filter before creating it (\`${r.name === 'User' ? 'userName eq "…"' : 'displayName eq "…"'}\`).${membersCap(r)}`,
  parameters: LIST_PARAMETERS,
  responses: {
    '200': answer(`The page of ${r.plural.toLowerCase()}.`, r.listSchema, r.listExamples),
    '304': NOT_MODIFIED,
  },
});

export const SCIM_SEARCH = (r: ScimResourceDoc): OperationDoc => ({
  id: `scimSearch${r.plural}`,
  summary: `Search ${r.plural.toLowerCase()}`,
  description: `RFC 7644 §3.4.3: the list of \`GET /${r.plural}\`, its parameters in a SearchRequest body (so a filter stays out of URLs and logs).`,
  requestBody: { ...requestBody('The SearchRequest.', 'ScimSearchRequest', r.searchExamples), required: false },
  responses: { '200': answer(`The page of ${r.plural.toLowerCase()}.`, r.listSchema, r.listExamples) },
});

export const SCIM_CREATE = (r: ScimResourceDoc): OperationDoc => ({
  id: `scimCreate${r.name}`,
  summary: `Create a ${r.name.toLowerCase()}`,
  description: `RFC 7644 §3.3: creates the ${r.what}. ${r.name === 'User' ? 'A `password` is accepted and dropped: it is never stored, logged nor returned.' : 'Members are users or groups of the tenant, by id.'} A taken ${UNIQUE[r.name]} answers 409 \`uniqueness\`.`,
  requestBody: requestBody(`The ${r.name}.`, r.requestSchema, r.createExamples),
  responses: {
    '201': answer(`The ${r.name.toLowerCase()} created.`, r.schema, r.createdExamples, {
      Location: LOCATION,
      ETag: ETAG,
    }),
    ...errors('scim', 409),
  },
});

export const SCIM_GET = (r: ScimResourceDoc): OperationDoc => ({
  id: `scimGet${r.name}`,
  summary: `Read a ${r.name.toLowerCase()}`,
  description: `RFC 7644 §3.4.1: the ${r.what}, projected by \`attributes\`/\`excludedAttributes\`. With \`If-None-Match\` naming its current version, 304.${membersCap(r)}`,
  parameters: [idParameter(r.name), ATTRIBUTES, EXCLUDED_ATTRIBUTES, IF_NONE_MATCH],
  responses: {
    '200': answer(`The ${r.name.toLowerCase()}.`, r.schema, r.getExamples),
    '304': NOT_MODIFIED,
    ...errors('scim', 404),
  },
});

export const SCIM_REPLACE = (r: ScimResourceDoc): OperationDoc => ({
  id: `scimReplace${r.name}`,
  summary: `Replace a ${r.name.toLowerCase()}`,
  description: `RFC 7644 §3.5.1: the ${r.what} becomes the body; attributes it leaves out are unassigned${r.name === 'Group' ? ', except `members`, kept when the body does not name them (Okta and Entra ID rename with a PUT without members)' : ''}. A taken ${UNIQUE[r.name]} answers 409 \`uniqueness\`; \`If-Match\` with another version, 412.${membersCap(r)}`,
  parameters: [idParameter(r.name), IF_MATCH],
  requestBody: requestBody(`The whole ${r.name}.`, r.requestSchema, r.replaceExamples),
  responses: {
    '200': answer(`The ${r.name.toLowerCase()} as replaced.`, r.schema, r.replacedExamples),
    ...errors('scim', 404, 409, 412),
  },
});

export const SCIM_PATCH = (r: ScimResourceDoc): OperationDoc => ({
  id: `scimPatch${r.name}`,
  summary: `Change a ${r.name.toLowerCase()}`,
  description: `RFC 7644 §3.5.2: applies the operations in order, all or none. Answers 204 without a body, or 200 with the ${r.name.toLowerCase()} when \`attributes\` or \`excludedAttributes\` is given. A taken ${UNIQUE[r.name]} answers 409 \`uniqueness\`; \`If-Match\` with another version, 412; too many operations or values, 400 \`tooMany\`.${r.name === 'Group' ? ` One operation adds or removes up to ${SCIM_LIMITS.membersPerOperation.toLocaleString('en-GB')} members, applied in a fixed number of statements.` : ''}${membersCap(r)}`,
  parameters: [idParameter(r.name), ATTRIBUTES, EXCLUDED_ATTRIBUTES, IF_MATCH],
  requestBody: requestBody('The PatchOp.', 'ScimPatchOp', r.patchExamples),
  responses: {
    '200': answer(
      `Changed; the ${r.name.toLowerCase()}, as \`attributes\`/\`excludedAttributes\` project it.`,
      r.schema,
      r.patchedExamples,
    ),
    '204': { description: 'Changed (no projection was asked for). No body.' },
    ...errors('scim', 404, 409, 412),
  },
});

export const SCIM_DELETE = (r: ScimResourceDoc): OperationDoc => ({
  id: `scimDelete${r.name}`,
  summary: `Delete a ${r.name.toLowerCase()}`,
  description: `RFC 7644 §3.6: a hard delete${r.name === 'Group' ? ' of the department (its assignments go with it)' : ''}; the id answers 404 afterwards. \`If-Match\` with another version answers 412.`,
  parameters: [idParameter(r.name), IF_MATCH],
  responses: { '204': { description: 'Deleted. No body.' }, ...errors('scim', 404, 412) },
});

// ---------------------------------------------------------------------------------------------
// Discovery

const discoveryMeta = (resourceType: string, path: string) => ({ resourceType, location: `${BASE}/${path}` });

export const SCIM_SERVICE_PROVIDER_CONFIG: OperationDoc = {
  id: ['scimGetServiceProviderConfig', 'scimGetServiceConfiguration'],
  summary: 'What this service provider supports',
  description:
    "RFC 7644 §4: PATCH, bulk, filter (at most `maxResults` per page), sort and ETags are supported; change-password is not. RFC 9865's `pagination` says both index and cursor pagination are served; RFC 9967's `securityEvents` lists the event URIs of the SCIM event streams. This service's per-request bounds are stated too. `/serviceConfiguration` is the same answer, under the name Microsoft's SCIM reference client reads.",
  responses: {
    '200': answer('The ServiceProviderConfig.', 'ScimServiceProviderConfig', {
      config: {
        summary: 'With the default BODY_LIMIT and RATE_LIMIT_SCIM',
        value: {
          ...serviceProviderConfig({
            bulk: { maxOperations: SCIM_LIMITS.bulkOperations, maxPayloadSize: SCIM_LIMITS.bulkPayloadBytes },
            eventUris: SCIM_EVENT_URIS,
          }),
          meta: discoveryMeta('ServiceProviderConfig', 'ServiceProviderConfig'),
        },
      },
    }),
    '304': NOT_MODIFIED,
  },
};

const USER_RESOURCE_TYPE_EXAMPLE = {
  schemas: [URN_RESOURCE_TYPE],
  id: 'User',
  name: 'User',
  endpoint: '/Users',
  description: 'User Account',
  schema: URN_USER,
  schemaExtensions: [{ schema: URN_ENTERPRISE_USER, required: false }],
  meta: discoveryMeta('ResourceType', 'ResourceTypes/User'),
};

const GROUP_RESOURCE_TYPE_EXAMPLE = {
  schemas: [URN_RESOURCE_TYPE],
  id: 'Group',
  name: 'Group',
  endpoint: '/Groups',
  description: 'Group',
  schema: URN_GROUP,
  schemaExtensions: [],
  meta: discoveryMeta('ResourceType', 'ResourceTypes/Group'),
};

export const SCIM_LIST_RESOURCE_TYPES: OperationDoc = {
  id: 'scimListResourceTypes',
  summary: 'List resource types',
  description:
    'RFC 7644 §4: the resource types served, `User` (with the Enterprise User extension) and `Group`, in one page.',
  responses: {
    '200': answer('Both resource types.', 'ScimResourceTypeListResponse', {
      both: { summary: 'User and Group', value: page([USER_RESOURCE_TYPE_EXAMPLE, GROUP_RESOURCE_TYPE_EXAMPLE]) },
    }),
    '304': NOT_MODIFIED,
  },
};

const discoveryId = (what: string, example: string): Parameter => ({
  name: 'id',
  in: 'path',
  description: `The ${what}'s id, compared ignoring case; another answers 404.`,
  schema: { type: 'string' },
  example,
});

export const SCIM_GET_RESOURCE_TYPE: OperationDoc = {
  id: 'scimGetResourceType',
  summary: 'Read a resource type',
  description: 'RFC 7644 §4: one resource type, `User` or `Group`.',
  parameters: [discoveryId('resource type', 'User')],
  responses: {
    '200': answer('The resource type.', 'ScimResourceType', {
      user: { summary: 'User', value: USER_RESOURCE_TYPE_EXAMPLE },
    }),
    '304': NOT_MODIFIED,
    ...errors('scim', 404),
  },
};

const GROUP_SCHEMA_EXAMPLE = {
  ...GROUP_SCHEMA,
  meta: discoveryMeta('Schema', `Schemas/${URN_GROUP}`),
};

export const SCIM_LIST_SCHEMAS: OperationDoc = {
  id: 'scimListSchemas',
  summary: 'List schemas',
  description:
    'RFC 7644 §4: the attribute definitions of the core User, Enterprise User and Group schemas, in one page. Attributes outside them are kept too, as sent.',
  responses: {
    '200': answer('The three schemas.', 'ScimSchemaListResponse', {
      group: { summary: 'Shortened to the Group schema', value: page([GROUP_SCHEMA_EXAMPLE], 3) },
    }),
    '304': NOT_MODIFIED,
  },
};

export const SCIM_GET_SCHEMA: OperationDoc = {
  id: 'scimGetSchema',
  summary: 'Read a schema',
  description: 'RFC 7644 §4: one schema by its URN.',
  parameters: [discoveryId('schema', URN_GROUP)],
  responses: {
    '200': answer('The schema.', 'ScimSchema', { group: { summary: 'Group', value: GROUP_SCHEMA_EXAMPLE } }),
    '304': NOT_MODIFIED,
    ...errors('scim', 404),
  },
};

/** The failures every SCIM operation can give: guard, rate limit, body parser, 500, 503. */
export const SCIM_ERRORS = [400, 401, 403, 413, 415, 429, 500, 503] as const;
