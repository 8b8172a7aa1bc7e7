// Benchmark: 10,000 users through UsersService.upsertMany (create, then update), against the
// raw-SQL floor for the same rows (one multi-row statement per 500 rows, no rules, no reads).
// Needs a real PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:directory
import { randomBytes, randomUUID } from 'node:crypto';
import * as os from 'node:os';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options';
import { runMigrations } from '../src/database/migrations';
import { AssignmentsRepository } from '../src/directory/assignments.repository';
import { DepartmentsRepository } from '../src/directory/departments.repository';
import { UserInput } from '../src/directory/directory.types';
import { UsersRepository } from '../src/directory/users.repository';
import { UsersService } from '../src/directory/users.service';

const USERS = 10_000;
const RUNS = 3;

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function items(prefix: string, givenName: string): UserInput[] {
  return Array.from({ length: USERS }, (_, i) => ({
    externalId: `${prefix}-${i}`,
    email: `${prefix}.${i}@example.com`,
    givenName,
    familyName: `User ${i}`,
    phoneNumber: '+44 20 7946 0000',
    active: true,
  }));
}

/** The floor: the same rows written with no reads and no rules, 500 rows per statement. */
async function rawInsert(source: DataSource, tenantId: string, prefix: string): Promise<void> {
  for (let start = 0; start < USERS; start += 500) {
    const n = Math.min(500, USERS - start);
    const idx = Array.from({ length: n }, (_, k) => start + k);
    await source.query(
      `INSERT INTO users (id, tenant_id, user_name, external_id, given_name, family_name, email, emails, phone_number, active, created_by, changed_by)
       SELECT u.id, $1, u.email, u.ext, 'Raw', u.family, u.email,
              jsonb_build_array(jsonb_build_object('value', u.email, 'type', 'work', 'primary', true)),
              '+44 20 7946 0000', true, 'batch', 'batch'
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[]) AS u(id, ext, email, family)`,
      [
        tenantId,
        idx.map(() => randomUUID()),
        idx.map((i) => `${prefix}-${i}`),
        idx.map((i) => `${prefix}.${i}@example.com`),
        idx.map((i) => `User ${i}`),
      ],
    );
  }
}

async function rawUpdate(source: DataSource, tenantId: string, prefix: string): Promise<void> {
  for (let start = 0; start < USERS; start += 500) {
    const ids = Array.from({ length: Math.min(500, USERS - start) }, (_, k) => `${prefix}-${start + k}`);
    await source.query(
      `UPDATE users SET given_name = 'Raw again', version = version + 1, updated_on = now()
        WHERE tenant_id = $1 AND external_id = ANY($2::text[])`,
      [tenantId, ids],
    );
  }
}

async function time(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

async function main(): Promise<void> {
  const server = process.env.DATABASE_URL;
  if (!server) throw new Error('DATABASE_URL must name a PostgreSQL server');
  const name = `idp_bench_test_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  const source = await new DataSource(dataSourceOptions(url.toString())).initialize();
  try {
    await runMigrations(source);
    await source.query(`INSERT INTO tenants (id, name) VALUES ('bench', 'Bench'), ('floor', 'Floor')`);
    const service = new UsersService(new UsersRepository(), new DepartmentsRepository(), new AssignmentsRepository());
    const figures = {
      floorCreate: [] as number[],
      floorUpdate: [] as number[],
      create: [] as number[],
      update: [] as number[],
    };
    for (let run = 0; run < RUNS; run++) {
      figures.floorCreate.push(await time(() => rawInsert(source, 'floor', `f${run}`)));
      figures.floorUpdate.push(await time(() => rawUpdate(source, 'floor', `f${run}`)));
      figures.create.push(
        await time(() => source.transaction((em) => service.upsertMany(em, 'bench', items(`r${run}`, 'New'), 'batch'))),
      );
      figures.update.push(
        await time(() =>
          source.transaction((em) => service.upsertMany(em, 'bench', items(`r${run}`, 'Changed'), 'batch')),
        ),
      );
    }
    const [{ count }] = await source.query(
      `SELECT count(*)::int AS count FROM users WHERE tenant_id = 'bench' AND given_name = 'Changed'`,
    );
    if (count !== USERS * RUNS) throw new Error(`expected ${USERS * RUNS} updated users, found ${count}`);
    const row = (label: string, ms: number[], floor: number[]): string =>
      `${label.padEnd(34)} ${median(ms).toFixed(0).padStart(6)} ms   floor ${median(floor).toFixed(0).padStart(5)} ms   ratio ${(median(ms) / median(floor)).toFixed(2)}x`;
    console.log(
      `directory upsert, ${USERS} users, median of ${RUNS} runs, ${os.cpus().length} cores, PostgreSQL ${(await source.query('SHOW server_version'))[0].server_version}`,
    );
    console.log(row('UsersService.upsertMany (create)', figures.create, figures.floorCreate));
    console.log(row('UsersService.upsertMany (update)', figures.update, figures.floorUpdate));
  } finally {
    await source.destroy();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
