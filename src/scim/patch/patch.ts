// RFC 7644 §3.5.2 PATCH as a pure function over a SCIM document, with the shapes Microsoft Entra ID
// and Okta actually send. Group membership is not applied here: it comes back as a list of changes.
import { matchesFilter } from '../filter/filter.evaluate';
import { parsePatchPath } from '../filter/filter.parser';
import { AttributeInfo, AttributePath, Filter, PatchPath, ScimFilterError } from '../filter/filter.types';
import {
  coreSchemaUrn,
  extensionSchemaUrns,
  findDefinition,
  findSubAttribute,
  resolveExtensionUrn,
  resolveSchemaUrn,
} from '../schemas/schema.lookup';
import { AttributeDefinition, ScimDocument, ScimResourceName } from '../schemas/schema.types';
import { URN_PATCH_OP } from '../schemas/scim.urns';
import { ScimError } from '../scim.errors';
import { assertCount, assertDocumentSize, SCIM_LIMITS } from '../scim-limits';
import { coerceAttribute, coerceSingle } from './coerce';
import { elementsOf, mergeElements, onePrimary, withoutKey, withoutRemovals } from './elements';
import { isArray, isPlainObject } from './json';
import { assertRequired, canonicaliseDocument, canonicalSchemas, memberValues } from './normalise';

export type PatchOpName = 'add' | 'replace' | 'remove';

export interface PatchOperation {
  op: PatchOpName;
  /** Undefined when the operation has no path (or a blank one). */
  path?: string;
  /** Undefined when the operation has no `value`. */
  value?: unknown;
}

/** A change to a group's members, for the caller to apply in SQL, in request order. */
export type MemberChange =
  | { op: 'add'; values: string[] }
  | { op: 'remove'; values: string[] }
  | { op: 'removeAll' }
  | { op: 'replace'; values: string[] };

export interface PatchResult {
  document: ScimDocument;
  /** Always empty for a User. */
  members: MemberChange[];
}

/**
 * Applies a PatchOp request body to `document` and returns the new document; `document` itself
 * is not changed. Throws ScimError (invalidSyntax, invalidPath, invalidFilter, noTarget,
 * invalidValue, mutability); nothing is half-applied because nothing is written.
 */
export function applyPatch(resource: ScimResourceName, document: ScimDocument, body: unknown): PatchResult {
  const operations = parsePatchBody(body);
  const { document: working } = canonicaliseDocument(resource, structuredClone(document), { dropReadOnly: false });
  const patcher = new Patcher(resource, working);
  for (const operation of operations) patcher.apply(operation);

  // An add that turned out empty (`"manager": ""`) may have left its extension object empty.
  for (const urn of extensionSchemaUrns(resource)) {
    if (isPlainObject(working[urn]) && Object.keys(working[urn]).length === 0) delete working[urn];
  }
  const { schemas, ...attributes } = working;
  const result: ScimDocument = { schemas: canonicalSchemas(resource, schemas, attributes), ...attributes };
  assertRequired(resource, result);
  assertDocumentSize(result);
  return { document: result, members: patcher.members };
}

