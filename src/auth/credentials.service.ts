import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { TransactionRunner } from '../database/transaction-runner';
import { CredentialRevocations } from './credential-revocations';
import { CredentialsRepository } from './credentials.repository';
import { CredentialDoor, CredentialEntity, CredentialKind, Role } from './entities/credential.entity';
import { Principal } from './principal';
import { generateSecret, ServerKey } from './server-key';
import { SERVER_KEY } from './server-key.provider';
import { isUuid } from '../common/ids';
import { sqlStateOf } from '../directory/batch';
import { assertValid, checkIdentifier } from '../directory/identifiers';
import { chosenSecretWeakness } from './secret-strength';

/** What each kind of credential may carry, and what it carries when nothing is asked. */
export const KIND_ROLES: Record<CredentialKind, { allowed: Role[]; default: Role[]; prefix: string }> = {
  API_TOKEN: {
    allowed: ['PROVISIONING_UPDATE', 'PROVISIONING_SEARCH'],
    default: ['PROVISIONING_UPDATE'],
    prefix: 'idp_api',
  },
  SCIM_SECRET: { allowed: ['SCIM'], default: ['SCIM'], prefix: 'idp_scim' },
  OAUTH_CLIENT: { allowed: ['SCIM', 'ADMIN', 'TENANT_ADMIN'], default: ['SCIM'], prefix: 'idp_oauth' },
  PARTNER_SECRET: { allowed: [], default: [], prefix: 'idp_partner' },
  // Under a tenant an admin token administers that tenant; ADMIN ones are issued outside any tenant.
  ADMIN_TOKEN: { allowed: ['ADMIN', 'TENANT_ADMIN'], default: ['TENANT_ADMIN'], prefix: 'idp_admin' },
};

/** The kinds an operator (ADMIN, outside any tenant) credential can be. */
export const OPERATOR_KINDS = ['ADMIN_TOKEN', 'OAUTH_CLIENT'] as const satisfies readonly CredentialKind[];

/** Roles that administer: a TENANT_ADMIN caller neither sees nor revokes credentials holding them. */
export const ADMIN_ROLES: readonly Role[] = ['ADMIN', 'TENANT_ADMIN'];

/** Where operator credentials are issued, for the 400 that refuses ADMIN under a tenant. */
export const OPERATOR_CREDENTIALS_ROUTE = '/api/admin/credentials';

/** Last use is written at most this often per credential and process. */
export const LAST_USE_INTERVAL_MS = 60_000;

export interface IssueRequest {
  kind: CredentialKind;
  name: string;
  roles?: Role[];
  /** OAuth clients: the client id (generated when absent). */
  clientId?: string;
  /**
   * A secret chosen by the caller: the operator's environment at boot (any kind, 16+ characters,
   * checked by the config), or an admin's partner shared secret (PARTNER_SECRET only, strong).
   */
  secret?: string;
  bootstrap?: boolean;
}

export interface IssuedCredential {
  credential: CredentialEntity;
  /** Shown once, never stored in clear. */
  secret: string;
}

/** The size of the credential name and client id columns. */
const CREDENTIAL_TEXT_LIMIT = 200;

@Injectable()
export class CredentialsService {
  private readonly logger = new Logger('Credentials');
  /** When this process last wrote each credential's last use. */
  private readonly lastUseWritten = new Map<string, number>();

  constructor(
    private readonly credentials: CredentialsRepository,
    private readonly transactions: TransactionRunner,
    @Inject(SERVER_KEY) private readonly serverKey: ServerKey,
    private readonly revocations: CredentialRevocations,
  ) {}

  /** `tenantId` null: an operator credential (ADMIN_TOKEN or OAUTH_CLIENT), which always holds ADMIN alone. */
  async issue(em: EntityManager, tenantId: string | null, request: IssueRequest): Promise<IssuedCredential> {
    const rules = KIND_ROLES[request.kind];
    const roles = tenantId === null ? operatorRoles(request) : tenantRoles(request, rules.default);
    const refused = roles.filter((role) => !rules.allowed.includes(role));
    if (refused.length > 0) {
      throw DomainError.validation(`A ${request.kind} credential cannot carry ${refused.join(', ')}`, {
        path: 'roles',
        field: 'roles',
        message: `Allowed roles for ${request.kind}: ${rules.allowed.join(', ') || 'none'}`,
      });
    }
    // Names and client ids are shown in every listing and log: the directory's identifier rule.
    assertValid(
      checkIdentifier('name', request.name, CREDENTIAL_TEXT_LIMIT),
      checkIdentifier('clientId', request.clientId, CREDENTIAL_TEXT_LIMIT),
    );
    if (request.secret !== undefined && !request.bootstrap) checkChosenSecret(request.kind, request.secret);
    const secret = request.secret ?? generateSecret(rules.prefix);
    const clientId = request.kind === 'OAUTH_CLIENT' ? (request.clientId ?? generateSecret('idp_client')) : null;
    if (clientId && (await this.credentials.findActiveByClientId(em, clientId))) {
      throw DomainError.duplicate(`OAuth client id '${clientId}' is already in use`);
    }
    // Partner secrets verify signatures, so they are also sealed. Every secret is hashed: the
    // unique index on the hash is what refuses a chosen secret that another credential already has.
    const isPartner = request.kind === 'PARTNER_SECRET';
    const secretHash = this.serverKey.hash(secret);
    if (await this.credentials.findActiveBySecretHashes(em, this.serverKey.lookupHashes(secret))) {
      throw DomainError.duplicate('This secret is already the secret of another credential: choose another', {
        path: 'secret',
        field: 'secret',
        message: 'secret is already in use',
      });
    }
    const credential = await this.credentials
      .insert(em, {
        tenantId,
        kind: request.kind,
        name: request.name,
        roles,
        secretHash,
        secretEncrypted: isPartner ? this.serverKey.encrypt(secret) : null,
        clientId,
        bootstrap: request.bootstrap ?? false,
      })
      .catch((error: unknown) => {
        // Lost a race with a concurrent issue of the same secret or client id: the same 409.
        if (sqlStateOf(error) === '23505') throw DomainError.duplicate('This secret or client id is already in use');
        throw error;
      });
    return { credential, secret };
  }

