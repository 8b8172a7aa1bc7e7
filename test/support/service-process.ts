import { ChildProcess, spawn } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

export interface ServiceProcess {
  child: ChildProcess;
  port: number;
  base: string;
  output: () => string;
  exited: Promise<number | null>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The service as `npm start` runs it, in a process of its own (TypeScript transpiled on load).
 * `env` is all of its configuration: DATABASE_URL and REDIS_URL of the test run are not inherited.
 */
export async function launchService(env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  const { DATABASE_URL: _db, REDIS_URL: _redis, NODE_OPTIONS: _opts, ...inherited } = process.env;
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: ROOT,
    // Tests stop it at once unless they ask for the readiness grace (SHUTDOWN_DELAY_MS) themselves.
    env: { ...inherited, PORT: String(port), SHUTDOWN_DELAY_MS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, port, base: `http://127.0.0.1:${port}`, output: () => output, exited };
}

export async function waitForListening(service: ServiceProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!service.output().includes('Listening on port')) {
    if (service.child.exitCode !== null) throw new Error(`exited early:\n${service.output()}`);
    if (Date.now() > deadline) throw new Error(`did not start:\n${service.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