/** The operations of a PatchOp body; keys and `op` values in any case. Throws ScimError invalidSyntax. */
export function parsePatchBody(body: unknown): PatchOperation[] {
  if (!isPlainObject(body)) throw ScimError.invalidSyntax('The request body must be a JSON object');
  const schemas = field(body, 'schemas');
  const patchOp = URN_PATCH_OP.toLowerCase();
  if (!Array.isArray(schemas) || !schemas.some((uri) => typeof uri === 'string' && uri.toLowerCase() === patchOp)) {
    throw ScimError.invalidSyntax(`'schemas' must be ["${URN_PATCH_OP}"]`);
  }
  const operations = field(body, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0) {
    throw ScimError.invalidSyntax("'Operations' must be a non-empty array");
  }
  // Counted before anything is applied, so a refused request costs no more than reading it.
  assertCount(operations.length, SCIM_LIMITS.patchOperations, 'Operations in one PATCH');
  let values = 0;
  return operations.map((operation, index): PatchOperation => {
    if (!isPlainObject(operation)) throw ScimError.invalidSyntax(`Operations[${index}] must be a JSON object`);
    const op = field(operation, 'op');
    const name = typeof op === 'string' ? op.trim().toLowerCase() : undefined;
    if (name !== 'add' && name !== 'replace' && name !== 'remove') {
      throw ScimError.invalidSyntax(`Operations[${index}].op must be "add", "replace" or "remove"`);
    }
    const path = field(operation, 'path');
    if (path !== undefined && path !== null && typeof path !== 'string') {
      throw ScimError.invalidPath(`Operations[${index}].path must be a string`);
    }
    const value = field(operation, 'value');
    const count = valueCount(typeof path === 'string' ? path : undefined, value);
    assertCount(count.others, SCIM_LIMITS.valuesPerOperation, `Values in Operations[${index}]`);
    assertCount(count.members, SCIM_LIMITS.membersPerOperation, `Members in Operations[${index}]`);
    values += count.others + count.members;
    assertCount(values, SCIM_LIMITS.valuesPerPatch, 'Values across one PATCH');
    const result: PatchOperation = { op: name };
    if (typeof path === 'string' && path.trim() !== '') result.path = path.trim();
    if (value !== undefined) result.value = value;
    return result;
  });
}

/** `members` or `urn:...:core:2.0:Group:members`, in any case: a group's members, whole. */
const MEMBERS_PATH = /^\s*(urn:ietf:params:scim:schemas:core:2\.0:group:)?members\s*$/i;

const lengthOf = (value: unknown): number => (Array.isArray(value) ? value.length : 1);

/**
 * How many values an operation carries: the elements of an array, or for an object of attributes
 * (a no-path or extension value) the values of each of its attributes. Members are counted apart:
 * one operation may add or remove `membersPerOperation` of them (they are applied set-based in SQL),
 * where other values stay at `valuesPerOperation` (they are scanned in memory). A User's `members`
 * would be a client's own attribute, which `valuesPerAttribute` bounds when it is applied.
 */
function valueCount(path: string | undefined, value: unknown): { members: number; others: number } {
  if (path !== undefined && path.trim() !== '') {
    return MEMBERS_PATH.test(path) ? { members: lengthOf(value), others: 0 } : { members: 0, others: lengthOf(value) };
  }
  if (!isPlainObject(value)) return { members: 0, others: 1 };
  let members = 0;
  let others = 0;
  for (const key in value) {
    if (MEMBERS_PATH.test(key)) members += lengthOf(value[key]);
    else others += lengthOf(value[key]);
  }
  return { members, others: members === 0 ? Math.max(others, 1) : others };
}

/** A key of a JSON object in any case: an exact match wins. */
function field(object: Record<string, unknown>, name: string): unknown {
  if (Object.prototype.hasOwnProperty.call(object, name)) return object[name];
  const lower = name.toLowerCase();
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === lower);
  return key === undefined ? undefined : object[key];
}

/** What a path names: one attribute (maybe narrowed by a filter and/or a sub-attribute), a whole extension, or group members. */
type Target = AttributeTarget | { kind: 'extension'; urn: string } | { kind: 'members'; filter?: Filter; text: string };

interface AttributeTarget {
  kind: 'attribute';
  /** The path as the client wrote it, for messages. */
  text: string;
  /** The extension URN whose object holds the attribute; undefined for the document itself. */
  containerKey?: string;
  key: string;
  definition?: AttributeDefinition;
  filter?: Filter;
  subKey?: string;
  subDefinition?: AttributeDefinition;
}

/** PATCH values drop readOnly sub-attributes (`manager.displayName`) as POST/PUT bodies do. */
const WRITE = { dropReadOnly: true };

class Patcher {
  readonly members: MemberChange[] = [];
  private readonly core: string;
  /** Each container's keys by their lower case, so that finding a key costs no scan of the others. */
  private readonly keys = new WeakMap<object, Map<string, string>>();

  constructor(
    private readonly resource: ScimResourceName,
    /** The working copy, changed in place. */
    private readonly doc: ScimDocument,
  ) {
    this.core = coreSchemaUrn(resource);
  }

