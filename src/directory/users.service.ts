import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { AssignmentsRepository } from './assignments.repository';
import {
  chunk,
  distinct,
  inTransaction,
  isRaceLoss,
  isRowDataError,
  mergeAscending,
  RaceRetries,
  splitFirstRound,
  writeIsolated,
} from './batch';
import { DepartmentsRepository } from './departments.repository';
import {
  completed,
  DeletedUser,
  failed,
  fieldError,
  FrontDoor,
  ItemResult,
  succeeded,
  UserAssignmentRecord,
  UserInput,
  UserKey,
  UserRecord,
  UserState,
} from './directory.types';
import { normaliseUserName } from './identifiers';
import type { PageOf, SearchPage } from './search-page';
import { UserGroup, UserRow, UsersRepository } from './users.repository';
import {
  checkClaims,
  checkUserFields,
  indexUsers,
  keyAsInput,
  lookupFor,
  matchUser,
  mergeUser,
  Plan,
  primaryEmail,
  resolveItemAssignments,
  roundKeys,
  StoredUsers,
  toRecord,
  uniquenessError,
  validateInput,
  writeError,
} from './users.rules';

type Results = (ItemResult<UserRecord> | undefined)[];

/** One `upsertMany` call: its input and the results filled in as rounds complete. */
interface UpsertCall {
  tx: EntityManager;
  tenantId: string;
  items: readonly UserInput[];
  frontDoor: FrontDoor;
  /** Resolved `userTypes` of the items that carry them. */
  assignments: Map<number, UserAssignmentRecord[]>;
  results: Results;
  retries: RaceRetries;
}

