// RFC 7643 §7 attribute definitions, in the JSON shape `/Schemas` serves.

export type ScimResourceName = 'User' | 'Group';

export type AttributeType =
  'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'binary' | 'reference' | 'complex';

export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'never' | 'default' | 'request';
export type Uniqueness = 'none' | 'server' | 'global';

export interface AttributeDefinition {
  name: string;
  type: AttributeType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: Returned;
  uniqueness: Uniqueness;
  canonicalValues?: string[];
  referenceTypes?: string[];
  /**
   * `false` when a filter may not name the attribute (400 invalidFilter): it is not stored where
   * SQL can reach it (password, meta.version), or it is a singular complex attribute without a
   * `value` to compare (name, manager). Absent means filterable; not an RFC 7643 characteristic,
   * served so clients know beforehand. The resolvers (scim-sql.resolvers.ts) refuse what is marked.
   */
  filterable?: false;
  /** Only on `complex` attributes; sub-attributes are never complex themselves. */
  subAttributes?: AttributeDefinition[];
}

/** A `urn:ietf:params:scim:schemas:core:2.0:Schema` resource (without `meta`, which carries the caller's base URL). */
export interface SchemaDocument {
  schemas: string[];
  id: string;
  name: string;
  description: string;
  attributes: AttributeDefinition[];
}

/**
 * A SCIM resource as a plain JSON object in SCIM shape, attribute names in the schema's case;
 * extension attributes nested under their schema URN. Attributes the schema does not know are
 * kept as the client sent them.
 */
export type ScimDocument = Record<string, unknown>;

/** Builds a definition with RFC 7643 §2.2's defaults: optional, case-insensitive, readWrite, returned by default, not unique. */
export function attribute(
  name: string,
  type: AttributeType,
  description: string,
  characteristics: Partial<Omit<AttributeDefinition, 'name' | 'type' | 'description'>> = {},
): AttributeDefinition {
  return {
    name,
    type,
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...characteristics,
  };
}

/** A complex attribute with its sub-attributes. */
export function complex(
  name: string,
  description: string,
  subAttributes: AttributeDefinition[],
  characteristics: Partial<Omit<AttributeDefinition, 'name' | 'type' | 'description' | 'subAttributes'>> = {},
): AttributeDefinition {
  return { ...attribute(name, 'complex', description, characteristics), subAttributes };
}
