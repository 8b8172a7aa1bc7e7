import { Injectable } from '@nestjs/common';
import { EntityManager, IsNull } from 'typeorm';
import { CredentialEntity, CredentialKind, Role } from './entities/credential.entity';

export interface NewCredential {
  tenantId: string;
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
  findActiveBySecretHash(em: EntityManager, secretHash: string): Promise<CredentialEntity | null> {
    return em.findOneBy(CredentialEntity, { secretHash, revokedOn: IsNull() });
  }

  findActiveById(em: EntityManager, id: string): Promise<CredentialEntity | null> {
    return em.findOneBy(CredentialEntity, { id, revokedOn: IsNull() });
  }

  findActiveByClientId(em: EntityManager, clientId: string): Promise<CredentialEntity | null> {
    return em.findOneBy(CredentialEntity, { clientId, revokedOn: IsNull() });
  }

  /** A revoked client's id is free again (the unique index covers active rows only). */
  findActiveByClientId(em: EntityManager, clientId: string): Promise<CredentialEntity | null> {
    return em.findOneBy(CredentialEntity, { clientId, revokedOn: IsNull() });
  }

  findActiveBootstrap(em: EntityManager, tenantId: string, kind: CredentialKind): Promise<CredentialEntity | null> {
    return em.findOneBy(CredentialEntity, { tenantId, kind, bootstrap: true, revokedOn: IsNull() });
  }

  findActiveByKind(em: EntityManager, tenantId: string, kind: CredentialKind): Promise<CredentialEntity | null> {
    return em.findOne(CredentialEntity, {
      where: { tenantId, kind, revokedOn: IsNull() },
      order: { createdOn: 'DESC' },
    });
  }

  listByTenant(em: EntityManager, tenantId: string): Promise<CredentialEntity[]> {
    return em.find(CredentialEntity, { where: { tenantId }, order: { createdOn: 'ASC' } });
  }

  async insert(em: EntityManager, credential: NewCredential): Promise<CredentialEntity> {
    return em.save(CredentialEntity, em.create(CredentialEntity, credential));
  }

  /** Revokes one credential of the tenant; false when there is none (or it is another tenant's). */
  async revoke(em: EntityManager, tenantId: string, id: string): Promise<boolean> {
    const result = await em.update(
      CredentialEntity,
      { id, tenantId, revokedOn: IsNull() },
      { revokedOn: () => 'now()' },
    );
    return (result.affected ?? 0) > 0;
  }

  async revokeBootstrap(em: EntityManager, tenantId: string, kind: CredentialKind): Promise<void> {
    await em.update(
      CredentialEntity,
      { tenantId, kind, bootstrap: true, revokedOn: IsNull() },
      { revokedOn: () => 'now()' },
    );
  }

  /** After a server-key change every stored hash is stale: the bootstrap ones are made anew. */
  async revokeAllBootstrap(em: EntityManager): Promise<number> {
    const result = await em.update(
      CredentialEntity,
      { bootstrap: true, revokedOn: IsNull() },
      { revokedOn: () => 'now()' },
    );
    return result.affected ?? 0;
  }
}