  apply(operation: PatchOperation): void {
    if (operation.path === undefined) this.applyWithoutPath(operation.op, operation.value);
    else this.applyTo(operation.op, this.resolve(operation.path), operation.value);
  }

  /**
   * No path: the value is an object of attributes, each applied as if its key were the path
   * (Entra ID sends `name.givenName`, extension URN paths and even value paths as keys).
   */
  private applyWithoutPath(op: PatchOpName, value: unknown): void {
    if (op === 'remove') throw ScimError.noTarget('A remove operation needs a path');
    if (!isPlainObject(value)) {
      throw ScimError.invalidValue(`An ${op} operation without a path needs a JSON object of attributes as its value`);
    }
    for (const [key, inner] of Object.entries(value)) {
      const lower = key.toLowerCase();
      // Clients echo the resource back: its schemas and server-kept meta are not changes.
      if (lower === 'schemas' || lower === 'meta') continue;
      if (lower === 'id') {
        if (inner === this.doc.id) continue;
        throw ScimError.mutability("'id' is read-only and cannot be changed");
      }
      this.applyTo(op, this.resolveKey(key), inner);
    }
  }

  /** A key of a no-path value: a path, or (when it does not parse as one) an unknown attribute of that name. */
  private resolveKey(key: string): Target {
    let parsed: PatchPath;
    try {
      parsed = parsePatchPath(key);
    } catch (error) {
      if (!(error instanceof ScimFilterError) || key.includes('[')) throw asPathError(error);
      return { kind: 'attribute', text: key, key: this.existingKey(this.doc, key) ?? key };
    }
    return this.resolveParsed(parsed, key);
  }

  private resolve(text: string): Target {
    const extension = resolveExtensionUrn(this.resource, text);
    if (extension) return { kind: 'extension', urn: extension };
    let parsed: PatchPath;
    try {
      parsed = parsePatchPath(text);
    } catch (error) {
      throw asPathError(error);
    }
    return this.resolveParsed(parsed, text);
  }

  private resolveParsed(parsed: PatchPath, text: string): Target {
    const { path, filter } = parsed;
    if (path.uri !== undefined && path.subAttr === undefined && filter === undefined) {
      const extension = resolveExtensionUrn(this.resource, `${path.uri}:${path.name}`);
      if (extension) return { kind: 'extension', urn: extension };
    }
    const schema = path.uri === undefined ? this.core : resolveSchemaUrn(this.resource, path.uri);
    if (schema === undefined && /^urn:ietf:params:scim:/i.test(path.uri ?? '')) {
      throw ScimError.invalidPath(`'${text}': '${path.uri}' is not a schema of ${this.resource}`);
    }
    const containerKey = schema !== undefined && schema !== this.core ? schema : undefined;
    // An attribute of a schema that is not ours is kept under its full name, as the normaliser keeps it.
    const name = schema === undefined ? `${path.uri}:${path.name}` : path.name;

    if (this.resource === 'Group' && schema === this.core && name.toLowerCase() === 'members') {
      if (path.subAttr !== undefined || parsed.subAttr !== undefined) {
        throw ScimError.invalidPath(
          `'${text}': members are added or removed whole; their sub-attributes cannot be changed`,
        );
      }
      return filter === undefined ? { kind: 'members', text } : { kind: 'members', filter, text };
    }
    if (schema === this.core && name.toLowerCase() === 'schemas') {
      throw ScimError.mutability("'schemas' is set by the service and cannot be patched");
    }
    const definition = schema === undefined ? undefined : findDefinition(this.resource, schema, name);
    if (definition?.mutability === 'readOnly') throw ScimError.mutability(`'${definition.name}' is read-only`);
    if (filter !== undefined && definition !== undefined && !definition.multiValued) {
      throw ScimError.invalidPath(`'${text}': '${definition.name}' is not multi-valued, so it takes no filter`);
    }
    const container = containerKey === undefined ? this.doc : this.doc[containerKey];
    const target: AttributeTarget = {
      kind: 'attribute',
      text,
      key: definition?.name ?? this.existingKey(container, name) ?? name,
      ...(containerKey === undefined ? {} : { containerKey }),
      ...(definition === undefined ? {} : { definition }),
      ...(filter === undefined ? {} : { filter }),
    };

    const subName = path.subAttr ?? parsed.subAttr;
    if (subName === undefined) return target;
    if (definition !== undefined && definition.type !== 'complex') {
      throw ScimError.invalidPath(`'${text}': '${definition.name}' has no sub-attributes`);
    }
    const subDefinition = definition === undefined ? undefined : findSubAttribute(definition, subName);
    if (subDefinition?.mutability === 'readOnly') {
      throw ScimError.mutability(`'${target.key}.${subDefinition.name}' is read-only`);
    }
    return { ...target, subKey: subDefinition?.name ?? subName, ...(subDefinition ? { subDefinition } : {}) };
  }

