import * as fs from 'node:fs';
import type { JsonWebKey } from 'node:crypto';
import { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { buildAdminPage, launchChromium } from './support/admin-browser';
import { startSetReceiver } from './support/set-receiver';
import { startTestApp, TestApp } from './support/test-app';

const d = process.env.DATABASE_URL ? describe : describe.skip;
const AXE = require.resolve('axe-core/axe.min.js');

/**
 * The console's Event streams view (issue 20) in Chromium, against a push receiver on 127.0.0.1:
 * create, lag, pause and resume, replay, key rotation, a dead letter shown as text, delete.
 */
d('operator console in a browser: event streams of a tenant (server mode)', () => {
  let t: TestApp;
  let db: DataSource;
  let base: string;
  let browser: Browser;
  let page: Page;
  let receiver: Awaited<ReturnType<typeof startSetReceiver>>;
  const pageErrors: string[] = [];

  const keys = async (): Promise<JsonWebKey[]> =>
    (await t.http.get('/api/events/default/jwks.json').expect(200)).body.keys as JsonWebKey[];

  async function createUser(userName: string): Promise<void> {
    await t.http
      .post('/scim/v2/Users')
      .set({ Authorization: `Bearer ${t.secrets.scimSecret}` })
      .send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName })
      .expect(201);
  }

  /** Clicks Refresh until the stream's row shows what `done` wants. */
  async function untilRow(what: string, done: (cells: string[]) => boolean): Promise<string[]> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const cells = await page
        .locator('table[aria-label="Event streams"] tbody tr')
        .first()
        .locator('td')
        .allTextContents();
      if (done(cells)) return cells;
      if (Date.now() > deadline) throw new Error(`${what}: not shown (row: ${JSON.stringify(cells)})`);
      await page.getByRole('button', { name: 'Refresh', exact: true }).click();
      await page.waitForTimeout(150);
    }
  }
  const LAG = 5;
  const LAST_ERROR = 7;
  const DEAD = 9;

  beforeAll(async () => {
    buildAdminPage();
    t = await startTestApp({
      RATE_LIMITS: 'off',
      EVENT_RETRY_BASE: '0.1',
      EVENT_RETRY_MAX_BACKOFF: '0.3',
      EVENT_RETRY_MAX_SECONDS: '1',
      EVENT_RECEIVER_ALLOWLIST: '127.0.0.1',
    });
    db = t.app.get(DataSource);
    await t.app.listen(0, '127.0.0.1');
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    receiver = await startSetReceiver(keys);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    await page.goto(`${base}/admin`);
    await page.evaluate(`sessionStorage.setItem('idp-admin-token', ${JSON.stringify(t.secrets.adminToken)})`);
    await page.goto(`${base}/admin#/tenants/default`);
    await page.reload();
  });

  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await t?.close();
  });

  afterEach(() => expect(pageErrors).toEqual([]));

  it('creates a push stream from the tenant page, shows the API’s refusal, then lists it with its lag', async () => {
    await page.getByRole('link', { name: 'Event streams', exact: true }).first().waitFor();
    await page.locator('.tenant-page').getByRole('link', { name: 'Event streams', exact: true }).click();
    await page.waitForURL((url) => url.hash === '#/streams/default');
    await page.getByText('No event stream yet.').waitFor();
    const form = page.getByRole('form', { name: 'New event stream' });
    await form.getByLabel('Stream name').fill('HR receiver');
    // A private address that is not allow-listed: the API refuses it and the page says why.
    await form.getByLabel('Endpoint URL').fill('https://10.1.2.3/events');
    await form.getByRole('button', { name: 'Create stream' }).click();
    await expect(form.getByRole('alert').textContent()).resolves.toMatch(/^HTTP 400.*: .+/);
    await form.getByLabel('Endpoint URL').fill(receiver.url('/hr'));
    await form.getByLabel('Form').selectOption('full');
    await form.getByLabel('deactivate').uncheck();
    await form.getByRole('button', { name: 'Create stream' }).click();
    await form
      .getByRole('status')
      .getByText(/Created HR receiver/)
      .waitFor();
    const cells = await untilRow('the new stream', (row) => row.length > 0 && row[0].includes('HR receiver'));
    expect(cells.slice(1, 6)).toEqual(['push', receiver.url('/hr'), 'full', 'active', '0']);
    const [row] = await db.query<{ event_types: string[]; form: string }[]>(
      `SELECT event_types, form FROM event_streams WHERE tenant_id = 'default'`,
    );
    expect(row).toEqual({ event_types: ['create', 'patch', 'delete', 'activate'], form: 'full' });
  });

  it('pauses (the lag grows), resumes (the SET arrives), replays after a seq and rotates the key', async () => {
    await page.getByRole('table', { name: 'Event streams' }).getByRole('link', { name: 'HR receiver' }).click();
    const panel = page.getByRole('region', { name: /Stream HR receiver/ });
    await panel.getByRole('button', { name: 'Pause' }).click();
    await panel.getByText('Paused.').waitFor();
    await untilRow('paused', (row) => row[4] === 'paused');
    await createUser('stream.one');
    await untilRow('a lag of 1', (row) => row[LAG] === '1');
    expect(receiver.received).toEqual([]);

    await panel.getByRole('button', { name: 'Resume' }).click();
    await untilRow('delivered', (row) => row[4] === 'active' && row[LAG] === '0' && row[6] !== '—');
    expect(receiver.received.map((set) => set.path)).toEqual(['/hr']);
    const jti = receiver.received[0].jti;

    const [{ cursor }] = await db.query<{ cursor: string }[]>(`SELECT cursor::text FROM event_streams`);
    const after = String(BigInt(cursor) - 1n);
    await panel.getByLabel('Replay after seq').fill(after);
    await panel.getByRole('button', { name: 'Replay', exact: true }).click();
    const question = panel.getByRole('group', { name: /^Replay HR receiver after seq/ });
    await expect(question.locator('span').first().textContent()).resolves.toBe(
      `Replay HR receiver after seq ${after}? Every event from seq ${cursor} to ${cursor} (1 event(s) of the feed; ` +
        'those it carries: create, patch, delete, activate of user, department, assignment) is sent again, ' +
        'with the same jti, and later ones follow.',
    );
    await question.getByRole('button', { name: 'Replay' }).click();
    await panel.getByText(`Replaying after seq ${after}.`).waitFor();
    const deadline = Date.now() + 10_000;
    while (receiver.received.length < 2 && Date.now() < deadline) await page.waitForTimeout(50);
    expect(receiver.received.map((set) => set.jti)).toEqual([jti, jti]);

    const oldKid = (await panel.locator('.kid').textContent()) ?? '';
    await panel.getByRole('button', { name: 'Rotate signing key' }).click();
    await panel.getByRole('group', { name: new RegExp(`current key \\(${oldKid}\\) stays in the JWKS`) }).waitFor();
    await panel.getByRole('button', { name: 'Rotate', exact: true }).click();
    await panel.getByText(`previous ${oldKid} (still in the JWKS)`).waitFor();
    const kids = (await keys()).map((key) => (key as { kid: string }).kid);
    expect(kids).toContain(oldKid);
    expect(kids).toHaveLength(2);
  });

  it('shows a failing receiver’s error and its dead letters, the SET as text, never as markup', async () => {
    receiver.answer(() => 503);
    await createUser('stream.two');
    const cells = await untilRow('a dead letter', (row) => row[DEAD] !== '0');
    expect(cells[LAST_ERROR]).toMatch(/^receiver answered 503/);
    receiver.answer(() => 202);
    // A dead letter whose SET and error hold markup, as a hostile receiver could make an error say.
    const [stream] = await db.query<{ id: string }[]>(`SELECT id FROM event_streams`);
    await db.query(
      `INSERT INTO event_dead_letters (stream_id, tenant_id, seq, event_id, set_token, error, attempts, dead_on)
       VALUES ($1, 'default', 1, gen_random_uuid(), '<img id="pwned-set" src="x">', '<b id="pwned-error">x</b>', 3, now() - interval '1 hour')`,
      [stream.id],
    );
    const panel = page.getByRole('region', { name: /Stream HR receiver/ });
    await panel.getByRole('button', { name: 'Reload dead letters' }).click();
    const letters = panel.getByRole('table', { name: 'Dead letters' });
    await letters.locator('tbody tr[data-seq="1"]').waitFor();
    const first = await letters
      .locator('tbody tr[data-seq]:not([data-seq="1"])')
      .first()
      .locator('td')
      .allTextContents();
    expect(first[1]).toBe('receiver answered 503');
    expect(Number(first[2])).toBeGreaterThan(1);
    await expect(
      letters.locator('tr[data-set-of]:not([data-set-of="1"]) pre.set-token').first().textContent(),
    ).resolves.toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
    await expect(letters.locator('tbody tr[data-seq="1"] td').nth(1).textContent()).resolves.toBe(
      '<b id="pwned-error">x</b>',
    );
    await expect(letters.locator('tr[data-set-of="1"] pre.set-token').textContent()).resolves.toBe(
      '<img id="pwned-set" src="x">',
    );
    await expect(page.locator('#pwned-set, #pwned-error').count()).resolves.toBe(0);
    await page.evaluate(fs.readFileSync(AXE, 'utf8'));
    const violations = await page.evaluate<string[]>(
      `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
         .filter((v) => v.impact === 'serious' || v.impact === 'critical')
         .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`,
    );
    expect(violations).toEqual([]);
  });

  it('deletes the stream after a confirmation', async () => {
    const panel = page.getByRole('region', { name: /Stream HR receiver/ });
    await panel.getByRole('button', { name: 'Delete stream' }).click();
    const question = panel.getByRole('group', { name: /^Delete HR receiver\?/ });
    await question.getByRole('button', { name: 'Keep' }).click();
    await expect(db.query(`SELECT id FROM event_streams`)).resolves.toHaveLength(1);
    await panel.getByRole('button', { name: 'Delete stream' }).click();
    await panel.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByText('No event stream yet.').waitFor();
    expect(page.url()).toMatch(/#\/streams\/default$/);
    await expect(db.query(`SELECT id FROM event_streams`)).resolves.toHaveLength(0);
  });
});
