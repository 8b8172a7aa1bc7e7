// POST/PUT bodies in canonical form: attribute names in the schema's case, values coerced to their
// types, extension attributes nested under their URN, unknown attributes kept as sent.
import {
  coreSchemaUrn,
  extensionSchemaUrns,
  findDefinition,
  findSubAttribute,
  resolveExtensionUrn,
  resolveSchemaUrn,
} from '../schemas/schema.lookup';
import { ScimDocument, ScimResourceName } from '../schemas/schema.types';
import { ScimError } from '../scim.errors';
import { assertCount, assertDocumentSize, SCIM_LIMITS } from '../scim-limits';
import { coerceAttribute, CoerceOptions } from './coerce';
import { isPlainObject } from './json';

export interface NormalisedResource {
  document: ScimDocument;
  /**
   * Group only: the member ids the body lists (`[]` for `"members": []` or `null`); undefined when
   * the body has no `members`. Members are never part of the document.
   */
  members?: string[];
}

export interface NormaliseOptions {
  /** Refuse a body whose `schemas` does not list the resource's core schema (POST, PUT). */
  requireSchemas: boolean;
}

/**
 * A POST or PUT body as a canonical document. readOnly attributes (`id`, `meta`, `groups`) are
 * dropped: clients echo them back on PUT. `password` is kept; the caller takes it out.
 * Throws ScimError: invalidSyntax for a body that is not a SCIM resource, invalidValue for a value
 * of the wrong type or a missing `userName` (User) / `displayName` (Group).
 */
export function normaliseResource(
  resource: ScimResourceName,
  body: unknown,
  options: NormaliseOptions,
): NormalisedResource {
  if (!isPlainObject(body)) throw ScimError.invalidSyntax('The request body must be a JSON object');
  if (options.requireSchemas) requireCoreSchema(resource, body);
  const result = canonicaliseDocument(resource, body, { dropReadOnly: true });
  assertRequired(resource, result.document);
  assertDocumentSize(result.document);
  return result;
}

/**
 * The canonical form of a document, readOnly attributes dropped or kept. `schemas` is rebuilt:
 * the core URN, the extensions that hold data, then any URNs the client listed that are not ours.
 */
export function canonicaliseDocument(
  resource: ScimResourceName,
  body: Record<string, unknown>,
  options: CoerceOptions,
): NormalisedResource {
  const core = coreSchemaUrn(resource);
  const document: ScimDocument = {};
  const extensions = new Map<string, Record<string, unknown>>();
  let listed: unknown;
  let members: string[] | undefined;

  const setExtension = (urn: string, name: string, value: unknown): void => {
    const target = extensions.get(urn) ?? {};
    extensions.set(urn, target);
    setAttribute(resource, urn, target, name, value, options);
  };

  for (const [key, value] of Object.entries(body)) {
    if (key.toLowerCase() === 'schemas') {
      listed = value;
      continue;
    }
    const extension = resolveExtensionUrn(resource, key);
    if (extension) {
      if (value === null) continue;
      if (!isPlainObject(value)) throw ScimError.invalidValue(`'${extension}' must be a JSON object`);
      for (const [name, inner] of Object.entries(value)) setExtension(extension, name, inner);
      continue;
    }
    const prefixed = splitSchemaPrefix(resource, key);
    if (prefixed && prefixed.urn !== core) {
      setExtension(prefixed.urn, prefixed.name, value);
      continue;
    }
    const name = prefixed?.name ?? key;
    if (resource === 'Group' && name.toLowerCase() === 'members') {
      assertCount(Array.isArray(value) ? value.length : 1, SCIM_LIMITS.membersPerRequest, 'Members in one request');
      members = memberValues(value, 'members');
      continue;
    }
    setAttribute(resource, core, document, name, value, options);
  }

  for (const [urn, attributes] of extensions) {
    if (Object.keys(attributes).length > 0) document[urn] = attributes;
  }
  const canonical: ScimDocument = { schemas: canonicalSchemas(resource, listed, document), ...document };
  return members === undefined ? { document: canonical } : { document: canonical, members };
}

/**
 * Sets one attribute of one schema on `target` under its canonical name. `name` may carry a
 * sub-attribute (`manager.value`, from a flat `urn:...:User:manager.value` key). Unknown
 * attributes are stored under the name as sent; `null` unassigns.
 */