  private applyTo(op: PatchOpName, target: Target, value: unknown): void {
    if (target.kind === 'extension') return this.applyToExtension(op, target.urn, value);
    if (target.kind === 'members') return this.applyToMembers(op, target, value);
    if (op === 'remove') return this.remove(target, value);
    if (value === undefined) throw ScimError.invalidValue(`The ${op} operation on '${target.text}' needs a value`);
    // null is "unassigned" (RFC 7643 §2.5).
    if (value === null) return this.remove(target, undefined);
    this.set(op, target, value);
  }

  /** The extension object itself (`"path": "urn:...:enterprise:2.0:User"`): each of its attributes in turn. */
  private applyToExtension(op: PatchOpName, urn: string, value: unknown): void {
    if (op === 'remove' || value === null) {
      delete this.doc[urn];
      return;
    }
    if (!isPlainObject(value)) throw ScimError.invalidValue(`The value for '${urn}' must be a JSON object`);
    for (const [name, inner] of Object.entries(value)) {
      const [attribute, subAttr] = name.split('.', 2);
      const path: AttributePath = subAttr === undefined ? { uri: urn, name } : { uri: urn, name: attribute, subAttr };
      this.applyTo(op, this.resolveParsed({ path }, `${urn}:${name}`), inner);
    }
  }

  private applyToMembers(op: PatchOpName, target: { filter?: Filter; text: string }, value: unknown): void {
    if (target.filter !== undefined) {
      if (op !== 'remove') {
        throw ScimError.invalidPath(`'${target.text}': a filter on members can only select members to remove`);
      }
      this.members.push({ op: 'remove', values: memberIdsOf(target.filter, target.text) });
      return;
    }
    if (op === 'remove') {
      if (value === undefined || value === null) this.members.push({ op: 'removeAll' });
      else {
        const values = memberValues(value, 'members');
        if (values.length > 0) this.members.push({ op: 'remove', values });
      }
      return;
    }
    if (value === undefined) throw ScimError.invalidValue(`The ${op} operation on 'members' needs a value`);
    const values = memberValues(value, 'members');
    if (op === 'replace') this.members.push({ op: 'replace', values });
    else if (values.length > 0) this.members.push({ op: 'add', values });
  }

  /** add / replace with a non-null value. */
  private set(op: 'add' | 'replace', target: AttributeTarget, value: unknown): void {
    const container = this.container(target, true);
    if (target.filter !== undefined) return this.setSelected(op, target, container, value);
    if (target.subKey !== undefined) return this.setSubAttribute(target, container, target.subKey, value);

    const { definition, key } = target;
    const existing = container[key];
    if (!definition) {
      container[key] = this.bounded(target, op === 'add' ? addUnknown(this.bounded(target, existing), value) : value);
      return;
    }
    const coerced = coerceAttribute(definition, value, target.text, WRITE);
    if (coerced === undefined) {
      // Nothing left after coercion: `"manager": ""` and a replace with `[]` unassign; an add of
      // `[]` and an empty complex value `{}` change nothing.
      const nothing = isEmptyObject(value) || (op === 'add' && isArray(value));
      if (!nothing) this.assign(target, container, undefined);
      return;
    }
    if (definition.multiValued) {
      const elements = coerced as unknown[];
      container[key] = this.bounded(
        target,
        op === 'add' ? mergeElements(this.bounded(target, elementsOf(existing)), elements) : elements,
      );
    } else if (definition.type === 'complex') {
      // RFC 7644 §3.5.2.1/3: sub-attributes the value does not name are left unchanged...
      const current = isPlainObject(existing) ? existing : {};
      const next = coerced as Record<string, unknown>;
      // ...except that a reference to another resource (manager) changes with its `value`.
      const stale = 'value' in next && current.value !== next.value;
      container[key] = stale ? next : { ...current, ...next };
    } else {
      container[key] = coerced;
    }
  }

