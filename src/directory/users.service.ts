import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { currentChangeLabel, labelTransaction } from '../database/transaction-runner';
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
  sqlStateOf,
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
import { normaliseUserName, userNameKey } from './identifiers';
import type { PageOf, SearchPage } from './search-page';
import { UserGroup, UserRow, UsersRepository, UserWrite } from './users.repository';
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
  taken,
  toRecord,
  uniquenessError,
  validateInput,
  writeError,
} from './users.rules';

type Results = (ItemResult<UserRecord> | undefined)[];

/** A user `createMany` is to insert, whole. */
type NewUser = UserWrite & Pick<UserRow, 'attributes'>;

/** One result per state of a `createMany` call; unset while the state waits for a later round. */
type Created = (UserRow | DomainError | undefined)[];

/**
 * How often `createMany`, when it owns its transaction, runs it again after PostgreSQL chose it
 * as a deadlock victim (two callers inserting each other's values in different orders): the
 * other one has gone through, so the next run sees its rows and answers DUPLICATE for them.
 */
const DEADLOCK_RETRIES = 3;

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
    // Outside a transaction (SCIM's single POST: one autocommit INSERT) the INSERT labels itself.
    const label = em.queryRunner?.isTransactionActive ? undefined : currentChangeLabel();
    return this.writeOne(row, () => this.users.insertOne(em, tenantId, { ...row, changedBy: frontDoor }, label));
  }

  /**
   * Creates each state as `createOne` would, set-based: one result per state, in order, the row
   * or the DomainError that state alone met (VALIDATION for a value no column holds, DUPLICATE
   * for a userName or externalId taken by a stored user or by an earlier state of the same call:
   * the first wins). A fixed number of statements per chunk of `rowsPerWrite` users: one INSERT
   * that skips taken values, and one lookup of what the skipped rows collided with. A row the
   * database refuses otherwise fails alone (writeIsolated); a concurrent writer that commits a
   * value first makes it DUPLICATE here, as createOne's unique index would.
   */
  async createMany(
    em: EntityManager,
    tenantId: string,
    states: readonly UserState[],
    frontDoor: FrontDoor,
  ): Promise<(UserRow | DomainError)[]> {
    const checked: Created = [];
    const rows: (NewUser | undefined)[] = states.map((state, index) => {
      try {
        return {
          ...checkedStateRow(state),
          id: randomUUID(),
          role: null,
          metadata: null,
          createdBy: frontDoor,
          changedBy: frontDoor,
        };
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        checked[index] = error;
        return undefined;
      }
    });
    const valid = rows.flatMap((row, index) => (row ? [index] : []));
    if (valid.length === 0) return checked as (UserRow | DomainError)[];
    const create = async (tx: EntityManager): Promise<(UserRow | DomainError)[]> => {
      const results: Created = [...checked];
      await this.createRounds(tx, tenantId, rows, valid, results);
      return results as (UserRow | DomainError)[];
    };
    if (em.queryRunner?.isTransactionActive) return create(em);
    for (let attempt = 1; ; attempt++) {
      try {
        return await em.transaction((tx) => {
          labelTransaction(tx);
          return create(tx);
        });
      } catch (error) {
        if (sqlStateOf(error) !== '40P01' || attempt > DEADLOCK_RETRIES) throw error;
      }
    }
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

  /**
   * Inserts the rows at `pending` round by round: a round holds no two rows sharing a userName
   * or externalId, so the first of them is decided before the next is tried; a later row whose
   * value an earlier row of the call stored fails without a statement, as createOne would.
   */
  private async createRounds(
    tx: EntityManager,
    tenantId: string,
    rows: readonly (NewUser | undefined)[],
    pending: readonly number[],
    results: Created,
  ): Promise<void> {
    const retries = new RaceRetries();
    const stored = { userNames: new Set<string>(), externalIds: new Set<string>() };
    let rest = [...pending];
    while (rest.length > 0) {
      rest = rest.filter((index) => {
        const row = rows[index] as NewUser;
        const error = takenError(row, {
          userName: stored.userNames.has(userNameKey(row.userName)),
          externalId: row.externalId !== null && stored.externalIds.has(row.externalId),
        });
        if (error) results[index] = error;
        return !error;
      });
      const { now, later } = splitFirstRound(rest, (index) => createKeys(rows[index] as NewUser));
      const raced = await this.createRound(tx, tenantId, rows, now, results, retries);
      for (const index of now) {
        const row = results[index];
        if (row instanceof DomainError || row === undefined) continue;
        stored.userNames.add(userNameKey(row.userName));
        if (row.externalId !== null) stored.externalIds.add(row.externalId);
      }
      rest = mergeAscending(later, raced);
    }
  }

  /**
   * Inserts one round in chunks; answers the rows skipped for a value that no stored row holds
   * any more when looked up (the holder was deleted meanwhile): they are tried again.
   */
  private async createRound(
    tx: EntityManager,
    tenantId: string,
    rows: readonly (NewUser | undefined)[],
    indices: readonly number[],
    results: Created,
    retries: RaceRetries,
  ): Promise<number[]> {
    const again: number[] = [];
    for (const part of chunk(indices, this.users.rowsPerWrite)) {
      // One order for every caller: two concurrent calls then take their userName locks alike.
      const ordered = part
        .map((index) => ({ index, row: rows[index] as NewUser }))
        .sort((a, b) => compareText(userNameKey(a.row.userName), userNameKey(b.row.userName)));
      const outcome = await writeIsolated(tx, ordered, (chunkRows) =>
        this.users.insertMany(
          tx,
          tenantId,
          chunkRows.map((entry) => entry.row),
        ),
      );
      const written = new Map(outcome.written.map((row) => [row.id, row]));
      const refused = new Set(outcome.failures.map((failure) => failure.row.index));
      for (const failure of outcome.failures)
        results[failure.row.index] = uniquenessError(failure.error, failure.row.row);
      const skipped = ordered.filter((entry) => !written.has(entry.row.id) && !refused.has(entry.index));
      const holders = await this.users.findTaken(
        tx,
        tenantId,
        skipped.map((entry) => entry.row),
      );
      for (const entry of ordered) {
        const row = written.get(entry.row.id);
        if (row) results[entry.index] = row;
      }
      skipped.forEach((entry, position) => {
        const error = takenError(entry.row, holders[position]);
        if (error) results[entry.index] = error;
        else if (retries.take(entry.index)) again.push(entry.index);
        // The value keeps being taken and freed under us: as createOne would have met it, taken.
        else results[entry.index] = taken('userName', entry.row.userName);
      });
    }
    return again.sort((a, b) => a - b);
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

/** What createOne's unique indexes answer for a row whose values are taken as `holders` says. */
function takenError(
  row: { userName: string; externalId: string | null },
  holders: { userName: boolean; externalId: boolean },
): DomainError | undefined {
  // PostgreSQL checks the externalId index first (the older index): createOne meets that one.
  if (holders.externalId && row.externalId !== null) return taken('externalId', row.externalId);
  if (holders.userName) return taken('userName', row.userName);
  return undefined;
}

/** The values two users of one createMany call may not share. */
function createKeys(row: NewUser): string[] {
  const keys = [`name:${userNameKey(row.userName)}`];
  if (row.externalId !== null) keys.push(`externalId:${row.externalId}`);
  return keys;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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
