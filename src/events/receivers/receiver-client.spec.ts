import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from '../../config/app-config';
import { checkedLookup, RECEIVER_BODY_LIMIT, ReceiverClient, ReceiverError } from './receiver-client';
import { parseReceiverAllowlist } from './receiver-url';

describe('ReceiverClient', () => {
  let server: http.Server;
  let base: string;
  const seen: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ headers: req.headers, body });
        if (req.url === '/redirect') {
          res.writeHead(307, { Location: 'http://169.254.169.254/' }).end();
        } else if (req.url === '/huge') {
          res.writeHead(400, { 'Content-Type': 'application/json' });
          res.end('x'.repeat(RECEIVER_BODY_LIMIT * 3));
        } else if (req.url === '/slow') {
          setTimeout(() => res.writeHead(202).end(), 2000).unref();
        } else {
          res.writeHead(202).end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const client = (allow: string[]) => new ReceiverClient({ eventReceiverAllowlist: allow } as AppConfig);

  it('posts a SET with the RFC 8935 headers and answers the status', async () => {
    const receiver = client(['127.0.0.1']);
    await expect(
      receiver.post(`${base}/events`, 'a.b.c', { timeoutMs: 2000, headers: { Authorization: 'Bearer t' } }),
    ).resolves.toEqual({
      status: 202,
      body: '',
    });
    const last = seen[seen.length - 1];
    expect(last.body).toBe('a.b.c');
    expect(last.headers['content-type']).toBe('application/secevent+jwt');
    expect(last.headers.accept).toBe('application/json');
    expect(last.headers.authorization).toBe('Bearer t');
    receiver.onModuleDestroy();
  });

  it('refuses a loopback receiver that is not allow-listed, before connecting', async () => {
    const before = seen.length;
    const receiver = client([]);
    await expect(receiver.post(`${base}/events`, 'x', { timeoutMs: 2000 })).rejects.toMatchObject({ code: 'ADDRESS' });
    expect(seen.length).toBe(before);
  });

  it('does not follow redirects, caps the body read and times out', async () => {
    const receiver = client(['127.0.0.1']);
    await expect(receiver.post(`${base}/redirect`, 'x', { timeoutMs: 2000 })).rejects.toThrow(
      /307 \(redirect to http:\/\/169\.254\.169\.254\/\); redirects are not followed/,
    );
    const huge = await receiver.post(`${base}/huge`, 'x', { timeoutMs: 2000 });
    expect(huge.status).toBe(400);
    expect(huge.body.length).toBe(RECEIVER_BODY_LIMIT);
    await expect(receiver.post(`${base}/slow`, 'x', { timeoutMs: 200 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    receiver.onModuleDestroy();
  });
});

describe('checkedLookup', () => {
  const lookup = (allow: string[], ...addresses: string[]) =>
    checkedLookup(parseReceiverAllowlist(allow), () =>
      Promise.resolve(addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))),
    );
  const run = (fn: ReturnType<typeof lookup>, all: boolean) =>
    new Promise<unknown[]>((resolve) => fn('hooks.example.com', { all }, (...args: unknown[]) => resolve(args)));

  it('pins the first checked address, in both callback forms', async () => {
    const fn = lookup([], '93.184.216.34', '2606:2800::1');
    expect(await run(fn, false)).toEqual([null, '93.184.216.34', 4]);
    expect(await run(fn, true)).toEqual([null, [{ address: '93.184.216.34', family: 4 }]]);
  });

  it('refuses the connection when ANY address is not public (DNS rebinding)', async () => {
    const [error] = await run(lookup([], '93.184.216.34', '127.0.0.1'), false);
    expect(error).toBeInstanceOf(ReceiverError);
    expect((error as Error).message).toMatch(
      /refused to connect to hooks\.example\.com: 127\.0\.0\.1 is not a public address/,
    );
  });

  it('lets an allow-listed name resolve to private addresses', async () => {
    expect(await run(lookup(['hooks.example.com'], '10.0.0.5'), false)).toEqual([null, '10.0.0.5', 4]);
  });
});