  /** `name.givenName`, `manager.value`, `emails.type` (every element): one sub-attribute. */
  private setSubAttribute(
    target: AttributeTarget,
    container: Record<string, unknown>,
    subKey: string,
    value: unknown,
  ): void {
    const sub = this.coerceSub(target, value);
    if (sub === undefined) return this.remove(target, undefined);
    const existing = container[target.key];
    if (target.definition?.multiValued || Array.isArray(existing)) {
      const elements = this.bounded(target, elementsOf(existing));
      if (elements.length === 0) {
        container[target.key] = [{ [subKey]: sub }];
        return;
      }
      const touched = new Set<unknown>();
      const next = elements.map((element) => touch(touched, { ...asElement(element), [subKey]: sub }));
      container[target.key] = onePrimary(next, touched);
      return;
    }
    const current = isPlainObject(existing) ? existing : {};
    // A new manager id makes the old manager's `$ref` and `displayName` wrong.
    const base = target.definition && subKey === 'value' && current.value !== sub ? {} : current;
    const next = { ...base, [subKey]: sub };
    // Canonical as a whole value is, so `manager.value` set to "" unassigns as `"manager": ""` does.
    this.assign(
      target,
      container,
      target.definition ? coerceAttribute(target.definition, next, target.text, WRITE) : next,
    );
  }

  /**
   * `emails[type eq "work"]` / `emails[type eq "work"].value`: the matching elements. When none
   * matches and the filter only says `sub eq "v"` (Entra ID's way to set a work email), a new
   * element is made with those sub-attributes set.
   */
  private setSelected(
    op: 'add' | 'replace',
    target: AttributeTarget,
    container: Record<string, unknown>,
    value: unknown,
  ): void {
    const elements = this.bounded(target, elementsOf(container[target.key]));
    const matched = this.select(target, elements);
    const touched = new Set<unknown>();
    let next: unknown[];
    if (target.subKey !== undefined) {
      const sub = this.coerceSub(target, value);
      if (sub === undefined) return this.remove(target, undefined);
      const change = { [target.subKey]: sub };
      next = matched.includes(true)
        ? elements.map((element, index) =>
            matched[index] ? touch(touched, { ...asElement(element), ...change }) : element,
          )
        : [...elements, touch(touched, { ...this.elementFromFilter(target), ...change })];
    } else {
      const element = this.coerceElement(target, value);
      // replace: the matching values are replaced (RFC 7644 §3.5.2.3), keeping what the filter says
      // of them (`type eq "work"`) so that the same request sent again changes nothing; add merges
      // into them.
      const found = matched.includes(true);
      const kept = found && op === 'replace' ? (this.filterEqualities(target) ?? {}) : undefined;
      next = found
        ? elements.map((current, index) =>
            matched[index] ? touch(touched, { ...(kept ?? asElement(current)), ...element }) : current,
          )
        : [...elements, touch(touched, { ...this.elementFromFilter(target), ...element })];
    }
    container[target.key] = this.bounded(target, onePrimary(next, touched));
  }

