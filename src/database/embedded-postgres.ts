import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, realpathSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { PGlite, type Extension } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

// A plain require because tsconfig's moduleResolution "node" ignores package.json "exports", so
// TypeScript cannot resolve this subpath's types; Node resolves it fine at runtime.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pg_trgm } = require('@electric-sql/pglite/contrib/pg_trgm') as { pg_trgm: Extension };

/*
 * Embedded PostgreSQL for running without DATABASE_URL: PGlite (Postgres compiled to WASM) runs
 * inside this process and is exposed over the Postgres wire protocol on 127.0.0.1, so the regular
 * `pg` driver, TypeORM and the SQL migrations need no special casing.
 *
 * Caveats (measured), all because PGlite is one single-user backend that the socket server
 * multiplexes every connection onto:
 * - While one connection has a transaction open, the other connections' statements wait until it
 *   commits or rolls back. Correct, but not parallel.
 * - Session state is shared by all connections: a SET on one is seen by the others, and
 *   pg_advisory_lock does not exclude other connections (they all are the same session).
 * - statement_timeout is accepted but not enforced.
 * - Clients still connected at stop() get "Connection terminated unexpectedly": close the pool
 *   (TypeORM DataSource) first.
 */

export interface EmbeddedPostgresOptions {
  /** The app's DATA_DIR; the database files live in path.join(dataDir, 'pgdata'). */
  dataDir: string;
  /** Must be >= the pg pool size; connections beyond it are refused by the socket server. */
  maxConnections: number;
  log?: (message: string) => void;
}

export interface EmbeddedPostgres {
  /** A postgres:// connection string usable by `pg`. */
  readonly url: string;
  /** Idempotent: closes the socket server, closes PGlite (flushing to disk), releases the lock. */
  stop(): Promise<void>;
}

export class DataDirLockedError extends Error {
  constructor(readonly dataDir: string) {
    super(
      `Data directory ${dataDir} is in use by another running process; ` + 'stop it or set DATA_DIR to another folder',
    );
    this.name = 'DataDirLockedError';
  }
}

const HOST = '127.0.0.1';
/** How often a first start says it is still initialising the data directory. */
export const INIT_PROGRESS_INTERVAL_MS = 5000;
// sun_path is 108 bytes on Linux (104 on macOS); stay well below both.
const MAX_SOCKET_PATH_BYTES = 100;

/**
 * Where the lock socket for a data dir lives. The dir must exist: the path is derived from its
 * realpath so that symlinked or relative spellings of one folder share one lock.
 */
export function lockPathFor(dataDir: string): string {
  const realDir = realpathSync(dataDir);
  const inDir = path.join(realDir, '.lock.sock');
  if (Buffer.byteLength(inDir) < MAX_SOCKET_PATH_BYTES) return inDir;
  const digest = createHash('sha256').update(realDir).digest('hex').slice(0, 16);
  return path.join(os.tmpdir(), `idp-pg-${digest}.sock`);
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const startedAt = Date.now();
  const dataDir = path.resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });

  // The lock must be held before PGlite touches the folder: PGlite itself does nothing to stop
  // two processes from opening (and corrupting) the same data directory.
  const lock = await acquireDataDirLock(dataDir);
  try {
    const pgdataDir = path.join(dataDir, 'pgdata');
    if (!existsSync(path.join(pgdataDir, 'PG_VERSION'))) await initialiseDataDir(pgdataDir, options.log);
    const db = await openDatabase(pgdataDir);
    const server = await serveDatabase(db, options.maxConnections).catch(async (err: unknown) => {
      await db.close();
      throw err;
    });
    const url = `postgres://postgres@${HOST}:${listeningPort(server)}/postgres`;
    options.log?.(`Embedded PostgreSQL for ${dataDir} listening on ${url} (${Date.now() - startedAt} ms)`);
    return createHandle(url, server, db, lock);
  } catch (err) {
    await lock.release();
    throw err;
  }
}

function createHandle(url: string, server: PGLiteSocketServer, db: PGlite, lock: DataDirLock): EmbeddedPostgres {
  let stopping: Promise<void> | undefined;
  const shutdown = async (): Promise<void> => {
    // Order matters: no client may reach PGlite while it closes, and the lock may only go once
    // PGlite has flushed everything to disk.
    try {
      await server.stop();
      await db.close();
    } finally {
      await lock.release();
    }
  };
  return {
    url,
    stop: () => (stopping ??= shutdown()),
  };
}

