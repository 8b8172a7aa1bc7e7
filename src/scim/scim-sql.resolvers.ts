// How each SCIM attribute is stored, as SQL over `users u` and `departments d`. Every string put
// into SQL here is a constant or a schema name; request values only ever travel as parameters.
import { AttributePath, MultiTarget, ScalarTarget, ScalarType, SqlResolver } from './filter';
import { AttributeDefinition, findAttribute, findSubAttribute, ScimResourceName, URN_ENTERPRISE_USER } from './schemas';

const scalar = (sql: string, type: ScalarType, caseExact = false): ScalarTarget => ({
  kind: 'scalar',
  sql,
  type,
  caseExact,
});

/** Attribute names a client made up are kept in `attributes`; only safe ones can be filtered on. */
const SAFE_NAME = /^[A-Za-z][A-Za-z0-9_$-]{0,99}$/;

/** A jsonb value as SQL of the attribute's type; a stored value of another JSON type reads as NULL. */
function fromJson(json: string, type: ScalarType, caseExact: boolean): ScalarTarget {
  switch (type) {
    case 'boolean':
      return scalar(`(CASE WHEN jsonb_typeof(${json}) = 'boolean' THEN (${json})::text::boolean END)`, type);
    case 'integer':
    case 'decimal':
      return scalar(`(CASE WHEN jsonb_typeof(${json}) = 'number' THEN (${json})::text::numeric END)`, type);
    default:
      // dateTime is compared as written; the compiler casts the filter value, so compare as text.
      return scalar(`(${json} #>> '{}')`, type === 'dateTime' ? 'string' : type, caseExact);
  }
}

/** A multi-valued attribute stored as a jsonb array (a missing or non-array value has no elements). */
function jsonArray(arraySql: string, definition: AttributeDefinition | undefined): MultiTarget {
  return {
    kind: 'multi',
    from: (alias) =>
      `jsonb_array_elements(CASE WHEN jsonb_typeof(${arraySql}) = 'array' THEN ${arraySql} ELSE '[]'::jsonb END) AS ${alias}(v)`,
    sub: (name, alias) => {
      const sub = definition ? findSubAttribute(definition, name) : undefined;
      if (definition && !sub) return undefined;
      const key = sub?.name ?? (SAFE_NAME.test(name) ? name : undefined);
      if (key === undefined) return undefined;
      const type = sub && sub.type !== 'complex' ? sub.type : 'string';
      return fromJson(`${alias}.v -> '${key}'`, type, sub?.caseExact ?? false);
    },
  };
}

/**
 * Rows of a subquery as elements; `columns` maps sub-attribute names to the subquery's columns.
 * They compare case-insensitively, as the schemas define `groups.value`, `members.value` and their
 * `display` (caseExact false), so `members.value eq "<ID IN CAPITALS>"` finds what the evaluator
 * finds. A `uuid` column is compared as a uuid for `eq`/`ne` (a value that is not a UUID equals
 * nothing, as no id is anything but a UUID) and as its text otherwise.
 */
function subquery(select: (alias: string) => string, columns: Record<string, ScalarType | 'uuid'>): MultiTarget {
  return {
    kind: 'multi',
    from: (alias) => `(${select(alias)}) AS ${alias}`,
    sub: (name, alias) => {
      const type = columns[name];
      if (type === undefined) return undefined;
      return type === 'uuid'
        ? { ...scalar(`${alias}.${name}`, 'string'), uuid: true }
        : scalar(`${alias}.${name}`, type);
    },
  };
}

/**
 * A user's `groups`: the departments of its assignments (a department twice over two user types
 * is one more element, which changes no filter's answer). `value` is the department id, compared
 * as a uuid (see `subquery`), and the link to the user sits in the EXISTS's own WHERE, so
 * `groups.value eq "<id>"` runs as a semi-join from the assignments' department index: a group's
 * members are found from the group, not by a probe per user of the tenant.
 */
