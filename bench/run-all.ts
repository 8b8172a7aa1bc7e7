// `npm run bench`: every benchmark, one after another, against real PostgreSQL and Redis, then
// bench/RESULTS.md rewritten from their reports: the machine and commit, a summary table, and one
// section per benchmark. The file shows the latest run only; earlier runs are in git history.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 npm run bench
// (those are the defaults). BENCH_SCALE=0.02 shrinks every benchmark, only to check that they all
// run: the file it writes says so at the top, and its figures say nothing about the targets.
//
// Each benchmark runs in a process of its own, exactly as its standalone command runs it (its
// report comes back as JSON through BENCH_REPORT_FILE): no benchmark's memory, JIT warm-up or
// leftover handles reach the next one's figures.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import * as prettier from 'prettier';
import { ROOT } from './support/processes';
import { BenchReport, benchScale, Figure, formatNumber } from './support/report';

const BENCHMARKS = [
  { name: 'Directory', file: 'bench/directory-upsert.bench.ts' },
  { name: 'Provisioning commit', file: 'bench/transaction-commit.bench.ts' },
  { name: 'Partner sync', file: 'bench/partner-sync.bench.ts' },
  { name: 'SCIM', file: 'bench/scim.bench.ts' },
  { name: 'Request log', file: 'bench/request-log-search.bench.ts' },
  { name: 'Tenant isolation', file: 'bench/tenant-isolation.bench.ts' },
  { name: 'Metrics cost', file: 'bench/metrics-cost.bench.ts' },
  { name: 'SCIM Bulk', file: 'bench/scim-bulk.bench.ts' },
];
const RESULTS = path.join(ROOT, 'bench', 'RESULTS.md');
/** Lines of a failed benchmark's stderr kept for RESULTS.md. */
const STDERR_TAIL = 30;

interface Outcome {
  name: string;
  file: string;
  seconds: number;
  report?: BenchReport;
  /** Why the benchmark produced no report, or why its run failed. */
  error?: string;
}

/** A URL without its password, fit to print. */
function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

async function postgresVersion(url: string): Promise<string> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return rows[0].server_version;
  } catch (error) {
    throw new Error(`PostgreSQL at ${redact(url)} does not answer (${String(error)}): start it, or set DATABASE_URL.`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function redisVersion(url: string): Promise<string> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 5_000, retryStrategy: () => null });
  // The connection's own error (ECONNREFUSED...) says more than connect()'s "Connection is closed".
  let cause: unknown;
  redis.on('error', (error) => (cause ??= error));
  try {
    await redis.connect();
    const info = await redis.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  } catch (error) {
    throw new Error(`Redis at ${redact(url)} does not answer (${String(cause ?? error)}): start it, or set REDIS_URL.`);
  } finally {
    redis.disconnect();
  }
}

/** `ecc3e5a (subject)`, and whether the checkout differs from it. */
function gitCommit(): string {
  // GIT_OPTIONAL_LOCKS=0: reading must not refresh the index under other people's feet.
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } });
  try {
    const commit = `\`${git('rev-parse', '--short', 'HEAD').trim()}\` (${git('log', '-1', '--format=%s').trim()})`;
    const changed = git('diff', '--name-only', 'HEAD', '--').split('\n').filter(Boolean).length;
    const untracked = git('ls-files', '--others', '--exclude-standard').split('\n').filter(Boolean).length;
    if (changed + untracked === 0) return commit;
    return `${commit}, with uncommitted changes (${changed} changed and ${untracked} untracked files)`;
  } catch (error) {
    return `unknown (${String(error).split('\n')[0]})`;
  }
}

/** The run itself failed (as opposed to a missed target). */
const failed = (outcome: Outcome): boolean => Boolean(outcome.error || outcome.report?.failures.length);

/** `0.52 / 0.31 / 0.20`: the 1, 5 and 15 minute load averages. */
const loadAverage = (): string =>
  os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' / ');

