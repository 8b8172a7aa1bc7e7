import { Injectable } from '@nestjs/common';
import { EntityManager, In, IsNull, Not } from 'typeorm';
import { CredentialDoor, CredentialEntity, CredentialKind, Role } from './entities/credential.entity';

/** Holds neither ADMIN nor TENANT_ADMIN. */
const NOT_ADMIN = `NOT (roles && ARRAY['ADMIN', 'TENANT_ADMIN']::text[])`;

export interface NewCredential {
  tenantId: string | null;
  kind: CredentialKind;
  name: string;
  roles: Role[];
  secretHash: string | null;
  clientId: string | null;
  secretEncrypted: string | null;
  bootstrap: boolean;
}

@Injectable()
export class CredentialsRepository {
  /** The credential stored under any of these hashes (one per key of the ring). */
  findActiveBySecretHashes(em: EntityManager, secretHashes: string[]): Promise<CredentialEntity | null> {
    return em.findOneBy(CredentialEntity, { secretHash: In(secretHashes), revokedOn: IsNull() });
  }

  /** Re-keys a hash made under the previous server key; a no-op if someone else did it first. */
  async rehash(em: EntityManager, id: string, from: string, to: string): Promise<void> {
    await em.update(CredentialEntity, { id, secretHash: from }, { secretHash: to });
  }

  listActiveSealed(em: EntityManager): Promise<CredentialEntity[]> {
    return em.findBy(CredentialEntity, { secretEncrypted: Not(IsNull()), revokedOn: IsNull() });
  }

  async reseal(em: EntityManager, id: string, secretEncrypted: string, secretHash: string | null): Promise<void> {
    await em.update(CredentialEntity, { id }, { secretEncrypted, secretHash });
  }

  findActiveById(em: EntityManager, id: string): Promise<CredentialEntity | null> {
    return em.findOneBy(CredentialEntity, { id, revokedOn: IsNull() });
  }

  /** A revoked client's id is free again (the unique index covers active rows only). */
  findActiveByClientId(em: EntityManager, clientId: string): Promise<CredentialEntity | null> {
    return em.findOneBy(CredentialEntity, { clientId, revokedOn: IsNull() });
  }

  findActiveBootstrap(
    em: EntityManager,
    tenantId: string | null,
    kind: CredentialKind,
  ): Promise<CredentialEntity | null> {
    return em.findOneBy(CredentialEntity, {
      tenantId: tenantId ?? IsNull(),
      kind,
      bootstrap: true,
      revokedOn: IsNull(),
    });
  }

  findActiveByKind(em: EntityManager, tenantId: string, kind: CredentialKind): Promise<CredentialEntity | null> {
    return em.findOne(CredentialEntity, {
      where: { tenantId, kind, revokedOn: IsNull() },
      order: { createdOn: 'DESC' },
    });
  }

  /** `tenantId` null: the operator credentials. `withAdmin` false leaves out those holding ADMIN or TENANT_ADMIN. */
  listByTenant(em: EntityManager, tenantId: string | null, withAdmin: boolean): Promise<CredentialEntity[]> {
    const query = em
      .createQueryBuilder(CredentialEntity, 'c')
      .where(tenantId === null ? 'c.tenant_id IS NULL' : 'c.tenant_id = :tenantId', { tenantId })
      .orderBy('c.created_on', 'ASC');
    if (!withAdmin) query.andWhere(NOT_ADMIN);
    return query.getMany();
  }

  /** Names by id, for the page of records these credentials created (one query a page). */
  async namesByIds(em: EntityManager, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await em.find(CredentialEntity, { select: { id: true, name: true }, where: { id: In(ids) } });
    return new Map(rows.map((row) => [row.id, row.name]));
  }

  /** The last successful authentication: one row, one UPDATE. */
  async touch(em: EntityManager, id: string, door: CredentialDoor): Promise<void> {
    await em.update(CredentialEntity, { id }, { lastUsedAt: () => 'now()', lastUsedDoor: door });
  }

  async insert(em: EntityManager, credential: NewCredential): Promise<CredentialEntity> {
    return em.save(CredentialEntity, em.create(CredentialEntity, credential));
  }

  /** Revokes one credential of the tenant (null: an operator's); false when there is none (or it is another tenant's). */
  async revoke(em: EntityManager, tenantId: string | null, id: string, withAdmin: boolean): Promise<boolean> {
    const query = em
      .createQueryBuilder()
      .update(CredentialEntity)
      .set({ revokedOn: () => 'now()' })
      .where(tenantId === null ? 'tenant_id IS NULL' : 'tenant_id = :tenantId', { tenantId })
      .andWhere('id = :id AND revoked_on IS NULL', { id });
    if (!withAdmin) query.andWhere(NOT_ADMIN);
    const result = await query.execute();
    return (result.affected ?? 0) > 0;
  }

  /** Answers the ids it revoked, for the other instances to hear of. */
  revokeBootstrap(em: EntityManager, tenantId: string | null, kind: CredentialKind): Promise<string[]> {
    const tenant = tenantId === null ? 'tenant_id IS NULL' : 'tenant_id = :tenantId';
    return revokeWhere(em, `bootstrap AND revoked_on IS NULL AND ${tenant} AND kind = :kind`, {
      ...(tenantId === null ? {} : { tenantId }),
      kind,
    });
  }

  /** After a server-key change every stored hash is stale: the bootstrap ones are made anew. */
  revokeAllBootstrap(em: EntityManager): Promise<string[]> {
    return revokeWhere(em, 'bootstrap AND revoked_on IS NULL', {});
  }
}

async function revokeWhere(em: EntityManager, where: string, params: Record<string, string>): Promise<string[]> {
  const result = await em
    .createQueryBuilder()
    .update(CredentialEntity)
    .set({ revokedOn: () => 'now()' })
    .where(where, params)
    .returning(['id'])
    .execute();
  return (result.raw as { id: string }[]).map((row) => row.id);
}
