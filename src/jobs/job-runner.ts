import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { withLogContext } from '../common/log-context';
import { performance } from 'node:perf_hooks';
import { TransactionRunner } from '../database/transaction-runner';
import { JobRunOutcome, Metrics } from '../metrics/metrics';
import { BackendJobEntity } from './backend-job.entity';
import { RunContext, RunEnvironment } from './job-context';
import {
  AbandonedJob,
  CANCELLED_BY_OPERATOR,
  JobHandler,
  JobOutcome,
  JobPool,
  LeaseLostError,
  ShutdownError,
} from './job-handler';
import { JobRegistry } from './job-registry';
import { HEARTBEAT_MS, LEASE_MS, MAX_ATTEMPTS, SHUTDOWN_GRACE_MS } from './job-timing';
import { JobEnd, JobsRepository, TypeFilter } from './jobs.repository';

/**
 * Runs jobs under a lease. Whoever delivers a job (Bull, the in-process loop, the sweeper), this
 * decides whether this process may run it: the claim is one conditional UPDATE, so a job is run by
 * at most one live worker, and a worker that lost its lease stops at its next step.
 */
@Injectable()
export class JobRunner implements OnModuleDestroy {
  /** Unique per process start, so a restarted process never mistakes an old lease for its own. */
  readonly workerId = `${hostname().slice(0, 60)}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly logger = new Logger('Jobs');
  private readonly running = new Map<string, Promise<void>>();
  private stopping = false;
  private readonly env: RunEnvironment;

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly jobs: JobsRepository,
    private readonly registry: JobRegistry,
    private readonly metrics: Metrics,
  ) {
    this.env = { transactions, jobs, workerId: this.workerId, isStopping: () => this.stopping };
  }

  /** Jobs this process is running now. */
  get activeCount(): number {
    return this.running.size;
  }

  /** Claims the job and runs it to its end; returns at once when someone else holds it or it has ended. */
  async run(jobId: string): Promise<void> {
    if (this.stopping || this.running.has(jobId)) return;
    // Claims run in a transaction for the same reason as every decision the runner acts on: see RunContext.
    const job = await this.transactions.run((em) => this.jobs.claim(em, jobId, this.workerId, LEASE_MS));
    if (job) await this.execute(job);
  }

  /** Claims up to `limit` runnable jobs of `pool` (for the in-process loop); run each with execute(). */
  claimRunnable(limit: number, pool: JobPool = 'default'): Promise<BackendJobEntity[]> {
    if (this.stopping || limit <= 0) return Promise.resolve([]);
    const pooled = this.registry.pooledTypes();
    let filter: TypeFilter;
    if (pool === 'default') filter = { types: [...pooled.values()].flat(), exclude: true };
    else filter = { types: pooled.get(pool) ?? [], exclude: false };
    if (!filter.exclude && filter.types.length === 0) return Promise.resolve([]);
    return this.transactions.run((em) => this.jobs.claimRunnable(em, this.workerId, LEASE_MS, limit, filter));
  }

  /**
   * Runs a job this worker has claimed. Never rejects: every ending is written or logged. Every
   * line written for it carries its id, tenant and the correlation id of the request that queued it.
   */
  execute(job: BackendJobEntity): Promise<void> {
    const scope = { correlationId: job.correlationId ?? undefined, jobId: job.id, tenantId: job.tenantId };
    const execution = withLogContext(scope, () =>
      this.executeLogged(job).catch((error: unknown) =>
        this.logger.error(`Job ${job.id} (${job.type}): ${describe(error)}`),
      ),
    ).finally(() => this.running.delete(job.id));
    this.running.set(job.id, execution);
    return execution;
  }

  /** Stops claiming; running jobs stop at their next step boundary and hand their lease back. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    if (this.running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_GRACE_MS).unref()));
    await Promise.race([Promise.allSettled(this.running.values()), grace]);
    clearTimeout(timer);
  }

  /** One line when the run starts and one when it ends, with what collectors count on as fields. */
  private async executeLogged(job: BackendJobEntity): Promise<void> {
    const started = performance.now();
    this.logger.log({ message: `Job ${job.id} (${job.type}) started`, jobType: job.type, attempt: job.attempts });
    let ended: RunEnd = { outcome: 'failed' };
    try {
      ended = await this.executeClaimed(job);
    } finally {
      const ms = performance.now() - started;
      this.metrics.jobFinished(job.type, ended.outcome, ms / 1000);
      this.logger.log({
        message: `Job ${job.id} (${job.type}) ${ended.outcome.replace('_', ' ')}`,
        jobType: job.type,
        outcome: ended.outcome,
        durationMs: Math.round(ms),
        ...operationCounts(ended.results),
      });
    }
  }

  private async executeClaimed(job: BackendJobEntity): Promise<RunEnd> {
    const handler = this.registry.get(job.type);
    if (!handler) {
      await this.end(job, failure(`No handler for job type ${job.type}`));
      return { outcome: 'failed' };
    }
    if (job.attempts > MAX_ATTEMPTS) {
      // A job that keeps killing or outliving its workers would otherwise be retried forever.
      await this.abandon(job, handler, failure(`Gave up after ${MAX_ATTEMPTS} attempts`));
      return { outcome: 'failed' };
    }
    const heartbeat = this.startHeartbeat(job);
    let outcome: JobOutcome;
    try {
      outcome = await handler.run(new RunContext(job, this.env));
    } catch (error) {
      if (error instanceof LeaseLostError) {
        this.logger.warn(`Job ${job.id}: another worker took it over; this run stops`);
        return { outcome: 'lease_lost' };
      } else if (error instanceof ShutdownError || this.stopping) {
        await this.handBack(job);
        return { outcome: 'handed_back' };
      }
      const message = describe(error);
      this.logger.error(`Job ${job.id} (${job.type}) threw: ${error instanceof Error ? error.stack : message}`);
      await this.abandon(job, handler, failure(message, error instanceof Error ? (error.stack ?? null) : null));
      return { outcome: 'failed' };
    } finally {
      clearInterval(heartbeat);
    }
    // Outside the catch: the handler's work is committed, so failing to record its end must not
    // turn it into FAILED. The job stays STARTED and is resumed; its handler finds nothing left to do.
    await this.end(job, ending(outcome));
    return { outcome: OUTCOMES[outcome.status], results: outcome.results };
  }

  /** Keeps the lease alive between steps (a step renews it too). */
  private startHeartbeat(job: BackendJobEntity): NodeJS.Timeout {
    let renewing = false;
    const timer = setInterval(() => {
      if (renewing || this.stopping) return;
      renewing = true;
      this.jobs
        .renewLease(this.transactions.manager, job.id, this.workerId, LEASE_MS)
        .catch((error: unknown) => this.logger.warn(`Job ${job.id}: could not renew its lease: ${describe(error)}`))
        .finally(() => (renewing = false));
    }, HEARTBEAT_MS);
    return timer.unref();
  }

  private async end(job: BackendJobEntity, end: JobEnd): Promise<void> {
    const written = await this.transactions.run((em) => this.jobs.finish(em, job.id, this.workerId, end));
    if (!written) this.logger.warn(`Job ${job.id}: lost its lease before it could record ${end.status}`);
    else if (end.status === 'FAILED') this.logger.warn(`Job ${job.id} (${job.type}) FAILED: ${end.errorMessage}`);
  }

  /** FAILED without the handler's consent, with the owner's onAbandoned in the same commit. */
  private async abandon(job: BackendJobEntity, handler: JobHandler, end: JobEnd): Promise<void> {
    try {
      await this.transactions.run(async (em) => {
        if (!(await this.jobs.finish(em, job.id, this.workerId, end))) return;
        await handler.onAbandoned?.(em, abandoned(job), 'FAILED', end.errorMessage!);
      });
    } catch (hookError) {
      // Still end the job: left STARTED it would be resumed and fail the same way forever.
      this.logger.error(`Job ${job.id}: onAbandoned failed: ${describe(hookError)}`);
      await this.end(job, { ...end, errorMessage: `${end.errorMessage} (and its cleanup failed)` });
    }
  }

  /** Shutting down: give the lease back so another worker resumes the job at once. */
  private async handBack(job: BackendJobEntity): Promise<void> {
    try {
      await this.jobs.releaseLease(this.transactions.manager, job.id, this.workerId);
    } catch {
      // The lease then simply expires.
    }
  }
}

export function abandoned(job: BackendJobEntity): AbandonedJob {
  return { id: job.id, tenantId: job.tenantId, payload: job.payload };
}

/** How a run ended, as its last log line says it. */
interface RunEnd {
  outcome: JobRunOutcome;
  results?: Record<string, unknown>;
}

const OUTCOMES = { DONE: 'completed', FAILED: 'failed', CANCELLED: 'cancelled' } as const;

/**
 * Operation counts from a job's results, summed over its `total*`, `successful*` and `failed*`
 * numbers (a commit's totalUsers + totalDepartments...); nothing when it has none.
 */
function operationCounts(results: Record<string, unknown> | undefined): Record<string, number> {
  const counts: Record<string, number> = {};
  const fields = { total: 'operationsTotal', successful: 'operationsApplied', failed: 'operationsFailed' };
  for (const [key, value] of Object.entries(results ?? {})) {
    const prefix = /^(total|successful|failed)[A-Z]/.exec(key)?.[1] as keyof typeof fields | undefined;
    if (prefix && typeof value === 'number') counts[fields[prefix]] = (counts[fields[prefix]] ?? 0) + value;
  }
  return counts;
}

function ending(outcome: JobOutcome): JobEnd {
  const errorMessage = outcome.errorMessage ?? (outcome.status === 'CANCELLED' ? CANCELLED_BY_OPERATOR : null);
  return { status: outcome.status, errorMessage, stackTrace: null, results: outcome.results ?? null };
}

function failure(errorMessage: string, stackTrace: string | null = null): JobEnd {
  return { status: 'FAILED', errorMessage, stackTrace, results: null };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}
