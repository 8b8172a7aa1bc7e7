import type { EntityManager } from 'typeorm';
import { isUuid } from '../common/ids';
import { TransactionRunner } from '../database/transaction-runner';
import type { PageOf, SearchPage } from '../directory/search-page';
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