/** Creates, updates and deletes users in bulk, within the caller's transaction. */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly departments: DepartmentsRepository,
    private readonly assignments: AssignmentsRepository,
  ) {}

  /** One result per item, in input order. */
  upsertMany(
    em: EntityManager,
    tenantId: string,
    items: readonly UserInput[],
    frontDoor: FrontDoor,
  ): Promise<ItemResult<UserRecord>[]> {
    return inTransaction(em, async (tx) => {
      const results: Results = items.map((item) => {
        const error = validateInput(item);
        return error ? failed(error) : undefined;
      });
      const valid = items.flatMap((_, index) => (results[index] ? [] : [index]));
      const assignments = await this.resolveAssignments(tx, tenantId, items, valid, results);
      const retries = new RaceRetries();
      const call: UpsertCall = { tx, tenantId, items, frontDoor, assignments, results, retries };
      let pending = valid.filter((index) => results[index] === undefined);
      while (pending.length > 0) {
        const { now, later } = splitFirstRound(pending, (index) => roundKeys(items[index]));
        pending = mergeAscending(later, await this.upsertRound(call, now));
      }
      return completed(results);
    });
  }

  deleteMany(em: EntityManager, tenantId: string, keys: readonly UserKey[]): Promise<ItemResult<DeletedUser>[]> {
    return inTransaction(em, async (tx) => {
      const items = keys.map(keyAsInput);
      const stored = indexUsers(await this.users.findByAnyOf(tx, tenantId, lookupFor(items)));
      const chosen = new Set<string>();
      const targets = items.map((item) => {
        const match = validateInput(item) ?? matchUser(item, stored);
        if (match === undefined || match instanceof DomainError) return match;
        // A key naming a user an earlier key already deletes finds nothing, as if run one by one.
        if (chosen.has(match.id)) return undefined;
        chosen.add(match.id);
        return match;
      });
      const deleted = await this.users.deleteByIds(tx, tenantId, [...chosen]);
      const byId = new Map(deleted.map((row) => [row.id, row]));
      return targets.map((target, position) => {
        if (target instanceof DomainError) return failed(target);
        const row = target && byId.get(target.id);
        if (row) return succeeded('DELETE', row);
        const message = `User not found: ${keys[position].value}`;
        return failed(fieldError('NOT_FOUND', message, 'value', 'directory.user.notfound'));
      });
    });
  }

  /**
   * A page of users matching a trusted SQL condition over `users u` (see `SearchPage`), with how
   * many match in all; `withGroups` reads each user's groups in the same statement.
   */
  searchPage(
    em: EntityManager,
    tenantId: string,
    page: SearchPage,
    withGroups = false,
  ): Promise<PageOf<UserRow & { groups?: UserGroup[] }>> {
    return this.users.searchPage(em, tenantId, page, withGroups);
  }

  count(em: EntityManager, tenantId: string, condition: string, parameters: readonly unknown[]): Promise<number> {
    return this.users.count(em, tenantId, condition, parameters);
  }

  findOne(em: EntityManager, tenantId: string, id: string, lock = false): Promise<UserRow | undefined> {
    return this.users.findById(em, tenantId, id, lock);
  }

  /** Creates one user whole; the unique indexes decide a taken userName or externalId (DUPLICATE). */
  async createOne(em: EntityManager, tenantId: string, state: UserState, frontDoor: FrontDoor): Promise<UserRow> {
    const row = { ...checkedStateRow(state), id: randomUUID(), role: null, metadata: null, createdBy: frontDoor };
    return this.writeOne(row, () => this.users.insertOne(em, tenantId, { ...row, changedBy: frontDoor }));
  }

  /** Replaces one user's state (partner sync's `role` and `metadata` stay); undefined when not found. */
  async replaceOne(
    em: EntityManager,
    tenantId: string,
    existing: UserRow,
    state: UserState,
    frontDoor: FrontDoor,
  ): Promise<UserRow | undefined> {
    const row = { ...existing, ...checkedStateRow(state), changedBy: frontDoor };
    return this.writeOne(row, () => this.users.updateOne(em, tenantId, row));
  }

  async deleteOne(em: EntityManager, tenantId: string, id: string): Promise<boolean> {
    return (await this.users.deleteByIds(em, tenantId, [id])).length > 0;
  }

  /** The assignments of each user, with department and user-type names. */
  async findAssignments(
    em: EntityManager,
    tenantId: string,
    userIds: readonly string[],
  ): Promise<Map<string, UserAssignmentRecord[]>> {
    const byUser = new Map<string, UserAssignmentRecord[]>(userIds.map((id) => [id, []]));
    const rows = await this.assignments.findByUserIds(em, tenantId, distinct(userIds));
    for (const { userId, ...assignment } of rows) byUser.get(userId)?.push(assignment);
    return byUser;
  }

  /** Runs one write; a value the database refuses (taken, too long) becomes the caller's error. */
  private async writeOne<T>(row: { userName: string; externalId: string | null }, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isRowDataError(error)) throw uniquenessError(error, row);
      throw error;
    }
  }

  /** Writes one round; answers the items that must wait for the next one. */
  private async upsertRound(call: UpsertCall, indices: readonly number[]): Promise<number[]> {
    const { tx, tenantId, items, assignments, results } = call;
    const lookup = lookupFor(indices.map((index) => items[index]));
    const stored = indexUsers(await this.users.findByAnyOf(tx, tenantId, lookup));
    const { plans, waiting } = planRound(call, indices, stored);
    const { written, raced } = await this.write(call, plans);
    const done = plans.filter((plan) => written.has(plan.row.id));
    const replacing = done.filter((plan) => assignments.has(plan.index));
    const rows = replacing.flatMap((plan) =>
      (assignments.get(plan.index) ?? []).map((assignment) => ({
        userId: plan.row.id,
        ...assignment,
      })),
    );
    const owners = replacing.map((plan) => plan.row.id);
    await this.assignments.replaceForUsers(tx, tenantId, owners, rows);
    for (const plan of done) {
      const record = toRecord(written.get(plan.row.id) as UserRow, assignments.get(plan.index));
      results[plan.index] = succeeded(plan.existing ? 'UPDATE' : 'CREATE', record);
    }
    return mergeAscending(waiting, raced);
  }

  /** Resolves every item's `userTypes` up front: an item naming anything unknown writes nothing. */
  private async resolveAssignments(
    tx: EntityManager,
    tenantId: string,
    items: readonly UserInput[],
    indices: readonly number[],
    results: Results,
  ): Promise<Map<number, UserAssignmentRecord[]>> {
    const resolved = new Map<number, UserAssignmentRecord[]>();
    const owners = indices.filter((index) => items[index].userTypes !== undefined);
    if (owners.length === 0) return resolved;
    const wanted = owners.flatMap((index) => items[index].userTypes ?? []);
    const departmentIds = distinct(wanted.map((assignment) => assignment.departmentExternalId));
    const userTypeIds = distinct(wanted.map((assignment) => assignment.userTypeId));
    const departmentRows = await this.departments.findByExternalIds(tx, tenantId, departmentIds);
    const userTypeRows = await this.assignments.findUserTypes(tx, tenantId, userTypeIds);
    const departments = new Map(departmentRows.map((row) => [row.externalId, row]));
    const userTypes = new Map(userTypeRows.map((row) => [row.id, row.name]));
    for (const index of owners) {
      const outcome = resolveItemAssignments(items[index].userTypes ?? [], departments, userTypes);
      if (outcome instanceof DomainError) results[index] = failed(outcome);
      else resolved.set(index, outcome);
    }
    return resolved;
  }

  /**
   * Writes the plans in chunks; answers the stored rows by id, and the items that lost a race to
   * another transaction (it committed the user, or its userName or externalId, after this
   * round's read): they go to the next round, which reads again and updates what the winner
   * created. Other failed rows get their result.
   */
  private async write(
    call: UpsertCall,
    plans: readonly Plan[],
  ): Promise<{ written: Map<string, UserRow>; raced: number[] }> {
    const { tx, tenantId, results, retries } = call;
    const written = new Map<string, UserRow>();
    const raced: number[] = [];
    for (const part of chunk(plans, this.users.rowsPerWrite)) {
      const outcome = await writeIsolated(tx, part, (rows) =>
        this.users.upsert(
          tx,
          tenantId,
          rows.map((plan) => plan.row),
        ),
      );
      for (const row of outcome.written) written.set(row.id, row);
      for (const failure of outcome.failures) {
        const { index } = failure.row;
        if (isRaceLoss(failure.error) && retries.take(index)) raced.push(index);
        else results[index] = failed(writeError(failure));
      }
    }
    return { written, raced };
  }
}