function duration(seconds: number): string {
  const whole = Math.round(seconds);
  return whole < 60 ? `${whole} s` : `${Math.floor(whole / 60)} min ${whole % 60} s`;
}

let running: ReturnType<typeof spawn> | undefined;
let interrupted = false;

/** Runs one benchmark in its own process, its output shown as it comes; answers its report. */
async function runBenchmark(bench: { name: string; file: string }, env: Record<string, string>): Promise<Outcome> {
  const reportFile = path.join(os.tmpdir(), `bench-report-${process.pid}-${path.basename(bench.file, '.ts')}.json`);
  fs.rmSync(reportFile, { force: true });
  console.log(`\n=== ${bench.name}: ${bench.file} ===\n`);
  const started = performance.now();
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', bench.file], {
    cwd: ROOT,
    env: { ...process.env, ...env, BENCH_REPORT_FILE: reportFile },
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  running = child;
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    stderr = (stderr + chunk.toString())
      .split('\n')
      .slice(-STDERR_TAIL - 1)
      .join('\n');
  });
  const closed = new Promise((resolve) => child.once('close', resolve));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const seconds = (performance.now() - started) / 1000;
  // The rest of its stderr, unless a server it left running holds the pipe open.
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2_000))]);
  running = undefined;
  const outcome: Outcome = { ...bench, seconds };
  if (fs.existsSync(reportFile)) {
    outcome.report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as BenchReport;
    fs.rmSync(reportFile);
  }
  if (code !== 0) outcome.error = `exited with ${code ?? 'a signal'}\n${stderr.trim()}`;
  else if (!outcome.report) outcome.error = 'ended without a report';
  return outcome;
}

/** One Markdown table row; `|` in a cell would end the cell. */
const row = (cells: string[]): string => `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;

function table(rows: string[][]): string {
  return [row(rows[0]), row(rows[0].map(() => '---')), ...rows.slice(1).map(row)].join('\n');
}

function summaryRows(outcome: Outcome): string[][] {
  if (!outcome.report) return [[outcome.name, 'the run failed: no figures', '-', '-', '-', '-', 'FAILED']];
  const value = (figure: Figure, amount: number) => `${formatNumber(amount)} ${figure.unit}`;
  return outcome.report.figures.map((figure) => [
    outcome.name,
    figure.scenario,
    value(figure, figure.value),
    figure.target ?? '-',
    figure.baseline ? `${value(figure, figure.baseline.value)} (${figure.baseline.name})` : '-',
    figure.ratio === undefined ? '-' : `${figure.ratio.toFixed(2)}x`,
    figure.pass === undefined ? '-' : figure.pass ? 'PASS' : 'FAIL',
  ]);
}

function section(outcome: Outcome): string {
  const { report } = outcome;
  const lines: string[] = [];
  lines.push(`## ${report?.title ?? outcome.name}`, '');
  const took = `this run took ${duration(outcome.seconds)}`;
  lines.push(
    report ? `\`${outcome.file}\`, run alone with \`${report.command}\`; ${took}.` : `\`${outcome.file}\`; ${took}.`,
  );
  lines.push('');
  if (failed(outcome)) {
    lines.push('**The run failed**: its figures, if any, are not to be trusted.', '');
    for (const failure of report?.failures ?? []) lines.push(`- ${failure}`);
    if (report?.failures.length) lines.push('');
    if (outcome.error) lines.push('```', outcome.error, '```', '');
  }
  if (!report) return lines.join('\n');
  for (const paragraph of report.notes) lines.push(paragraph, '');
  lines.push(table(report.table), '');
  for (const detail of report.details) lines.push(detail, '');
  return lines.join('\n');
}

