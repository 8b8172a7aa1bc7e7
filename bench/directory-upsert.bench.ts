// Benchmark: 10,000 users through UsersService.upsertMany (create, then update), against the
// raw-SQL floor for the same rows (one multi-row statement per 500 rows, no rules, no reads).
// Needs a real PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:directory
import { randomBytes, randomUUID } from 'node:crypto';
import * as os from 'node:os';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options';
import { runMigrations } from '../src/database/migrations';
import { AssignmentsRepository } from '../src/directory/assignments.repository';
import { DepartmentsRepository } from '../src/directory/departments.repository';
import { UserInput } from '../src/directory/directory.types';
import { UsersRepository } from '../src/directory/users.repository';
import { UsersService } from '../src/directory/users.service';
import { withScratchDatabase } from './support/database';
import { BenchOptions, BenchReport, figure, formatNumber, scaled, standalone } from './support/report';

const USERS = 10_000;
const RUNS = 3;
const PER_STATEMENT = 500;

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function items(users: number, prefix: string, givenName: string): UserInput[] {
  return Array.from({ length: users }, (_, i) => ({
    externalId: `${prefix}-${i}`,
    email: `${prefix}.${i}@example.com`,
    givenName,
    familyName: `User ${i}`,
    phoneNumber: '+44 20 7946 0000',
    active: true,
  }));
}

/** The floor: the same rows written with no reads and no rules, 500 rows per statement. */
async function rawInsert(source: DataSource, users: number, tenantId: string, prefix: string): Promise<void> {
  for (let start = 0; start < users; start += PER_STATEMENT) {
    const n = Math.min(PER_STATEMENT, users - start);
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

async function rawUpdate(source: DataSource, users: number, tenantId: string, prefix: string): Promise<void> {
  for (let start = 0; start < users; start += PER_STATEMENT) {
    const ids = Array.from({ length: Math.min(PER_STATEMENT, users - start) }, (_, k) => `${prefix}-${start + k}`);
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

export async function run(options: BenchOptions): Promise<BenchReport> {
  const users = scaled(USERS, options.scale);
  const name = `idp_bench_test_${randomBytes(4).toString('hex')}`;
  return withScratchDatabase(options.databaseUrl, name, async (url) => {
    const source = await new DataSource(dataSourceOptions(url)).initialize();
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
        figures.floorCreate.push(await time(() => rawInsert(source, users, 'floor', `f${run}`)));
        figures.floorUpdate.push(await time(() => rawUpdate(source, users, 'floor', `f${run}`)));
        figures.create.push(
          await time(() =>
            source.transaction((em) => service.upsertMany(em, 'bench', items(users, `r${run}`, 'New'), 'batch')),
          ),
        );
        figures.update.push(
          await time(() =>
            source.transaction((em) => service.upsertMany(em, 'bench', items(users, `r${run}`, 'Changed'), 'batch')),
          ),
        );
      }
      const [{ count }] = await source.query(
        `SELECT count(*)::int AS count FROM users WHERE tenant_id = 'bench' AND given_name = 'Changed'`,
      );
      if (count !== users * RUNS) throw new Error(`expected ${users * RUNS} updated users, found ${count}`);
      const row = (label: string, ms: number[], floor: number[]): string =>
        `${label.padEnd(34)} ${median(ms).toFixed(0).padStart(6)} ms   floor ${median(floor).toFixed(0).padStart(5)} ms   ratio ${(median(ms) / median(floor)).toFixed(2)}x`;
      console.log(
        `directory upsert, ${users} users, median of ${RUNS} runs, ${os.cpus().length} cores, PostgreSQL ${(await source.query('SHOW server_version'))[0].server_version}`,
      );
      console.log(row('UsersService.upsertMany (create)', figures.create, figures.floorCreate));
      console.log(row('UsersService.upsertMany (update)', figures.update, figures.floorUpdate));

      const n = users.toLocaleString('en-GB');
      const floor = (ms: number[]) => ({ name: 'floor', value: median(ms) });
      const results = [
        figure(`create ${n} users`, median(figures.create), 'ms', { baseline: floor(figures.floorCreate) }),
        figure(`update the same ${n} users`, median(figures.update), 'ms', { baseline: floor(figures.floorUpdate) }),
      ];
      const all = (ms: number[]) => ms.map((value) => formatNumber(value)).join(' / ');
      return {
        title: `Directory: ${n} users in one \`UsersService.upsertMany\` call`,
        command: 'DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:directory',
        notes: [
          `\`UsersService.upsertMany\` called directly (no HTTP), in one transaction, with ${n} new users, then ` +
            `with the same ${n} users changed (all updates); medians of ${RUNS} runs, each on new rows. ` +
            `Baseline (the "floor"): the same rows written with raw SQL, ${PER_STATEMENT} rows per statement, ` +
            'with no reads, no matching and no rules — the least any implementation must pay.',
          'What the ratio buys: loading the matching rows in bulk, uniqueness checks of userName and externalId, ' +
            'merging absent/null fields, `emails` kept as sent, and per-row isolation of a failing chunk.',
        ],
        figures: results,
        table: [
          ['operation', 'time', 'floor', 'ratio to floor'],
          ...results.map((result) => [
            result.scenario,
            `${formatNumber(result.value)} ms`,
            `${formatNumber(result.baseline!.value)} ms`,
            `${result.ratio!.toFixed(2)}x`,
          ]),
        ],
        details: [
          `Each run, in ms: create ${all(figures.create)} (floor ${all(figures.floorCreate)}); ` +
            `update ${all(figures.update)} (floor ${all(figures.floorUpdate)}).`,
        ],
        failures: [],
      };
    } finally {
      await source.destroy();
    }
  });
}

if (require.main === module) standalone(run);
