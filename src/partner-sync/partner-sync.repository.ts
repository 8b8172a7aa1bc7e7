import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** A stored user as partner sync sees it when choosing how to match, and when deactivating. */
export interface PartnerUserKey {
  id: string;
  externalId: string | null;
  email: string | null;
}

interface RawKey {
  id: string;
  external_id: string | null;
  email: string | null;
}

const toKey = (raw: RawKey): PartnerUserKey => ({ id: raw.id, externalId: raw.external_id, email: raw.email });

/** The two statements partner sync needs beyond the directory services' writes. */
@Injectable()
export class PartnerSyncRepository {
  /** Serialises syncs of one tenant: two reconciles interleaving could deactivate each other's users. */
  async lockTenant(em: EntityManager, tenantId: string): Promise<void> {
    await em.query(`SELECT pg_advisory_xact_lock(hashtextextended('partner-sync:' || $1, 0))`, [tenantId]);
  }

  /** The tenant's users holding one of the emails (any case) or external ids. */
  async findByEmailsOrExternalIds(
    em: EntityManager,
    tenantId: string,
    lowerEmails: readonly string[],
    externalIds: readonly string[],
  ): Promise<PartnerUserKey[]> {
    if (lowerEmails.length + externalIds.length === 0) return [];
    const rows: RawKey[] = await em.query(
      `SELECT id, external_id, email FROM users
        WHERE tenant_id = $1 AND (lower(email) = ANY($2::text[]) OR external_id = ANY($3::text[]))`,
      [tenantId, lowerEmails, externalIds],
    );
    return rows.map(toKey);
  }

  /**
   * Deactivates, in one statement, the tenant's active users that partner sync created and whose
   * external id and email are both absent from the lists. `<> ALL` over a bound array is hashed
   * (PostgreSQL 15+), so 10,000 listed users cost one lookup per stored row, not 10,000.
   */
  async deactivateAbsent(
    em: EntityManager,
    tenantId: string,
    externalIds: readonly string[],
    lowerEmails: readonly string[],
  ): Promise<PartnerUserKey[]> {
    // TypeORM answers UPDATE ... RETURNING with `[rows, affected count]`.
    const [rows]: [RawKey[], number] = await em.query(
      `UPDATE users
          SET active = false, changed_by = 'partner', version = version + 1, updated_on = now()
        WHERE tenant_id = $1 AND created_by = 'partner' AND active
          AND coalesce(external_id <> ALL($2::text[]), true)
          AND coalesce(lower(email) <> ALL($3::text[]), true)
        RETURNING id, external_id, email`,
      [tenantId, externalIds, lowerEmails],
    );
    return rows.map(toKey).sort((a, b) => (a.externalId ?? '').localeCompare(b.externalId ?? ''));
  }
}
