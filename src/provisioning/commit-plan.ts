import { chunk } from '../directory/batch';
import type { QueuedOperation } from './operations.repository';

export interface Batch {
  label: 'departments' | 'users';
  operations: QueuedOperation[];
}

export const BATCH_SIZE = 1000;

/**
 * The order a commit applies its operations in, whatever the queue order: departments before
 * users, and among departments parents before children. Department operations caught in a
 * parent cycle go last, in one batch together, so the directory refuses the whole cycle.
 */
export function planBatches(queued: readonly QueuedOperation[], batchSize = BATCH_SIZE): Batch[] {
  const isDepartment = (op: QueuedOperation): boolean => op.entityType === 'DEPARTMENT';
  const departmentUpserts = queued.filter((op) => isDepartment(op) && op.requestedAction === 'UPSERT');
  const departmentDeletes = queued.filter((op) => isDepartment(op) && op.requestedAction === 'DELETE');
  const users = queued.filter((op) => !isDepartment(op));
  const { ordered, cyclic } = parentsFirst(departmentUpserts);
  return [
    ...chunk([...ordered, ...departmentDeletes], batchSize).map((operations) => ({
      label: 'departments' as const,
      operations,
    })),
    ...(cyclic.length > 0 ? [{ label: 'departments' as const, operations: cyclic }] : []),
    ...chunk(users, batchSize).map((operations) => ({ label: 'users' as const, operations })),
  ];
}

/** Kahn's algorithm over `parentExternalId`, stable in queue order. */
export function parentsFirst(ops: readonly QueuedOperation[]): {
  ordered: QueuedOperation[];
  cyclic: QueuedOperation[];
} {
  const byKey = new Map<string, QueuedOperation[]>();
  for (const op of ops)
    byKey.set(String(op.payload.externalId), [...(byKey.get(String(op.payload.externalId)) ?? []), op]);
  const parentKey = (op: QueuedOperation): string | null => {
    const parent = op.payload.parentExternalId;
    return typeof parent === 'string' && parent !== op.payload.externalId && byKey.has(parent) ? parent : null;
  };
  const waiting = new Map<string, QueuedOperation[]>();
  const ready: QueuedOperation[] = [];
  for (const op of ops) {
    const parent = parentKey(op);
    if (parent === null) ready.push(op);
    else waiting.set(parent, [...(waiting.get(parent) ?? []), op]);
  }
  const ordered: QueuedOperation[] = [];
  const left = new Map([...byKey].map(([key, list]) => [key, list.length]));
  for (let next = 0; next < ready.length; next++) {
    const op = ready[next];
    ordered.push(op);
    const key = String(op.payload.externalId);
    const remaining = left.get(key)! - 1;
    left.set(key, remaining);
    // Children wait until every operation on their parent's key has been placed.
    if (remaining === 0) {
      ready.push(...(waiting.get(key) ?? []));
      waiting.delete(key);
    }
  }
  const placed = new Set(ordered);
  return { ordered, cyclic: ops.filter((op) => !placed.has(op)) };
}