/**
 * A new data directory costs PGlite's initdb some 17 s of synchronous WebAssembly: on this thread
 * nothing else would run meanwhile, not even a progress line. So it runs in a worker thread while
 * this one reports, and this thread then opens the result as on any later start (about 2 s more).
 * It is built beside `pgdataDir` and renamed into place when complete, so a start killed halfway
 * leaves no half-made directory for the next one to trip on (we hold the data dir's lock here).
 */
async function initialiseDataDir(pgdataDir: string, log?: (message: string) => void): Promise<void> {
  const startedAt = Date.now();
  const seconds = (): string => ((Date.now() - startedAt) / 1000).toFixed(0);
  log?.(`Initialising a new data directory at ${pgdataDir}; this takes a while on first start`);
  const progress = setInterval(() => log?.(`Still initialising (${seconds()} s)`), INIT_PROGRESS_INTERVAL_MS);
  progress.unref();
  const building = `${pgdataDir}.initialising`;
  try {
    rmSync(building, { recursive: true, force: true });
    await initdbInWorker(building);
    renameSync(building, pgdataDir);
  } catch (err) {
    throw new Error(`Could not initialise embedded PostgreSQL data in ${pgdataDir}: ${describe(err)}`, { cause: err });
  } finally {
    clearInterval(progress);
  }
  log?.(`Initialised the data directory in ${seconds()} s`);
}

function initdbInWorker(pgdataDir: string): Promise<void> {
  // Plain JavaScript evaluated by Node itself (not TypeScript, not jest's sandbox), given
  // PGlite's resolved path so it loads the same package.
  const source = `
    const { workerData } = require('node:worker_threads');
    const { PGlite } = require(workerData.pglite);
    PGlite.create(workerData.pgdataDir).then((db) => db.close());`;
  const worker = new Worker(source, {
    eval: true,
    workerData: { pglite: require.resolve('@electric-sql/pglite'), pgdataDir },
  });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`initdb worker exited with ${code}`))));
  });
}

async function openDatabase(pgdataDir: string): Promise<PGlite> {
  try {
    // pg_trgm is bundled with PGlite; registering it is what makes a later
    // `CREATE EXTENSION IF NOT EXISTS pg_trgm` succeed.
    return await PGlite.create(pgdataDir, { extensions: { pg_trgm } });
  } catch (err) {
    // PGlite's filesystem failures are Emscripten ErrnoErrors: not Error instances and without a
    // message (e.g. `{ errno: 54 }`), so say which folder failed and keep the original as cause.
    throw new Error(`Could not open embedded PostgreSQL data in ${pgdataDir}: ${describe(err)}`, {
      cause: err,
    });
  }
}

function describe(err: unknown): string {
  if (err instanceof Error && err.message) return err.message;
  try {
    return JSON.stringify(err) ?? String(err);
  } catch {
    return String(err);
  }
}

async function serveDatabase(db: PGlite, maxConnections: number): Promise<PGLiteSocketServer> {
  // Port 0: the OS picks a free port and the server records the real one after listen.
  const server = new PGLiteSocketServer({ db, host: HOST, port: 0, maxConnections });
  serialiseRequestCycles(server, db);
  await server.start();
  return server;
}

/** The parts of pglite-socket 0.2.17's (internal) query queue that the fix below relies on. */
interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  resolve(bytes: number): void;
  reject(error: unknown): void;
  onData(data: Uint8Array): void;
}
interface QueryQueue {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  processQueue(): Promise<void>;
  clearQueueForHandler(handlerId: number): void;
}

const SYNC = 0x53; // 'S': ends an extended-protocol cycle (Parse/Bind/Describe/Execute ... Sync)
const QUERY = 0x51; // 'Q': a simple query is a cycle of its own
const TERMINATE = 0x58; // 'X'
const STARTUP = 0x00; // a startup message has no type byte: its length's high byte is 0

/**
 * pglite-socket multiplexes every connection onto PGlite's one session, but outside a
 * transaction it interleaves *messages*, not request cycles: connection B's Parse can land
 * between connection A's Bind and Sync, and A then reads B's result (measured: 2 in ~1,200
 * concurrent queries came back with another query's rows). Here a connection keeps the session
 * from its first message until a cycle ends (Sync or Query) with no transaction open; its
 * transaction keeps it until COMMIT/ROLLBACK, as before. The package is pinned (0.2.17), and
 * src/database/embedded-postgres.spec.ts checks this against concurrent traffic.
 */
