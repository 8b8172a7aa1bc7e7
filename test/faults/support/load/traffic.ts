import * as http from 'node:http';
import { Outcome, Request, send } from '../fleet';
import type { Rng } from './rng';

/** The three front doors the load mixes, with their share of the requests. */
export type Family = 'scim' | 'batch' | 'partner';
export const TARGET_SHARE: Record<Family, number> = { scim: 0.5, batch: 0.3, partner: 0.2 };
const FAMILIES = Object.keys(TARGET_SHARE) as Family[];

/** How many failures of each kind are kept whole for the report; the rest are only counted. */
const KEEP = 20;

export interface Sample {
  label: string;
  method: string;
  path: string;
  status?: number;
  error?: string;
  ms: number;
  body?: string;
}

/** A request answered otherwise than the client's model says it must be: the client stops. */
export class UnexpectedAnswer extends Error {}

/**
 * Everything the load sent and got back: counts and latencies per request label, every 5xx and
 * network failure, every 4xx (none is provoked, so each is unexpected), and every answer that
 * contradicts a client's model. Shared by all virtual clients (one event loop: no locking).
 */
export class Traffic {
  private readonly latencies = new Map<string, number[]>();
  private readonly families = new Map<string, Family>();
  private readonly perFamily: Record<Family, number> = { scim: 0, batch: 0, partner: 0 };
  readonly serverErrors: Sample[] = [];
  serverErrorCount = 0;
  readonly networkErrors: Sample[] = [];
  networkErrorCount = 0;
  /** `label status` -> count. */
  readonly clientErrors = new Map<string, number>();
  readonly clientErrorSamples: Sample[] = [];
  readonly problems: string[] = [];
  problemCount = 0;

  get total(): number {
    return FAMILIES.reduce((sum, family) => sum + this.perFamily[family], 0);
  }

  record(family: Family, label: string, request: Request, outcome: Outcome): void {
    this.perFamily[family]++;
    this.families.set(label, family);
    const list = this.latencies.get(label) ?? [];
    list.push(outcome.ms);
    this.latencies.set(label, list);
    const sample: Sample = {
      label,
      method: request.method ?? 'GET',
      path: request.path,
      status: outcome.status,
      error: outcome.error,
      ms: outcome.ms,
      body: outcome.body?.slice(0, 2000),
    };
    if (outcome.error !== undefined) {
      this.networkErrorCount++;
      if (this.networkErrors.length < KEEP) this.networkErrors.push(sample);
    } else if (outcome.status! >= 500) {
      this.serverErrorCount++;
      if (this.serverErrors.length < KEEP) this.serverErrors.push(sample);
    } else if (outcome.status! >= 400) {
      const key = `${label} ${outcome.status}`;
      this.clientErrors.set(key, (this.clientErrors.get(key) ?? 0) + 1);
      if (this.clientErrorSamples.length < KEEP) this.clientErrorSamples.push(sample);
    }
  }

  /** An answer that contradicts the model (a wrong read, a failed operation in a commit). */
  problem(text: string): void {
    this.problemCount++;
    if (this.problems.length < KEEP * 2) this.problems.push(text);
  }

  /**
   * The front door the next action should use: the one furthest below its share of the requests
   * sent so far, or now and then a random one, so the mix holds whatever each door's latency.
   */
  nextFamily(rng: Rng): Family {
    if (rng.chance(0.2)) {
      const r = rng.next();
      return r < TARGET_SHARE.scim ? 'scim' : r < TARGET_SHARE.scim + TARGET_SHARE.batch ? 'batch' : 'partner';
    }
    const total = Math.max(this.total, 1);
    return FAMILIES.reduce((best, family) =>
      TARGET_SHARE[family] * total - this.perFamily[family] > TARGET_SHARE[best] * total - this.perFamily[best]
        ? family
        : best,
    );
  }

  summary(elapsedMs: number): string {
    const seconds = elapsedMs / 1000;
    const lines = [
      `requests: ${this.total} in ${seconds.toFixed(1)} s = ${(this.total / seconds).toFixed(1)} req/s; ` +
        `5xx: ${this.serverErrorCount}; network failures: ${this.networkErrorCount}; ` +
        `4xx: ${[...this.clientErrors.values()].reduce((a, b) => a + b, 0)} (none provoked); ` +
        `model contradictions: ${this.problemCount}`,
      pad(['type', 'requests', 'share', 'req/s', 'p50 ms', 'p99 ms', 'max ms', '4xx']),
    ];
    for (const family of FAMILIES) {
      const labels = [...this.latencies.keys()].filter((label) => this.families.get(label) === family).sort();
      const all = labels.flatMap((label) => this.latencies.get(label)!);
      lines.push(this.row(family.toUpperCase(), all, family, seconds));
      for (const label of labels) lines.push(this.row(`  ${label}`, this.latencies.get(label)!, label, seconds));
    }
    return lines.join('\n');
  }

  private row(name: string, values: number[], key: string, seconds: number): string {
    const sorted = [...values].sort((a, b) => a - b);
    const at = (q: number) =>
      sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
    const errors = [...this.clientErrors.entries()]
      .filter(([k]) => k === key || k.startsWith(`${key} `) || k.startsWith(`${key}.`))
      .reduce((sum, [, n]) => sum + n, 0);
    return pad([
      name,
      String(values.length),
      `${((100 * values.length) / Math.max(this.total, 1)).toFixed(1)}%`,
      (values.length / seconds).toFixed(1),
      String(at(0.5)),
      String(at(0.99)),
      String(sorted[sorted.length - 1] ?? 0),
      String(errors),
    ]);
  }
}

function pad(cells: string[]): string {
  return cells.map((cell, i) => (i === 0 ? cell.padEnd(28) : cell.padStart(9))).join(' ');
}

/**
 * One virtual client's keep-alive connection to one API process. `maxSockets: 1` and sequential
 * use make it exactly one TCP connection for the whole run.
 */
export class Connection {
  readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  constructor(
    readonly base: string,
    private readonly traffic: Traffic,
  ) {}

  async send(family: Family, label: string, request: Request): Promise<Outcome> {
    const outcome = await send(this.base, { timeoutMs: 60_000, ...request, agent: this.agent });
    this.traffic.record(family, label, request, outcome);
    return outcome;
  }

  /** `send` that must be answered `status` (any 2xx when not given); answers the parsed body. */
  async expect(family: Family, label: string, request: Request, status?: number): Promise<any> {
    const outcome = await this.send(family, label, request);
    const good =
      outcome.status !== undefined &&
      (status === undefined ? outcome.status >= 200 && outcome.status < 300 : outcome.status === status);
    if (!good) {
      throw new UnexpectedAnswer(
        `${label}: ${request.method ?? 'GET'} ${request.path} answered ${outcome.status ?? outcome.error}` +
          `${status === undefined ? '' : ` (expected ${status})`}: ${outcome.body?.slice(0, 500) ?? ''}`,
      );
    }
    return outcome.body ? JSON.parse(outcome.body) : undefined;
  }

  close(): void {
    this.agent.destroy();
  }
}