/** A whole user state as its row; a value no column can hold is the caller's VALIDATION error. */
function checkedStateRow(
  state: UserState,
): Omit<UserRow, 'id' | 'role' | 'metadata' | 'createdBy' | 'changedBy' | 'version' | 'createdOn' | 'updatedOn'> {
  const row = { ...state, userName: normaliseUserName(state.userName), email: primaryEmail(state.emails) };
  const invalid = checkUserFields(row);
  if (invalid) throw invalid;
  return row;
}

/**
 * Matches and merges a round's items. An item waits for the next round when an earlier item of
 * this round already writes the same stored user, or may free a value it needs.
 */
function planRound(
  call: UpsertCall,
  indices: readonly number[],
  stored: StoredUsers,
): { plans: Plan[]; waiting: number[] } {
  const { items, frontDoor, results } = call;
  const writers = new Map<string, number>();
  const matched: { index: number; existing: UserRow | undefined }[] = [];
  const waiting: number[] = [];
  for (const index of indices) {
    const existing = matchUser(items[index], stored);
    if (existing instanceof DomainError) results[index] = failed(existing);
    else if (existing && writers.has(existing.id)) waiting.push(index);
    else {
      if (existing) writers.set(existing.id, index);
      matched.push({ index, existing });
    }
  }
  const plans: Plan[] = [];
  for (const { index, existing } of matched) {
    const row = mergeUser(items[index], existing, frontDoor);
    if (row instanceof DomainError) {
      results[index] = failed(row);
      continue;
    }
    const plan = { index, existing, row };
    const verdict = checkClaims(plan, stored, writers);
    if (verdict === 'ok') plans.push(plan);
    else if (verdict === 'wait') waiting.push(index);
    else results[index] = failed(verdict);
  }
  return { plans, waiting: waiting.sort((a, b) => a - b) };
}
