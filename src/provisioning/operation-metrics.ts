import type { Metrics } from '../metrics/metrics';
import type { ClassifiedItem } from './items';
import type { AppliedOperation, PendingOperation } from './operation-applier';

/**
 * `idp_operations_total` for operations whose outcome is committed: applied (`CREATE_USER`), or
 * failed with their error type. Called after the database transaction that applied them commits.
 */
export function countApplied(
  metrics: Metrics,
  operations: readonly PendingOperation[],
  applied: readonly AppliedOperation[],
): void {
  if (!metrics.enabled) return;
  const entityTypes = new Map(operations.map((op) => [op.orderId, op.entityType]));
  for (const op of applied) {
    metrics.operation(`${op.action}_${entityTypes.get(op.orderId)}`, op.ok ? null : op.errorType);
  }
}

/** Items refused on receipt (they never reach the directory): failed, under the action asked for (`UPSERT_USER`). */
export function countRefused(metrics: Metrics, items: readonly ClassifiedItem[]): void {
  if (!metrics.enabled) return;
  for (const item of items) {
    if (!item.valid) metrics.operation(`${item.action}_${item.entityType}`, item.errorType);
  }
}
