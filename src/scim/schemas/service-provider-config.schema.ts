// RFC 7643 §5 and §8.7.2: the ServiceProviderConfig schema as `/Schemas` serves it, with RFC 9865's
// `pagination` and RFC 9967 §4's `securityEvents`. Every attribute is read-only: the service says
// what it supports, clients cannot change it.
import { attribute, AttributeDefinition, complex, SchemaDocument } from './schema.types';
import { URN_SCHEMA, URN_SERVICE_PROVIDER_CONFIG } from './scim.urns';

const readOnly = { mutability: 'readOnly' as const };
const required = { ...readOnly, required: true };
const supported = (what: string): AttributeDefinition =>
  attribute('supported', 'boolean', `A Boolean value specifying whether or not ${what} is supported.`, required);

export const SERVICE_PROVIDER_CONFIG_SCHEMA: SchemaDocument = {
  schemas: [URN_SCHEMA],
  id: URN_SERVICE_PROVIDER_CONFIG,
  name: 'Service Provider Configuration',
  description: 'Schema for representing the service provider configuration',
  attributes: [
    attribute(
      'documentationUri',
      'reference',
      'An HTTP-addressable URL pointing to the service provider’s human-consumable help documentation.',
      {
        ...readOnly,
        referenceTypes: ['external'],
      },
    ),
    complex(
      'patch',
      'A complex type that specifies PATCH configuration options.',
      [supported('the operation')],
      required,
    ),
    complex(
      'bulk',
      'A complex type that specifies bulk configuration options.',
      [
        supported('the operation'),
        attribute(
          'maxOperations',
          'integer',
          'An integer value specifying the maximum number of operations.',
          required,
        ),
        attribute(
          'maxPayloadSize',
          'integer',
          'An integer value specifying the maximum payload size in bytes.',
          required,
        ),
      ],
      required,
    ),
    complex(
      'filter',
      'A complex type that specifies FILTER options.',
      [
        supported('filtering'),
        attribute(
          'maxResults',
          'integer',
          'An integer value specifying the maximum number of resources returned in a response.',
          required,
        ),
      ],
      required,
    ),
    complex(
      'pagination',
      'RFC 9865: the pagination methods the service provider supports.',
      [
        attribute('cursor', 'boolean', 'Whether cursor-based pagination is supported.', required),
        attribute('index', 'boolean', 'Whether index-based pagination is supported.', required),
        attribute('defaultPaginationMethod', 'string', 'The method used when a request names none.', {
          ...readOnly,
          canonicalValues: ['cursor', 'index'],
        }),
        attribute('defaultPageSize', 'integer', 'The page size used when a request gives no count.', readOnly),
        attribute('maxPageSize', 'integer', 'The largest page size answered.', readOnly),
        attribute('cursorTimeout', 'integer', 'Seconds a cursor stays valid after it was issued.', readOnly),
      ],
      readOnly,
    ),
    complex(
      'changePassword',
      'A complex type that specifies configuration options related to changing a password.',
      [supported('the operation')],
      required,
    ),
    complex('sort', 'A complex type that specifies sort result options.', [supported('sorting')], required),
    complex('etag', 'A complex type that specifies ETag configuration options.', [supported('ETag')], required),
    complex(
      'authenticationSchemes',
      'A complex type that specifies supported authentication scheme properties.',
      [
        attribute('type', 'string', 'The authentication scheme.', {
          ...required,
          canonicalValues: ['oauth', 'oauth2', 'oauthbearertoken', 'httpbasic', 'httpdigest'],
        }),
        attribute('name', 'string', 'The common authentication scheme name, e.g., HTTP Basic.', required),
        attribute('description', 'string', 'A description of the authentication scheme.', required),
        attribute(
          'specUri',
          'reference',
          'An HTTP-addressable URL pointing to the authentication scheme’s specification.',
          {
            ...readOnly,
            referenceTypes: ['external'],
          },
        ),
        attribute(
          'documentationUri',
          'reference',
          'An HTTP-addressable URL pointing to the authentication scheme’s usage documentation.',
          {
            ...readOnly,
            referenceTypes: ['external'],
          },
        ),
        attribute('primary', 'boolean', 'Whether this is the preferred authentication scheme.', readOnly),
      ],
      { ...required, multiValued: true },
    ),
    complex(
      'securityEvents',
      'RFC 9967 §4: the security events (SETs) the service provider can generate and deliver over an RFC 8935 push or RFC 8936 poll stream; absent when events are not supported.',
      [
        attribute(
          'asyncRequest',
          'string',
          'Whether the service provider answers requests asynchronously: "none" (never), "long" (at its discretion) or "request" (when the client asks with Prefer: respond-async).',
          { ...readOnly, canonicalValues: ['none', 'long', 'request'] },
        ),
        attribute(
          'eventUris',
          'string',
          'The event URIs of the SETs the service provider can generate. Informational.',
          {
            ...readOnly,
            multiValued: true,
            caseExact: true,
          },
        ),
      ],
      readOnly,
    ),
  ],
};
