// The pure rules of partner sync: how each user is matched, and the answer of seed 002. No I/O.
import { DomainError } from '../common/domain-error';
import type { ItemResult, UserInput, UserRecord } from '../directory/directory.types';
import type { PartnerUserDto, SyncMode } from './dto/partner-sync.dto';
import type { PartnerUserKey } from './partner-sync.repository';

export interface SyncResult {
  userId: unknown;
  email: unknown;
  status: 'created' | 'updated' | 'failed';
  crmUserId?: string;
  error?: string;
}

export interface DeactivatedUser {
  userId: string | null;
  email: string | null;
  crmUserId: string;
}

export interface SyncAnswer {
  success: true;
  message: string;
  data: {
    mode: SyncMode;
    dryRun?: true;
    summary: { total: number; created: number; updated: number; failed: number; errors: string[] };
    results: SyncResult[];
    deactivated?: DeactivatedUser[];
    timestamp: string;
  };
}

/** What is stored under the request's emails and external ids. */
export interface StoredKeys {
  /** How many users hold each lower-cased email. */
  emailHolders: Map<string, number>;
  externalIds: Set<string>;
}

export function indexKeys(rows: readonly PartnerUserKey[]): StoredKeys {
  const keys: StoredKeys = { emailHolders: new Map(), externalIds: new Set() };
  for (const row of rows) {
    if (row.email !== null) {
      const email = row.email.toLowerCase();
      keys.emailHolders.set(email, (keys.emailHolders.get(email) ?? 0) + 1);
    }
    if (row.externalId !== null) keys.externalIds.add(row.externalId);
  }
  return keys;
}

/**
 * Seed 002 finds the user by email; the contract adds "then externalId". So a user is matched on
 * its email when exactly one stored user holds it (ignoring case), otherwise on its external id;
 * an unmatched user is created with its email as userName and role 'user' unless given. Empty
 * names and role keep what is stored, as the seed's `user.firstName || crmUser.firstName` does.
 */
export function toUserInput(user: PartnerUserDto, stored: StoredKeys): UserInput {
  const byEmail = stored.emailHolders.get(user.email.toLowerCase()) === 1;
  const creating = !byEmail && !stored.externalIds.has(user.externalId);
  return {
    matchOnField: byEmail ? 'EMAIL' : 'EXTERNAL_ID',
    externalId: user.externalId,
    email: user.email,
    ...(creating ? { userName: user.email } : {}),
    givenName: user.firstName || undefined,
    familyName: user.lastName || undefined,
    role: user.role || (creating ? 'user' : undefined),
    active: user.isActive,
    metadata: user.metadata,
  };
}

/** A failure as the partner reads it: a taken userName is, to them, a taken email. */
export function failureText(error: DomainError, user: unknown): string {
  const email = emailOf(user);
  if (error.code === 'DUPLICATE' && error.details[0]?.field === 'userName' && typeof email === 'string') {
    return `email '${email}' is already taken by another user`;
  }
  return error.message;
}

export function buildAnswer(
  mode: SyncMode,
  dryRun: boolean,
  users: readonly unknown[],
  outcomes: readonly (ItemResult<UserRecord> | DomainError)[],
  deactivated: readonly PartnerUserKey[] | undefined,
  now: Date = new Date(),
): SyncAnswer {
  const summary = { total: users.length, created: 0, updated: 0, failed: 0, errors: [] as string[] };
  const results = outcomes.map((outcome, index): SyncResult => {
    const user = users[index];
    const base = { userId: externalIdOf(user), email: emailOf(user) };
    if (outcome instanceof DomainError || !outcome.ok) {
      const text = failureText(outcome instanceof DomainError ? outcome : outcome.error, user);
      summary.failed++;
      summary.errors.push(`${label(user, index)}: ${text}`);
      return { ...base, status: 'failed', error: text };
    }
    const created = outcome.action === 'CREATE';
    if (created) summary.created++;
    else summary.updated++;
    return { ...base, status: created ? 'created' : 'updated', crmUserId: outcome.value.id };
  });
  return {
    success: true,
    message: dryRun ? 'Dry run completed successfully; nothing was changed' : 'Sync completed successfully',
    data: {
      mode,
      ...(dryRun ? { dryRun: true as const } : {}),
      summary,
      results,
      ...(deactivated
        ? { deactivated: deactivated.map((row) => ({ userId: row.externalId, email: row.email, crmUserId: row.id })) }
        : {}),
      timestamp: now.toISOString(),
    },
  };
}

/** How the summary names a user: seed 002 uses the email. */
function label(user: unknown, index: number): string {
  const named = [field(user, 'email'), field(user, 'externalId')].find((value) => typeof value === 'string');
  return typeof named === 'string' ? named : `users[${index}]`;
}

function field(user: unknown, name: string): unknown {
  return typeof user === 'object' && user !== null ? (user as Record<string, unknown>)[name] : undefined;
}

const externalIdOf = (user: unknown): unknown => field(user, 'externalId') ?? null;
const emailOf = (user: unknown): unknown => field(user, 'email') ?? null;
