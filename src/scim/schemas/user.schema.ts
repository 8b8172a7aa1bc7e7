// RFC 7643 §8.7.1: the core User schema.
import { attribute, AttributeDefinition, complex, SchemaDocument } from './schema.types';
import { URN_SCHEMA, URN_USER } from './scim.urns';

/** The `value`/`display`/`type`/`primary` shape RFC 7643 §2.4 gives most multi-valued attributes. */
function multiValued(
  name: string,
  description: string,
  what: string,
  options: { valueType?: 'string' | 'reference' | 'binary'; types?: string[]; referenceTypes?: string[] } = {},
): AttributeDefinition {
  const valueType = options.valueType ?? 'string';
  return complex(
    name,
    description,
    [
      attribute('value', valueType, `The value of ${what}.`, {
        ...(options.referenceTypes ? { referenceTypes: options.referenceTypes } : {}),
      }),
      attribute('display', 'string', 'A human-readable name, primarily used for display purposes.  READ-ONLY.'),
      attribute('type', 'string', `A label indicating the attribute's function.`, {
        ...(options.types ? { canonicalValues: options.types } : {}),
      }),
      attribute(
        'primary',
        'boolean',
        `A Boolean value indicating the 'primary' or preferred attribute value for this attribute.  The primary attribute value 'true' MUST appear no more than once.`,
      ),
    ],
    { multiValued: true },
  );
}

export const USER_SCHEMA: SchemaDocument = {
  schemas: [URN_SCHEMA],
  id: URN_USER,
  name: 'User',
  description: 'User Account',
  attributes: [
    attribute(
      'userName',
      'string',
      `Unique identifier for the User, typically used by the user to directly authenticate to the service provider.  Each User MUST include a non-empty userName value.  This identifier MUST be unique across the service provider's entire set of Users.  REQUIRED.`,
      { required: true, uniqueness: 'server' },
    ),
    complex(
      'name',
      `The components of the user's real name.  Providers MAY return just the full name as a single string in the formatted sub-attribute, or they MAY return just the individual component attributes using the other sub-attributes, or they MAY return both.`,
      [
        attribute(
          'formatted',
          'string',
          `The full name, including all middle names, titles, and suffixes as appropriate, formatted for display (e.g., 'Ms. Barbara J Jensen, III').`,
        ),
        attribute('familyName', 'string', `The family name of the User, or last name in most Western languages.`),
        attribute('givenName', 'string', `The given name of the User, or first name in most Western languages.`),
        attribute('middleName', 'string', `The middle name(s) of the User.`),
        attribute(
          'honorificPrefix',
          'string',
          `The honorific prefix(es) of the User, or title in most Western languages.`,
        ),
        attribute(
          'honorificSuffix',
          'string',
          `The honorific suffix(es) of the User, or suffix in most Western languages.`,
        ),
      ],
      // No `value` to compare: filter on its sub-attributes (`name.familyName`).
      { filterable: false },
    ),
    attribute(
      'displayName',
      'string',
      'The name of the User, suitable for display to end-users.  The name SHOULD be the full name of the User being described, if known.',
    ),
    attribute('nickName', 'string', `The casual way to address the user in real life.`),
    attribute(
      'profileUrl',
      'reference',
      `A fully qualified URL pointing to a page representing the User's online profile.`,
      { referenceTypes: ['external'] },
    ),
    attribute('title', 'string', `The user's title, such as "Vice President."`),
    attribute(
      'userType',
      'string',
      `Used to identify the relationship between the organization and the user.  Typical values used might be 'Contractor', 'Employee', 'Intern', 'Temp', 'External', and 'Unknown', but any value may be used.`,
    ),
    attribute(
      'preferredLanguage',
      'string',
      `Indicates the User's preferred written or spoken language.  Generally used for selecting a localized user interface; e.g., 'en_US' specifies the language English and country US.`,
    ),
    attribute(
      'locale',
      'string',
      `Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations.`,
    ),
    attribute(
      'timezone',
      'string',
      `The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'.`,
    ),
    attribute('active', 'boolean', `A Boolean value indicating the User's administrative status.`),
    attribute(
      'password',
      'string',
      `The User's cleartext password.  This attribute is intended to be used as a means to specify an initial password when creating a new User or to reset an existing User's password.`,
      { mutability: 'writeOnly', returned: 'never', filterable: false },
    ),
    multiValued('emails', 'Email addresses for the user.', 'the email address', { types: ['work', 'home', 'other'] }),
    multiValued('phoneNumbers', 'Phone numbers for the User.', 'the phone number', {
      types: ['work', 'home', 'mobile', 'fax', 'pager', 'other'],
    }),
    multiValued('ims', 'Instant messaging addresses for the User.', 'the instant messaging address', {
      types: ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo'],
    }),
    multiValued('photos', 'URLs of photos of the User.', 'the photo URL', {
      valueType: 'reference',
      referenceTypes: ['external'],
      types: ['photo', 'thumbnail'],
    }),
    complex(
      'addresses',
      'A physical mailing address for this User.',
      [
        attribute(
          'formatted',
          'string',
          'The full mailing address, formatted for display or use with a mailing label.  This attribute MAY contain newlines.',
        ),
        attribute(
          'streetAddress',
          'string',
          'The full street address component, which may include house number, street name, P.O. box, and multi-line extended street address information.  This attribute MAY contain newlines.',
        ),
        attribute('locality', 'string', 'The city or locality component.'),
        attribute('region', 'string', 'The state or region component.'),
        attribute('postalCode', 'string', 'The zip code or postal code component.'),
        attribute('country', 'string', 'The country name component.'),
        attribute(`type`, 'string', `A label indicating the attribute's function, e.g., 'work' or 'home'.`, {
          canonicalValues: ['work', 'home', 'other'],
        }),
        attribute(
          'primary',
          'boolean',
          `A Boolean value indicating the 'primary' or preferred address.  The primary attribute value 'true' MUST appear no more than once.`,
        ),
      ],
      { multiValued: true },
    ),
    complex(
      'groups',
      `A list of groups to which the user belongs, either through direct membership, through nested groups, or dynamically calculated.`,
      [
        attribute('value', 'string', `The identifier of the User's group.`, { mutability: 'readOnly' }),
        // Derived from `value` when answering, not stored: filter on `groups.value`.
        attribute('$ref', 'reference', `The URI of the corresponding 'Group' resource to which the user belongs.`, {
          referenceTypes: ['User', 'Group'],
          mutability: 'readOnly',
          filterable: false,
        }),
        attribute('display', 'string', 'A human-readable name, primarily used for display purposes.  READ-ONLY.', {
          mutability: 'readOnly',
        }),
        attribute('type', 'string', `A label indicating the attribute's function, e.g., 'direct' or 'indirect'.`, {
          canonicalValues: ['direct', 'indirect'],
          mutability: 'readOnly',
          // Always 'direct' here (no nested or dynamic membership is answered), so nothing to filter.
          filterable: false,
        }),
      ],
      { multiValued: true, mutability: 'readOnly' },
    ),
    multiValued(
      'entitlements',
      'A list of entitlements for the User that represent a thing the User has.',
      'an entitlement',
    ),
    multiValued('roles', 'A list of roles for the User that collectively represent who the User is.', 'a role'),
    multiValued('x509Certificates', 'A list of certificates issued to the User.', 'an X.509 certificate', {
      valueType: 'binary',
    }),
  ],
};
