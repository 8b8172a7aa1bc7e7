import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as jwt from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { exportStoredKey } from '../src/auth/key-export';
import { ServerKey } from '../src/auth/server-key';
import { loadServerKey } from '../src/auth/server-key.provider';
import { loadConfig } from '../src/config/app-config';
import { dataSourceOptions } from '../src/database/data-source-options';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { AppStore, createAppStore, oauthToken, randomSecret, startAppOn, TestApp } from './support/test-app';

/** Two or three starts per test; embedded ones take a while on a busy machine. */
const RESTARTS_TIMEOUT_MS = 240_000;

const bearer = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });
const admin = (t: TestApp): Record<string, string> => bearer(t.secrets.adminToken);
const mode = (file: string): number => fs.statSync(file).mode & 0o777;

/** An embedded store, whatever the run's DATABASE_URL: the key file only exists there. */
function embeddedStore(): AppStore {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-key-'));
  return { dataDir, drop: () => Promise.resolve(fs.rmSync(dataDir, { recursive: true, force: true })) };
}

/** The store's database outside the app, as an operator's tool sees it. */
async function openDatabase(store: AppStore): Promise<{ dataSource: DataSource; close(): Promise<void> }> {
  const embedded = store.databaseUrl
    ? null
    : await startEmbeddedPostgres({ dataDir: store.dataDir, maxConnections: 4 });
  const url = store.databaseUrl ?? embedded!.url;
  const dataSource = await new DataSource(dataSourceOptions(url, { size: 2, statementTimeoutMs: 30_000 })).initialize();
  return {
    dataSource,
    close: async () => {
      await dataSource.destroy();
      await embedded?.stop();
    },
  };
}

const storedKeys = async (t: TestApp): Promise<string[]> =>
  (await t.app.get(DataSource).query<{ key: string }[]>(`SELECT key FROM server_settings ORDER BY key`)).map(
    (row) => row.key,
  );

/** What an earlier version did with JWT_SECRET unset: the server key in clear in the database. */
const storeKeyLikeEarlierVersions = (t: TestApp, key: string): Promise<unknown> =>
  t.app.get(DataSource).query(`INSERT INTO server_settings (key, value) VALUES ('server_key', $1)`, [key]);

interface Credentials {
  scimSecret: string;
  partnerSecret: string;
  oauth: { clientId: string; secret: string };
  /** A JWT issued by the service under the key of the time. */
  scimJwt: string;
}

/** Credentials of every stored kind, made through the admin API (so no restart re-makes them). */
async function makeCredentials(t: TestApp): Promise<Credentials> {
  const issue = async (body: Record<string, unknown>, tenantId = 'default') =>
    (await t.http.post(`/api/admin/tenants/${tenantId}/credentials`).set(admin(t)).send(body).expect(201)).body as {
      secret: string;
      clientId: string;
    };
  await t.http.post('/api/admin/tenants').set(admin(t)).send({ id: 'acme', name: 'Acme', orgCode: 'acme' }).expect(201);
  const partnerSecret = randomSecret('acme-partner');
  await issue({ kind: 'PARTNER_SECRET', name: 'wrapper', secret: partnerSecret }, 'acme');
  const scimSecret = (await issue({ kind: 'SCIM_SECRET', name: 'entra' })).secret;
  const oauth = await issue({ kind: 'OAUTH_CLIENT', name: 'okta' });
  const scimJwt = await oauthToken(t, oauth.clientId, oauth.secret);
  return { scimSecret, partnerSecret, oauth: { clientId: oauth.clientId, secret: oauth.secret }, scimJwt };
}

const partnerSync = (t: TestApp, secret: string) =>
  t.http
    .post('/api/admin/users/sync')
    .set(bearer(jwt.sign({ orgCode: 'acme' }, secret, { algorithm: 'HS256', expiresIn: 300 })))
    .send({ mode: 'upsert', users: [{ externalId: 'p-1', email: 'p-1@example.com', orgCode: 'acme' }] });

async function expectWorking(t: TestApp, credentials: Credentials): Promise<void> {
  await t.http.get('/scim/v2/Users').set(bearer(credentials.scimSecret)).expect(200);
  await oauthToken(t, credentials.oauth.clientId, credentials.oauth.secret);
  await partnerSync(t, credentials.partnerSecret).expect(200);
}

