import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { currentLogContext, LogContext } from '../common/log-context';

/**
 * One request or job step = one database transaction. The `EntityManager` handed to `work` is
 * the transaction; code inside must use it (on the embedded database another connection would
 * wait for this transaction to end, forever).
 */
@Injectable()
export class TransactionRunner {
  constructor(private readonly dataSource: DataSource) {}

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((em) => {
      labelTransaction(em);
      return work(em);
    });
  }

  /** For reads that need no transaction. */
  get manager(): EntityManager {
    return this.dataSource.manager;
  }
}

/**
 * Labels a transaction opened some other way than through `run` (a nested `em.transaction` of a
 * manager that had none) with the current request's or job's change label, as `run` does.
 */
export function labelTransaction(em: EntityManager): void {
  const label = changeLabel(currentLogContext());
  if (label) labelWrites(em, label);
}

/**
 * The current request's or job's change label, for a single statement run outside any
 * transaction (autocommit), which sets it itself: `set_config('idp.change', <label>, true)`
 * inside the statement lasts exactly as long as the statement's own transaction.
 */
export function currentChangeLabel(): string | undefined {
  return changeLabel(currentLogContext());
}

/** What the change-capture triggers record about who made a change (migration 1795800000000). */
function changeLabel(context: LogContext | undefined): string | undefined {
  if (!context?.actor && !context?.correlationId) return undefined;
  return JSON.stringify({
    door: context.actor?.door ?? 'system',
    credentialId: context.actor?.credentialId ?? null,
    credentialName: context.actor?.credentialName ?? null,
    correlationId: context.correlationId ?? null,
    transactionId: context.transactionId ?? null,
  });
}

const NOT_A_WRITE = /^\s*(SELECT|SHOW|START|BEGIN|SET TRANSACTION|SAVEPOINT|RELEASE)\b/i;
const ROLLBACK_TO_SAVEPOINT = /^\s*ROLLBACK TO\b/i;

/**
 * Sets the transaction's `idp.change` just before its first statement that may write, so that
 * read-only transactions (most of them) pay no extra round trip. Every statement of a
 * transaction goes through its query runner, savepoints and nested managers included. A label
 * set inside a savepoint that is rolled back is gone, so it is set again before the next write.
 */
function labelWrites(em: EntityManager, label: string): void {
  const runner = em.queryRunner;
  if (!runner) return;
  const query = runner.query.bind(runner);
  let labelled = false;
  runner.query = (async (sql: string, parameters?: unknown[], structured?: boolean) => {
    if (ROLLBACK_TO_SAVEPOINT.test(sql)) labelled = false;
    else if (!labelled && !NOT_A_WRITE.test(sql)) {
      labelled = true;
      await query(`SELECT set_config('idp.change', $1, true)`, [label]);
    }
    return query(sql, parameters, structured as true);
  }) as typeof runner.query;
}
