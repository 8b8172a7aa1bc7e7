import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpDrain } from './http-drain';

/** A server whose /slow answers after `slowMs`, everything else at once. */
async function serve(slowMs: number): Promise<{ server: http.Server; drain: HttpDrain; base: string }> {
  const server = http.createServer((req, res) => {
    const answer = () => res.end('done');
    if (req.url === '/slow') setTimeout(answer, slowMs);
    else answer();
  });
  const drain = new HttpDrain(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, drain, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function get(
  base: string,
  path: string,
  agent: http.Agent,
): Promise<{ status?: number; connection?: string; error?: string }> {
  return new Promise((resolve) => {
    http
      .get(`${base}${path}`, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, connection: res.headers.connection }));
      })
      .on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code }));
  });
}

describe('HttpDrain', () => {
  it('answers the request in flight with Connection: close, refuses new connections, then settles', async () => {
    const { drain, base } = await serve(300);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
    await get(base, '/fast', agent); // leaves an idle keep-alive connection
    const inFlight = get(base, '/slow', agent);
    await new Promise((resolve) => setTimeout(resolve, 50));

    const started = Date.now();
    const drained = drain.drain(5_000);
    expect(await inFlight).toEqual({ status: 200, connection: 'close' });
    expect(await get(base, '/fast', new http.Agent())).toEqual({ error: 'ECONNREFUSED' });
    await drained;
    expect(drain.openConnections).toBe(0);
    // The idle connection was closed after its idle grace, not held until the timeout.
    expect(Date.now() - started).toBeLessThan(2_000);
    agent.destroy();
  });

  it('destroys what is still open when the timeout comes', async () => {
    const { drain, base } = await serve(10_000);
    const agent = new http.Agent({ keepAlive: true });
    const stuck = get(base, '/slow', agent);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await drain.drain(300);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await stuck).error).toBe('ECONNRESET');
    expect(drain.openConnections).toBe(0);
  });
});
