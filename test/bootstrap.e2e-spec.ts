import * as fs from 'node:fs';
import * as path from 'node:path';
import * as jwt from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { CREDENTIALS_FILE } from '../src/auth/bootstrap.service';
import { CredentialsService } from '../src/auth/credentials.service';
import { JsonLogger, levelsFrom } from '../src/common/json-logger';
import { AppStore, createAppStore, randomSecret, startAppOn, TestApp } from './support/test-app';

const UNSET = { PROVISIONING_API_TOKEN: '', SCIM_SHARED_SECRET: '', ADMIN_TOKEN: '', JWT_SECRET: '' };

/** Starts the app and returns what it printed to stdout and stderr while starting. */
async function startCapturing(store: AppStore, env: Record<string, string>): Promise<{ t: TestApp; printed: string }> {
  const chunks: string[] = [];
  const capture = (chunk: string | Uint8Array): boolean => {
    chunks.push(String(chunk));
    return true;
  };
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation(capture),
    jest.spyOn(process.stderr, 'write').mockImplementation(capture),
  ];
  try {
    // Every level, so that nothing the start writes anywhere escapes the check.
    const t = await startAppOn(store, env, [], new JsonLogger(levelsFrom('verbose')));
    return { t, printed: chunks.join('') };
  } finally {
    spies.forEach((spy) => spy.mockRestore());
  }
}

const writtenValue = (text: string, variable: string): string | undefined =>
  new RegExp(`^${variable}=(\\S+)$`, 'm').exec(text)?.[1];

