import { Inject } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { isUuid } from '../common/ids';
import { TransactionRunner } from '../database/transaction-runner';
import type { PageOf, SearchPage } from '../directory/search-page';
import type { CursorBinding, CursorPosition } from './cursor/scim-cursor';
import { ScimCursors } from './cursor/scim-cursors';
import { SqlResolver } from './filter';
import { ScimDocument, ScimResourceName } from './schemas';
import { ListQuery } from './scim-list-query';
import { etagOf } from './scim-meta';
import { Projection } from './scim-projection';
import { searchPage } from './scim-search';
import { ScimError } from './scim.errors';

/** Where a request came in and what it may see. */
export interface ScimContext {
  tenantId: string;
  /** Base of `meta.location`: `https://host/scim/v2`. */
  base: string;
}

export interface ListResult {
  totalResults: number;
  resources: ScimDocument[];
  /** Cursor pagination (RFC 9865): the page after this one, when there is one. */
  nextCursor?: string;
  /** Cursor pagination: the page before this one, unless this is the first. */
  previousCursor?: string;
}

/** The directory service behind a resource type (UsersService, GroupsService). */
export interface DirectoryStore<Row> {
  /** The page's rows, with the total the same statement counted. */
  searchPage(em: EntityManager, tenantId: string, page: SearchPage): Promise<PageOf<Row>>;
  count(em: EntityManager, tenantId: string, condition: string, parameters: readonly unknown[]): Promise<number>;
  findOne(em: EntityManager, tenantId: string, id: string, lock?: boolean): Promise<Row | undefined>;
  deleteOne(em: EntityManager, tenantId: string, id: string): Promise<boolean>;
}

/** `If-Match` of a write: the ETag the client last saw, or `*`. */
export function assertVersion(ifMatch: string | undefined, version: number): void {
  if (ifMatch === undefined) return;
  const current = etagOf(version);
  const strip = (tag: string) => tag.trim().replace(/^W\//, '');
  const tags = ifMatch.split(',').map(strip);
  if (tags.includes('*') || tags.includes(strip(current))) return;
  throw new ScimError(412, undefined, `The resource has changed: its version is ${current}, not ${ifMatch}`);
}

/** What every resource type does alike: list, read, delete, and lock a resource for a write. */
export abstract class ScimResources<Row extends { id: string; version: number }> {
  // A property, so the resource types' constructors stay as they are: only listing uses it.
  @Inject(ScimCursors) private readonly cursors!: ScimCursors;

  protected constructor(
    protected readonly transactions: TransactionRunner,
    private readonly store: DirectoryStore<Row>,
    private readonly type: { name: ScimResourceName; resolver: SqlResolver; table: 'u' | 'd' },
  ) {}

  /** The rows as documents, with what the projection needs read alongside. */
  protected abstract render(
    em: EntityManager,
    context: ScimContext,
    rows: readonly Row[],
    projection: Projection,
  ): Promise<ScimDocument[]>;

  async list(context: ScimContext, query: ListQuery): Promise<ListResult> {
    if (query.cursor !== undefined) return this.listByCursor(context, query);
    const projection = new Projection(query.attributes, query.excludedAttributes);
    const page = searchPage(query, this.type.resolver, this.type.table);
    const em = this.transactions.manager;
    // One statement reads the page and counts what matches; a count of its own runs only for
    // `count=0` and for a page past the last (no row then carries the total).
    const found: PageOf<Row> =
      page.limit === 0 ? { rows: [], total: undefined } : await this.search(em, context.tenantId, page, projection);
    const totalResults = found.total ?? (await this.store.count(em, context.tenantId, page.condition, page.parameters));
    return { totalResults, resources: await this.render(em, context, found.rows, projection) };
  }

  /**
   * RFC 9865: a keyset page from the cursor's position (none: the first page). A page walked
   * backwards that reaches the start is answered as the first page, whole and without a
   * `previousCursor`. Pages are read as any page is (`search`), one statement each.
   */
  private async listByCursor(context: ScimContext, query: ListQuery): Promise<ListResult> {
    const binding: CursorBinding = {
      tenantId: context.tenantId,
      resourceType: this.type.name,
      filter: query.filter,
      sortBy: query.sortBy,
      sortOrder: query.sortOrder,
    };
    const position = query.cursor ? this.cursors.decode(query.cursor, binding) : undefined;
    const projection = new Projection(query.attributes, query.excludedAttributes);
    const em = this.transactions.manager;
    const read = async (from: CursorPosition | undefined) => {
      const page = searchPage(query, this.type.resolver, this.type.table, from);
      if (query.count === 0) return { page, found: { rows: [], total: undefined } as PageOf<Row> };
      return { page, found: await this.search(em, context.tenantId, page, projection) };
    };
    let from = position;
    let { page, found } = await read(from);
    if (from?.backward && found.rows.length <= query.count) {
      from = undefined;
      ({ page, found } = await read(from));
    }
    const more = found.rows.length > query.count;
    const rows = found.rows.slice(0, query.count);
    const keys = (found.keys ?? []).slice(0, query.count);
    if (from?.backward) {
      rows.reverse();
      keys.reverse();
    }
    const totalResults = found.total ?? (await this.store.count(em, context.tenantId, page.condition, page.parameters));
    const [first, last] = [keys[0], keys[keys.length - 1]];
    const cursor = (key: unknown[] | undefined, backward: boolean): string | undefined =>
      key && this.cursors.encode({ key, backward }, binding);
    // Forward, a next page exists when the extra row came back; backward, the page we came from is next.
    const next = from?.backward || more ? cursor(last, false) : undefined;
    const previous = from === undefined ? undefined : !from.backward || more ? cursor(first, true) : undefined;
    return {
      totalResults,
      resources: await this.render(em, context, rows, projection),
      ...(next ? { nextCursor: next } : {}),
      ...(previous ? { previousCursor: previous } : {}),
    };
  }

  /** A page of rows and their total; a resource type may read alongside what the projection asks for. */
  protected search(
    em: EntityManager,
    tenantId: string,
    page: SearchPage,
    _projection: Projection,
  ): Promise<PageOf<Row>> {
    return this.store.searchPage(em, tenantId, page);
  }

  async get(context: ScimContext, id: string, projection: Projection): Promise<ScimDocument> {
    const em = this.transactions.manager;
    const row = isUuid(id) ? await this.store.findOne(em, context.tenantId, id) : undefined;
    if (!row) throw this.notFound(id);
    return (await this.render(em, context, [row], projection))[0];
  }

  async delete(context: ScimContext, id: string, ifMatch?: string): Promise<void> {
    await this.transactions.run(async (em) => {
      await this.lockForWrite(em, context, id, ifMatch);
      await this.store.deleteOne(em, context.tenantId, id);
    });
  }

  /** The row, locked until the transaction ends, once `If-Match` agrees with its version. */
  protected async lockForWrite(em: EntityManager, context: ScimContext, id: string, ifMatch?: string): Promise<Row> {
    const row = isUuid(id) ? await this.store.findOne(em, context.tenantId, id, true) : undefined;
    if (!row) throw this.notFound(id);
    assertVersion(ifMatch, row.version);
    return row;
  }

  protected notFound(id: string): ScimError {
    return ScimError.notFound(`${this.type.name} not found: ${id}`);
  }
}