  private remove(target: AttributeTarget, value: unknown): void {
    const container = this.container(target, false);
    if (!container) return;
    const { key, definition, filter, subKey } = target;
    const existing = container[key];
    if (filter !== undefined) {
      const elements = this.bounded(target, elementsOf(existing));
      const matched = this.select(target, elements);
      // Nothing matches: no error, the state the client asked for already holds.
      if (!matched.includes(true)) return;
      const next =
        subKey === undefined
          ? elements.filter((_, index) => !matched[index])
          : elements.map((element, index) =>
              matched[index] && isPlainObject(element) ? withoutKey(element, subKey) : element,
            );
      this.assign(target, container, next);
    } else if (subKey !== undefined) {
      if (isArray(existing)) {
        const next = existing.map((element) => (isPlainObject(element) ? withoutKey(element, subKey) : element));
        this.assign(target, container, next);
      } else if (isPlainObject(existing)) {
        this.assign(target, container, withoutKey(existing, subKey));
      }
    } else if (value !== undefined && value !== null && (definition?.multiValued || Array.isArray(existing))) {
      // `{"op": "remove", "path": "emails", "value": [{"value": "a@b.c"}]}`: those values only.
      const removals = elementsOf(definition ? coerceAttribute(definition, value, target.text, WRITE) : value);
      this.assign(target, container, withoutRemovals(this.bounded(target, elementsOf(existing)), removals));
    } else {
      this.assign(target, container, undefined);
    }
  }

  /** Stores a value, dropping the attribute when it is empty, and the extension object when that empties. */
  private assign(target: AttributeTarget, container: Record<string, unknown>, value: unknown): void {
    const cleaned = Array.isArray(value)
      ? value.filter((element) => !(isPlainObject(element) && Object.keys(element).length === 0))
      : value;
    const empty =
      cleaned === undefined ||
      (Array.isArray(cleaned) && cleaned.length === 0) ||
      (isPlainObject(cleaned) && Object.keys(cleaned).length === 0);
    if (empty) delete container[target.key];
    else container[target.key] = cleaned;
    if (target.containerKey !== undefined && !hasKeys(container)) delete this.doc[target.containerKey];
  }

  /**
   * A multi-valued attribute's elements, refused past `valuesPerAttribute`: operations scan them,
   * so this bound is what keeps each operation's work, and the PATCH's, linear.
   */
  private bounded<T>(target: AttributeTarget, value: T): T {
    if (isArray(value) && value.length > SCIM_LIMITS.valuesPerAttribute) {
      throw ScimError.tooMany(
        `'${target.key}' would hold ${value.length} values; an attribute may hold at most ${SCIM_LIMITS.valuesPerAttribute}`,
      );
    }
    return value;
  }

  /** The key `name` has in `container` ignoring case; a key it will be written under is remembered. */
  private existingKey(container: unknown, name: string): string | undefined {
    if (!isPlainObject(container)) return undefined;
    let index = this.keys.get(container);
    if (!index) {
      index = new Map();
      for (const key of Object.keys(container)) if (!index.has(key.toLowerCase())) index.set(key.toLowerCase(), key);
      this.keys.set(container, index);
    }
    const lower = name.toLowerCase();
    const key = index.get(lower);
    if (key !== undefined && Object.prototype.hasOwnProperty.call(container, key)) return key;
    index.set(lower, name);
    return undefined;
  }

  /** The object that holds the attribute: the document, or its extension's object (made when writing). */
  private container(target: AttributeTarget, create: true): Record<string, unknown>;
  private container(target: AttributeTarget, create: false): Record<string, unknown> | undefined;
  private container(target: AttributeTarget, create: boolean): Record<string, unknown> | undefined {
    if (target.containerKey === undefined) return this.doc;
    const existing = this.doc[target.containerKey];
    if (isPlainObject(existing)) return existing;
    if (!create) return undefined;
    const fresh: Record<string, unknown> = {};
    this.doc[target.containerKey] = fresh;
    return fresh;
  }

  /** Which elements the target's filter selects. A filter that cannot apply (`primary gt 1`) is an invalid path. */
  private select(target: AttributeTarget, elements: unknown[]): boolean[] {
    const filter = target.filter as Filter;
    const describe = (path: AttributePath): AttributeInfo | undefined => {
      const sub = target.definition ? findSubAttribute(target.definition, path.name) : undefined;
      return sub && sub.type !== 'complex' && path.subAttr === undefined
        ? { type: sub.type, caseExact: sub.caseExact }
        : undefined;
    };
    try {
      // Checked once on an empty element so a misused filter fails even when there is nothing to match.
      matchesFilter(filter, {}, describe);
      return elements.map((element) =>
        matchesFilter(filter, isPlainObject(element) ? element : { value: element }, describe),
      );
    } catch (error) {
      throw asPathError(error);
    }
  }

