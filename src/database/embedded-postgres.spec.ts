import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Pool } from 'pg';
import { DataDirLockedError, lockPathFor } from './embedded-postgres';

/*
 * PGlite's CommonJS build loads Node built-ins through dynamic import(), which code inside Jest's
 * VM sandbox may only do when Node runs with --experimental-vm-modules. So the module under test
 * runs in a plain Node child process, exactly as it does in production, driven over IPC; the pg
 * clients connect to it from this process.
 */
const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const MODULE_UNDER_TEST = path.join(__dirname, 'embedded-postgres.ts');
const HOST_SCRIPT = `
  const { startEmbeddedPostgres } = require(process.argv[1]);
  const instances = new Map();
  let nextId = 1;
  const commands = {
    async start({ dataDir, maxConnections }) {
      const pg = await startEmbeddedPostgres({ dataDir, maxConnections });
      const id = nextId++;
      instances.set(id, pg);
      return { id, url: pg.url };
    },
    async stop({ id }) {
      const pg = instances.get(id);
      // Every stop also exercises idempotency: concurrent and repeated calls.
      await Promise.all([pg.stop(), pg.stop()]);
      await pg.stop();
    },
  };
  process.on('message', async ({ seq, command, args }) => {
    try {
      process.send({ seq, result: await commands[command](args) });
    } catch (err) {
      process.send({ seq, error: { name: err.name, message: String(err.message) } });
    }
  });
  process.send({ ready: true });
`;

interface Running {
  readonly id: number;
  readonly url: string;
}

interface HostReply {
  seq?: number;
  ready?: boolean;
  result?: unknown;
  error?: { name: string; message: string };
}

/** A child Node process that runs startEmbeddedPostgres on request. */
class EmbeddedHost {
  private nextSeq = 1;
  private readonly pending = new Map<number, (reply: HostReply) => void>();
  private readonly running = new Set<number>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: HostReply) => {
      if (reply.seq === undefined) return;
      this.pending.get(reply.seq)?.(reply);
      this.pending.delete(reply.seq);
    });
    child.on('exit', () => {
      for (const settle of this.pending.values()) {
        settle({ error: { name: 'Error', message: 'embedded host exited' } });
      }
      this.pending.clear();
    });
  }

  static async spawn(): Promise<EmbeddedHost> {
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-e', HOST_SCRIPT, MODULE_UNDER_TEST],
      { cwd: PROJECT_ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    const host = new EmbeddedHost(child);
    const [first] = (await once(child, 'message')) as [HostReply];
    expect(first.ready).toBe(true);
    return host;
  }

  async start(dataDir: string, maxConnections = 6): Promise<Running> {
    const running = (await this.call('start', { dataDir, maxConnections })) as Running;
    this.running.add(running.id);
    return running;
  }

  async stop(instance: Running): Promise<void> {
    this.running.delete(instance.id);
    await this.call('stop', { id: instance.id });
  }

  async stopAll(): Promise<void> {
    for (const id of [...this.running]) await this.stop({ id, url: '' });
  }

  async kill(): Promise<void> {
    this.running.clear();
    await killProcess(this.child);
  }

  private call(command: string, args: object): Promise<unknown> {
    const seq = this.nextSeq++;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, (reply) => {
        if (reply.error) reject(Object.assign(new Error(reply.error.message), reply.error));
        else resolve(reply.result);
      });
      this.child.send({ seq, command, args });
    });
  }
}

async function killProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

// A cold start runs initdb inside WASM (~5 s). It is paid once; each test then gets a fresh data
// dir seeded with a copy of this cleanly stopped cluster, which opens in a fraction of that.
let host: EmbeddedHost;
let templateRoot: string;
let templatePgdata: string;

const tempDirs: string[] = [];
const clients: Array<{ end(): Promise<void> }> = [];
const extraProcesses: Array<{ kill(): Promise<void> }> = [];

beforeAll(async () => {
  host = await EmbeddedHost.spawn();
  templateRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-embedded-'));
  // A data dir that does not exist yet (nested) must be created, so the cold start covers that.
  const dataDir = path.join(templateRoot, 'nested', '.data');
  await host.stop(await host.start(dataDir, 2));
  templatePgdata = path.join(dataDir, 'pgdata');
});

afterAll(async () => {
  await host?.kill();
  fs.rmSync(templateRoot, { recursive: true, force: true });
});

