import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { KeyedQueue } from '../common/keyed-queue';
import { TransactionRunner } from '../database/transaction-runner';
import type { ItemResult, UserInput, UserRecord } from '../directory/directory.types';
import { UsersService } from '../directory/users.service';
import { PartnerUserDto, SyncRequest, validateUser } from './dto/partner-sync.dto';
import { PartnerSyncRepository, PartnerUserKey } from './partner-sync.repository';
import { buildAnswer, indexKeys, SyncAnswer, toUserInput } from './partner-sync.rules';
import { distinct } from '../directory/batch';
import { withoutSecrets } from '../directory/secret-names';

interface Outcome {
  results: (ItemResult<UserRecord> | DomainError)[];
  deactivated: PartnerUserKey[] | undefined;
}

/** Thrown to roll a dry run back; carries what the run would have done. */
class DryRun extends Error {
  constructor(readonly outcome: Outcome) {
    super('dry run');
  }
}

/**
 * Partner user sync (seed 002): upserts through the directory's UsersService, and for
 * full-reconcile deactivates the tenant's partner-created users absent from the list, all in one
 * transaction. A dry run does exactly the same and rolls it back, so its answer is exact.
 */
@Injectable()
export class PartnerSyncService {
  /**
   * Syncs of one tenant wait here, before they take a database connection. The advisory lock
   * serialises them across the fleet anyway; waiting for it inside a transaction held a pool
   * connection each, so a burst of syncs for one tenant took the whole pool, and every other
   * request of the process (any tenant's) waited for a connection until the pool's timeout
   * answered it 503. Now a process holds at most one connection per tenant for partner sync.
   */
  private readonly queue = new KeyedQueue();

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly users: UsersService,
    private readonly repository: PartnerSyncRepository,
  ) {}

  /**
   * Values under secret-looking names (`password`, `metadata.apiToken`, `metadata.sso.clientSecret`)
   * are dropped from every user before anything is validated: never stored, never answered.
   */
  sync(tenantId: string, request: SyncRequest): Promise<SyncAnswer> {
    const users = request.users.map((user) => withoutSecrets(user));
    return this.queue.run(tenantId, () => this.syncNow(tenantId, { ...request, users }));
  }

  private async syncNow(tenantId: string, request: SyncRequest): Promise<SyncAnswer> {
    const validated = request.users.map(validateUser);
    const work = (em: EntityManager) => this.apply(em, tenantId, request, validated);
    let outcome: Outcome;
    if (request.dryRun) {
      outcome = await this.transactions
        .run(async (em) => {
          throw new DryRun(await work(em));
        })
        .catch((error: unknown) => {
          if (error instanceof DryRun) return error.outcome;
          throw error;
        });
    } else {
      outcome = await this.transactions.run(work);
    }
    return buildAnswer(request.mode, request.dryRun, request.users, outcome.results, outcome.deactivated);
  }

  private async apply(
    em: EntityManager,
    tenantId: string,
    request: SyncRequest,
    validated: readonly (PartnerUserDto | DomainError)[],
  ): Promise<Outcome> {
    await this.repository.lockTenant(em, tenantId);
    const valid = validated.flatMap((user, index) => (user instanceof DomainError ? [] : [{ user, index }]));
    const lowerEmails = distinct(valid.map(({ user }) => user.email.toLowerCase()));
    const externalIds = distinct(valid.map(({ user }) => user.externalId));
    const stored = indexKeys(await this.repository.findByEmailsOrExternalIds(em, tenantId, lowerEmails, externalIds));
    const inputs = valid.map(({ user }) => toUserInput(user, stored));
    const written = await this.users.upsertMany(em, tenantId, inputs, 'partner');
    await this.rematchRaced(em, tenantId, valid, inputs, written);
    const results: Outcome['results'] = [...validated] as (ItemResult<UserRecord> | DomainError)[];
    valid.forEach(({ index }, position) => (results[index] = written[position]));
    if (request.mode !== 'full-reconcile') return { results, deactivated: undefined };
    // Every user named in the request counts as present, even one whose item failed: a typo in one
    // field must not deactivate the person.
    const named = listedKeys(request.users);
    const deactivated = await this.repository.deactivateAbsent(em, tenantId, named.externalIds, named.lowerEmails);
    return { results, deactivated };
  }

  /**
   * A user another door created between this sync's read and its write, holding the email of a
   * user this sync meant to create, fails that create as DUPLICATE; a sync run a moment later
   * would have matched it by email and updated it. So such items are matched again on a fresh
   * read and written once more. Users this sync wrote itself do not count: two items of one
   * request naming one email still fail as before.
   */
  private async rematchRaced(
    em: EntityManager,
    tenantId: string,
    valid: readonly { user: PartnerUserDto }[],
    inputs: readonly UserInput[],
    written: ItemResult<UserRecord>[],
  ): Promise<void> {
    const lost = valid.flatMap((_, position) => {
      const result = written[position];
      const duplicate = !result.ok && result.error.code === 'DUPLICATE';
      return duplicate && inputs[position].matchOnField !== 'EMAIL' ? [position] : [];
    });
    if (lost.length === 0) return;
    const emailOf = (position: number) => valid[position].user.email.toLowerCase();
    const ours = new Set(written.flatMap((result) => (result.ok ? [result.value.id] : [])));
    const rows = await this.repository.findByEmailsOrExternalIds(em, tenantId, distinct(lost.map(emailOf)), []);
    const fresh = indexKeys(rows);
    const foreign = (email: string) => rows.some((row) => row.email?.toLowerCase() === email && !ours.has(row.id));
    const again = lost.filter((position) => {
      const email = emailOf(position);
      return fresh.emailHolders.get(email) === 1 && foreign(email);
    });
    if (again.length === 0) return;
    const retried = await this.users.upsertMany(
      em,
      tenantId,
      again.map((position) => toUserInput(valid[position].user, fresh)),
      'partner',
    );
    again.forEach((position, i) => (written[position] = retried[i]));
  }
}

function listedKeys(users: readonly unknown[]): { externalIds: string[]; lowerEmails: string[] } {
  const text = (user: unknown, name: string): string | undefined => {
    const value = typeof user === 'object' && user !== null ? (user as Record<string, unknown>)[name] : undefined;
    return typeof value === 'string' && value.trim() !== '' ? value : undefined;
  };
  return {
    externalIds: distinct(users.flatMap((user) => text(user, 'externalId') ?? [])),
    lowerEmails: distinct(users.flatMap((user) => text(user, 'email')?.toLowerCase() ?? [])),
  };
}
