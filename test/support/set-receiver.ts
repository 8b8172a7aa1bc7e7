import { createPublicKey, JsonWebKey, verify } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One SET as a test receiver accepted it, signature checked. */
export interface ReceivedSet {
  path: string;
  jti: string;
  kid: string;
  uri: string;
  events: Record<string, Record<string, unknown>>;
  claims: Record<string, unknown>;
  token: string;
}

/**
 * An RFC 8935 push receiver on 127.0.0.1: checks Content-Type application/secevent+jwt, the JWS
 * header (alg ES256, typ secevent+jwt) and the ES256 signature against the JWKs `keys()` answers
 * (by kid), and answers `answer(path)` (default 202). A SET that fails a check is answered 400
 * and recorded in `rejected`.
 */
export async function startSetReceiver(keys: () => Promise<JsonWebKey[]>, port = 0) {
  const received: ReceivedSet[] = [];
  const rejected: string[] = [];
  /** When each jti first arrived (ms since the epoch). */
  const receivedAt = new Map<string, number>();
  const state = { answer: (_path: string): number | Promise<number> => 202 };
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      void (async () => {
        const path = req.url ?? '/';
        const problem = await check(req.headers['content-type'], body, keys);
        if (typeof problem === 'string') {
          rejected.push(problem);
          res
            .writeHead(400, { 'Content-Type': 'application/json' })
            .end(JSON.stringify({ err: 'invalid_request', description: problem }));
          return;
        }
        const status = await state.answer(path);
        if (status >= 200 && status < 300) {
          received.push({ ...problem, path, token: body });
          if (!receivedAt.has(problem.jti)) receivedAt.set(problem.jti, Date.now());
        }
        res.writeHead(status).end();
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    url: (path = '/events') => `http://127.0.0.1:${bound}${path}`,
    received,
    receivedAt,
    rejected,
    /** What the receiver answers from now on, per path (a status, or a promise of one to answer late). */
    answer(fn: (path: string) => number | Promise<number>) {
      state.answer = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function check(
  contentType: string | undefined,
  token: string,
  keys: () => Promise<JsonWebKey[]>,
): Promise<string | Omit<ReceivedSet, 'path' | 'token'>> {
  if (contentType !== 'application/secevent+jwt') return `Content-Type ${contentType}`;
  const [head, body, signature] = token.split('.');
  if (!signature) return 'not a compact JWS';
  const header = JSON.parse(Buffer.from(head, 'base64url').toString()) as Record<string, string>;
  if (header.alg !== 'ES256' || header.typ !== 'secevent+jwt') return `header ${JSON.stringify(header)}`;
  const jwk = (await keys()).find((key) => (key as { kid?: string }).kid === header.kid);
  if (!jwk) return `unknown kid ${header.kid}`;
  const ok = verify(
    'sha256',
    Buffer.from(`${head}.${body}`),
    { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  if (!ok) return 'bad signature';
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
  return {
    jti: String(claims.jti),
    kid: header.kid,
    uri: String((claims.sub_id as { uri: string }).uri),
    events: claims.events as Record<string, Record<string, unknown>>,
    claims,
  };
}
