// RFC 7643 §8.7.1 (§4.2): the Group schema. `displayName` is required here: a group is a department,
// and a department has a name.
import { attribute, complex, SchemaDocument } from './schema.types';
import { URN_GROUP, URN_SCHEMA } from './scim.urns';

export const GROUP_SCHEMA: SchemaDocument = {
  schemas: [URN_SCHEMA],
  id: URN_GROUP,
  name: 'Group',
  description: 'Group',
  attributes: [
    attribute('displayName', 'string', 'A human-readable name for the Group.  REQUIRED.', { required: true }),
    complex(
      'members',
      'A list of members of the Group.',
      [
        attribute('value', 'string', 'Identifier of the member of this Group.', { mutability: 'immutable' }),
        attribute('$ref', 'reference', 'The URI corresponding to a SCIM resource that is a member of this Group.', {
          referenceTypes: ['User', 'Group'],
          mutability: 'immutable',
          // Derived from `value` and `type` when answering, not stored: filter on `members.value`.
          filterable: false,
        }),
        // The member's name is read when answering, not kept with the membership.
        attribute('display', 'string', 'A human-readable name for the member, primarily used for display purposes.', {
          mutability: 'readOnly',
          filterable: false,
        }),
        attribute('type', 'string', "A label indicating the type of resource, e.g., 'User' or 'Group'.", {
          canonicalValues: ['User', 'Group'],
          mutability: 'immutable',
        }),
      ],
      { multiValued: true },
    ),
  ],
};
