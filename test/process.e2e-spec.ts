import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { launchService as launch, ServiceProcess as Running, waitForListening } from './support/service-process';
import { CREDENTIALS_FILE } from '../src/auth/bootstrap.service';
import { createAppStore, randomSecret } from './support/test-app';

describe('the service process on its embedded defaults', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-process-'));
  const env = {
    DATA_DIR: dataDir,
    ADMIN_TOKEN: randomSecret('admin'),
    JWT_SECRET: randomSecret('jwt-secret-of-enough-length'),
  };
  const admin = { Authorization: `Bearer ${env.ADMIN_TOKEN}`, 'Content-Type': 'application/json' };
  const started: Running[] = [];

  afterAll(() => {
    for (const running of started) if (running.child.exitCode === null) running.child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses to start on a bad variable, naming it', async () => {
    const running = await launch({ ...env, PORT: 'eighty' });
    started.push(running);
    expect(await running.exited).toBe(78);
    expect(running.output()).toContain('Invalid configuration: PORT');
  });

  it('says it is initialising a new data directory before it listens, and not on a later start', async () => {
    const ownDir = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-process-init-'));
    try {
      const first = await launch({ ...env, DATA_DIR: ownDir });
      started.push(first);
      await waitForListening(first);
      const output = first.output();
      const initialising = output.indexOf(`Initialising a new data directory at ${path.join(ownDir, 'pgdata')}`);
      expect(initialising).toBeGreaterThan(-1);
      expect(initialising).toBeLessThan(output.indexOf('Listening on port'));
      expect(output).toMatch(/Initialised the data directory in \d+ s/);
      expect(output).toMatch(/Applied \d+ migration\(s\) in \d+ ms/);
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);

      const second = await launch({ ...env, DATA_DIR: ownDir });
      started.push(second);
      await waitForListening(second);
      expect(second.output()).not.toContain('Initialising a new data directory');
      expect(second.output()).not.toContain('Applied');
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      fs.rmSync(ownDir, { recursive: true, force: true });
    }
  }, 180_000);

  it('serves /health, refuses a second process on the same DATA_DIR, stops on SIGTERM and keeps its data', async () => {
    const first = await launch(env);
    started.push(first);
    await waitForListening(first);
    const base = `http://127.0.0.1:${first.port}`;
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', queue: { mode: 'in-process' } });
    const created = await fetch(`${base}/api/admin/tenants`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ id: 'survivor', name: 'Survivor' }),
    });
    expect(created.status).toBe(201);

    const second = await launch(env);
    started.push(second);
    expect(await second.exited).toBe(73);
    expect(second.output()).toMatch(/Data directory .* is in use by another running process/);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const third = await launch(env);
    started.push(third);
    await waitForListening(third);
    const kept = await fetch(`http://127.0.0.1:${third.port}/api/admin/tenants/survivor`, { headers: admin });
    expect(kept.status).toBe(200);
    // A lock left by kill -9 does not block the next start.
    third.child.kill('SIGKILL');
    await third.exited;
    const fourth = await launch(env);
    started.push(fourth);
    await waitForListening(fourth);
    expect((await fetch(`http://127.0.0.1:${fourth.port}/health`)).status).toBe(200);
    fourth.child.kill('SIGTERM');
    expect(await fourth.exited).toBe(0);
  }, 180_000);

  it('after SIGTERM goes on serving for SHUTDOWN_DELAY_MS with /health/ready at 503, then drains and exits 0', async () => {
    const running = await launch({ ...env, SHUTDOWN_DELAY_MS: '5000' });
    started.push(running);
    await waitForListening(running);
    const base = `http://127.0.0.1:${running.port}`;
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);

    running.child.kill('SIGTERM');
    await waitFor(() => running.output().includes('draining in 5000 ms'));
    // New connections, as a load balancer's checks make them: still accepted.
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'stopping' });
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    expect((await fetch(`${base}/api/admin/tenants`, { headers: admin })).status).toBe(200);
    expect(await running.exited).toBe(0);
  }, 120_000);
});