  /** The element a value path describes when none matches: `type eq "work"` (and more `eq` joined by `and`). */
  private elementFromFilter(target: AttributeTarget): Record<string, unknown> {
    const element = this.filterEqualities(target);
    if (!element) throw ScimError.noTarget(`No value of '${target.key}' matches '${target.text}'`);
    return element;
  }

  /** The sub-attributes the filter sets with `eq` (joined by `and`), or null when it says more than that. */
  private filterEqualities(target: AttributeTarget): Record<string, unknown> | null {
    const element: Record<string, unknown> = {};
    const collect = (filter: Filter): boolean => {
      if (filter.kind === 'logical') return filter.op === 'and' && collect(filter.left) && collect(filter.right);
      if (filter.kind !== 'compare' || filter.op !== 'eq' || filter.value === null) return false;
      if (filter.path.subAttr !== undefined || filter.path.uri !== undefined) return false;
      const sub = target.definition ? findSubAttribute(target.definition, filter.path.name) : undefined;
      element[sub?.name ?? filter.path.name] = sub
        ? coerceAttribute(sub, filter.value, `${target.key}.${sub.name}`, WRITE)
        : filter.value;
      return true;
    };
    return collect(target.filter as Filter) ? element : null;
  }

  private coerceSub(target: AttributeTarget, value: unknown): unknown {
    if (!target.subDefinition) return value;
    return coerceAttribute(target.subDefinition, value, `${target.key}.${target.subDefinition.name}`, WRITE);
  }

  /** One element for a value path without sub-attribute; a one-element array is taken as that element. */
  private coerceElement(target: AttributeTarget, value: unknown): Record<string, unknown> {
    const single: unknown = Array.isArray(value) && value.length === 1 ? value[0] : value;
    const element = target.definition ? coerceSingle(target.definition, single, target.key, WRITE) : single;
    if (!isPlainObject(element)) {
      throw ScimError.invalidValue(`The value for '${target.text}' must be a JSON object (one ${target.key} value)`);
    }
    return element;
  }
}

/** Member ids a filter names: `value eq "id"`, or several joined by `or`. */
function memberIdsOf(filter: Filter, text: string): string[] {
  const ids: string[] = [];
  const collect = (node: Filter): boolean => {
    if (node.kind === 'logical') return node.op === 'or' && collect(node.left) && collect(node.right);
    if (node.kind !== 'compare' || node.op !== 'eq' || node.path.name.toLowerCase() !== 'value') return false;
    if (node.path.subAttr !== undefined || node.value === null || String(node.value).trim() === '') return false;
    ids.push(String(node.value));
    return true;
  };
  if (!collect(filter)) {
    throw ScimError.invalidFilter(`'${text}': members can only be selected by id, as members[value eq "id"]`);
  }
  assertCount(ids.length, SCIM_LIMITS.membersPerOperation, 'Members named by one filter');
  return [...new Set(ids)];
}

/** add on an attribute the schema does not know: arrays grow, objects merge, anything else is replaced. */
function addUnknown(existing: unknown, value: unknown): unknown {
  if (isArray(existing)) return [...existing, ...elementsOf(value)];
  if (isPlainObject(existing) && isPlainObject(value)) return { ...existing, ...value };
  return value;
}

function isEmptyObject(value: unknown): boolean {
  return isPlainObject(value) && Object.keys(value).length === 0;
}

function hasKeys(object: Record<string, unknown>): boolean {
  for (const key in object) if (Object.prototype.hasOwnProperty.call(object, key)) return true;
  return false;
}

function asElement(element: unknown): Record<string, unknown> {
  return isPlainObject(element) ? element : { value: element };
}

function touch<T>(touched: Set<unknown>, element: T): T {
  touched.add(element);
  return element;
}

function asPathError(error: unknown): unknown {
  return error instanceof ScimFilterError ? ScimError.invalidPath(error.message) : error;
}
