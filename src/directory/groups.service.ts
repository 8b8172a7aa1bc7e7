import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { isUuid } from '../common/ids';
import { AssignmentsRepository, MemberView } from './assignments.repository';
import { distinct, isRowDataError, sqlStateOf } from './batch';
import { DepartmentRow, DepartmentsRepository } from './departments.repository';
import { fieldError, GroupState, MembershipChange } from './directory.types';
import { assertValid, checkIdentifier, TEXT_LIMITS } from './identifiers';
import type { PageOf, SearchPage } from './search-page';

/** The user type of an assignment made by adding a member: `"1"`, created with every tenant and never deleted. */
const MEMBER_USER_TYPE = '1';

/**
 * Departments seen as groups (SCIM): whole-state writes with a name unique ignoring case, and
 * members, which are the users assigned to a department and its child departments.
 */
@Injectable()
export class GroupsService {
  constructor(
    private readonly departments: DepartmentsRepository,
    private readonly assignments: AssignmentsRepository,
  ) {}

  /** A page of departments matching a trusted SQL condition over `departments d` (see `SearchPage`). */
  searchPage(em: EntityManager, tenantId: string, page: SearchPage): Promise<PageOf<DepartmentRow>> {
    return this.departments.searchPage(em, tenantId, page);
  }

  count(em: EntityManager, tenantId: string, condition: string, parameters: readonly unknown[]): Promise<number> {
    return this.departments.count(em, tenantId, condition, parameters);
  }

  findOne(em: EntityManager, tenantId: string, id: string, lock = false): Promise<DepartmentRow | undefined> {
    return this.departments.findById(em, tenantId, id, lock);
  }

  /** Creates a root department; a name another department has (ignoring case) is a DUPLICATE. */
  async createOne(em: EntityManager, tenantId: string, state: GroupState): Promise<DepartmentRow> {
    assertGroupState(state);
    await this.claimName(em, tenantId, state.name);
    const row = { ...state, id: randomUUID(), parentId: null, active: true };
    return refusedValues(state, () => this.departments.insertOne(em, tenantId, row));
  }

  /** Replaces name, externalId and attributes; parent and `active` stay. */
  async replaceOne(
    em: EntityManager,
    tenantId: string,
    existing: DepartmentRow,
    state: GroupState,
  ): Promise<DepartmentRow> {
    assertGroupState(state);
    if (state.name.toLowerCase() !== existing.name.toLowerCase())
      await this.claimName(em, tenantId, state.name, existing.id);
    const row = await refusedValues(state, () => this.departments.updateOne(em, tenantId, existing.id, state));
    if (!row) throw DomainError.notFound(`Group not found: ${existing.id}`);
    return row;
  }

  async deleteOne(em: EntityManager, tenantId: string, id: string): Promise<boolean> {
    return (await this.departments.deleteByIds(em, tenantId, [id])).length > 0;
  }

  /**
   * Applies the changes as if in order, in the caller's transaction, with a fixed number of
   * statements however many changes and members there are: the changes are first folded into one
   * net change. Adding a present member changes nothing.
   */
  async changeMembers(
    em: EntityManager,
    tenantId: string,
    group: DepartmentRow,
    changes: readonly MembershipChange[],
  ): Promise<void> {
    if (changes.length === 0) return;
    const net = foldMembership(changes);
    if (net.removeAll) {
      await this.assignments.removeMembers(em, tenantId, group.id);
      await this.departments.releaseChildren(em, tenantId, group.id);
    } else if (net.remove.size > 0) {
      await this.assignments.removeMembers(em, tenantId, group.id, [...net.remove]);
      await this.departments.releaseChildren(em, tenantId, group.id, [...net.remove]);
    }
    await this.addMembers(em, tenantId, group, [...net.add]);
    await this.departments.bumpVersion(em, tenantId, group.id);
  }

  /** Members of each department (users and child departments), by department id. */
  async findMembers(em: EntityManager, tenantId: string, ids: readonly string[]): Promise<Map<string, MemberView[]>> {
    const byGroup = new Map<string, MemberView[]>(ids.map((id) => [id, []]));
    for (const member of await this.assignments.findMembers(em, tenantId, distinct(ids))) {
      byGroup.get(member.groupId)?.push(member);
    }
    return byGroup;
  }

