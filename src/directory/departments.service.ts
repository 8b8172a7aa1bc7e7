import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../common/domain-error';
import {
  chunk,
  cycleMembers,
  distinct,
  inTransaction,
  isRaceLoss,
  mergeAscending,
  parentsFirst,
  RaceRetries,
  RowFailure,
  splitFirstRound,
  sqlStateOf,
  writeIsolated,
} from './batch';
import { DepartmentLink, DepartmentRow, DepartmentsRepository, DepartmentWrite } from './departments.repository';
import { checkIdentifier, firstError, TEXT_LIMITS } from './identifiers';
import {
  completed,
  DeletedDepartment,
  DepartmentInput,
  DepartmentRecord,
  failed,
  fieldError,
  ItemResult,
  succeeded,
} from './directory.types';

/** What one round knows of the stored tree. */
interface StoredTree {
  byExternalId: Map<string, DepartmentRow>;
  /** The round's departments and all their ancestors. */
  links: Map<string, DepartmentLink>;
}

/** One item of a round, ready to write once its parent is settled. */
interface Plan {
  index: number;
  item: DepartmentInput;
  id: string;
  existing: DepartmentRow | undefined;
  parentId: string | null;
}

type Results = (ItemResult<DepartmentRecord> | undefined)[];

function validateInput(item: DepartmentInput): DomainError | undefined {
  if (typeof item.externalId !== 'string' || item.externalId.trim() === '') {
    return fieldError('VALIDATION', 'externalId is required', 'externalId', 'directory.department.externalId.required');
  }
  if (item.name !== undefined && (typeof item.name !== 'string' || item.name.trim() === '')) {
    return fieldError('VALIDATION', 'name must not be blank', 'name', 'directory.department.name.blank');
  }
  return firstError(
    checkIdentifier('externalId', item.externalId, TEXT_LIMITS.externalId, 'department.externalId'),
    checkIdentifier('name', item.name, TEXT_LIMITS.departmentName, 'department.name'),
    checkIdentifier('parentExternalId', item.parentExternalId, TEXT_LIMITS.externalId, 'department.parentExternalId'),
  );
}

function parentNotFound(parentExternalId: string): DomainError {
  return fieldError(
    'NOT_FOUND',
    `Parent department not found: ${parentExternalId}`,
    'parentExternalId',
    'directory.department.parent.notfound',
  );
}

function cycleError(plan: Plan): DomainError {
  const message =
    plan.parentId === plan.id
      ? `Department '${plan.item.externalId}' cannot be its own parent`
      : `Department '${plan.item.externalId}' would become its own ancestor`;
  return fieldError('VALIDATION', message, 'parentExternalId', 'directory.department.parent.cycle');
}

/** Where the item's parent is, or why it cannot have that parent. */
function resolveParent(
  plan: Plan,
  tree: StoredTree,
  plansByExternalId: Map<string, Plan>,
): { id: string | null } | DomainError {
  const wanted = plan.item.parentExternalId;
  if (wanted === undefined) return { id: plan.existing?.parentId ?? null };
  if (wanted === null) return { id: null };
  const parent = tree.byExternalId.get(wanted) ?? plansByExternalId.get(wanted);
  return parent ? { id: parent.id } : parentNotFound(wanted);
}

/**
 * Settles every item's parent, failing items whose parent is missing or that would be their own
 * ancestor, then orders the rest parents first. Failing an item can orphan or re-link others
 * (its stored parent link applies again), hence the loop until nothing more fails.
 */
function planRound(
  items: readonly DepartmentInput[],
  indices: readonly number[],
  tree: StoredTree,
  results: Results,
): Plan[] {
  const plans = new Map<string, Plan>();
  for (const index of indices) {
    const item = items[index];
    const existing = tree.byExternalId.get(item.externalId);
    if (!existing && item.name === undefined) {
      const message = 'name is required when creating a department';
      results[index] = failed(fieldError('VALIDATION', message, 'name', 'directory.department.name.required'));
      continue;
    }
    const id = existing?.id ?? randomUUID();
    plans.set(item.externalId, { index, item, id, existing, parentId: null });
  }
  const drop = (plan: Plan, error: DomainError): void => {
    results[plan.index] = failed(error);
    plans.delete(plan.item.externalId);
  };
  for (let settled = false; !settled;) {
    const before = plans.size;
    for (const plan of plans.values()) {
      const parent = resolveParent(plan, tree, plans);
      if (parent instanceof DomainError) drop(plan, parent);
      else plan.parentId = parent.id;
    }
    const byId = new Map([...plans.values()].map((plan) => [plan.id, plan]));
    const parentOf = (id: string) => (byId.has(id) ? byId.get(id)?.parentId : tree.links.get(id)?.parentId);
    const cyclic = cycleMembers(byId.keys(), parentOf);
    for (const plan of [...plans.values()]) if (cyclic.has(plan.id)) drop(plan, cycleError(plan));
    settled = plans.size === before;
  }
  const byId = new Map([...plans.values()].map((plan) => [plan.id, plan]));
  return parentsFirst([...plans.values()], (plan) => (plan.parentId ? byId.get(plan.parentId) : undefined));
}

function toWrite(plan: Plan): DepartmentWrite {
  const { item, existing } = plan;
  return {
    id: plan.id,
    externalId: item.externalId,
    name: item.name ?? existing?.name ?? '',
    parentId: plan.parentId,
    active: item.active ?? existing?.active ?? true,
  };
}

