import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig, ConfigError } from '../config/app-config';
import { ADVISORY_LOCKS, withAdvisoryLock } from '../database/advisory-lock';
import { ServerSettingEntity } from '../database/server-setting.entity';
import { TenantsService } from '../directory/tenants.service';
import { CredentialRevocations } from './credential-revocations';
import { CredentialsRepository } from './credentials.repository';
import { CredentialsService } from './credentials.service';
import { CredentialEntity, CredentialKind } from './entities/credential.entity';
import { ServerKey } from './server-key';
import { SERVER_KEY } from './server-key.provider';

const FINGERPRINT_KEY = 'server_key_fingerprint';

interface Generated {
  variable: string;
  secret: string;
}

/** Where the start that generates credentials writes them (under DATA_DIR). */
export const CREDENTIALS_FILE = 'initial-credentials.txt';

/**
 * At every start, under the start-up lock: the default tenant exists and its credentials match the
 * environment (values given win, so a restart with new values rotates them). A secret that had to
 * be generated is written once, to a file only the service's user can read (never to stdout, which
 * log collectors and `docker logs` keep), by the start that generated it.
 */
@Injectable()
export class BootstrapService implements OnModuleInit {
  private readonly logger = new Logger('Bootstrap');
  /** Credentials this start revoked (rotated environment secrets), announced once it has committed. */
  private readonly revoked: string[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SERVER_KEY) private readonly serverKey: ServerKey,
    private readonly dataSource: DataSource,
    private readonly tenants: TenantsService,
    private readonly credentials: CredentialsService,
    private readonly credentialRows: CredentialsRepository,
    private readonly revocations: CredentialRevocations,
  ) {}

  async onModuleInit(): Promise<void> {
    const written = await withAdvisoryLock(this.dataSource, ADVISORY_LOCKS.startup, () =>
      this.dataSource.transaction(async (em) => {
        const generated = await this.bootstrap(em);
        // Inside the transaction: when the file cannot be written, no credential nobody knows is kept.
        return generated.length > 0 ? writeOnce(this.config, generated) : null;
      }),
    );
    if (written) {
      this.logger.log(`Generated credentials written to ${written}`);
      this.logger.warn(`Read ${written}, store the credentials it holds, then delete it`);
    }
    // A rotated environment secret is revoked like any credential: at once on every instance.
    await Promise.all(this.revoked.map((id) => this.revocations.revoked(id)));
  }

  private async bootstrap(em: EntityManager): Promise<Generated[]> {
    await this.checkServerKey(em);
    const tenantId = this.config.defaultTenantId;
    if (await this.tenants.ensure(em, tenantId)) this.logger.log(`Created the default tenant '${tenantId}'`);
    const generated: Generated[] = [];
    const secrets: [CredentialKind, string, string | undefined][] = [
      ['API_TOKEN', 'PROVISIONING_API_TOKEN', this.config.provisioningApiToken],
      ['SCIM_SECRET', 'SCIM_SHARED_SECRET', this.config.scimSharedSecret],
      ['ADMIN_TOKEN', 'ADMIN_TOKEN', this.config.adminToken],
    ];
    for (const [kind, variable, value] of secrets) {
      // The admin token is an operator's: it belongs to no tenant.
      const owner = kind === 'ADMIN_TOKEN' ? null : tenantId;
      const secret = await this.ensureSecret(em, owner, kind, variable, value);
      if (secret) generated.push({ variable, secret });
    }
    await this.ensureOAuthClient(em, tenantId);
    await this.ensurePartner(em, tenantId);
    return generated;
  }

  /** Returns the secret when it had to be generated. */
  private async ensureSecret(
    em: EntityManager,
    tenantId: string | null,
    kind: CredentialKind,
    variable: string,
    value?: string,
  ): Promise<string | null> {
    const current = await this.credentialRows.findActiveBootstrap(em, tenantId, kind);
    if (value === undefined && current) return null;
    if (value !== undefined && current?.secretHash && this.serverKey.matches(value, current.secretHash)) {
      await this.rekeyIfPrevious(em, current, value);
      return null;
    }
    this.revoked.push(...(await this.credentialRows.revokeBootstrap(em, tenantId, kind)));
    const issued = await this.credentials.issue(em, tenantId, {
      kind,
      name: `${variable} (environment)`,
      secret: value,
      bootstrap: true,
    });
    if (value !== undefined)
      this.logger.log(
        `${variable} from the environment is now the ${kind} of ${tenantId === null ? 'the operators' : `tenant '${tenantId}'`}`,
      );
    return value === undefined ? issued.secret : null;
  }

  private async ensureOAuthClient(em: EntityManager, tenantId: string): Promise<void> {
    const wanted = this.config.oauthClient;
    const current = await this.credentialRows.findActiveBootstrap(em, tenantId, 'OAUTH_CLIENT');
    const unchanged =
      wanted &&
      current?.clientId === wanted.clientId &&
      this.serverKey.matches(wanted.clientSecret, current.secretHash!);
    if (unchanged) return this.rekeyIfPrevious(em, current, wanted.clientSecret);
    if (!wanted && !current) return;
    this.revoked.push(...(await this.credentialRows.revokeBootstrap(em, tenantId, 'OAUTH_CLIENT')));
    if (!wanted) return;
    await this.credentials.issue(em, tenantId, {
      kind: 'OAUTH_CLIENT',
      name: 'OAUTH_CLIENT_ID (environment)',
      clientId: wanted.clientId,
      secret: wanted.clientSecret,
      bootstrap: true,
    });
  }

  private async ensurePartner(em: EntityManager, tenantId: string): Promise<void> {
    const wanted = this.config.partner;
    const current = await this.credentialRows.findActiveBootstrap(em, tenantId, 'PARTNER_SECRET');
    if (wanted) await this.tenants.setOrgCode(em, tenantId, wanted.orgCode);
    const unchanged =
      wanted && current?.secretEncrypted && this.serverKey.decrypt(current.secretEncrypted) === wanted.secretKey;
    if (unchanged || (!wanted && !current)) return;
    this.revoked.push(...(await this.credentialRows.revokeBootstrap(em, tenantId, 'PARTNER_SECRET')));
    if (!wanted) return;
    await this.credentials.issue(em, tenantId, {
      kind: 'PARTNER_SECRET',
      name: 'WRAPPER_SECRET_KEY (environment)',
      secret: wanted.secretKey,
      bootstrap: true,
    });
  }

  /**
   * Stored hashes and sealed secrets are bound to the server key. After a rotation (the stored
   * fingerprint is JWT_SECRET_PREVIOUS's) they all still verify: partner secrets are re-sealed now,
   * hashes on their next use. After any other change the environment's credentials are made anew;
   * admin-API ones must be re-issued.
   */
  private async checkServerKey(em: EntityManager): Promise<void> {
    const stored = await em.findOneBy(ServerSettingEntity, { key: FINGERPRINT_KEY });
    if (this.serverKey.previousFingerprint) await this.resealPartnerSecrets(em);
    if (stored?.value === this.serverKey.fingerprint) return;
    if (stored && stored.value === this.serverKey.previousFingerprint) {
      this.logger.log(
        'The server key was rotated (JWT_SECRET_PREVIOUS is the key before): every credential keeps working',
      );
    } else if (stored) {
      const revoked = await this.credentialRows.revokeAllBootstrap(em);
      this.revoked.push(...revoked);
      this.logger.warn(
        `The server key changed (JWT_SECRET): ${revoked.length} environment credentials were re-keyed; credentials created through the admin API before the change must be issued again`,
      );
    }
    await em.save(ServerSettingEntity, { key: FINGERPRINT_KEY, value: this.serverKey.fingerprint });
  }

  /** Seals again under the current key what the previous key sealed, so it can be retired. */
  private async resealPartnerSecrets(em: EntityManager): Promise<void> {
    let resealed = 0;
    for (const credential of await this.credentialRows.listActiveSealed(em)) {
      let unsealed;
      try {
        unsealed = this.serverKey.unseal(credential.secretEncrypted!);
      } catch {
        continue; // Under neither key: reported when a partner token needs it.
      }
      if (unsealed.sealedWith === 'current') continue;
      const secretHash = credential.secretHash === null ? null : this.serverKey.hash(unsealed.plain);
      await this.credentialRows.reseal(em, credential.id, this.serverKey.encrypt(unsealed.plain), secretHash);
      resealed++;
    }
    if (resealed > 0) this.logger.log(`Re-sealed ${resealed} partner secrets under the current server key`);
  }

  /** A bootstrap secret still hashed under the previous key gets its current hash now. */
  private async rekeyIfPrevious(em: EntityManager, credential: CredentialEntity, secret: string): Promise<void> {
    if (this.serverKey.matchedBy(secret, credential.secretHash!) !== 'previous') return;
    await this.credentialRows.rehash(em, credential.id, credential.secretHash!, this.serverKey.hash(secret));
  }
}

