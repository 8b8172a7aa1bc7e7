// Child processes of a benchmark: servers started on a free port, waited for, stopped, and the CPU
// time they (and anything else on the machine) used, read from /proc (Linux).
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface Server {
  child: ChildProcess;
  base: string;
  stop(): Promise<void>;
}

/**
 * Starts `node <args>` from the repository root and waits until `readyPath` answers 200. The
 * server's own stderr goes to ours, so a crash is visible; stdout (its request logs) is dropped.
 */
export async function startServer(
  label: string,
  args: string[],
  env: Record<string, string>,
  port: number,
  readyPath: string,
): Promise<Server> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    // Stopped at once: no load balancer waits for its readiness to turn.
    env: { ...process.env, SHUTDOWN_DELAY_MS: '0', ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  const server: Server = { child, base, stop: () => stopChild(child) };
  try {
    for (let attempt = 0; attempt < 600; attempt++) {
      if (child.exitCode !== null) throw new Error(`${label} exited with ${child.exitCode} before it was ready`);
      const ok = await fetch(`${base}${readyPath}`).then(
        (res) => res.ok,
        () => false,
      );
      if (ok) return server;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${label} did not answer ${readyPath} within 60 s`);
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** SIGTERM, then SIGKILL after 10 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/**
 * The built service (`dist/src/main.js`) on `databaseUrl` with rate limits off and fresh
 * credentials, SCIM answering `scimSecret`: what the SCIM door benchmarks measure.
 */
export async function startScimService(
  databaseUrl: string,
  redisUrl: string | undefined,
  scimSecret: string,
): Promise<Server> {
  const token = (prefix: string) => `${prefix}-${randomBytes(16).toString('hex')}`;
  const env = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl ?? '',
    RATE_LIMITS: 'off',
    SCIM_SHARED_SECRET: scimSecret,
    ADMIN_TOKEN: token('admin'),
    PROVISIONING_API_TOKEN: token('provisioning'),
    JWT_SECRET: randomBytes(32).toString('hex'),
  };
  return startServer('service', ['dist/src/main.js'], env, await freePort(), '/health');
}

/** User + system CPU time a process has used, in ms; 0 once it is gone. */
export function processCpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces: fields count from after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/**
 * A CPU meter over processes: the time they used between the start and the read. A process that
 * ends in between counts for nothing (its last reading is gone with it).
 */
export function processesCpu(pids: () => readonly number[]): () => () => number {
  return () => {
    const start = new Map(pids().map((pid) => [pid, processCpuMs(pid)]));
    return () =>
      [...start].reduce((sum, [pid, before]) => {
        const now = processCpuMs(pid);
        return now > 0 ? sum + now - before : sum;
      }, 0);
  };
}

/** CPU time the whole machine spent busy and in total (all cores), in ms. */
export function machineCpuMs(): { busy: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  const idle = ticks[3] + (ticks[4] ?? 0);
  return { busy: ((total - idle) * 1000) / TICKS_PER_SECOND, total: (total * 1000) / TICKS_PER_SECOND };
}

/** A process and every process below it (Linux: /proc/<pid>/task/<tid>/children). */
export function processTree(pid: number): number[] {
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    let tasks: string[] = [];
    try {
      tasks = fs.readdirSync(`/proc/${tree[i]}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      try {
        const children = fs.readFileSync(`/proc/${tree[i]}/task/${task}/children`, 'utf8').trim();
        if (children) tree.push(...children.split(/\s+/).map(Number));
      } catch {
        // The task ended meanwhile.
      }
    }
  }
  return tree;
}

/** A memory figure of /proc/<pid>/status in MB (VmHWM: the peak resident set; VmRSS: now); 0 once it is gone. */
export function memoryMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? 0 : Number(kb) / 1024;
  } catch {
    return 0;
  }
}

/**
 * Peak resident memory of a process with everything it started: the kernel's own peak (VmHWM) of
 * each, summed (for a single process that is exact; for several, a bound above their joint peak).
 */
export const peakRssMb = (pid: number): number =>
  processTree(pid).reduce((sum, each) => sum + memoryMb(each, 'VmHWM'), 0);

/**
 * Samples the resident memory of process trees every `everyMs`: the highest sum seen per name, for
 * processes that come and go (a child that ends before the run does takes its VmHWM with it).
 */
export function sampleRss(pids: Record<string, number>, everyMs = 1_000): { stop: () => Record<string, number> } {
  const peaks: Record<string, number> = Object.fromEntries(Object.keys(pids).map((name) => [name, 0]));
  const sample = () => {
    for (const [name, pid] of Object.entries(pids)) {
      const now = processTree(pid).reduce((sum, each) => sum + memoryMb(each, 'VmRSS'), 0);
      peaks[name] = Math.max(peaks[name], now);
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return peaks;
    },
  };
}