afterEach(async () => {
  // Clients first: stopping the server under a connected pg Pool makes the pool emit errors.
  await Promise.all(clients.splice(0).map((c) => c.end()));
  await host.stopAll();
  await Promise.all(extraProcesses.splice(0).map((p) => p.kill()));
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function freshDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-embedded-'));
  tempDirs.push(dir);
  return dir;
}

function seededDir(): string {
  const dir = freshDir();
  fs.cpSync(templatePgdata, path.join(dir, 'pgdata'), { recursive: true });
  return dir;
}

async function connect(instance: Running): Promise<Client> {
  const client = new Client({ connectionString: instance.url });
  await client.connect();
  clients.push(client);
  return client;
}

async function disconnect(client: Client): Promise<void> {
  clients.splice(clients.indexOf(client), 1);
  await client.end();
}

async function selectOne(instance: Running): Promise<unknown> {
  return (await (await connect(instance)).query('SELECT 1 AS ok')).rows;
}

/** A separate process holding the data-dir lock the way the real code does. */
async function spawnLockHolder(lockPath: string): Promise<ChildProcess> {
  const script =
    "require('net').createServer((s) => s.destroy())" + ".listen(process.argv[1], () => console.log('ready'));";
  const child = spawn(process.execPath, ['-e', script, lockPath], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  extraProcesses.push({ kill: () => killProcess(child) });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  expect(chunk.toString()).toContain('ready');
  return child;
}

function lockedError(dataDir: string): object {
  const message: unknown = expect.stringContaining(dataDir);
  return { name: new DataDirLockedError(dataDir).name, message };
}

async function expectUniqueViolation(promise: Promise<unknown>): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code: '23505' });
}