function userGroups(): MultiTarget {
  const join = (alias: string) =>
    `assignments ${alias}a JOIN departments ${alias}d ON ${alias}d.id = ${alias}a.department_id`;
  const link = (alias: string) => `${alias}a.user_id = u.id`;
  return {
    kind: 'multi',
    from: (alias) => `${join(alias)} AND ${link(alias)}`,
    exists: (alias, condition) =>
      `EXISTS (SELECT 1 FROM ${join(alias)} WHERE ${link(alias)}${condition === undefined ? '' : ` AND ${condition}`})`,
    sub: (name, alias) => {
      if (name === 'value') return { ...scalar(`${alias}a.department_id`, 'string'), uuid: true };
      return name === 'display' ? scalar(`${alias}d.name`, 'string') : undefined;
    },
  };
}

/**
 * `json -> 'key'` with the key in any case, as SCIM attribute names are (RFC 7643 §2.1): a client's
 * own attribute is kept as the client spelled it, and `favouritecolour pr` must find `favouriteColour`.
 * An exact match wins, as in the evaluator. `key` is a SAFE_NAME.
 */
function jsonField(json: string, key: string): string {
  const anyCase = `(SELECT f.value FROM jsonb_each(CASE WHEN jsonb_typeof(${json}) = 'object' THEN ${json} END) AS f WHERE lower(f.key) = '${key.toLowerCase()}' LIMIT 1)`;
  return `COALESCE(${json} -> '${key}', ${anyCase})`;
}

/** Attributes kept in the `attributes` jsonb column, known to the schema or not. */
function storedAttribute(
  table: string,
  resource: ScimResourceName,
  path: AttributePath,
): ScalarTarget | MultiTarget | undefined {
  const match = findAttribute(resource, path);
  const column = `${table}.attributes`;
  if (!match) {
    // Unknown to the schema: a client's own attribute, read as text. Written with the core schema's
    // URN (`urn:...:core:2.0:User:favouriteColour`) it is the same attribute, as the normaliser stores it.
    if ((path.uri !== undefined && !isCore(path, resource)) || !SAFE_NAME.test(path.name)) return undefined;
    if (path.subAttr !== undefined && !SAFE_NAME.test(path.subAttr)) return undefined;
    const json = jsonField(column, path.name);
    return fromJson(path.subAttr === undefined ? json : jsonField(json, path.subAttr), 'string', false);
  }
  const { definition, sub, schema } = match;
  const base = schema === URN_ENTERPRISE_USER ? `${column} -> '${schema}'` : column;
  if (definition.mutability === 'readOnly' || definition.mutability === 'writeOnly') return undefined;
  // `addresses.country` resolves to the multi-valued attribute too: the compiler asks it for the sub-attribute.
  if (definition.multiValued) return jsonArray(`${base} -> '${definition.name}'`, definition);
  const json = `${base} -> '${definition.name}'`;
  if (sub !== undefined)
    return fromJson(`${json} -> '${sub.name}'`, sub.type === 'complex' ? 'string' : sub.type, sub.caseExact);
  if (definition.type === 'complex') return undefined;
  return fromJson(json, definition.type, definition.caseExact);
}

const META: Record<string, (table: string) => ScalarTarget> = {
  created: (table) => scalar(`${table}.created_on`, 'dateTime'),
  lastmodified: (table) => scalar(`${table}.updated_on`, 'dateTime'),
};

function meta(table: string, resourceType: string, path: AttributePath): ScalarTarget | undefined {
  const sub = path.subAttr?.toLowerCase();
  if (sub === 'resourcetype') return scalar(`'${resourceType}'::text`, 'string', true);
  return sub === undefined ? undefined : META[sub]?.(table);
}

const isCore = (path: AttributePath, resource: ScimResourceName): boolean =>
  path.uri === undefined ||
  path.uri.toLowerCase() === `urn:ietf:params:scim:schemas:core:2.0:${resource.toLowerCase()}`;

