import type { Principal } from './principal';

/** The longest an entry is believed, whatever happens to the revocation channel. */
export const PRINCIPAL_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

/**
 * Principals the credential lookup found, kept for a few seconds: identity providers and partners
 * send the same secret with every request, and reading it back each time costs a database round
 * trip that is dearer than many a request's own query. Only found credentials are kept, so a new
 * one works at once. `forget` drops a revoked credential's entries; while `enabled` is false (the
 * fleet's revocation channel is down) nothing is kept, so a revoke elsewhere is never missed.
 */
export class PrincipalCache {
  private readonly entries = new Map<string, { principal: Principal; until: number }>();
  private on = true;

  constructor(
    private readonly ttlMs = PRINCIPAL_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.on;
  }

  set enabled(on: boolean) {
    this.on = on;
    if (!on) this.entries.clear();
  }

  get(key: string): Principal | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until > this.now()) return entry.principal;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, principal: Principal): void {
    if (!this.on) return;
    // Map keeps insertion order: past the bound, the oldest entry goes.
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { principal, until: this.now() + this.ttlMs });
  }

  /** Drops every entry of the credential; `'*'` drops all. */
  forget(credentialId: string): void {
    if (credentialId === '*') return this.entries.clear();
    for (const [key, entry] of this.entries) {
      if (entry.principal.credentialId === credentialId) this.entries.delete(key);
    }
  }
}
