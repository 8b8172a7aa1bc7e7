// RFC 7643 §3.1: attributes every resource carries, outside any schema's `attributes` list.
import { attribute, AttributeDefinition, complex } from './schema.types';

export const COMMON_ATTRIBUTES: readonly AttributeDefinition[] = [
  attribute('id', 'string', 'A unique identifier for a SCIM resource as defined by the service provider.', {
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
  }),
  attribute(
    'externalId',
    'string',
    'A String that is an identifier for the resource as defined by the provisioning client.',
    {
      caseExact: true,
    },
  ),
  complex(
    'meta',
    'A complex attribute containing resource metadata.',
    [
      attribute('resourceType', 'string', 'The name of the resource type of the resource.', {
        caseExact: true,
        mutability: 'readOnly',
      }),
      attribute('created', 'dateTime', 'The "DateTime" that the resource was added to the service provider.', {
        mutability: 'readOnly',
      }),
      attribute(
        'lastModified',
        'dateTime',
        'The most recent DateTime that the details of this resource were updated.',
        {
          mutability: 'readOnly',
        },
      ),
      // Derived when answering (from the request's base URL, from the row's version): not filterable.
      attribute('location', 'reference', 'The URI of the resource being returned.', {
        caseExact: true,
        mutability: 'readOnly',
        filterable: false,
      }),
      attribute('version', 'string', 'The version of the resource being returned.', {
        caseExact: true,
        mutability: 'readOnly',
        filterable: false,
      }),
    ],
    { mutability: 'readOnly', filterable: false },
  ),
];