  /** The active credential whose secret this is, or null. Its roles decide what it may do. */
  async authenticateSecret(secret: string): Promise<Principal | null> {
    const hashes = this.serverKey.lookupHashes(secret);
    return this.remembered(`secret:${hashes[0]}`, async () => {
      const found = await this.credentials.findActiveBySecretHashes(this.transactions.manager, hashes);
      // OAuth client secrets are only good at the token endpoint, together with their client id;
      // partner secrets only sign partner JWTs.
      if (!found || found.kind === 'OAUTH_CLIENT' || found.kind === 'PARTNER_SECRET') return null;
      if (!(await this.verifiedAndRekeyed(found, secret))) return null;
      return toPrincipal(found, 'secret');
    });
  }

  async authenticateClient(clientId: string, secret: string): Promise<Principal | null> {
    const checked = await this.checkClient(clientId, secret);
    return typeof checked === 'string' ? null : checked;
  }

  /** The client's principal, or why it is refused (for the request log only, never the caller). */
  async checkClient(clientId: string, secret: string): Promise<Principal | 'unknown_client' | 'bad_client_secret'> {
    const found = await this.credentials.findActiveByClientId(this.transactions.manager, clientId);
    // Hash even when the client is unknown, so timing does not tell which client ids exist.
    if (!found) {
      this.serverKey.matches(secret, '0'.repeat(64));
      return 'unknown_client';
    }
    return (await this.verifiedAndRekeyed(found, secret)) ? toPrincipal(found, 'secret') : 'bad_client_secret';
  }

  /**
   * Whether the secret matches the stored hash under either key of the ring. A hash made under the
   * previous key is re-made under the current one on this first use after a rotation, so the
   * previous key stops being needed as credentials are used.
   */
  private async verifiedAndRekeyed(found: CredentialEntity, secret: string): Promise<boolean> {
    const matchedBy = found.secretHash ? this.serverKey.matchedBy(secret, found.secretHash) : null;
    if (matchedBy === 'previous') {
      const rekeyed = this.serverKey.hash(secret);
      await this.credentials.rehash(this.transactions.manager, found.id, found.secretHash!, rekeyed).catch((error) =>
        // Authentication does not depend on it: the next use tries again.
        this.logger.warn(`Could not re-key credential ${found.id}: ${String(error)}`),
      );
    }
    return matchedBy !== null;
  }

  /** The credential behind a JWT, if it still exists and is not revoked. */
  async activePrincipal(credentialId: string): Promise<Principal | null> {
    if (!isUuid(credentialId)) return null;
    return this.remembered(`jwt:${credentialId}`, async () => {
      const found = await this.credentials.findActiveById(this.transactions.manager, credentialId);
      return found ? toPrincipal(found, 'jwt') : null;
    });
  }

  /** An active (not revoked) credential by id, for showing its name. */
  findActive(credentialId: string): Promise<CredentialEntity | null> {
    return isUuid(credentialId)
      ? this.credentials.findActiveById(this.transactions.manager, credentialId)
      : Promise.resolve(null);
  }

  /** The partner secret of a tenant in clear, for verifying partner JWTs. */
  async partnerSecret(tenantId: string): Promise<string | null> {
    return (await this.partnerKey(tenantId))?.secret ?? null;
  }

  /** The partner secret in clear with its credential's id (which the request log records). */
  async partnerKey(tenantId: string): Promise<{ credentialId: string; credentialName: string; secret: string } | null> {
    const found = await this.credentials.findActiveByKind(this.transactions.manager, tenantId, 'PARTNER_SECRET');
    if (!found?.secretEncrypted) return null;
    try {
      // Either key of the ring: partner secrets sealed before a rotation keep verifying.
      return {
        credentialId: found.id,
        credentialName: found.name,
        secret: this.serverKey.decrypt(found.secretEncrypted),
      };
    } catch {
      // Sealed under another server key (JWT_SECRET changed): no token can verify, as with no secret.
      this.logger.error(
        `Partner secret ${found.id} of tenant ${tenantId} cannot be unsealed with the current server key (JWT_SECRET changed?): issue it again`,
      );
      return null;
    }
  }