function writeError(failure: RowFailure<Plan>): DomainError {
  const { row: plan, error } = failure;
  switch (sqlStateOf(error)) {
    case '23505':
      return fieldError(
        'DUPLICATE',
        `externalId '${plan.item.externalId}' is already taken by another department`,
        'externalId',
        'directory.department.externalId.duplicate',
      );
    case '23503':
      // The parent this row points to was not written (it failed itself) or was deleted meanwhile.
      return parentNotFound(plan.item.parentExternalId ?? '');
    default:
      return DomainError.validation(
        `Department '${plan.item.externalId}' could not be stored: a value is too long or malformed`,
      );
  }
}

/** Creates, updates and deletes departments in bulk, by externalId, within the caller's transaction. */
@Injectable()
export class DepartmentsService {
  constructor(private readonly departments: DepartmentsRepository) {}

  /** One result per item, in input order. */
  upsertMany(
    em: EntityManager,
    tenantId: string,
    items: readonly DepartmentInput[],
  ): Promise<ItemResult<DepartmentRecord>[]> {
    return inTransaction(em, async (tx) => {
      const results: Results = items.map(() => undefined);
      let pending: number[] = [];
      items.forEach((item, index) => {
        const error = validateInput(item);
        if (error) results[index] = failed(error);
        else pending.push(index);
      });
      // A repeated externalId waits for a later round, so it updates what the earlier item wrote.
      const retries = new RaceRetries();
      while (pending.length > 0) {
        const { now, later } = splitFirstRound(pending, (index) => [items[index].externalId]);
        const raced = await this.upsertRound(tx, tenantId, items, now, results, retries);
        pending = mergeAscending(later, raced);
      }
      return completed(results);
    });
  }

  /** Missing ones answer NOT_FOUND; children of a deleted department become roots. */
  deleteMany(
    em: EntityManager,
    tenantId: string,
    externalIds: readonly string[],
  ): Promise<ItemResult<DeletedDepartment>[]> {
    return inTransaction(em, async (tx) => {
      const found = await this.departments.findByExternalIds(tx, tenantId, distinct(externalIds));
      const ids = found.map((row) => row.id);
      const deleted = await this.departments.deleteByIds(tx, tenantId, ids);
      const byExternalId = new Map(deleted.map((row) => [row.externalId, row.id]));
      return externalIds.map((externalId) => {
        const id = byExternalId.get(externalId);
        // A repeated externalId finds nothing left to delete, as if the items ran one by one.
        byExternalId.delete(externalId);
        if (id) return succeeded('DELETE', { id, externalId });
        const message = `Department not found: ${externalId}`;
        return failed(fieldError('NOT_FOUND', message, 'externalId', 'directory.department.notfound'));
      });
    });
  }

  private async upsertRound(
    tx: EntityManager,
    tenantId: string,
    items: readonly DepartmentInput[],
    indices: readonly number[],
    results: Results,
    retries: RaceRetries,
  ): Promise<number[]> {
    const tree = await this.loadTree(
      tx,
      tenantId,
      indices.map((index) => items[index]),
    );
    const plans = planRound(items, indices, tree, results);
    const outcome = await this.write(tx, tenantId, plans, results, retries);
    let written = outcome.written;
    const roots = plans
      .filter((plan) => written.has(plan.id) && plan.item.cascadeToChildren && plan.item.active !== undefined)
      .map((plan) => ({ id: plan.id, active: plan.item.active as boolean }));
    const cascaded = await this.departments.cascadeActive(tx, tenantId, roots);
    if (cascaded > 0) {
      // A department of this round may sit under another one's cascade: answer what is stored.
      const reloaded = await this.departments.findByIds(tx, tenantId, [...written.keys()]);
      written = new Map(reloaded.map((row) => [row.id, row]));
    }
    const externalIdOf = new Map<string, string | null>();
    for (const link of tree.links.values()) externalIdOf.set(link.id, link.externalId);
    for (const row of written.values()) externalIdOf.set(row.id, row.externalId);
    for (const plan of plans) {
      const row = written.get(plan.id);
      if (!row) continue;
      const parentExternalId = row.parentId ? (externalIdOf.get(row.parentId) ?? null) : null;
      results[plan.index] = succeeded(plan.existing ? 'UPDATE' : 'CREATE', {
        ...row,
        parentExternalId,
      });
    }
    return outcome.raced;
  }

  /** The round's departments and referenced parents by externalId, plus all their ancestors. */
  private async loadTree(tx: EntityManager, tenantId: string, items: DepartmentInput[]): Promise<StoredTree> {
    const parentExternalIds = items
      .map((item) => item.parentExternalId)
      .filter((value): value is string => typeof value === 'string');
    const externalIds = distinct([...items.map((item) => item.externalId), ...parentExternalIds]);
    const rows = await this.departments.findByExternalIds(tx, tenantId, externalIds);
    const links = await this.departments.findAncestry(
      tx,
      tenantId,
      rows.map((row) => row.id),
    );
    return {
      byExternalId: new Map(rows.map((row) => [row.externalId as string, row])),
      links: new Map(links.map((link) => [link.id, link])),
    };
  }

  /**
   * Writes parents-first chunks; answers the stored rows by id, and the items that lost a race:
   * another transaction committed their externalId after this round's read (or a new parent of
   * this round lost it, so its child's link failed). They go to the next round, which reads
   * again and updates what the winner created. Other failed rows get their result.
   */
  private async write(
    tx: EntityManager,
    tenantId: string,
    plans: readonly Plan[],
    results: Results,
    retries: RaceRetries,
  ): Promise<{ written: Map<string, DepartmentRow>; raced: number[] }> {
    const written = new Map<string, DepartmentRow>();
    const raced: number[] = [];
    for (const part of chunk(plans, this.departments.rowsPerWrite)) {
      const outcome = await writeIsolated(tx, part, (rows) => this.departments.upsert(tx, tenantId, rows.map(toWrite)));
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
