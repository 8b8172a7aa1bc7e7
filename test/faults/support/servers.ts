import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import Redis from 'ioredis';
import { freePort } from '../../support/service-process';

/*
 * The PostgreSQL and Redis a fault test stops and starts: its own servers, on their own ports and
 * data folders, never the machine's shared ones. PostgreSQL refuses to run as root, so as root it
 * runs as the `postgres` system user (which owns its data folder).
 */

export interface PostgresServer {
  port: number;
  /** Connection string of the `postgres` database. */
  url: string;
  stop(mode?: 'fast' | 'immediate'): void;
  start(): Promise<void>;
  /** Stops the server and removes its data folder. */
  destroy(): void;
}

export interface RedisServer {
  port: number;
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

const PG_BIN = postgresBin();
const asRoot = process.getuid?.() === 0;

function postgresBin(): string {
  const versions = fs.existsSync('/usr/lib/postgresql') ? fs.readdirSync('/usr/lib/postgresql') : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('No PostgreSQL server binaries under /usr/lib/postgresql: install postgresql');
  return `/usr/lib/postgresql/${newest}/bin`;
}

/** Runs a PostgreSQL tool, as the `postgres` user when we are root. */
function pgTool(tool: string, args: string[]): string {
  const command = path.join(PG_BIN, tool);
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  return execFileSync(file, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export async function startPostgres(): Promise<PostgresServer> {
  const port = await freePort();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-fault-pg-'));
  const dataDir = path.join(root, 'data');
  fs.mkdirSync(dataDir);
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', root]);
  pgTool('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const options = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${root}`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
  ].join(' ');
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const server: PostgresServer = {
    port,
    url,
    stop: (mode = 'fast') => {
      pgTool('pg_ctl', ['-D', dataDir, '-m', mode, '-w', 'stop']);
    },
    start: async () => {
      pgTool('pg_ctl', ['-D', dataDir, '-l', path.join(root, 'log'), '-o', options, '-w', 'start']);
      await waitFor(() => pgAnswers(url), `PostgreSQL on port ${port}`);
    },
    destroy: () => {
      try {
        server.stop('immediate');
      } catch {
        // Already stopped.
      }
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-fault-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  const server: RedisServer = {
    port,
    url,
    start: async () => {
      // Like the machine's Redis: nothing kept on disk, so a restart starts empty.
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
        { stdio: 'ignore' },
      );
      await waitFor(() => redisAnswers(url), `Redis on port ${port}`);
    },
    stop: async () => {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
    },
    destroy: async () => {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

async function pgAnswers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 500,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined); // A refused connection is the answer "not yet".
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Polls `check` every 100 ms until it answers true; fails loudly after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs `sql` on `url` with a client of its own. */
export async function query<T = Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
