// Closed-loop HTTP load: N keep-alive connections, each sending its next request as soon as the
// previous answer arrives, for a fixed time. autocannon does the sockets (raw HTTP/1.1 on `net`,
// the cheapest client in Node, which matters when the load generator shares two cores with the
// servers); latencies and status codes are kept here, every answer at full (sub-ms) precision,
// because autocannon's own histogram rounds to whole milliseconds.
import autocannon from 'autocannon';
import { machineCpuMs } from './processes';

export interface LoadRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /**
   * Checks the answer beyond its status code: answers what is wrong with it, or undefined. Called
   * for every answer, so it should be cheap (a full parse on a sample, a scan for one field otherwise).
   */
  check?: (status: number, body: string) => string | undefined;
}

export interface LoadOptions {
  base: string;
  connections: number;
  seconds: number;
  /** The next request to send; called once per request, so every request can differ. */
  next: () => LoadRequest;
  /** CPU meters, e.g. one per process: each is started before the run and read after it. */
  cpu?: Record<string, CpuMeter>;
}

/** Starts measuring; the function it answers gives the CPU time (ms) used since. */
export type CpuMeter = () => () => number;

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  /** Milliseconds, ascending. */
  latencies: Float64Array;
  statuses: Map<number, number>;
  /** Connection errors and timeouts (no HTTP answer at all). */
  errors: number;
  timeouts: number;
  /** Answers their request's `check` found wrong, and the first few of its descriptions. */
  wrong: number;
  wrongExamples: string[];
  /**
   * Cores each meter used on average during the run (1 = one full core), and `other`: what the
   * rest of the machine used besides them (other people's work competing for the same cores).
   */
  cores: Record<string, number>;
  /** Share of the whole machine (all cores) that was busy, whoever used it. */
  machineBusy: number;
}

/** Descriptions of wrong answers kept per run: enough to see what went wrong. */
const WRONG_EXAMPLES = 3;

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const meters = Object.entries(options.cpu ?? {}).map(([name, start]) => [name, start()] as const);
  const machineBefore = machineCpuMs();
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let wrong = 0;
  const wrongExamples: string[] = [];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.base,
        connections: options.connections,
        duration: options.seconds,
        timeout: 30,
        requests: [
          {
            setupRequest: (request, context) => {
              const { check, ...next } = options.next();
              // One request at a time per connection (no pipelining): the connection's context
              // holds the check until its answer comes.
              context.check = check;
              // autocannon writes Content-Length into the headers it is given: a copy per request.
              return { ...request, ...next, headers: { ...next.headers } };
            },
            onResponse: (status, body, context) => {
              const check = context.check as LoadRequest['check'];
              const problem = check?.(status, body);
              if (problem === undefined) return;
              wrong += 1;
              if (wrongExamples.length < WRONG_EXAMPLES) wrongExamples.push(problem);
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        const seconds = (performance.now() - started) / 1000;
        const machineAfter = machineCpuMs();
        const cores: Record<string, number> = {};
        for (const [name, read] of meters) cores[name] = read() / 1000 / seconds;
        const machineCores = (machineAfter.busy - machineBefore.busy) / 1000 / seconds;
        cores.other = machineCores - Object.values(cores).reduce((sum, value) => sum + value, 0);
        const sorted = Float64Array.from(latencies).sort();
        resolve({
          requests: sorted.length,
          seconds,
          perSecond: sorted.length / seconds,
          latencies: sorted,
          statuses,
          errors: result.errors,
          timeouts: result.timeouts,
          wrong,
          wrongExamples,
          cores,
          machineBusy: (machineAfter.busy - machineBefore.busy) / Math.max(1, machineAfter.total - machineBefore.total),
        });
      },
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      latencies.push(ms);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    });
  });
}

/**
 * Open loop: one request every 1/rate seconds whatever the answers, so a latency is the server's
 * time for one request at that rate, with no queue of our own making in front of it (autocannon's
 * own pacing sends each second's requests in one burst). Answers the latencies, ascending.
 */
export async function runPaced(options: {
  base: string;
  rate: number;
  seconds: number;
  next: () => LoadRequest;
}): Promise<{ latencies: Float64Array; statuses: Map<number, number>; errors: number }> {
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let errors = 0;
  const pending: Promise<void>[] = [];
  const started = performance.now();
  const count = Math.round(options.rate * options.seconds);
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / options.rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const request = options.next();
    const sent = performance.now();
    pending.push(
      fetch(`${options.base}${request.path}`, { method: request.method, headers: request.headers, body: request.body })
        .then(async (res) => {
          await res.arrayBuffer();
          latencies.push(performance.now() - sent);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        })
        .catch(() => {
          errors += 1;
        }),
    );
  }
  await Promise.all(pending);
  return { latencies: Float64Array.from(latencies).sort(), statuses, errors };
}

/** Nearest-rank percentile of ascending values (`p` from 0 to 100). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** `200 x 41234, 404 x 2` */
export function describeStatuses(statuses: Map<number, number>): string {
  return [...statuses.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, count]) => `${status} x ${count}`)
    .join(', ');
}
