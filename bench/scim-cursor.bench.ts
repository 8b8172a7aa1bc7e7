// Benchmark: RFC 9865 cursor pagination on 100,000 users in real PostgreSQL. Times a cursor page of
// 100 deep in the walk (page 1,000, its cursor fetched by walking there) against the first cursor
// page, measured in the same run (target: page 1,000 < 1.5x page 1); and, for contrast, the index
// page at startIndex=99901 against index page 1. The service runs in this process (Nest app on a
// free port, RATE_LIMITS=off, REQUEST_LOG=off) on a scratch database; requests go over HTTP one at a
// time; each figure is the median of RUNS (default 31) requests, after a few unmeasured ones, the four
// queries timed in turn in each round.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:cursor
// (USERS=100000 RUNS=31 by default; the database idp_test_cursor_<random> is created and dropped after.)
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { createApp } from '../src/app.factory';
import { JsonLogger } from '../src/common/json-logger';
import { loadConfig } from '../src/config/app-config';
import { withScratchDatabase } from './support/database';
import { freePort } from './support/processes';
import { seedDirectory } from './support/scim-seed';

const USERS = Number(process.env.USERS ?? 100_000);
const RUNS = Number(process.env.RUNS ?? 31);
const COUNT = 100;
const DEEP_PAGE = 1_000;
const WARMUP = 5;

interface Page {
  totalResults: number;
  itemsPerPage: number;
  nextCursor?: string;
}

async function main(): Promise<void> {
  const server = process.env.DATABASE_URL;
  if (!server) throw new Error('DATABASE_URL must name a PostgreSQL server');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-cursor-bench-'));
  const secret = `scim-${randomBytes(32).toString('base64url')}`;
  await withScratchDatabase(server, `idp_test_cursor_${randomBytes(4).toString('hex')}`, async (url) => {
    const config = loadConfig({
      DATABASE_URL: url,
      DATA_DIR: dataDir,
      SCIM_SHARED_SECRET: secret,
      PROVISIONING_API_TOKEN: `api-${randomBytes(32).toString('base64url')}`,
      ADMIN_TOKEN: `admin-${randomBytes(32).toString('base64url')}`,
      JWT_SECRET: randomBytes(32).toString('base64url'),
      RATE_LIMITS: 'off',
      REQUEST_LOG: 'off',
    });
    const app = await createApp(config, { logger: new JsonLogger(['error', 'fatal']) });
    const port = await freePort();
    await app.listen(port, '127.0.0.1');
    try {
      const db = new Client({ connectionString: url });
      await db.connect();
      const seeding = performance.now();
      await db.query('SET statement_timeout = 0');
      await seedDirectory(db, config.defaultTenantId, { users: USERS, groups: 100 });
      await db.end();
      console.log(`seeded ${USERS} users in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);

      const base = `http://127.0.0.1:${port}/scim/v2/Users`;
      const get = async (query: string): Promise<Page> => {
        const res = await fetch(`${base}?${query}`, { headers: { Authorization: `Bearer ${secret}` } });
        if (res.status !== 200) throw new Error(`GET ?${query} answered ${res.status}: ${await res.text()}`);
        return (await res.json()) as Page;
      };
      // Interleaved: each round times every query once, so a busy moment of the machine falls on all alike.
      const timeAll = async (queries: string[]): Promise<number[]> => {
        for (const query of queries) for (let i = 0; i < WARMUP; i++) await get(query);
        const times: number[][] = queries.map(() => []);
        for (let round = 0; round < RUNS; round++) {
          for (const [i, query] of queries.entries()) {
            const started = performance.now();
            const page = await get(query);
            times[i].push(performance.now() - started);
            if (page.itemsPerPage !== COUNT) throw new Error(`?${query} answered ${page.itemsPerPage} resources`);
          }
        }
        return times.map((list) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)]);
      };

      // Walk to page 1,000 (ids only: attributes do not bind a cursor), keeping the cursor that opens it.
      const walking = performance.now();
      let cursor = '';
      for (let page = 1; page < DEEP_PAGE; page++) {
        const answer = await get(`cursor=${cursor}&count=${COUNT}&attributes=id`);
        if (!answer.nextCursor) throw new Error(`the walk ended at page ${page}`);
        cursor = answer.nextCursor;
      }
      const walkSeconds = (performance.now() - walking) / 1000;

      const [cursorFirst, cursorDeep, indexFirst, indexDeep] = await timeAll([
        `cursor=&count=${COUNT}`,
        `cursor=${cursor}&count=${COUNT}`,
        `startIndex=1&count=${COUNT}`,
        `startIndex=${(DEEP_PAGE - 1) * COUNT + 1}&count=${COUNT}`,
      ]);
      const line = (label: string, ms: number, baseline: number) =>
        console.log(`${label.padEnd(52)} ${ms.toFixed(1).padStart(7)} ms  ${(ms / baseline).toFixed(2)}x`);
      console.log(`\nGET /Users, ${COUNT} a page (all attributes, groups included), median of ${RUNS}:`);
      line('cursor page 1 (baseline)', cursorFirst, cursorFirst);
      line(`cursor page ${DEEP_PAGE} (target < 1.5x page 1)`, cursorDeep, cursorFirst);
      line('index page 1 (startIndex=1)', indexFirst, cursorFirst);
      line(
        `index page ${DEEP_PAGE} (startIndex=${(DEEP_PAGE - 1) * COUNT + 1}) vs index page 1`,
        indexDeep,
        indexFirst,
      );
      console.log(
        `\nwalk of ${DEEP_PAGE - 1} cursor pages (attributes=id): ${walkSeconds.toFixed(1)} s, ` +
          `${((walkSeconds * 1000) / (DEEP_PAGE - 1)).toFixed(1)} ms a page`,
      );
      console.log(`cursor page ${DEEP_PAGE} / page 1: ${(cursorDeep / cursorFirst).toFixed(2)}x (target < 1.5x)`);
    } finally {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
