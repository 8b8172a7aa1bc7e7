import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { isUuid } from '../common/ids';
import { TransactionRunner } from '../database/transaction-runner';
import type { DepartmentRow, MembershipChange } from '../directory/directory.types';
import { GroupsService } from '../directory/groups.service';
import { normaliseResource } from './patch/normalise';
import { applyPatch, MemberChange } from './patch/patch';
import { ScimDocument } from './schemas';
import { toGroupDocument, toGroupState } from './scim-groups.mapper';
import { ListQuery } from './scim-list-query';
import { Projection } from './scim-projection';
import { searchPage, totalFromPage } from './scim-search';
import { groupResolver } from './scim-sql.resolvers';
import { assertVersion, ListResult, ScimContext } from './scim-users.service';
import { ScimError } from './scim.errors';

const notFound = (id: string) => ScimError.notFound(`Group not found: ${id}`);

const toMembership = (change: MemberChange): MembershipChange =>
  change.op === 'removeAll' ? change : { op: change.op, ids: change.values };

/** SCIM Groups over departments; members are assignments and child departments. */
@Injectable()
export class ScimGroupsService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly groups: GroupsService,
  ) {}

  async list(context: ScimContext, query: ListQuery): Promise<ListResult> {
    const page = searchPage(query, groupResolver, 'd');
    const em = this.transactions.manager;
    const rows = page.limit === 0 ? [] : await this.groups.search(em, context.tenantId, page);
    const totalResults =
      totalFromPage(page, rows.length) ??
      (await this.groups.count(em, context.tenantId, page.condition, page.parameters));
    const projection = new Projection(query.attributes, query.excludedAttributes);
    return { totalResults, resources: await this.render(em, context, rows, projection) };
  }

  async get(context: ScimContext, id: string, projection: Projection): Promise<ScimDocument> {
    const em = this.transactions.manager;
    const row = isUuid(id) ? await this.groups.findOne(em, context.tenantId, id) : undefined;
    if (!row) throw notFound(id);
    return (await this.render(em, context, [row], projection))[0];
  }

  async create(context: ScimContext, body: unknown): Promise<ScimDocument> {
    const { document, members } = normaliseResource('Group', body, { requireSchemas: true });
    return this.transactions.run(async (em) => {
      const created = await this.groups.createOne(em, context.tenantId, toGroupState(document));
      if (members && members.length > 0) {
        await this.groups.changeMembers(em, context.tenantId, created, [{ op: 'add', ids: members }]);
      }
      return this.reload(em, context, created.id, new Projection());
    });
  }

  async replace(context: ScimContext, id: string, body: unknown, ifMatch?: string): Promise<ScimDocument> {
    const { document, members } = normaliseResource('Group', body, { requireSchemas: true });
    return this.write(context, id, ifMatch, new Projection(), async (em, existing) => {
      const row = await this.groups.replaceOne(em, context.tenantId, existing, toGroupState(document));
      // PUT replaces members only when it names them: Okta and Entra ID send PUT without members to rename.
      if (members !== undefined)
        await this.groups.changeMembers(em, context.tenantId, row, [{ op: 'replace', ids: members }]);
    });
  }

  /**
   * Attributes and members change in one database transaction, or not at all. Answers the group
   * only when `projection` is given (a PATCH answers 204 otherwise, so nothing is read back).
   */
  async patch(
    context: ScimContext,
    id: string,
    body: unknown,
    projection: Projection | undefined,
    ifMatch?: string,
  ): Promise<ScimDocument | undefined> {
    return this.write(context, id, ifMatch, projection, async (em, existing) => {
      const before = toGroupDocument(existing, context.base);
      const { document, members } = applyPatch('Group', before, body);
      const state = toGroupState(document);
      const row = unchanged(existing, state)
        ? existing
        : await this.groups.replaceOne(em, context.tenantId, existing, state);
      await this.groups.changeMembers(em, context.tenantId, row, members.map(toMembership));
    });
  }

  async delete(context: ScimContext, id: string, ifMatch?: string): Promise<void> {
    await this.transactions.run(async (em) => {
      const existing = isUuid(id) ? await this.groups.findOne(em, context.tenantId, id, true) : undefined;
      if (!existing) throw notFound(id);
      assertVersion(ifMatch, existing.version);
      await this.groups.deleteOne(em, context.tenantId, id);
    });
  }

  private write(
    context: ScimContext,
    id: string,
    ifMatch: string | undefined,
    projection: Projection,
    change: (em: EntityManager, existing: DepartmentRow) => Promise<void>,
  ): Promise<ScimDocument>;
  private write(
    context: ScimContext,
    id: string,
    ifMatch: string | undefined,
    projection: Projection | undefined,
    change: (em: EntityManager, existing: DepartmentRow) => Promise<void>,
  ): Promise<ScimDocument | undefined>;
  private write(
    context: ScimContext,
    id: string,
    ifMatch: string | undefined,
    projection: Projection | undefined,
    change: (em: EntityManager, existing: DepartmentRow) => Promise<void>,
  ): Promise<ScimDocument | undefined> {
    return this.transactions.run(async (em) => {
      const existing = isUuid(id) ? await this.groups.findOne(em, context.tenantId, id, true) : undefined;
      if (!existing) throw notFound(id);
      assertVersion(ifMatch, existing.version);
      await change(em, existing);
      return projection && this.reload(em, context, id, projection);
    });
  }

  private async reload(
    em: EntityManager,
    context: ScimContext,
    id: string,
    projection: Projection,
  ): Promise<ScimDocument> {
    const row = await this.groups.findOne(em, context.tenantId, id);
    if (!row) throw notFound(id);
    return (await this.render(em, context, [row], projection))[0];
  }

  private async render(
    em: EntityManager,
    context: ScimContext,
    rows: readonly DepartmentRow[],
    projection: Projection,
  ): Promise<ScimDocument[]> {
    // `excludedAttributes=members` (Entra ID's usual read) reads no memberships at all.
    const members = projection.wants('members')
      ? await this.groups.findMembers(
          em,
          context.tenantId,
          rows.map((row) => row.id),
        )
      : undefined;
    return rows.map((row) => projection.apply(toGroupDocument(row, context.base, members?.get(row.id))));
  }
}

function unchanged(
  existing: DepartmentRow,
  state: { name: string; externalId: string | null; attributes: Record<string, unknown> },
): boolean {
  return (
    existing.name === state.name &&
    existing.externalId === state.externalId &&
    JSON.stringify(existing.attributes) === JSON.stringify(state.attributes)
  );
}