function setAttribute(
  resource: ScimResourceName,
  schemaUrn: string,
  target: Record<string, unknown>,
  name: string,
  value: unknown,
  options: CoerceOptions,
): void {
  const dot = name.indexOf('.');
  const definition = findDefinition(resource, schemaUrn, dot < 0 ? name : name.slice(0, dot));
  // Only a singular complex attribute has a sub-attribute a dotted name can set.
  if (!definition || (dot >= 0 && (definition.type !== 'complex' || definition.multiValued))) {
    if (value === null || value === undefined) delete target[name];
    else target[name] = value;
    return;
  }
  if (options.dropReadOnly && definition.mutability === 'readOnly') return;

  if (dot >= 0) {
    const subName = name.slice(dot + 1);
    const sub = findSubAttribute(definition, subName);
    const existing = isPlainObject(target[definition.name]) ? (target[definition.name] as Record<string, unknown>) : {};
    const merged = { ...existing, [sub?.name ?? subName]: value };
    setAttribute(resource, schemaUrn, target, definition.name, merged, options);
    return;
  }
  const coerced = coerceAttribute(definition, value, definition.name, options);
  if (coerced === undefined) delete target[definition.name];
  else target[definition.name] = coerced;
}

/** `urn:...:enterprise:2.0:User:employeeNumber` -> that extension and `employeeNumber`; also for the core URN. */
function splitSchemaPrefix(resource: ScimResourceName, key: string): { urn: string; name: string } | undefined {
  if (!/^urn:/i.test(key)) return undefined;
  const colon = key.lastIndexOf(':');
  const urn = resolveSchemaUrn(resource, key.slice(0, colon));
  return urn === undefined ? undefined : { urn, name: key.slice(colon + 1) };
}

/** `schemas` as the service answers it: core URN first, extensions that hold data, then unknown URNs listed. */
export function canonicalSchemas(resource: ScimResourceName, listed: unknown, document: ScimDocument): string[] {
  const schemas = [coreSchemaUrn(resource)];
  for (const urn of extensionSchemaUrns(resource)) {
    if (isPlainObject(document[urn])) schemas.push(urn);
  }
  if (Array.isArray(listed)) {
    for (const uri of listed) {
      if (typeof uri !== 'string' || resolveSchemaUrn(resource, uri) !== undefined) continue;
      if (!schemas.some((known) => known.toLowerCase() === uri.toLowerCase())) schemas.push(uri);
    }
  }
  return schemas;
}

function requireCoreSchema(resource: ScimResourceName, body: Record<string, unknown>): void {
  const core = coreSchemaUrn(resource);
  const key = Object.keys(body).find((candidate) => candidate.toLowerCase() === 'schemas');
  const schemas = key === undefined ? undefined : body[key];
  if (!Array.isArray(schemas)) {
    throw ScimError.invalidSyntax(`'schemas' must be an array that lists '${core}'`);
  }
  if (!schemas.some((uri) => typeof uri === 'string' && uri.toLowerCase() === core.toLowerCase())) {
    throw ScimError.invalidSyntax(`'schemas' must list '${core}'`);
  }
}

/** The attribute each resource type cannot do without. */
const REQUIRED: Record<ScimResourceName, string> = { User: 'userName', Group: 'displayName' };

export function assertRequired(resource: ScimResourceName, document: ScimDocument): void {
  const name = REQUIRED[resource];
  const value = document[name];
  if (typeof value !== 'string' || value.trim() === '') {
    throw ScimError.invalidValue(`'${name}' is required and must not be blank`);
  }
  // The directory keeps a user's emails by address: one without an address would be dropped on
  // the way to storage, and the request answered as if it had been applied.
  if (resource === 'User' && Array.isArray(document.emails)) {
    for (const email of document.emails) {
      if (!isPlainObject(email) || typeof email.value !== 'string') {
        throw ScimError.invalidValue("Each of 'emails' needs a 'value' (the address)");
      }
    }
  }
}

/**
 * Member ids from `members` values: objects `{value, display, type, $ref}` or bare id strings, one
 * or an array. Duplicates are dropped, order kept.
 */
export function memberValues(value: unknown, label: string): string[] {
  if (value === null || value === undefined) return [];
  const items: unknown[] = Array.isArray(value) ? value : [value];
  const ids = items.map((item) => {
    let id: unknown = item;
    if (isPlainObject(item)) {
      const key = Object.keys(item).find((candidate) => candidate.toLowerCase() === 'value');
      id = key === undefined ? undefined : item[key];
    }
    if (typeof id !== 'string' || id.trim() === '') {
      throw ScimError.invalidValue(`Each of '${label}' must have a non-empty string 'value' (the member's id)`);
    }
    return id;
  });
  return [...new Set(ids)];
}
