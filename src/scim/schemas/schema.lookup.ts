// Case-insensitive lookups of attribute definitions by resource type, for the normaliser, the
// PATCH engine and filter evaluation.
import { AttributeInfo, AttributePath } from '../filter/filter.types';
import { COMMON_ATTRIBUTES } from './common.attributes';
import { ENTERPRISE_USER_SCHEMA } from './enterprise-user.schema';
import { GROUP_SCHEMA } from './group.schema';
import { AttributeDefinition, ScimResourceName, SchemaDocument } from './schema.types';
import { SERVICE_PROVIDER_CONFIG_SCHEMA } from './service-provider-config.schema';
import { USER_SCHEMA } from './user.schema';

/** Every schema `/Schemas` serves: the resources', then the ServiceProviderConfig's (RFC 7643 §8.7.2). */
export const SCHEMAS: readonly SchemaDocument[] = [
  USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA,
  GROUP_SCHEMA,
  SERVICE_PROVIDER_CONFIG_SCHEMA,
];

interface IndexedSchema {
  urn: string;
  /** Lower-cased attribute name -> definition; the core schema's index includes the common attributes. */
  attributes: Map<string, AttributeDefinition>;
}

interface ResourceIndex {
  core: IndexedSchema;
  extensions: IndexedSchema[];
}

const byLowerName = (definitions: readonly AttributeDefinition[]): Map<string, AttributeDefinition> =>
  new Map(definitions.map((definition) => [definition.name.toLowerCase(), definition]));

const indexSchema = (schema: SchemaDocument, common: readonly AttributeDefinition[] = []): IndexedSchema => ({
  urn: schema.id,
  attributes: byLowerName([...common, ...schema.attributes]),
});

const RESOURCES: Record<ScimResourceName, ResourceIndex> = {
  User: { core: indexSchema(USER_SCHEMA, COMMON_ATTRIBUTES), extensions: [indexSchema(ENTERPRISE_USER_SCHEMA)] },
  Group: { core: indexSchema(GROUP_SCHEMA, COMMON_ATTRIBUTES), extensions: [] },
};

const SUB_ATTRIBUTES = new Map<AttributeDefinition, Map<string, AttributeDefinition>>();

export function coreSchemaUrn(resource: ScimResourceName): string {
  return RESOURCES[resource].core.urn;
}

export function extensionSchemaUrns(resource: ScimResourceName): string[] {
  return RESOURCES[resource].extensions.map((schema) => schema.urn);
}

/** The schema of `resource` a URN names, in its canonical case; undefined when it is not one of them. */
export function resolveSchemaUrn(resource: ScimResourceName, uri: string): string | undefined {
  const lower = uri.toLowerCase();
  const { core, extensions } = RESOURCES[resource];
  return [core, ...extensions].find((schema) => schema.urn.toLowerCase() === lower)?.urn;
}

/** The extension of `resource` a URN names (any case), or undefined (also for the core schema). */
export function resolveExtensionUrn(resource: ScimResourceName, uri: string): string | undefined {
  const lower = uri.toLowerCase();
  return RESOURCES[resource].extensions.find((schema) => schema.urn.toLowerCase() === lower)?.urn;
}

/** A top-level attribute of one schema of `resource` (the core schema also answers the common attributes). */
export function findDefinition(
  resource: ScimResourceName,
  schemaUrn: string,
  name: string,
): AttributeDefinition | undefined {
  const lower = schemaUrn.toLowerCase();
  const { core, extensions } = RESOURCES[resource];
  const schema = [core, ...extensions].find((candidate) => candidate.urn.toLowerCase() === lower);
  return schema?.attributes.get(name.toLowerCase());
}

/** A sub-attribute of a complex attribute, name in any case. */
export function findSubAttribute(definition: AttributeDefinition, name: string): AttributeDefinition | undefined {
  if (!definition.subAttributes) return undefined;
  let index = SUB_ATTRIBUTES.get(definition);
  if (!index) {
    index = byLowerName(definition.subAttributes);
    SUB_ATTRIBUTES.set(definition, index);
  }
  return index.get(name.toLowerCase());
}

export interface AttributeMatch {
  /** The URN of the schema that defines the attribute (the core schema's for `id`, `externalId`, `meta`). */
  schema: string;
  definition: AttributeDefinition;
  /** The sub-attribute, when the path names one. */
  sub?: AttributeDefinition;
}

/**
 * The definition an attribute path names, case-insensitively, with or without its schema URN
 * (`userName`, `name.givenName`, `urn:...:enterprise:2.0:User:manager.value`). Undefined when
 * the resource's schemas do not define it, including a sub-attribute they do not define.
 */
export function findAttribute(resource: ScimResourceName, path: AttributePath): AttributeMatch | undefined {
  let { uri, name } = path;
  // A path whose parser left the URN inside the name: `urn:...:User:employeeNumber`.
  if (uri === undefined && name.includes(':')) {
    uri = name.slice(0, name.lastIndexOf(':'));
    name = name.slice(name.lastIndexOf(':') + 1);
  }
  const schema = uri === undefined ? coreSchemaUrn(resource) : resolveSchemaUrn(resource, uri);
  if (schema === undefined) return undefined;
  const definition = findDefinition(resource, schema, name);
  if (!definition) return undefined;
  if (path.subAttr === undefined) return { schema, definition };
  const sub = findSubAttribute(definition, path.subAttr);
  return sub ? { schema, definition, sub } : undefined;
}

/**
 * Type and case sensitivity of the attribute a filter names. A complex attribute named without a
 * sub-attribute (`emails co "@x"`) answers for its `value` sub-attribute, as RFC 7644 §3.4.2.2 compares it.
 */
export function attributeInfo(resource: ScimResourceName, path: AttributePath): AttributeInfo | undefined {
  const match = findAttribute(resource, path);
  if (!match) return undefined;
  let definition: AttributeDefinition | undefined = match.sub ?? match.definition;
  if (definition.type === 'complex') definition = findSubAttribute(definition, 'value');
  if (!definition || definition.type === 'complex') return undefined;
  // The directory keeps a userName composed (identifiers.ts), and the SQL resolver says so too.
  const nfc = resource === 'User' && match.sub === undefined && match.definition.name === 'userName';
  return { type: definition.type, caseExact: definition.caseExact, ...(nfc ? { nfc } : {}) };
}
