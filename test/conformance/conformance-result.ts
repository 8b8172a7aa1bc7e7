/** What one run of a third-party conformance suite produced, whichever runner ran it. */

export type SuiteName = 'microsoft' | 'okta';

export interface ConformanceFailure {
  suite: SuiteName;
  /** The request as the suite names it: its folder path and name (Microsoft), its note (Okta). */
  request: string;
  /** The assertion as the suite names it; `(request)` or `(script)` for a request or script that failed outright. */
  assertion: string;
  /** What was answered, for the reader: never used to match deviations. */
  detail: string;
}

export interface SuiteRun {
  suite: SuiteName;
  /** Requests sent and assertions evaluated in this run. */
  requests: number;
  assertions: number;
  /** What the suite file holds (after the documented skips): a run that executed less is broken. */
  expected: { requests: number; assertions: number };
  failures: ConformanceFailure[];
}

/** An assertion of a suite that the product deliberately does not meet. */
export interface Deviation {
  suite: SuiteName;
  request: string;
  assertion: string;
  /** Which clause of the contract or of RFC 7643/7644 the assertion contradicts, and how. */
  reason: string;
}

const sameAssertion = (failure: ConformanceFailure, deviation: Deviation): boolean =>
  failure.suite === deviation.suite &&
  failure.request === deviation.request &&
  failure.assertion === deviation.assertion;

export const formatFailure = (failure: ConformanceFailure): string =>
  `[${failure.suite}] ${failure.request} › ${failure.assertion}: ${failure.detail}`;

/**
 * The failures not excused by a deviation, and the deviations that excused nothing (a deviation
 * that no longer fails is out of date, or the product now does what the contract forbids).
 */
export function checkAgainstDeviations(
  run: SuiteRun,
  deviations: readonly Deviation[],
): { unexpectedFailures: string[]; unusedDeviations: string[] } {
  const own = deviations.filter((deviation) => deviation.suite === run.suite);
  return {
    unexpectedFailures: run.failures
      .filter((failure) => !own.some((deviation) => sameAssertion(failure, deviation)))
      .map(formatFailure),
    unusedDeviations: own
      .filter((deviation) => !run.failures.some((failure) => sameAssertion(failure, deviation)))
      .map((deviation) => `[${deviation.suite}] ${deviation.request} › ${deviation.assertion}`),
  };
}

/** The start of a response body, on one line, for failure details. */
export function bodySnippet(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