function serialiseRequestCycles(server: PGLiteSocketServer, db: PGlite): void {
  const queue = (server as unknown as { queryQueue: QueryQueue }).queryQueue;
  if (!queue || !Array.isArray(queue.queue) || typeof queue.processQueue !== 'function') {
    throw new Error('@electric-sql/pglite-socket changed: the embedded database cannot serialise connections');
  }
  let owner: number | null = null;
  queue.processQueue = async function processQueue(this: QueryQueue): Promise<void> {
    if (this.processing || this.queue.length === 0) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const index = owner === null ? 0 : this.queue.findIndex((item) => item.handlerId === owner);
        if (index === -1) break; // the owner's next message has not arrived yet
        const [item] = this.queue.splice(index, 1);
        let bytes = 0;
        try {
          await db.runExclusive(() =>
            db.execProtocolRawStream(item.message, {
              onRawData: (data: Uint8Array) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
        } catch (error) {
          owner = null;
          item.reject(error);
          continue;
        }
        const type = item.message[0];
        const cycleEnded = type === SYNC || type === QUERY || type === TERMINATE || type === STARTUP;
        owner = cycleEnded && !db.isInTransaction() ? null : item.handlerId;
        this.lastHandlerId = item.handlerId;
        item.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  };
  // A connection that goes away mid-cycle must not keep the session.
  const clear = queue.clearQueueForHandler.bind(queue);
  queue.clearQueueForHandler = (handlerId: number): void => {
    clear(handlerId);
    if (owner === handlerId) {
      owner = null;
      void queue.processQueue();
    }
  };
}

function listeningPort(server: PGLiteSocketServer): number {
  // getServerConn() is the only public way to read the port chosen for port 0: "host:port".
  const conn = server.getServerConn();
  const port = Number(conn.slice(conn.lastIndexOf(':') + 1));
  if (!Number.isInteger(port) || port <= 0) {
    throw new Error(`Embedded PostgreSQL reported an unexpected address: ${conn}`);
  }
  return port;
}

interface DataDirLock {
  release(): Promise<void>;
}

/*
 * Node has no flock(), so the lock is a listening unix-domain socket: the kernel tears the
 * listener down when the process dies (even on SIGKILL), so "does anything accept on it?" tells a
 * live holder from a stale socket file.
 */
async function acquireDataDirLock(dataDir: string): Promise<DataDirLock> {
  const lockPath = lockPathFor(dataDir);
  const server = await listenOrNull(lockPath);
  if (server) return lockFor(server);

  if (await isAnswering(lockPath)) throw new DataDirLockedError(dataDir);
  removeIfPresent(lockPath);

  // A second EADDRINUSE means another process won the race for the stale lock just now.
  const retried = await listenOrNull(lockPath);
  if (!retried) throw new DataDirLockedError(dataDir);
  return lockFor(retried);
}

function lockFor(server: net.Server): DataDirLock {
  let released: Promise<void> | undefined;
  // Closing a listening unix socket also unlinks its file (libuv does it). Unlinking again
  // ourselves afterwards could delete a lock another process has taken in the meantime.
  const release = (): Promise<void> => new Promise((resolve) => server.close(() => resolve()));
  return { release: () => (released ??= release()) };
}

/** Listens on the path; resolves null when the path is already taken (EADDRINUSE). */
function listenOrNull(lockPath: string): Promise<net.Server | null> {
  return new Promise((resolve, reject) => {
    // Probing peers only need the connection to succeed; drop them straight away.
    const server = net.createServer((socket) => socket.destroy());
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') resolve(null);
      else reject(err);
    });
    server.listen(lockPath, () => {
      // The lock must never be the reason the process stays alive.
      server.unref();
      resolve(server);
    });
  });
}

function isAnswering(lockPath: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(lockPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      socket.destroy();
      // Nobody listening (the holder was killed) or the file vanished meanwhile: the lock is stale.
      if (err.code === 'ECONNREFUSED' || err.code === 'ENOENT') resolve(false);
      else reject(err);
    });
  });
}

function removeIfPresent(filePath: string): void {
  try {
    unlinkSync(filePath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