/**
 * Generated secrets go to a new file under DATA_DIR, mode 0600 from its creation. An earlier file
 * not deleted yet is left alone: the new one then has the time in its name. Returns its path.
 */
function writeOnce(config: AppConfig, generated: Generated[]): string {
  const text = [
    `# Generated credentials of tenant '${config.defaultTenantId}', ${new Date().toISOString()}.`,
    '# Store them (or set these variables to keep them: the environment wins at every start), then delete this file.',
    ...generated.map(({ variable, secret }) => `${variable}=${secret}`),
    '',
  ].join('\n');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  try {
    fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    const file =
      createNew(path.join(config.dataDir, CREDENTIALS_FILE), text) ??
      createNew(path.join(config.dataDir, CREDENTIALS_FILE.replace('.txt', `-${stamp}.txt`)), text);
    if (!file) throw new Error('a file of that name exists');
    return file;
  } catch (error) {
    const variables = generated.map((g) => g.variable).join(', ');
    throw new ConfigError(
      'DATA_DIR',
      `must be writable: the generated ${variables} go to a file there (${(error as Error).message}). ` +
        `Make ${config.dataDir} writable by the service, or set ${variables}.`,
    );
  }
}

/**
 * Creates `file` holding `text`, readable by this user only from the first instant (mode 0600 at
 * open), and never an existing file or a link someone put there (`wx`); null when it exists.
 */
function createNew(file: string, text: string): string | null {
  try {
    fs.writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
    return file;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw error;
  }
}
