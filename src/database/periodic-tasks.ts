import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { withAdvisoryLockIfFree } from './advisory-lock';

/**
 * Periodic tasks that a fleet runs once, not once per instance (job sweep, request-log
 * retention). Every worker instance ticks on its own timer and asks for the round; the round goes
 * to whoever asks first once `intervalMs` has passed since anyone last started it. Asking is one
 * statement on the task's row, so two instances asking together cannot both win, and a round
 * never depends on any one instance staying alive.
 */
@Injectable()
export class PeriodicTasks {
  readonly instanceId = `${hostname().slice(0, 60)}:${process.pid}:${randomBytes(4).toString('hex')}`;

  constructor(private readonly dataSource: DataSource) {}

  /** True when this instance should run `name` now. */
  async claimRound(name: string, intervalMs: number): Promise<boolean> {
    const rows = await this.dataSource.query<{ name: string }[]>(
      `INSERT INTO periodic_tasks (name, last_started_on, last_started_by) VALUES ($1, clock_timestamp(), $3)
       ON CONFLICT (name) DO UPDATE SET last_started_on = clock_timestamp(), last_started_by = $3
       WHERE periodic_tasks.last_started_on <= clock_timestamp() - $2 * interval '1 millisecond'
       RETURNING name`,
      [name, Math.round(intervalMs), this.instanceId],
    );
    return rows.length === 1;
  }

  /**
   * Runs `work` holding the advisory lock `key` (see ADVISORY_LOCKS), or answers undefined at once
   * when another instance holds it: for a pass that may outlast its round.
   */
  ifLockFree<T>(key: number, work: () => Promise<T>): Promise<T | undefined> {
    return withAdvisoryLockIfFree(this.dataSource, key, work);
  }
}

/**
 * Instances tick every `period` on timers of their own; a round is claimable a little before the
 * next tick of the instance that claimed the last one, so timer drift never makes it skip a round.
 */
export const roundInterval = (period: number): number => period * 0.9;
