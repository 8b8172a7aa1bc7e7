import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TransactionRunner } from '../database/transaction-runner';
import type { DepartmentRow, GroupState, MembershipChange } from '../directory/directory.types';
import { GroupsService } from '../directory/groups.service';
import { normaliseResource } from './patch/normalise';
import { applyPatch, MemberChange } from './patch/patch';
import { withoutSecretAttributes, withoutSecretOperations } from './scim-secrets';
import { ScimDocument } from './schemas';
import { toGroupDocument, toGroupState } from './scim-groups.mapper';
import { Projection } from './scim-projection';
import { ScimContext, ScimResources } from './scim-resources.base';
import { groupResolver } from './scim-sql.resolvers';
import { SCIM_LIMITS } from './scim-limits';
import { ScimError } from './scim.errors';

const toMembership = (change: MemberChange): MembershipChange =>
  change.op === 'removeAll' ? change : { op: change.op, ids: change.values };

const unchanged = (existing: DepartmentRow, state: GroupState): boolean =>
  existing.name === state.name &&
  existing.externalId === state.externalId &&
  JSON.stringify(existing.attributes) === JSON.stringify(state.attributes);

/** SCIM Groups over departments; members are assignments and child departments. */
@Injectable()
export class ScimGroupsService extends ScimResources<DepartmentRow> {
  constructor(
    transactions: TransactionRunner,
    private readonly groups: GroupsService,
  ) {
    super(transactions, groups, { name: 'Group', resolver: groupResolver, table: 'd' });
  }

  async create(context: ScimContext, body: unknown): Promise<ScimDocument> {
    const { document, members } = normaliseResource('Group', withoutSecretAttributes(body), { requireSchemas: true });
    return this.transactions.run(async (em) => {
      const created = await this.groups.createOne(em, context.tenantId, toGroupState(document));
      if (members && members.length > 0) {
        await this.groups.changeMembers(em, context.tenantId, created, [{ op: 'add', ids: members }]);
      }
      return this.writeAnswer(em, context, created.id);
    });
  }

  async replace(context: ScimContext, id: string, body: unknown, ifMatch?: string): Promise<ScimDocument> {
    const { document, members } = normaliseResource('Group', withoutSecretAttributes(body), { requireSchemas: true });
    return this.transactions.run(async (em) => {
      const existing = await this.lockForWrite(em, context, id, ifMatch);
      const row = await this.groups.replaceOne(em, context.tenantId, existing, toGroupState(document));
      // PUT replaces members only when it names them: Okta and Entra ID rename with a PUT without members.
      if (members !== undefined) {
        await this.groups.changeMembers(em, context.tenantId, row, [{ op: 'replace', ids: members }]);
      }
      return this.writeAnswer(em, context, id);
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
    return this.transactions.run(async (em) => {
      const existing = await this.lockForWrite(em, context, id, ifMatch);
      const operations = withoutSecretOperations(body);
      // Only secrets were sent: they are dropped, so nothing changes.
      if (!operations) return projection && this.answer(em, context, id, projection);
      const { document, members } = applyPatch('Group', toGroupDocument(existing, context.base), operations);
      const state = toGroupState(document);
      const row = unchanged(existing, state)
        ? existing
        : await this.groups.replaceOne(em, context.tenantId, existing, state);
      await this.groups.changeMembers(em, context.tenantId, row, members.map(toMembership));
      return projection && this.answer(em, context, id, projection);
    });
  }

  protected async render(
    em: EntityManager,
    context: ScimContext,
    rows: readonly DepartmentRow[],
    projection: Projection,
  ): Promise<ScimDocument[]> {
    // `excludedAttributes=members` (Entra ID's usual read) reads no memberships at all.
    const ids = rows.map((row) => row.id);
    if (!projection.wants('members')) return rows.map((row) => projection.apply(toGroupDocument(row, context.base)));
    await this.assertMembersFit(em, context, ids);
    const members = await this.groups.findMembers(em, context.tenantId, ids);
    return rows.map((row) => projection.apply(toGroupDocument(row, context.base, members.get(row.id))));
  }

  /**
   * An answer carries at most `membersPerResponse` members across its groups (RFC 7644 §3.4.2.4
   * lets a service refuse too many results with 400 `tooMany`). They are counted before any is
   * read, so a refusal costs a count of the index, not the members. Inside a write's transaction
   * the refusal undoes the write: the client sees an error and nothing changed.
   */
  private async assertMembersFit(em: EntityManager, context: ScimContext, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const total = await this.groups.countMembers(em, context.tenantId, ids);
    const limit = SCIM_LIMITS.membersPerResponse;
    if (total <= limit) return;
    const how =
      ids.length === 1
        ? `Read the group with excludedAttributes=members and page its members with GET /Users?filter=groups.value eq "${ids[0]}" (startIndex and count)`
        : 'Read the groups with excludedAttributes=members, or a smaller page (count), and page each group\'s members with GET /Users?filter=groups.value eq "<group id>"';
    throw ScimError.tooMany(`The answer would carry ${total} members; one answer carries at most ${limit}. ${how}`);
  }

  /**
   * The answer of a POST or PUT, which the client did not shape: the whole group, or the group
   * without `members` when they are more than one answer carries. The write is kept either way;
   * refusing it for the size of its answer would leave the client unable to rename a large group.
   */
  private async writeAnswer(em: EntityManager, context: ScimContext, id: string): Promise<ScimDocument> {
    const total = await this.groups.countMembers(em, context.tenantId, [id]);
    const whole = total <= SCIM_LIMITS.membersPerResponse;
    return this.answer(em, context, id, whole ? new Projection() : new Projection(undefined, ['members']));
  }

  private async answer(
    em: EntityManager,
    context: ScimContext,
    id: string,
    projection: Projection,
  ): Promise<ScimDocument> {
    const row = await this.groups.findOne(em, context.tenantId, id);
    if (!row) throw this.notFound(id);
    return (await this.render(em, context, [row], projection))[0];
  }
}
