import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { launchService as launch, ServiceProcess as Running, waitForListening } from './support/service-process';
import { randomSecret } from './support/test-app';

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
});