describe('startEmbeddedPostgres', () => {
  it('keeps data across a stop and restart on the same dir', async () => {
    const dataDir = seededDir();
    const first = await host.start(dataDir);
    expect(first.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    const c1 = await connect(first);
    await c1.query('CREATE TABLE kept (id int PRIMARY KEY, note text)');
    await c1.query("INSERT INTO kept VALUES (1, 'survives')");
    await disconnect(c1);
    await host.stop(first);

    const second = await host.start(dataDir);
    const c2 = await connect(second);
    expect((await c2.query('SELECT id, note FROM kept')).rows).toEqual([{ id: 1, note: 'survives' }]);
  });

  it('refuses a second instance on a dir that is in use, naming the dir', async () => {
    const dataDir = seededDir();
    const first = await host.start(dataDir);

    await expect(host.start(dataDir)).rejects.toMatchObject(lockedError(dataDir));

    expect(await selectOne(first)).toEqual([{ ok: 1 }]);
  });

  it('is blocked by a live process holding the lock, but not by one killed with SIGKILL', async () => {
    const dataDir = seededDir();
    const lockPath = lockPathFor(dataDir);
    const holder = await spawnLockHolder(lockPath);

    await expect(host.start(dataDir)).rejects.toMatchObject(lockedError(dataDir));

    await killProcess(holder);
    // SIGKILL leaves the socket file behind; only nobody answering on it marks the lock stale.
    expect(fs.existsSync(lockPath)).toBe(true);
    expect(await selectOne(await host.start(dataDir))).toEqual([{ ok: 1 }]);
  });

  it('reopens a dir whose running instance was killed with SIGKILL, keeping committed data', async () => {
    const dataDir = seededDir();
    const doomed = await EmbeddedHost.spawn();
    extraProcesses.push(doomed);
    const client = await connect(await doomed.start(dataDir));
    await client.query('CREATE TABLE before_kill (id int)');
    await client.query('INSERT INTO before_kill SELECT generate_series(1, 100)');
    // The server vanishing makes the client emit 'error'; that is expected here.
    client.on('error', () => undefined);

    await doomed.kill();

    const survivor = await connect(await host.start(dataDir));
    const { rows } = await survivor.query('SELECT count(*)::int AS n FROM before_kill');
    expect(rows).toEqual([{ n: 100 }]);
  });

  it('releases the lock when the database cannot be opened', async () => {
    const dataDir = freshDir();
    const pgdata = path.join(dataDir, 'pgdata');
    fs.writeFileSync(pgdata, 'not a directory');

    await expect(host.start(dataDir)).rejects.toThrow(pgdata);
    expect(fs.existsSync(lockPathFor(dataDir))).toBe(false);

    fs.rmSync(pgdata);
    fs.cpSync(templatePgdata, pgdata, { recursive: true });
    expect(await selectOne(await host.start(dataDir))).toEqual([{ ok: 1 }]);
  });

  it('supports the SQL the app relies on through pg', async () => {
    const client = await connect(await host.start(seededDir()));

    await client.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    const trgm = await client.query("SELECT similarity('provision', 'provisioning') > 0.5 AS close");
    expect(trgm.rows).toEqual([{ close: true }]);

    await client.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL,
        user_name text NOT NULL,
        external_id text,
        attributes jsonb NOT NULL DEFAULT '{}'::jsonb
      )`);
    await client.query(
      'CREATE UNIQUE INDEX users_external_id ON users (tenant_id, external_id) ' + 'WHERE external_id IS NOT NULL',
    );
    await client.query('CREATE UNIQUE INDEX users_user_name ON users (tenant_id, lower(user_name))');

    const inserted = await client.query<{ id: string }>(
      "INSERT INTO users (tenant_id, user_name) VALUES ('t1', 'alice'), ('t1', 'bob') RETURNING id",
    );
    expect(inserted.rows[0].id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/);
    // Two NULL external_ids are fine under the partial index; a duplicate value is not.
    await client.query("INSERT INTO users (tenant_id, user_name, external_id) VALUES ('t1', 'c', 'x1')");
    await expectUniqueViolation(
      client.query("INSERT INTO users (tenant_id, user_name, external_id) VALUES ('t1', 'd', 'x1')"),
    );
    await expectUniqueViolation(client.query("INSERT INTO users (tenant_id, user_name) VALUES ('t1', 'ALICE')"));

    const upsert = await client.query(
      `INSERT INTO users (tenant_id, user_name, external_id, attributes)
       VALUES ($1, $2, $3, $4::jsonb), ($1, $5, $6, $7::jsonb)
       ON CONFLICT (tenant_id, external_id) WHERE external_id IS NOT NULL
       DO UPDATE SET user_name = EXCLUDED.user_name, attributes = EXCLUDED.attributes
       RETURNING user_name, external_id, attributes`,
      ['t1', 'carol', 'x1', '{"dept":"ops"}', 'dave', 'x2', '{"tags":["a","b"]}'],
    );
    expect(upsert.rows).toEqual([
      { user_name: 'carol', external_id: 'x1', attributes: { dept: 'ops' } },
      { user_name: 'dave', external_id: 'x2', attributes: { tags: ['a', 'b'] } },
    ]);
    const byJson = await client.query(
      `SELECT user_name FROM users WHERE attributes @> '{"dept":"ops"}' AND attributes->>'dept' = 'ops'`,
    );
    expect(byJson.rows).toEqual([{ user_name: 'carol' }]);

    expect((await client.query('SELECT pg_advisory_lock(4242)')).rowCount).toBe(1);
    expect((await client.query('SELECT pg_advisory_unlock(4242) AS ok')).rows).toEqual([{ ok: true }]);

    await client.query("SET statement_timeout = '5s'");
    expect((await client.query('SHOW statement_timeout')).rows).toEqual([{ statement_timeout: '5s' }]);
  });

  it('serves concurrent queries from a pg Pool without mixing up results', async () => {
    const instance = await host.start(seededDir(), 5);
    const pool = new Pool({ connectionString: instance.url, max: 5 });
    clients.push(pool);

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        pool.query<{ i: number; label: string }>('SELECT $1::int AS i, $2::text AS label', [i, `q${i}`]),
      ),
    );

    expect(results.map((r) => r.rows[0])).toEqual(Array.from({ length: 20 }, (_, i) => ({ i, label: `q${i}` })));
    expect(pool.totalCount).toBe(5);
  });
});

describe('lockPathFor', () => {
  it('uses a short path in the temp dir when the data dir path is too long for a socket', () => {
    const root = freshDir();
    const deep = path.join(root, 'a'.repeat(60), 'b'.repeat(60));
    fs.mkdirSync(deep, { recursive: true });
    const link = path.join(root, 'link');
    fs.symlinkSync(deep, link);

    const lockPath = lockPathFor(deep);
    expect(lockPath).toMatch(/idp-pg-[0-9a-f]{16}\.sock$/);
    expect(path.dirname(lockPath)).toBe(os.tmpdir());
    // Different spellings of one folder must share one lock.
    expect(lockPathFor(link)).toBe(lockPath);
    expect(lockPathFor(root)).toBe(path.join(fs.realpathSync(root), '.lock.sock'));
  });
});