/** What /Schemas marks `"filterable": false` is refused (400 invalidFilter), whatever could be read for it. */
function markedUnfilterable(resource: ScimResourceName, path: AttributePath): boolean {
  const match = findAttribute(resource, path);
  return (match?.sub ?? match?.definition)?.filterable === false;
}

/** `users u`: columns for what has one, the `attributes` jsonb for the rest. */
export const userResolver: SqlResolver = (path) => {
  if (markedUnfilterable('User', path)) return undefined;
  const name = path.name.toLowerCase();
  const sub = path.subAttr?.toLowerCase();
  if (isCore(path, 'User')) {
    if (name === 'id' && sub === undefined) return { ...scalar('u.id', 'string', true), uuid: true };
    if (name === 'externalid' && sub === undefined) return scalar('u.external_id', 'string', true);
    if (name === 'username' && sub === undefined) return { ...scalar('u.user_name', 'string'), nfc: true };
    if (name === 'displayname' && sub === undefined) return scalar('u.display_name', 'string');
    if (name === 'active' && sub === undefined) return scalar('u.active', 'boolean');
    if (name === 'name' && sub === 'givenname') return scalar('u.given_name', 'string');
    if (name === 'name' && sub === 'middlename') return scalar('u.middle_name', 'string');
    if (name === 'name' && sub === 'familyname') return scalar('u.family_name', 'string');
    if (name === 'emails') {
      const emails = jsonArray('u.emails', findAttribute('User', { name: 'emails' })?.definition);
      // The expression of IDX_users_trgm_emails (migration 1795518000000): every `value`, lower-cased.
      return { ...emails, substringIndex: (sub) => (sub === 'value' ? 'scim_email_values(u.emails)' : undefined) };
    }
    if (name === 'phonenumbers') {
      // As the mapper answers them: the stored array unless it is empty, else the phone_number column.
      const stored = `CASE WHEN jsonb_typeof(u.attributes -> 'phoneNumbers') = 'array'
          AND jsonb_array_length(u.attributes -> 'phoneNumbers') > 0 THEN u.attributes -> 'phoneNumbers'
        WHEN u.phone_number IS NOT NULL THEN jsonb_build_array(jsonb_build_object('value', u.phone_number, 'type', 'work', 'primary', true))
        ELSE '[]'::jsonb END`;
      return jsonArray(`(${stored})`, findAttribute('User', { name: 'phoneNumbers' })?.definition);
    }
    if (name === 'groups') return userGroups();
    if (name === 'meta') return meta('u', 'User', path);
  }
  return storedAttribute('u', 'User', path);
};

/** `departments d`: a group's members are its users (assignments) and child departments. */
export const groupResolver: SqlResolver = (path) => {
  if (markedUnfilterable('Group', path)) return undefined;
  const name = path.name.toLowerCase();
  const sub = path.subAttr?.toLowerCase();
  if (isCore(path, 'Group')) {
    if (name === 'id' && sub === undefined) return { ...scalar('d.id', 'string', true), uuid: true };
    if (name === 'externalid' && sub === undefined) return scalar('d.external_id', 'string', true);
    if (name === 'displayname' && sub === undefined) return scalar('d.name', 'string');
    if (name === 'members') {
      // UNION ALL of plain rows (repeats change no filter's answer) keeps both arms indexable.
      return subquery(
        (alias) =>
          `SELECT ${alias}a.user_id AS value, 'User'::text AS type FROM assignments ${alias}a WHERE ${alias}a.department_id = d.id
           UNION ALL SELECT ${alias}c.id, 'Group' FROM departments ${alias}c WHERE ${alias}c.parent_id = d.id`,
        { value: 'uuid', type: 'string' },
      );
    }
    if (name === 'meta') return meta('d', 'Group', path);
  }
  return storedAttribute('d', 'Group', path);
};

export const RESOLVERS: Record<ScimResourceName, SqlResolver> = { User: userResolver, Group: groupResolver };
