import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TransactionRunner } from '../database/transaction-runner';
import type { UserRow } from '../directory/directory.types';
import { GroupsService } from '../directory/groups.service';
import { UsersService } from '../directory/users.service';
import { isUuid } from '../common/ids';
import { applyPatch } from './patch/patch';
import { normaliseResource } from './patch/normalise';
import { ScimDocument } from './schemas';
import { ListQuery } from './scim-list-query';
import { etagOf } from './scim-meta';
import { Projection } from './scim-projection';
import { searchPage, totalFromPage } from './scim-search';
import { userResolver } from './scim-sql.resolvers';
import { toUserDocument, toUserState } from './scim-users.mapper';
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

/** `If-Match` of a write: the ETag the client last saw, or `*`. */
export function assertVersion(ifMatch: string | undefined, version: number): void {
  if (ifMatch === undefined) return;
  const tags = ifMatch.split(',').map((tag) => tag.trim());
  const current = etagOf(version);
  const strip = (tag: string) => tag.replace(/^W\//, '');
  if (tags.includes('*') || tags.some((tag) => strip(tag) === strip(current))) return;
  throw new ScimError(412, undefined, `The resource has changed: its version is ${current}, not ${ifMatch}`);
}

const notFound = (id: string) => ScimError.notFound(`User not found: ${id}`);

/** SCIM Users over the directory's users. */
@Injectable()
export class ScimUsersService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly users: UsersService,
    private readonly groups: GroupsService,
  ) {}

  async list(context: ScimContext, query: ListQuery): Promise<ListResult> {
    const page = searchPage(query, userResolver, 'u');
    const em = this.transactions.manager;
    const rows = page.limit === 0 ? [] : await this.users.search(em, context.tenantId, page);
    const totalResults =
      totalFromPage(page, rows.length) ??
      (await this.users.count(em, context.tenantId, page.condition, page.parameters));
    const projection = new Projection(query.attributes, query.excludedAttributes);
    return { totalResults, resources: await this.render(em, context, rows, projection) };
  }

  async get(context: ScimContext, id: string, projection: Projection): Promise<ScimDocument> {
    const em = this.transactions.manager;
    const row = isUuid(id) ? await this.users.findOne(em, context.tenantId, id) : undefined;
    if (!row) throw notFound(id);
    return (await this.render(em, context, [row], projection))[0];
  }

  async create(context: ScimContext, body: unknown): Promise<ScimDocument> {
    const { document } = normaliseResource('User', body, { requireSchemas: true });
    return this.transactions.run(async (em) => {
      const row = await this.users.createOne(em, context.tenantId, toUserState(document), 'scim');
      return toUserDocument(row, context.base);
    });
  }

  async replace(context: ScimContext, id: string, body: unknown, ifMatch?: string): Promise<ScimDocument> {
    const { document } = normaliseResource('User', body, { requireSchemas: true });
    return this.write(context, id, ifMatch, new Projection(), async (em, existing) =>
      this.users.replaceOne(em, context.tenantId, existing, toUserState(document), 'scim'),
    );
  }

  /** RFC 7644 §3.5.2: the whole request applies, or nothing does. */
  async patch(
    context: ScimContext,
    id: string,
    body: unknown,
    projection: Projection | undefined,
    ifMatch?: string,
  ): Promise<ScimDocument | undefined> {
    return this.write(context, id, ifMatch, projection, async (em, existing) => {
      const { document } = applyPatch('User', toUserDocument(existing, context.base), body);
      return this.users.replaceOne(em, context.tenantId, existing, toUserState(document), 'scim');
    });
  }

  async delete(context: ScimContext, id: string, ifMatch?: string): Promise<void> {
    await this.transactions.run(async (em) => {
      const existing = isUuid(id) ? await this.users.findOne(em, context.tenantId, id, true) : undefined;
      if (!existing) throw notFound(id);
      assertVersion(ifMatch, existing.version);
      await this.users.deleteOne(em, context.tenantId, id);
    });
  }

  /** Locks the user, checks `If-Match`, writes, answers the new document when `projection` asks for one. */
  private write(
    context: ScimContext,
    id: string,
    ifMatch: string | undefined,
    projection: Projection,
    change: (em: EntityManager, existing: UserRow) => Promise<UserRow | undefined>,
  ): Promise<ScimDocument>;
  private write(
    context: ScimContext,
    id: string,
    ifMatch: string | undefined,
    projection: Projection | undefined,
    change: (em: EntityManager, existing: UserRow) => Promise<UserRow | undefined>,
  ): Promise<ScimDocument | undefined>;
  private write(
    context: ScimContext,
    id: string,
    ifMatch: string | undefined,
    projection: Projection | undefined,
    change: (em: EntityManager, existing: UserRow) => Promise<UserRow | undefined>,
  ): Promise<ScimDocument | undefined> {
    return this.transactions.run(async (em) => {
      const existing = isUuid(id) ? await this.users.findOne(em, context.tenantId, id, true) : undefined;
      if (!existing) throw notFound(id);
      assertVersion(ifMatch, existing.version);
      const row = await change(em, existing);
      if (!row) throw notFound(id);
      return projection && (await this.render(em, context, [row], projection))[0];
    });
  }

  private async render(
    em: EntityManager,
    context: ScimContext,
    rows: readonly UserRow[],
    projection: Projection,
  ): Promise<ScimDocument[]> {
    const groups = projection.wants('groups')
      ? await this.groups.findGroupsOfUsers(
          em,
          context.tenantId,
          rows.map((row) => row.id),
        )
      : undefined;
    return rows.map((row) => projection.apply(toUserDocument(row, context.base, groups?.get(row.id))));
  }
}
