// Benchmark: 1,000 new users through UsersService.createMany (one call) against the same 1,000
// through UsersService.createOne one after another (what SCIM POST /Users does per request),
// and the same at the SCIM service (ScimUsersService.createMany vs create), with the statements
// each sent to PostgreSQL counted (each is a round trip).
// Needs a real PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:creates
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import { DataSource, Logger as TypeOrmLogger } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options';
import { runMigrations } from '../src/database/migrations';
import { TransactionRunner } from '../src/database/transaction-runner';
import { AssignmentsRepository } from '../src/directory/assignments.repository';
import { DepartmentsRepository } from '../src/directory/departments.repository';
import { UserState } from '../src/directory/directory.types';
import { GroupsService } from '../src/directory/groups.service';
import { UsersRepository } from '../src/directory/users.repository';
import { UsersService } from '../src/directory/users.service';
import { ScimUsersService } from '../src/scim/scim-users.service';
import { withScratchDatabase } from './support/database';
import { BenchOptions, BenchReport, figure, formatNumber, scaled, standalone } from './support/report';

const USERS = 1_000;
const RUNS = 5;
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function states(users: number, prefix: string): UserState[] {
  return Array.from({ length: users }, (_, i) => ({
    userName: `${prefix}.${i}@example.com`,
    externalId: `${prefix}-${i}`,
    givenName: 'Given',
    middleName: null,
    familyName: `User ${i}`,
    displayName: `Given User ${i}`,
    emails: [{ value: `${prefix}.${i}@example.com`, type: 'work', primary: true }],
    phoneNumber: '+44 20 7946 0000',
    active: true,
    attributes: { title: 'Engineer' },
  }));
}

function bodies(users: number, prefix: string): unknown[] {
  return Array.from({ length: users }, (_, i) => ({
    schemas: [USER_SCHEMA],
    userName: `${prefix}.${i}@example.com`,
    externalId: `${prefix}-${i}`,
    name: { givenName: 'Given', familyName: `User ${i}` },
    displayName: `Given User ${i}`,
    emails: [{ value: `${prefix}.${i}@example.com`, type: 'work', primary: true }],
    phoneNumbers: [{ value: '+44 20 7946 0000', type: 'work' }],
    title: 'Engineer',
  }));
}

