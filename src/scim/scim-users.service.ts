import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TransactionRunner } from '../database/transaction-runner';
import type { UserRow, UserState } from '../directory/directory.types';
import type { PageOf, SearchPage } from '../directory/search-page';
import type { UserGroup } from '../directory/users.repository';
import { GroupsService } from '../directory/groups.service';
import { UsersService } from '../directory/users.service';
import { normaliseResource } from './patch/normalise';
import { applyPatch } from './patch/patch';
import { ScimDocument } from './schemas';
import { Projection } from './scim-projection';
import { ScimContext, ScimResources } from './scim-resources.base';
import { userResolver } from './scim-sql.resolvers';
import { toUserDocument, toUserState } from './scim-users.mapper';
import { withoutSecretAttributes, withoutSecretOperations } from './scim-secrets';

/** SCIM Users over the directory's users. */
@Injectable()
export class ScimUsersService extends ScimResources<UserRow> {
  constructor(
    transactions: TransactionRunner,
    private readonly users: UsersService,
    private readonly groups: GroupsService,
  ) {
    super(transactions, users, { name: 'User', resolver: userResolver, table: 'u' });
  }

  async create(context: ScimContext, body: unknown): Promise<ScimDocument> {
    const { document } = normaliseResource('User', withoutSecretAttributes(body), { requireSchemas: true });
    // One INSERT, atomic by itself: no transaction around it (BEGIN and COMMIT would triple its round trips).
    const row = await this.users.createOne(this.transactions.manager, context.tenantId, toUserState(document), 'scim');
    return toUserDocument(row, context.base);
  }

  /**
   * Creates each body as `create` would, one result per body in order: the document, or the error
   * that body alone met (a bulk's operations fail one by one, never together). The bodies that
   * pass the schema go to the directory in one set-based call (UsersService.createMany).
   */
  async createMany(context: ScimContext, bodies: readonly unknown[]): Promise<(ScimDocument | Error)[]> {
    const results: (ScimDocument | Error)[] = new Array<ScimDocument | Error>(bodies.length);
    const states: UserState[] = [];
    const positions: number[] = [];
    bodies.forEach((body, position) => {
      try {
        const { document } = normaliseResource('User', withoutSecretAttributes(body), { requireSchemas: true });
        states.push(toUserState(document));
        positions.push(position);
      } catch (error) {
        results[position] = error instanceof Error ? error : new Error(String(error));
      }
    });
    if (states.length === 0) return results;
    const created = await this.users.createMany(this.transactions.manager, context.tenantId, states, 'scim');
    created.forEach((row, at) => {
      results[positions[at]] = row instanceof Error ? row : toUserDocument(row, context.base);
    });
    return results;
  }

  async replace(context: ScimContext, id: string, body: unknown, ifMatch?: string): Promise<ScimDocument> {
    const { document } = normaliseResource('User', withoutSecretAttributes(body), { requireSchemas: true });
    return this.transactions.run(async (em) => {
      const existing = await this.lockForWrite(em, context, id, ifMatch);
      const row = await this.users.replaceOne(em, context.tenantId, existing, toUserState(document), 'scim');
      return this.answer(em, context, row, new Projection());
    });
  }

  /** RFC 7644 §3.5.2: the whole request applies, or nothing does. Answers only when `projection` is given. */
  async patch(
    context: ScimContext,
    id: string,
    body: unknown,
    projection: Projection | undefined,
    ifMatch?: string,
  ): Promise<ScimDocument | undefined> {
    return this.transactions.run(async (em) => {
      const existing = await this.lockForWrite(em, context, id, ifMatch);
      const operations = withoutSecretOperations(body);
      // Only secrets were sent: they are dropped, so nothing changes.
      if (!operations) return projection && this.answer(em, context, existing, projection);
      const { document } = applyPatch('User', toUserDocument(existing, context.base), operations);
      const row = await this.users.replaceOne(em, context.tenantId, existing, toUserState(document), 'scim');
      return projection && this.answer(em, context, row, projection);
    });
  }

  /** The page, with each user's groups read in the same statement when they are to be shown. */
  protected override search(
    em: EntityManager,
    tenantId: string,
    page: SearchPage,
    projection: Projection,
  ): Promise<PageOf<UserRow>> {
    return this.users.searchPage(em, tenantId, page, projection.wants('groups'));
  }

  protected async render(
    em: EntityManager,
    context: ScimContext,
    rows: readonly (UserRow & { groups?: UserGroup[] })[],
    projection: Projection,
  ): Promise<ScimDocument[]> {
    const unread = rows.filter((row) => row.groups === undefined).map((row) => row.id);
    const groups =
      projection.wants('groups') && unread.length > 0
        ? await this.groups.findGroupsOfUsers(em, context.tenantId, unread)
        : undefined;
    return rows.map((row) => projection.apply(toUserDocument(row, context.base, row.groups ?? groups?.get(row.id))));
  }

  private async answer(
    em: EntityManager,
    context: ScimContext,
    row: UserRow | undefined,
    projection: Projection,
  ): Promise<ScimDocument> {
    if (!row) throw this.notFound('the user was deleted meanwhile');
    return (await this.render(em, context, [row], projection))[0];
  }
}