  /** A tenant's credentials (null: the operator credentials); `withAdmin` false leaves out the administering ones. */
  list(tenantId: string | null, withAdmin = true): Promise<CredentialEntity[]> {
    return this.credentials.listByTenant(this.transactions.manager, tenantId, withAdmin);
  }

  async revoke(tenantId: string | null, credentialId: string, withAdmin = true): Promise<void> {
    const revoked =
      isUuid(credentialId) &&
      (await this.credentials.revoke(this.transactions.manager, tenantId, credentialId, withAdmin));
    if (!revoked) throw DomainError.notFound(`Credential ${credentialId} not found`);
    await this.revocations.revoked(credentialId);
  }

  /** The items with the name of the credential that created them (revoked ones too; null when gone). */
  async withCreatorNames<T extends { createdBy: string }>(
    items: T[],
  ): Promise<(T & { createdByName: string | null })[]> {
    const ids = [...new Set(items.map((item) => item.createdBy).filter(isUuid))];
    const names = await this.credentials.namesByIds(this.transactions.manager, ids);
    return items.map((item) => ({ ...item, createdByName: names.get(item.createdBy) ?? null }));
  }

  /**
   * Records a successful authentication at `door`. At most one write per credential a minute in
   * this process, never awaited: the caller's request neither waits for it nor fails with it.
   */
  noteUse(credentialId: string, door: CredentialDoor): void {
    const now = Date.now();
    const last = this.lastUseWritten.get(credentialId);
    if (last !== undefined && now - last < LAST_USE_INTERVAL_MS) return;
    if (this.lastUseWritten.size >= 10_000) this.lastUseWritten.clear();
    this.lastUseWritten.set(credentialId, now);
    this.credentials
      .touch(this.transactions.manager, credentialId, door)
      .catch((error: unknown) =>
        this.logger.debug(`Could not record the use of credential ${credentialId}: ${String(error)}`),
      );
  }

  /** A lookup answered from the principal cache when it can be; only credentials found are kept. */
  private async remembered(key: string, lookup: () => Promise<Principal | null>): Promise<Principal | null> {
    const cached = this.revocations.cache.get(key);
    if (cached) return cached;
    const principal = await lookup();
    if (principal) this.revocations.cache.set(key, principal);
    return principal;
  }
}

function operatorRoles(request: IssueRequest): Role[] {
  if (!(OPERATOR_KINDS as readonly string[]).includes(request.kind)) {
    throw DomainError.validation(
      `An operator credential is an ${OPERATOR_KINDS.join(' or an ')}, not ${request.kind}`,
      {
        path: 'kind',
        field: 'kind',
        message: `kind must be one of ${OPERATOR_KINDS.join(', ')}`,
      },
    );
  }
  if (request.roles && request.roles.some((role) => role !== 'ADMIN')) {
    throw DomainError.validation('An operator credential holds ADMIN and nothing else', {
      path: 'roles',
      field: 'roles',
      message: 'roles must be [ADMIN] or left out',
    });
  }
  return ['ADMIN'];
}

function tenantRoles(request: IssueRequest, defaults: Role[]): Role[] {
  const roles = request.roles && request.roles.length > 0 ? request.roles : defaults;
  if (roles.includes('ADMIN')) {
    throw DomainError.validation(
      `ADMIN spans all tenants and is not issued under one: issue it at POST ${OPERATOR_CREDENTIALS_ROUTE} (TENANT_ADMIN administers one tenant)`,
      { path: 'roles', field: 'roles', message: `ADMIN credentials are issued at ${OPERATOR_CREDENTIALS_ROUTE}` },
    );
  }
  return roles;
}

function checkChosenSecret(kind: CredentialKind, secret: string): void {
  if (kind !== 'PARTNER_SECRET') {
    // Bearer secrets are ours to make: a chosen one can only be weaker, or shared with another system.
    throw DomainError.validation(`A ${kind} secret is generated by the service and cannot be chosen`, {
      path: 'secret',
      field: 'secret',
      message: 'Only PARTNER_SECRET credentials take a chosen secret',
    });
  }
  const weakness = chosenSecretWeakness(secret);
  if (weakness) {
    throw DomainError.validation(`The chosen secret is too weak: it ${weakness}`, {
      path: 'secret',
      field: 'secret',
      message: `secret ${weakness}`,
    });
  }
}

function toPrincipal(credential: CredentialEntity, via: Principal['via']): Principal {
  return {
    credentialId: credential.id,
    credentialName: credential.name,
    tenantId: credential.tenantId,
    kind: credential.kind,
    roles: credential.roles,
    via,
  };
}