describe('LOG_LEVEL, in the service process', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-log-level-'));
  const env = { DATA_DIR: dataDir, JWT_SECRET: randomSecret('jwt-secret-of-enough-length') };
  const started: Running[] = [];

  afterAll(() => {
    for (const running of started) if (running.child.exitCode === null) running.child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** Starts the service, waits until it answers /health, stops it; returns its JSON lines. */
  async function linesOfAStart(extra: Record<string, string>): Promise<Record<string, unknown>[]> {
    const running = await launch({ ...env, ...extra });
    started.push(running);
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (running.child.exitCode !== null) throw new Error(`exited early:\n${running.output()}`);
      if (Date.now() > deadline) throw new Error(`did not start:\n${running.output()}`);
      const up = await fetch(`${running.base}/health`).then(
        (res) => res.ok,
        () => false,
      );
      if (up) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    // Every line is one JSON object: nothing else reaches stdout or stderr.
    return running
      .output()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  const listening = (line: Record<string, unknown>): boolean => String(line.message).startsWith('Listening on port');
  const mapped = (line: Record<string, unknown>): boolean => String(line.message).startsWith('Mapped {');

  it('writes no route table at the default level, only the lines an operator needs', async () => {
    const lines = await linesOfAStart({});
    expect(lines.filter(listening)).toHaveLength(1);
    expect(lines.some(mapped)).toBe(false);
    expect(lines.some((line) => line.context === 'InstanceLoader' || line.context === 'RoutesResolver')).toBe(false);
    // The first start generated the credentials it was not given: where they are, not what.
    expect(lines.some((line) => String(line.message).startsWith('Generated credentials written to'))).toBe(true);
    expect(lines.some((line) => line.message === 'SIGTERM received: shutting down')).toBe(true);
  }, 180_000);

  it('adds the route table at debug', async () => {
    const lines = await linesOfAStart({ LOG_LEVEL: 'debug' });
    expect(lines.filter(listening)).toHaveLength(1);
    expect(lines.filter(mapped).length).toBeGreaterThan(20);
    expect(lines.filter(mapped).every((line) => line.level === 'debug')).toBe(true);
  }, 180_000);

  it('writes no info line at error', async () => {
    const lines = await linesOfAStart({ LOG_LEVEL: 'error' });
    expect(lines.filter((line) => !['error', 'fatal'].includes(String(line.level)))).toEqual([]);
  }, 180_000);

  it('refuses a bad LOG_LEVEL, naming it', async () => {
    const running = await launch({ ...env, LOG_LEVEL: 'loud' });
    started.push(running);
    expect(await running.exited).toBe(78);
    expect(running.output()).toContain('Invalid configuration: LOG_LEVEL');
  });
});

// On the embedded database DATA_DIR holds the database too: it is writable or nothing starts.
(process.env.DATABASE_URL ? describe : describe.skip)('generated credentials, in the service process', () => {
  const started: Running[] = [];
  afterAll(() => {
    for (const running of started) if (running.child.exitCode === null) running.child.kill('SIGKILL');
  });

  it('writes them to a 0600 file under DATA_DIR and says only where; refuses to start, printing no secret, when it cannot', async () => {
    const store = await createAppStore();
    try {
      const env = { DATABASE_URL: store.databaseUrl!, JWT_SECRET: randomSecret('jwt-secret-of-enough-length') };
      const blocker = path.join(store.dataDir, 'a-file');
      fs.writeFileSync(blocker, '');
      const refused = await launch({ ...env, DATA_DIR: path.join(blocker, 'data') });
      started.push(refused);
      expect(await refused.exited).toBe(78);
      expect(refused.output()).toContain('Invalid configuration: DATA_DIR must be writable');
      expect(refused.output()).not.toMatch(/idp_(api|scim|admin)_/);

      // Nothing was kept that nobody knows: this start generates them again.
      const running = await launch({ ...env, DATA_DIR: store.dataDir });
      started.push(running);
      await waitForListening(running);
      const file = path.join(store.dataDir, CREDENTIALS_FILE);
      expect(running.output()).toContain(`Generated credentials written to ${file}`);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      const adminToken = /^ADMIN_TOKEN=(\S+)$/m.exec(fs.readFileSync(file, 'utf8'))?.[1];
      expect(adminToken).toMatch(/^idp_admin_/);
      const tenants = await fetch(`${running.base}/api/admin/tenants`, {
        headers: { Authorization: `Bearer ${adminToken}` },
      });
      expect(tenants.status).toBe(200);
      running.child.kill('SIGTERM');
      expect(await running.exited).toBe(0);
      expect(running.output()).not.toMatch(/idp_(api|scim|admin)_/);
    } finally {
      await store.drop();
    }
  }, 180_000);
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
