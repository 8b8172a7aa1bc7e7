import { extensionSchemaUrns, ScimDocument } from './schemas';

const EXTENSIONS = new Set(extensionSchemaUrns('User').map((urn) => urn.toLowerCase()));

/** An attribute named by `attributes` / `excludedAttributes`: `emails`, `name.givenName`, `urn:...:User:manager`. */
interface NamedAttribute {
  uri?: string;
  name: string;
  sub?: string;
}

const CORE_URN = /^urn:ietf:params:scim:schemas:core:/i;

/** Always returned, whatever the request names (RFC 7643 §7 `returned: always`). */
const ALWAYS = new Set(['id', 'schemas']);

/**
 * Parses one entry. A value filter some clients add (`emails[type eq "work"]`) narrows nothing
 * here: the whole attribute is named.
 */
function parseName(entry: string): NamedAttribute {
  const plain = entry.replace(/\[.*$/s, '').trim();
  // A whole extension, named by its URN alone.
  if (EXTENSIONS.has(plain.toLowerCase())) return { name: plain };
  const colon = plain.lastIndexOf(':');
  const uri = colon >= 0 ? plain.slice(0, colon) : undefined;
  const [name, sub] = plain.slice(colon + 1).split('.', 2);
  return { uri, name, sub };
}

const keyOf = (object: Record<string, unknown>, name: string): string | undefined =>
  Object.keys(object).find((key) => key.toLowerCase() === name.toLowerCase());

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The object an attribute lives in: the resource, or its extension's object for an extension URN. */
function container(document: ScimDocument, uri: string | undefined): Record<string, unknown> | undefined {
  if (uri === undefined || CORE_URN.test(uri)) return document;
  const key = keyOf(document, uri);
  const value = key === undefined ? undefined : document[key];
  return isObject(value) ? value : undefined;
}

export class Projection {
  private readonly include?: NamedAttribute[];
  private readonly exclude: NamedAttribute[];

  constructor(attributes?: string[], excludedAttributes?: string[]) {
    this.include = attributes?.map(parseName);
    this.exclude = (excludedAttributes ?? []).map(parseName);
  }

  /** Whether the answer holds `name` (top level, core schema): the services skip reading what is left out. */
  wants(name: string): boolean {
    const lower = name.toLowerCase();
    const named = (list: NamedAttribute[]) =>
      list.some(
        (entry) => entry.name.toLowerCase() === lower && (entry.uri === undefined || !entry.uri.includes('extension')),
      );
    if (this.include) return named(this.include);
    return !this.exclude.some(
      (entry) =>
        entry.sub === undefined &&
        entry.name.toLowerCase() === lower &&
        (entry.uri === undefined || !entry.uri.includes('extension')),
    );
  }

  apply(document: ScimDocument): ScimDocument {
    if (this.include) return withSchemasOfContent(this.pick(document, this.include));
    return this.exclude.length > 0 ? withSchemasOfContent(this.drop(document, this.exclude)) : document;
  }

  private pick(document: ScimDocument, names: NamedAttribute[]): ScimDocument {
    const result: ScimDocument = {};
    for (const key of Object.keys(document)) if (ALWAYS.has(key)) result[key] = document[key];
    for (const { uri, name, sub } of names) {
      const source = container(document, uri);
      const key = source && keyOf(source, name);
      if (!source || key === undefined) continue;
      const target = source === document ? result : extension(result, document, source);
      const value = source[key];
      if (sub === undefined) target[key] = value;
      else target[key] = mergePicked(target[key], value, sub);
    }
    return result;
  }

  /**
   * The document without the excluded attributes. Copies only the objects it removes something
   * from (the resource, an extension, a multi-valued attribute and its items), never the whole
   * document: what it leaves untouched is shared with the document it was given, which stays as it was.
   */
  private drop(document: ScimDocument, names: NamedAttribute[]): ScimDocument {
    const copies = new Set<unknown>();
    const writable = <T extends object>(parent: Record<string | number, unknown>, key: string | number): T => {
      const value = parent[key] as T;
      if (copies.has(value)) return value;
      const copy = (Array.isArray(value) ? [...value] : { ...value }) as T;
      copies.add(copy);
      parent[key] = copy;
      return copy;
    };
    const result: ScimDocument = { ...document };
    for (const { uri, name, sub } of names) {
      const source = ownContainer(result, uri, writable);
      const key = source && keyOf(source, name);
      if (!source || key === undefined || (source === result && ALWAYS.has(key))) continue;
      if (sub === undefined) {
        delete source[key];
        continue;
      }
      const value = source[key];
      if (Array.isArray(value)) {
        const items = writable<unknown[]>(source, key);
        items.forEach((item, index) => {
          const subKey = isObject(item) ? keyOf(item, sub) : undefined;
          if (subKey !== undefined) delete writable<Record<string, unknown>>(items as never, index)[subKey];
        });
      } else if (isObject(value)) {
        const subKey = keyOf(value, sub);
        if (subKey !== undefined) delete writable<Record<string, unknown>>(source, key)[subKey];
      }
    }
    return result;
  }
}

/** `container`, for a change: an extension's object is replaced by a copy in `result` first. */
function ownContainer(
  result: ScimDocument,
  uri: string | undefined,
  writable: (parent: Record<string, unknown>, key: string) => Record<string, unknown>,
): Record<string, unknown> | undefined {
  if (uri === undefined || CORE_URN.test(uri)) return result;
  const key = keyOf(result, uri);
  return key !== undefined && isObject(result[key]) ? writable(result, key) : undefined;
}

/** `schemas` lists the core schema and only the extensions the answer still holds attributes of. */
function withSchemasOfContent(document: ScimDocument): ScimDocument {
  // `document` is the projection's own copy: set in place, `schemas` keeps its position among the keys.
  if (!Array.isArray(document.schemas)) return document;
  document.schemas = (document.schemas as string[]).filter(
    (urn, index) => index === 0 || (isObject(document[urn]) && Object.keys(document[urn]).length > 0),
  );
  return document;
}

/** The extension object in `result` matching `source` in `document` (created on first use). */
function extension(
  result: ScimDocument,
  document: ScimDocument,
  source: Record<string, unknown>,
): Record<string, unknown> {
  const key = Object.keys(document).find((candidate) => document[candidate] === source) as string;
  const existing = result[key];
  if (isObject(existing)) return existing;
  const created: Record<string, unknown> = {};
  result[key] = created;
  return created;
}

/** Adds sub-attribute `sub` of `value` (an object or an array of them) to what was picked so far. */
function mergePicked(picked: unknown, value: unknown, sub: string): unknown {
  const pickOne = (item: unknown, previous: unknown): unknown => {
    if (!isObject(item)) return previous;
    const key = keyOf(item, sub);
    const base = isObject(previous) ? previous : {};
    return key === undefined ? base : { ...base, [key]: item[key] };
  };
  if (Array.isArray(value)) {
    const previous = Array.isArray(picked) ? picked : [];
    return value.map((item, index) => pickOne(item, previous[index]));
  }
  return pickOne(value, picked);
}
