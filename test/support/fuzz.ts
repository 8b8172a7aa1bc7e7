import fc from 'fast-check';

/**
 * Seed and run counts for one file of property tests (`*.fuzz.spec.ts`, `test/*.fuzz.e2e-spec.ts`).
 * Each file has a fixed seed, so CI runs the same cases every time; FUZZ_SEED replaces the seed and
 * FUZZ_RUNS every run count, to explore further. A failure prints the seed and the shrunk
 * counterexample: rerun with FUZZ_SEED=N to replay it.
 */
export function fuzzing(defaultSeed: number) {
  const seed = envInteger('FUZZ_SEED') ?? defaultSeed;
  const runs = (numRuns: number): number => envInteger('FUZZ_RUNS') ?? numRuns;
  return {
    seed,
    runs,
    check<Ts extends unknown[]>(property: fc.IProperty<Ts>, numRuns: number): void {
      fc.assert(property, { seed, numRuns: runs(numRuns) });
    },
    asyncCheck<Ts extends unknown[]>(property: fc.IAsyncPropertyWithHooks<Ts>, numRuns: number): Promise<void> {
      return fc.assert(property, { seed, numRuns: runs(numRuns) });
    },
  };
}

function envInteger(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, not '${raw}'`);
  return value;
}
