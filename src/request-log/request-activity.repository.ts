import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DELETE_BATCH } from './request-logs.repository';
import type { ActivityCount } from './request-activity';

const UPSERTED_COLUMNS = 7;

/** Where the hourly rollup of the request log (request_activity) is added to and trimmed. */
@Injectable()
export class RequestActivityRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Adds a batch's counts in one statement, inside the transaction that writes the batch's rows.
   * `counts` come sorted by key (activityOf), so concurrent writers lock rows in the same order.
   */
  static async add(em: EntityManager, counts: ActivityCount[]): Promise<void> {
    if (counts.length === 0) return;
    const params: unknown[] = [];
    const tuples: string[] = [];
    for (const count of counts) {
      const first = params.length + 1;
      params.push(
        count.tenantId,
        count.door,
        count.hour,
        count.requests,
        count.errors,
        count.clientErrors,
        count.lastAt,
      );
      const placeholders = Array.from({ length: UPSERTED_COLUMNS }, (_, i) => `$${first + i}`);
      tuples.push(
        `(${placeholders[0]}, ${placeholders[1]}, ${placeholders[2]}::timestamptz, ${placeholders[3]}::int, ${placeholders[4]}::int, ${placeholders[5]}::int, ${placeholders[6]}::timestamptz)`,
      );
    }
    await em.query(
      `INSERT INTO request_activity (tenant_id, door, hour, requests, errors, client_errors, last_at)
       VALUES ${tuples.join(',')}
       ON CONFLICT (tenant_id, door, hour) DO UPDATE SET
         requests = request_activity.requests + EXCLUDED.requests,
         errors = request_activity.errors + EXCLUDED.errors,
         client_errors = request_activity.client_errors + EXCLUDED.client_errors,
         last_at = greatest(request_activity.last_at, EXCLUDED.last_at)`,
      params,
    );
  }

  /** Deletes up to DELETE_BATCH hours that started before `before`; answers how many. */
  async deleteBatchBefore(before: Date): Promise<number> {
    const [, affected] = await this.dataSource.query<[unknown, number]>(
      `DELETE FROM request_activity WHERE ctid IN (SELECT ctid FROM request_activity WHERE hour < $1 LIMIT ${DELETE_BATCH})`,
      [before],
    );
    return affected;
  }
}