  /** How many members the departments have in all, counted without reading them. */
  countMembers(em: EntityManager, tenantId: string, ids: readonly string[]): Promise<number> {
    return this.assignments.countMembers(em, tenantId, distinct(ids));
  }

  /** The departments each user is assigned to, by user id. */
  async findGroupsOfUsers(
    em: EntityManager,
    tenantId: string,
    userIds: readonly string[],
  ): Promise<Map<string, { id: string; display: string }[]>> {
    const byUser = new Map<string, { id: string; display: string }[]>(userIds.map((id) => [id, []]));
    for (const { userId, ...group } of await this.assignments.findGroupsOfUsers(em, tenantId, distinct(userIds))) {
      byUser.get(userId)?.push(group);
    }
    return byUser;
  }

  /** Users get an assignment of the member user type; departments become children (never ancestors). */
  private async addMembers(em: EntityManager, tenantId: string, group: DepartmentRow, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const users = new Set(await this.assignments.addMembers(em, tenantId, group.id, ids, MEMBER_USER_TYPE));
    const departments = ids.filter((id) => !users.has(id));
    if (departments.length === 0) return;
    const ancestry = await this.departments.findAncestry(em, tenantId, [group.id]);
    const ancestors = new Set(ancestry.map((link) => link.id));
    const cyclic = departments.find((id) => ancestors.has(id));
    if (cyclic) {
      const message = `Group ${cyclic} contains ${group.id}, so it cannot also be its member`;
      throw fieldError('VALIDATION', message, 'members', 'directory.group.members.cycle');
    }
    await this.departments.adoptChildren(em, tenantId, group.id, departments);
  }

  /** Serialises writers of the name, then refuses it when another department holds it. */
  private async claimName(em: EntityManager, tenantId: string, name: string, self?: string): Promise<void> {
    await this.departments.lockName(em, tenantId, name);
    const holders = (await this.departments.findIdsByName(em, tenantId, name)).filter((id) => id !== self);
    if (holders.length > 0) {
      const message = `displayName '${name}' is already taken by another group`;
      throw fieldError('DUPLICATE', message, 'displayName', 'directory.group.displayName.duplicate');
    }
  }
}

/**
 * The net effect of membership changes in order: everyone removed first (`removeAll`), or these
 * removed, then these added. A member removed and then added again stays in both sets, because the
 * removal drops every assignment the user had there and the add makes a fresh member one.
 */
export function foldMembership(changes: readonly MembershipChange[]): {
  removeAll: boolean;
  remove: Set<string>;
  add: Set<string>;
} {
  let removeAll = false;
  let remove = new Set<string>();
  let add = new Set<string>();
  for (const change of changes) {
    if (change.op === 'removeAll' || change.op === 'replace') {
      removeAll = true;
      remove = new Set();
      add = new Set();
    }
    if (change.op === 'removeAll') continue;
    // An id that is not a UUID cannot name a member and is skipped, not refused: Microsoft's SCIM
    // reference suite adds members "string id 1" and expects 204, as Entra ID's own service answers.
    const ids = change.ids.filter(isUuid);
    if (change.op === 'remove') {
      for (const id of ids) {
        add.delete(id);
        if (!removeAll) remove.add(id);
      }
    } else {
      for (const id of ids) add.add(id);
    }
  }
  return { removeAll, remove, add };
}

/** A group's name is a department name, its externalId a department's: the same identifier rule. */
function assertGroupState(state: GroupState): void {
  assertValid(
    checkIdentifier('displayName', state.name, TEXT_LIMITS.departmentName, 'group.displayName'),
    checkIdentifier('externalId', state.externalId, TEXT_LIMITS.externalId, 'group.externalId'),
  );
}

/** A value the database refuses (an externalId another department has, text too long) is the caller's error. */
async function refusedValues<T>(state: GroupState, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isRowDataError(error)) throw error;
    if (sqlStateOf(error) === '23505') {
      const message = `externalId '${state.externalId ?? ''}' is already taken by another group`;
      throw fieldError('DUPLICATE', message, 'externalId', 'directory.group.externalId.duplicate');
    }
    throw DomainError.validation(`Group '${state.name}' could not be stored: a value is too long or malformed`);
  }
}
