// RFC 7643 §8.7.1 (§4.3): the Enterprise User extension.
import { attribute, complex, SchemaDocument } from './schema.types';
import { URN_ENTERPRISE_USER, URN_SCHEMA } from './scim.urns';

export const ENTERPRISE_USER_SCHEMA: SchemaDocument = {
  schemas: [URN_SCHEMA],
  id: URN_ENTERPRISE_USER,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    attribute(
      'employeeNumber',
      'string',
      'Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization.',
    ),
    attribute('costCenter', 'string', 'Identifies the name of a cost center.'),
    attribute('organization', 'string', 'Identifies the name of an organization.'),
    attribute('division', 'string', 'Identifies the name of a division.'),
    attribute('department', 'string', 'Identifies the name of a department.'),
    complex(
      'manager',
      `The User's manager.  A complex type that optionally allows service providers to represent organizational hierarchy by referencing the 'id' attribute of another User.`,
      [
        attribute('value', 'string', `The id of the SCIM resource representing the User's manager.`),
        attribute('$ref', 'reference', `The URI of the SCIM resource representing the User's manager.`, {
          referenceTypes: ['User'],
        }),
        attribute('displayName', 'string', `The displayName of the User's manager.  READ-ONLY.`, {
          mutability: 'readOnly',
        }),
      ],
      // No comparison of the whole: filter on `manager.value`.
      { filterable: false },
    ),
  ],
};