describe('start-up bootstrap from the environment', () => {
  let store: AppStore;

  beforeEach(async () => {
    store = await createAppStore();
  });
  afterEach(() => store.drop());

  it('generates missing secrets into a 0600 file under DATA_DIR, not stdout, and keeps them across restarts', async () => {
    // PostgreSQL needs JWT_SECRET (the server key never lives in the database); the embedded default
    // generates its own key file.
    const env = store.databaseUrl ? { ...UNSET, JWT_SECRET: randomSecret('jwt-secret-of-enough-length') } : UNSET;
    const first = await startCapturing(store, env);
    const file = path.join(store.dataDir, CREDENTIALS_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const written = fs.readFileSync(file, 'utf8');
    const apiToken = writtenValue(written, 'PROVISIONING_API_TOKEN');
    const scimSecret = writtenValue(written, 'SCIM_SHARED_SECRET');
    const adminToken = writtenValue(written, 'ADMIN_TOKEN');
    expect(apiToken).toMatch(/^idp_api_/);
    expect(scimSecret).toMatch(/^idp_scim_/);
    expect(adminToken).toMatch(/^idp_admin_/);
    // Where they are, and nothing of them.
    expect(first.printed).toContain(`Generated credentials written to ${file}`);
    for (const secret of [apiToken!, scimSecret!, adminToken!]) {
      expect(first.printed).not.toContain(secret);
      expect(first.printed).not.toContain(secret.slice(-12));
    }
    await first.t.http.get('/api/admin/tenants').set('Authorization', `Bearer ${adminToken}`).expect(200);
    // Only the key's fingerprint is in the database, never the key.
    const stored = await first.t.app.get(DataSource).query(`SELECT key FROM server_settings ORDER BY key`);
    expect(stored.map((row: { key: string }) => row.key)).toEqual(['server_key_fingerprint']);
    await first.t.close();

    const second = await startCapturing(store, env);
    try {
      expect(second.printed).not.toContain('Generated credentials');
      expect(second.printed).not.toContain(apiToken);
      expect(fs.readFileSync(file, 'utf8')).toBe(written);
      await second.t.http.get('/api/admin/tenants').set('Authorization', `Bearer ${adminToken}`).expect(200);
      const scim = await second.t.app.get(CredentialsService).authenticateSecret(scimSecret!);
      expect(scim).toMatchObject({ tenantId: 'default', kind: 'SCIM_SECRET' });
    } finally {
      await second.t.close();
    }
  });

  it('lets the environment win: a restart with a new value rotates it', async () => {
    const oldToken = randomSecret('old-admin');
    const newToken = randomSecret('new-admin');
    const jwtSecret = randomSecret('jwt-secret-of-enough-length');
    const first = await startCapturing(store, { ADMIN_TOKEN: oldToken, JWT_SECRET: jwtSecret });
    await first.t.http.get('/api/admin/tenants').set('Authorization', `Bearer ${oldToken}`).expect(200);
    await first.t.close();

    const second = await startCapturing(store, { ADMIN_TOKEN: newToken, JWT_SECRET: jwtSecret });
    try {
      expect(second.printed).not.toContain('ADMIN_TOKEN=');
      await second.t.http.get('/api/admin/tenants').set('Authorization', `Bearer ${newToken}`).expect(200);
      await second.t.http.get('/api/admin/tenants').set('Authorization', `Bearer ${oldToken}`).expect(401);
    } finally {
      await second.t.close();
    }
  });

  it('sets up partner sync and the OAuth client from the environment, and removes them when unset', async () => {
    const jwtSecret = randomSecret('jwt-secret-of-enough-length');
    const partnerSecret = randomSecret('partner');
    const oauthSecret = randomSecret('oauth');
    const env = {
      JWT_SECRET: jwtSecret,
      WRAPPER_SECRET_KEY: partnerSecret,
      WRAPPER_ORG_CODE: 'CRM-ORG',
      OAUTH_CLIENT_ID: 'entra',
      OAUTH_CLIENT_SECRET: oauthSecret,
    };
    const first = await startCapturing(store, env);
    try {
      const tenant = await first.t.http
        .get('/api/admin/tenants/default')
        .set('Authorization', `Bearer ${first.t.secrets.adminToken}`)
        .expect(200);
      expect(tenant.body.orgCode).toBe('CRM-ORG');
      expect(await first.t.app.get(CredentialsService).partnerSecret('default')).toBe(partnerSecret);
      await first.t.http
        .post('/oauth/token')
        .type('form')
        .send({ grant_type: 'client_credentials', client_id: 'entra', client_secret: oauthSecret })
        .expect(200);
    } finally {
      await first.t.close();
    }

    const second = await startCapturing(store, { JWT_SECRET: jwtSecret });
    try {
      expect(await second.t.app.get(CredentialsService).partnerSecret('default')).toBeNull();
      await second.t.http
        .post('/oauth/token')
        .type('form')
        .send({ grant_type: 'client_credentials', client_id: 'entra', client_secret: oauthSecret })
        .expect(401);
    } finally {
      await second.t.close();
    }
  });

  it('rotates the OAuth client secret under the same client id', async () => {
    const jwtSecret = randomSecret('jwt-secret-of-enough-length');
    const [oldSecret, newSecret] = [randomSecret('oauth-old'), randomSecret('oauth-new')];
    const token = (t: TestApp, secret: string) =>
      t.http
        .post('/oauth/token')
        .type('form')
        .send({ grant_type: 'client_credentials', client_id: 'entra', client_secret: secret });
    const first = await startCapturing(store, {
      JWT_SECRET: jwtSecret,
      OAUTH_CLIENT_ID: 'entra',
      OAUTH_CLIENT_SECRET: oldSecret,
    });
    await first.t.close();
    const second = await startCapturing(store, {
      JWT_SECRET: jwtSecret,
      OAUTH_CLIENT_ID: 'entra',
      OAUTH_CLIENT_SECRET: newSecret,
    });
    try {
      await token(second.t, newSecret).expect(200);
      await token(second.t, oldSecret).expect(401);
    } finally {
      await second.t.close();
    }
  });

  it('refuses partner tokens with 403, not 500, once JWT_SECRET no longer unseals the stored partner secret', async () => {
    const adminToken = randomSecret('admin');
    const partnerSecret = randomSecret('partner');
    const first = await startCapturing(store, {
      ADMIN_TOKEN: adminToken,
      JWT_SECRET: randomSecret('jwt-secret-of-enough-length'),
    });
    try {
      const admin = { Authorization: `Bearer ${adminToken}` };
      await first.t.http
        .post('/api/admin/tenants')
        .set(admin)
        .send({ id: 'acme', name: 'Acme', orgCode: 'acme' })
        .expect(201);
      await first.t.http
        .post('/api/admin/tenants/acme/credentials')
        .set(admin)
        .send({ kind: 'PARTNER_SECRET', name: 'wrapper', secret: partnerSecret })
        .expect(201);
    } finally {
      await first.t.close();
    }
    const second = await startCapturing(store, {
      ADMIN_TOKEN: adminToken,
      JWT_SECRET: randomSecret('another-jwt-secret-of-length'),
    });
    try {
      const token = jwt.sign({ orgCode: 'acme' }, partnerSecret, { algorithm: 'HS256', expiresIn: 300 });
      const sync = await second.t.http
        .post('/api/admin/users/sync')
        .set('Authorization', `Bearer ${token}`)
        .send({ users: [{ externalId: 'p-1', email: 'p-1@example.com', orgCode: 'acme' }] })
        .expect(403);
      expect(sync.body).toEqual({ success: false, error: 'Invalid or expired token' });
    } finally {
      await second.t.close();
    }
  });

  it('re-keys the environment credentials when JWT_SECRET changes', async () => {
    const adminToken = randomSecret('admin');
    const first = await startCapturing(store, {
      ADMIN_TOKEN: adminToken,
      JWT_SECRET: randomSecret('jwt-secret-of-enough-length'),
    });
    await first.t.close();
    const second = await startCapturing(store, {
      ADMIN_TOKEN: adminToken,
      JWT_SECRET: randomSecret('another-jwt-secret-of-length'),
    });
    try {
      await second.t.http.get('/api/admin/tenants').set('Authorization', `Bearer ${adminToken}`).expect(200);
    } finally {
      await second.t.close();
    }
  });
});
