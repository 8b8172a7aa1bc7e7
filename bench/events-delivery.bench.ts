// Benchmark: push delivery end to end. The built service (api + worker in one process, Redis when
// REDIS_URL is set) pushes 20,000 change events of one tenant to a push stream whose receiver is a
// local HTTP server answering 202; measured from the commit of the events to the last SET received.
// The events are written set-based in one INSERT (the capture path has its own benchmark); the
// service's sequencer numbers them. Target (the baseline named here): 2,000 delivered events/s.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 npm run bench:delivery
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import { Client } from 'pg';
import { ServerKey } from '../src/auth/server-key';
import { generateStreamKey } from '../src/events/sets/stream-keys';
import { withScratchDatabase } from './support/database';
import { freePort, startServer } from './support/processes';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const TARGET_PER_SECOND = 2_000;

async function main(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('Set DATABASE_URL to a PostgreSQL server');
  const name = `idp_bench_delivery_${randomBytes(4).toString('hex')}`;
  await withScratchDatabase(serverUrl, name, async (url) => {
    let received = 0;
    let lastAt = 0;
    const jtis = new Set<string>();
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received++;
        lastAt = performance.now();
        const claims = JSON.parse(Buffer.from(body.split('.')[1], 'base64url').toString()) as { jti: string };
        jtis.add(claims.jti);
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const receiverPort = (receiver.address() as AddressInfo).port;
    const jwtSecret = randomBytes(32).toString('hex');
    const service = await startServer(
      'service',
      ['dist/src/main.js'],
      {
        DATABASE_URL: url,
        REDIS_URL: process.env.REDIS_URL ?? '',
        RATE_LIMITS: 'off',
        REQUEST_LOG: 'off',
        ADMIN_TOKEN: `admin-${randomBytes(16).toString('hex')}`,
        PROVISIONING_API_TOKEN: `prov-${randomBytes(16).toString('hex')}`,
        JWT_SECRET: jwtSecret,
        EVENT_RECEIVER_ALLOWLIST: '127.0.0.1',
      },
      await freePort(),
      '/health',
    );
    const db = new Client({ connectionString: url });
    await db.connect();
    try {
      const key = generateStreamKey();
      const [stream] = (
        await db.query<{ id: string }>(
          `INSERT INTO event_streams (tenant_id, name, delivery, endpoint_url, event_types, resource_types, form,
             status, cursor, signing_kid, signing_key_sealed, public_jwk)
           VALUES ('default', 'bench', 'push', $1, '{create,patch,delete,activate,deactivate}',
             '{user,department,assignment}', 'full', 'active', 0, $2, $3, $4) RETURNING id`,
          [
            `http://127.0.0.1:${receiverPort}/events`,
            key.kid,
            new ServerKey(jwtSecret).encrypt(key.privateJwk),
            JSON.stringify(key.publicJwk),
          ],
        )
      ).rows;
      const started = performance.now();
      // 20,000 user creates of 20,000 users, as the capture triggers would write them.
      await db.query(
        `INSERT INTO change_events (tenant_id, resource_type, resource_id, external_id, version, event_type,
           attributes, data, door, occurred_on)
         SELECT 'default', 'user', gen_random_uuid(), 'bench-' || i, 1, 'create', '{userName,email,givenName}',
           jsonb_build_object('userName', 'bench' || i || '@example.com', 'email', 'bench' || i || '@example.com',
             'givenName', 'Bench', 'active', true),
           'system', now()
         FROM generate_series(1, $1) AS i`,
        [EVENTS],
      );
      const deadline = Date.now() + 300_000;
      while (jtis.size < EVENTS && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      const seconds = (lastAt - started) / 1000;
      const [state] = (
        await db.query<{ cursor: string; last: string }>(
          `SELECT cursor::text AS cursor, (SELECT max(last_seq)::text FROM change_runs) AS last FROM event_streams WHERE id = $1`,
          [stream.id],
        )
      ).rows;
      const rate = jtis.size / seconds;
      console.log(
        `events delivery: ${EVENTS} events, ${os.cpus().length} cores, ${process.env.REDIS_URL ? 'Redis' : 'in-process'} jobs`,
      );
      console.log(
        `  delivered (distinct jti) ${jtis.size}, POSTs ${received}, cursor ${state.cursor} of ${state.last}`,
      );
      console.log(`  end to end ${seconds.toFixed(2)} s: ${Math.round(rate)} events/s`);
      console.log(`  ratio to the target (${TARGET_PER_SECOND}/s): ${(rate / TARGET_PER_SECOND).toFixed(2)}x`);
      if (jtis.size < EVENTS) process.exitCode = 1;
    } finally {
      await db.end();
      await service.stop();
      receiver.closeAllConnections();
      receiver.close();
    }
  });
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
