// What a benchmark answers: its figures, a detailed table and the words that explain them. Each
// benchmark prints its own lines as it runs; `npm run bench` (bench/run-all.ts) runs every one and
// writes their reports into bench/RESULTS.md.
import * as fs from 'node:fs';

/** What every benchmark is given. */
export interface BenchOptions {
  /** A PostgreSQL server: each benchmark makes its own scratch database on it and drops it after. */
  databaseUrl: string;
  /** Redis, for the service's queue and caches; without it the service queues in process. */
  redisUrl?: string;
  /**
   * 1 for the documented sizes, the ones the targets are about. Less (BENCH_SCALE=0.05) only to
   * check that a benchmark runs: its figures then say nothing about the targets.
   */
  scale: number;
}

/** One measured figure: one line of the summary table. */
export interface Figure {
  scenario: string;
  value: number;
  unit: string;
  /** What the value must reach, in words: `< 3,000 ms`, `>= 0.6x baseline`. */
  target?: string;
  pass?: boolean;
  /** The same work done the least expensive way, measured in the same run, in the same unit. */
  baseline?: { name: string; value: number };
  /** value / baseline.value, or what the benchmark says it is instead (a median of paired runs' ratios). */
  ratio?: number;
}

export interface BenchReport {
  /** The heading of the benchmark's section in RESULTS.md. */
  title: string;
  /** How to run this benchmark alone. */
  command: string;
  /** Paragraphs (Markdown): what is measured, against which baseline, and how to read the figures. */
  notes: string[];
  figures: Figure[];
  /** The detailed table: a header row, then one row per line. */
  table: string[][];
  /** Further lines of this run's measurements (per round, sizes, fill times). */
  details: string[];
  /** Failures of the run itself (a wrong answer, a 5xx), as opposed to a missed target. */
  failures: string[];
}

/** A target a figure must meet: below a limit, or at least a share of its baseline. */
export type Target = { below: number } | { atLeast: number; ofBaseline: true };

/** A figure with its ratio to the baseline and its verdict against the target worked out. */
export function figure(
  scenario: string,
  value: number,
  unit: string,
  compared: { baseline?: { name: string; value: number }; target?: Target } = {},
): Figure {
  const { baseline, target } = compared;
  const ratio = baseline ? value / baseline.value : undefined;
  const result: Figure = { scenario, value, unit, baseline, ratio };
  if (target && 'below' in target) {
    result.target = `< ${target.below.toLocaleString('en-GB')} ${unit}`;
    result.pass = value < target.below;
  } else if (target) {
    if (ratio === undefined) throw new Error(`${scenario}: a target relative to the baseline needs a baseline`);
    result.target = `>= ${target.atLeast}x ${baseline!.name}`;
    result.pass = ratio >= target.atLeast;
  }
  return result;
}

/** `806`, `11.9`, `3,782`: whole numbers from 100 up, one decimal below. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-GB') : value.toFixed(1);
}

/** A documented size at the run's scale (at least `min`). */
export const scaled = (size: number, scale: number, min = 1): number => Math.max(min, Math.round(size * scale));

/** BENCH_SCALE: unset for the documented sizes, or a number above 0 and at most 1. */
export function benchScale(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 1;
  const scale = Number(value);
  if (!(scale > 0 && scale <= 1)) throw new Error(`BENCH_SCALE must be a number above 0 and at most 1, not "${value}"`);
  return scale;
}

/**
 * The entry of a benchmark run on its own: options from the environment, its report written as
 * JSON to BENCH_REPORT_FILE when that is set (that is how bench/run-all.ts collects it), exit code 1
 * when the run itself failed (never for a missed target).
 */
export function standalone(run: (options: BenchOptions) => Promise<BenchReport>): void {
  const main = async (): Promise<void> => {
    const databaseUrl = process.env.DATABASE_URL;
    if (!databaseUrl) throw new Error('DATABASE_URL must name a PostgreSQL server');
    const report = await run({
      databaseUrl,
      redisUrl: process.env.REDIS_URL || undefined,
      scale: benchScale(process.env.BENCH_SCALE),
    });
    if (process.env.BENCH_REPORT_FILE) fs.writeFileSync(process.env.BENCH_REPORT_FILE, JSON.stringify(report));
    if (report.failures.length > 0) {
      console.error(`\nThe run failed:\n${report.failures.map((failure) => `  - ${failure}`).join('\n')}`);
      process.exitCode = 1;
    }
  };
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