function render(
  outcomes: Outcome[],
  run: { command: string; started: Date; seconds: number; machine: string; commit: string; scale: number },
): string {
  const failures = outcomes.filter(failed);
  const lines = ['# Benchmark results', ''];
  if (run.scale !== 1) {
    lines.push(
      `> **REDUCED SCALE: BENCH_SCALE=${run.scale}.** Every size below is ${run.scale} of the documented one: this ` +
        'run only checked that the benchmarks run. Its figures say nothing about the targets and its PASS/FAIL ' +
        'mean nothing. Do not commit this file: run `npm run bench` without BENCH_SCALE.',
      '',
    );
  }
  if (failures.length > 0) {
    lines.push(
      `> **${failures.length} benchmark(s) FAILED: ${failures.map((outcome) => outcome.name).join(', ')}.** ` +
        'See their sections.',
      '',
    );
  }
  lines.push(
    'Written by `npm run bench` (`bench/run-all.ts`), which runs every benchmark below, one after another, and ' +
      'rewrites this file: it shows the latest run only, earlier runs are in git history. The explanations come ' +
      'from the benchmarks themselves (`bench/*.bench.ts`): change them there, not here.',
    '',
  );
  const date = `${run.started.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  lines.push(
    `- Command: \`${run.command}\``,
    `- Date: ${date}; the whole run took ${duration(run.seconds)}`,
    `- Machine: ${run.machine}`,
    `- Commit: ${run.commit}`,
    '',
    '## Summary',
    '',
    'One row per figure. The baseline is measured in the same run, by the same benchmark; the ratio is measured / ' +
      "baseline, unless the benchmark's notes say otherwise; PASS or FAIL where the figure has a target.",
    '',
    table([
      ['benchmark', 'scenario', 'measured', 'target', 'baseline', 'ratio', 'result'],
      ...outcomes.flatMap(summaryRows),
    ]),
    '',
    ...outcomes.map(section),
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const scale = benchScale(process.env.BENCH_SCALE);
  const [postgres, redis] = [await postgresVersion(databaseUrl), await redisVersion(redisUrl)];
  const cpus = os.cpus();
  const machine =
    `${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB ` +
    `RAM, Node ${process.version}, PostgreSQL ${postgres} at ${new URL(databaseUrl).host}, Redis ${redis} ` +
    `at ${new URL(redisUrl).host}; load average (1 / 5 / 15 min) ${loadAverage()} at the start`;
  const command = [
    `DATABASE_URL=${redact(databaseUrl)}`,
    `REDIS_URL=${redact(redisUrl)}`,
    ...(scale !== 1 ? [`BENCH_SCALE=${scale}`] : []),
    'npm run bench',
  ].join(' ');
  const commit = gitCommit();
  console.log(`${command}\n${machine}\ncommit ${commit}`);

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    // The benchmark running now cleans up after itself (it gets the signal too); RESULTS.md stays as it was.
    process.on(signal, () => {
      interrupted = true;
      running?.kill(signal);
    });
  }
  const started = new Date();
  const outcomes: Outcome[] = [];
  const env = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, BENCH_SCALE: String(scale) };
  for (const bench of BENCHMARKS) {
    outcomes.push(await runBenchmark(bench, env));
    if (interrupted) {
      console.error(`Interrupted: ${path.relative(ROOT, RESULTS)} left as it was.`);
      process.exit(130);
    }
  }
  const seconds = (Date.now() - started.getTime()) / 1000;
  const ended = `${machine}, ${loadAverage()} at the end`;
  const markdown = render(outcomes, { command, started, seconds, machine: ended, commit, scale });
  const config = await prettier.resolveConfig(RESULTS);
  fs.writeFileSync(RESULTS, await prettier.format(markdown, { ...config, filepath: RESULTS }));

  console.log(`\nWrote ${path.relative(ROOT, RESULTS)} in ${duration(seconds)}:`);
  for (const outcome of outcomes) {
    const verdict = failed(outcome) ? 'FAILED' : 'ok';
    console.log(`  ${outcome.name.padEnd(20)} ${duration(outcome.seconds).padStart(10)}  ${verdict}`);
  }
  if (scale !== 1) console.log(`REDUCED SCALE (BENCH_SCALE=${scale}): do not commit ${path.relative(ROOT, RESULTS)}.`);
  if (outcomes.some(failed)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