/** Counts the statements TypeORM sends (BEGIN, SAVEPOINT and COMMIT included). */
class StatementCounter implements TypeOrmLogger {
  count = 0;
  logQuery(): void {
    this.count++;
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

interface Measure {
  ms: number[];
  statements: number;
}

export async function run(options: BenchOptions): Promise<BenchReport> {
  const users = scaled(USERS, options.scale);
  const name = `idp_bench_test_${randomBytes(4).toString('hex')}`;
  return withScratchDatabase(options.databaseUrl, name, async (url) => {
    const counter = new StatementCounter();
    const source = await new DataSource({
      ...dataSourceOptions(url),
      logging: ['query'],
      logger: counter,
    }).initialize();
    try {
      await runMigrations(source);
      await source.query(`INSERT INTO tenants (id, name) VALUES ('bench', 'Bench')`);
      const departments = new DepartmentsRepository();
      const assignments = new AssignmentsRepository();
      const service = new UsersService(new UsersRepository(), departments, assignments);
      const scim = new ScimUsersService(
        new TransactionRunner(source),
        service,
        new GroupsService(departments, assignments),
      );
      const context = { tenantId: 'bench', base: 'https://idp.example/scim/v2' };
      const scenarios: Record<string, (prefix: string) => Promise<unknown[]>> = {
        createOne: async (prefix) => {
          const rows = [];
          for (const state of states(users, prefix)) {
            rows.push(await service.createOne(source.manager, 'bench', state, 'scim'));
          }
          return rows;
        },
        createMany: (prefix) => service.createMany(source.manager, 'bench', states(users, prefix), 'scim'),
        scimCreate: async (prefix) => {
          const documents = [];
          for (const body of bodies(users, prefix)) documents.push(await scim.create(context, body));
          return documents;
        },
        scimCreateMany: (prefix) => scim.createMany(context, bodies(users, prefix)),
      };
      const measures: Record<string, Measure> = {};
      for (let run = 0; run < RUNS; run++) {
        for (const [label, work] of Object.entries(scenarios)) {
          const before = counter.count;
          const started = performance.now();
          const results = await work(`${label}-${run}`);
          const ms = performance.now() - started;
          const failed = results.filter((result) => result instanceof Error);
          if (results.length !== users || failed.length > 0) {
            throw new Error(`${label}: ${failed.length} of ${results.length} failed (${String(failed[0])})`);
          }
          measures[label] ??= { ms: [], statements: 0 };
          measures[label].ms.push(ms);
          measures[label].statements = counter.count - before;
        }
      }
      const [{ count }] = await source.query(`SELECT count(*)::int AS count FROM users WHERE tenant_id = 'bench'`);
      if (count !== users * RUNS * 4) throw new Error(`expected ${users * RUNS * 4} users, found ${count}`);

      const n = users.toLocaleString('en-GB');
      const version = (await source.query('SHOW server_version'))[0].server_version as string;
      console.log(
        `users create-many, ${users} users, median of ${RUNS} runs, ${os.cpus().length} cores, PostgreSQL ${version}`,
      );
      const line = (label: string, baseline: string) =>
        console.log(
          `${label.padEnd(16)} ${median(measures[label].ms).toFixed(0).padStart(6)} ms  ${String(measures[label].statements).padStart(5)} statements` +
            `   ratio to ${baseline} ${(median(measures[label].ms) / median(measures[baseline].ms)).toFixed(3)}x`,
        );
      line('createOne', 'createOne');
      line('createMany', 'createOne');
      line('scimCreate', 'scimCreate');
      line('scimCreateMany', 'scimCreate');

      const base = (label: string, text: string) => ({ name: text, value: median(measures[label].ms) });
      const results = [
        figure(`UsersService.createMany, ${n} users`, median(measures.createMany.ms), 'ms', {
          baseline: base('createOne', `${n} × createOne`),
        }),
        figure(`ScimUsersService.createMany, ${n} bodies`, median(measures.scimCreateMany.ms), 'ms', {
          baseline: base('scimCreate', `${n} × create`),
        }),
      ];
      const all = (label: string) => measures[label].ms.map((value) => formatNumber(value)).join(' / ');
      return {
        title: `Users: ${n} creates in one \`createMany\` call against ${n} single creates (run alone)`,
        command: 'DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:creates',
        notes: [
          `The services called directly (no HTTP) on PostgreSQL, each run on new rows of one tenant; medians of ${RUNS} runs. ` +
            'Baseline: the same users created one by one, as SCIM POST /Users does per request (createOne: one INSERT, ' +
            'no transaction). Statements are those of the last run, each one round trip to PostgreSQL.',
        ],
        figures: results,
        table: [
          ['operation', 'time', 'statements', 'ratio to one by one'],
          ...(['createOne', 'createMany', 'scimCreate', 'scimCreateMany'] as const).map((label) => {
            const baseline = label.startsWith('scim') ? 'scimCreate' : 'createOne';
            return [
              label,
              `${formatNumber(median(measures[label].ms))} ms`,
              String(measures[label].statements),
              `${(median(measures[label].ms) / median(measures[baseline].ms)).toFixed(3)}x`,
            ];
          }),
        ],
        details: [
          `Each run, in ms: createOne ${all('createOne')}; createMany ${all('createMany')}; ` +
            `ScimUsersService.create ${all('scimCreate')}; createMany ${all('scimCreateMany')}.`,
        ],
        failures: [],
      };
    } finally {
      await source.destroy();
    }
  });
}

if (require.main === module) standalone(run);
