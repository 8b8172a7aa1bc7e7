import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { TransactionRunner } from '../database/transaction-runner';
import { CredentialRevocations } from './credential-revocations';
import { CredentialsRepository } from './credentials.repository';
import { CredentialEntity, CredentialKind, Role } from './entities/credential.entity';
import { Principal } from './principal';
import { generateSecret, ServerKey } from './server-key';
import { SERVER_KEY } from './server-key.provider';
import { isUuid } from '../common/ids';

/** What each kind of credential may carry, and what it carries when nothing is asked. */
export const KIND_ROLES: Record<CredentialKind, { allowed: Role[]; default: Role[]; prefix: string }> = {
  API_TOKEN: {
    allowed: ['PROVISIONING_UPDATE', 'PROVISIONING_SEARCH'],
    default: ['PROVISIONING_UPDATE'],
    prefix: 'idp_api',
  },
  SCIM_SECRET: { allowed: ['SCIM'], default: ['SCIM'], prefix: 'idp_scim' },
  OAUTH_CLIENT: { allowed: ['SCIM', 'ADMIN'], default: ['SCIM'], prefix: 'idp_oauth' },
  PARTNER_SECRET: { allowed: [], default: [], prefix: 'idp_partner' },
  ADMIN_TOKEN: { allowed: ['ADMIN'], default: ['ADMIN'], prefix: 'idp_admin' },
};

export interface IssueRequest {
  kind: CredentialKind;
  name: string;
  roles?: Role[];
  /** OAuth clients: the client id (generated when absent). */
  clientId?: string;
  /** A secret chosen by the caller (environment bootstrap, a partner's shared secret). */
  secret?: string;
  bootstrap?: boolean;
}

export interface IssuedCredential {
  credential: CredentialEntity;
  /** Shown once, never stored in clear. */
  secret: string;
}

@Injectable()
export class CredentialsService {
  private readonly logger = new Logger('Credentials');

  constructor(
    private readonly credentials: CredentialsRepository,
    private readonly transactions: TransactionRunner,
    @Inject(SERVER_KEY) private readonly serverKey: ServerKey,
    private readonly revocations: CredentialRevocations,
  ) {}

  async issue(em: EntityManager, tenantId: string, request: IssueRequest): Promise<IssuedCredential> {
    const rules = KIND_ROLES[request.kind];
    const roles = request.roles && request.roles.length > 0 ? request.roles : rules.default;
    const refused = roles.filter((role) => !rules.allowed.includes(role));
    if (refused.length > 0) {
      throw DomainError.validation(`A ${request.kind} credential cannot carry ${refused.join(', ')}`, {
        path: 'roles',
        field: 'roles',
        message: `Allowed roles for ${request.kind}: ${rules.allowed.join(', ') || 'none'}`,
      });
    }
    const secret = request.secret ?? generateSecret(rules.prefix);
    const clientId = request.kind === 'OAUTH_CLIENT' ? (request.clientId ?? generateSecret('idp_client')) : null;
    if (clientId && (await this.credentials.findActiveByClientId(em, clientId))) {
      throw DomainError.duplicate(`OAuth client id '${clientId}' is already in use`);
    }
    // Partner secrets verify signatures, so they are sealed; every other secret is only hashed.
    const isPartner = request.kind === 'PARTNER_SECRET';
    const credential = await this.credentials.insert(em, {
      tenantId,
      kind: request.kind,
      name: request.name,
      roles,
      secretHash: isPartner ? null : this.serverKey.hash(secret),
      secretEncrypted: isPartner ? this.serverKey.encrypt(secret) : null,
      clientId,
      bootstrap: request.bootstrap ?? false,
    });
    return { credential, secret };
  }

  /** The active credential whose secret this is, or null. Its roles decide what it may do. */
  async authenticateSecret(secret: string): Promise<Principal | null> {
    const secretHash = this.serverKey.hash(secret);
    return this.remembered(`secret:${secretHash}`, async () => {
      const found = await this.credentials.findActiveBySecretHash(this.transactions.manager, secretHash);
      // OAuth client secrets are only good at the token endpoint, together with their client id.
      if (!found || found.kind === 'OAUTH_CLIENT' || !this.serverKey.matches(secret, found.secretHash!)) return null;
      return toPrincipal(found, 'secret');
    });
  }

  async authenticateClient(clientId: string, secret: string): Promise<Principal | null> {
    const found = await this.credentials.findActiveByClientId(this.transactions.manager, clientId);
    // Hash even when the client is unknown, so timing does not tell which client ids exist.
    const matches = this.serverKey.matches(secret, found?.secretHash ?? '0'.repeat(64));
    return found && matches ? toPrincipal(found, 'secret') : null;
  }

  /** The credential behind a JWT, if it still exists and is not revoked. */
  async activePrincipal(credentialId: string): Promise<Principal | null> {
    if (!isUuid(credentialId)) return null;
    return this.remembered(`jwt:${credentialId}`, async () => {
      const found = await this.credentials.findActiveById(this.transactions.manager, credentialId);
      return found ? toPrincipal(found, 'jwt') : null;
    });
  }

  /** The partner secret of a tenant in clear, for verifying partner JWTs. */
  async partnerSecret(tenantId: string): Promise<string | null> {
    return (await this.partnerKey(tenantId))?.secret ?? null;
  }

  /** The partner secret in clear with its credential's id (which the request log records). */
  async partnerKey(tenantId: string): Promise<{ credentialId: string; secret: string } | null> {
    const found = await this.credentials.findActiveByKind(this.transactions.manager, tenantId, 'PARTNER_SECRET');
    if (!found?.secretEncrypted) return null;
    try {
      return { credentialId: found.id, secret: this.serverKey.decrypt(found.secretEncrypted) };
    } catch {
      // Sealed under another server key (JWT_SECRET changed): no token can verify, as with no secret.
      this.logger.error(
        `Partner secret ${found.id} of tenant ${tenantId} cannot be unsealed with the current server key (JWT_SECRET changed?): issue it again`,
      );
      return null;
    }
  }

  list(tenantId: string): Promise<CredentialEntity[]> {
    return this.credentials.listByTenant(this.transactions.manager, tenantId);
  }

  async revoke(tenantId: string, credentialId: string): Promise<void> {
    const revoked =
      isUuid(credentialId) && (await this.credentials.revoke(this.transactions.manager, tenantId, credentialId));
    if (!revoked) throw DomainError.notFound(`Credential ${credentialId} not found`);
    await this.revocations.revoked(credentialId);
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

function toPrincipal(credential: CredentialEntity, via: Principal['via']): Principal {
  return {
    credentialId: credential.id,
    tenantId: credential.tenantId,
    kind: credential.kind,
    roles: credential.roles,
    via,
  };
}