describe('the server key lives outside the database', () => {
  it(
    'embedded: generates DATA_DIR/server.key with mode 0600, never stores it in the database, narrows a widened mode',
    async () => {
      const store = embeddedStore();
      try {
        const first = await startAppOn(store, { JWT_SECRET: '' });
        const keyFile = path.join(store.dataDir, 'server.key');
        let credentials: Credentials;
        try {
          expect(mode(keyFile)).toBe(0o600);
          expect(await storedKeys(first)).toEqual(['server_key_fingerprint']);
          credentials = await makeCredentials(first);
        } finally {
          await first.close();
        }
        const key = fs.readFileSync(keyFile, 'utf8').trim();
        expect(key.length).toBeGreaterThanOrEqual(64);
        fs.chmodSync(keyFile, 0o644);

        const second = await startAppOn(store, { JWT_SECRET: '' });
        try {
          expect(mode(keyFile)).toBe(0o600);
          expect(fs.readFileSync(keyFile, 'utf8').trim()).toBe(key);
          await expectWorking(second, credentials);
          // Signed under the same key: still good after the restart.
          await second.http.get('/scim/v2/Users').set(bearer(credentials.scimJwt)).expect(200);
          const dump = JSON.stringify(await second.app.get(DataSource).query(`SELECT * FROM server_settings`));
          expect(dump).not.toContain(key);
        } finally {
          await second.close();
        }
      } finally {
        await store.drop();
      }
    },
    RESTARTS_TIMEOUT_MS,
  );

  it(
    'embedded upgrade: a key an earlier version stored is moved to the key file and deleted; credentials keep working',
    async () => {
      const store = embeddedStore();
      try {
        const oldKey = randomSecret('stored-by-an-earlier-version');
        const first = await startAppOn(store, { JWT_SECRET: oldKey });
        let credentials: Credentials;
        try {
          credentials = await makeCredentials(first);
          await storeKeyLikeEarlierVersions(first, oldKey);
        } finally {
          await first.close();
        }
        const second = await startAppOn(store, { JWT_SECRET: '' });
        try {
          const keyFile = path.join(store.dataDir, 'server.key');
          expect(fs.readFileSync(keyFile, 'utf8').trim()).toBe(oldKey);
          expect(mode(keyFile)).toBe(0o600);
          expect(await storedKeys(second)).toEqual(['server_key_fingerprint']);
          await expectWorking(second, credentials);
          await second.http.get('/scim/v2/Users').set(bearer(credentials.scimJwt)).expect(200);
        } finally {
          await second.close();
        }
      } finally {
        await store.drop();
      }
    },
    RESTARTS_TIMEOUT_MS,
  );

  describe('with JWT_SECRET (the PostgreSQL way)', () => {
    let store: AppStore;
    beforeEach(async () => (store = await createAppStore()));
    afterEach(() => store.drop());

    it(
      'deletes a stored key equal to JWT_SECRET at start',
      async () => {
        const key = randomSecret('the-same-key');
        const first = await startAppOn(store, { JWT_SECRET: key });
        let credentials: Credentials;
        try {
          credentials = await makeCredentials(first);
          await storeKeyLikeEarlierVersions(first, key);
        } finally {
          await first.close();
        }
        const second = await startAppOn(store, { JWT_SECRET: key });
        try {
          expect(await storedKeys(second)).toEqual(['server_key_fingerprint']);
          await expectWorking(second, credentials);
        } finally {
          await second.close();
        }
      },
      RESTARTS_TIMEOUT_MS,
    );

    it(
      'refuses a different stored key, exports it, and rotates with it as the previous key without re-issuing anything',
      async () => {
        const [oldKey, newKey] = [randomSecret('old-server-key'), randomSecret('new-server-key')];
        const first = await startAppOn(store, { JWT_SECRET: oldKey });
        let credentials: Credentials;
        try {
          credentials = await makeCredentials(first);
          await storeKeyLikeEarlierVersions(first, oldKey);
        } finally {
          await first.close();
        }

        const exported = path.join(store.dataDir, 'exported.key');
        const database = await openDatabase(store);
        try {
          const config = loadConfig({
            DATA_DIR: store.dataDir,
            JWT_SECRET: newKey,
            ...(store.databaseUrl ? { DATABASE_URL: store.databaseUrl } : {}),
          });
          // Neither used silently (a key from a dump) nor dropped silently (every credential orphaned).
          await expect(loadServerKey(config, database.dataSource)).rejects.toThrow(/npm run key:export -- --out FILE/);
          expect(await exportStoredKey(database.dataSource, exported)).toBe(true);
          expect(await exportStoredKey(database.dataSource, path.join(store.dataDir, 'again.key'))).toBe(false);
        } finally {
          await database.close();
        }
        expect(fs.readFileSync(exported, 'utf8').trim()).toBe(oldKey);
        expect(mode(exported)).toBe(0o600);

        const second = await startAppOn(store, { JWT_SECRET: newKey, JWT_SECRET_PREVIOUS_FILE: exported });
        try {
          expect(await storedKeys(second)).toEqual(['server_key_fingerprint']);
          await expectWorking(second, credentials);
          // A token signed before the rotation stays good for its hour.
          await second.http.get('/scim/v2/Users').set(bearer(credentials.scimJwt)).expect(200);
          // Used once, hashes move to the new key; partner secrets were re-sealed at start.
          const rows: { kind: string; secret_hash: string; secret_encrypted: string | null }[] = await second.app
            .get(DataSource)
            .query(`SELECT kind, secret_hash, secret_encrypted FROM credentials WHERE revoked_on IS NULL`);
          const current = new ServerKey(newKey);
          expect(
            rows.find((row) => row.kind === 'SCIM_SECRET' && row.secret_hash === current.hash(credentials.scimSecret)),
          ).toBeDefined();
          const partner = rows.find((row) => row.kind === 'PARTNER_SECRET');
          expect(current.decrypt(partner!.secret_encrypted!)).toBe(credentials.partnerSecret);
        } finally {
          await second.close();
        }

        // The previous key retired: what was used or re-sealed keeps working; old JWTs do not.
        const third = await startAppOn(store, { JWT_SECRET: newKey });
        try {
          await expectWorking(third, credentials);
          await third.http.get('/scim/v2/Users').set(bearer(credentials.scimJwt)).expect(401);
        } finally {
          await third.close();
        }
      },
      RESTARTS_TIMEOUT_MS,
    );
  });
});
