import { MigrationInterface, QueryRunner } from 'typeorm';
import { withoutSecrets } from '../src/directory/secret-names';

/** Rows read and rewritten per statement: one page of a table at a time, never the whole table in memory. */
const PAGE = 500;

interface JsonColumns {
  table: string;
  /** The primary key columns, in key order. */
  key: string[];
  columns: string[];
}

/** Where the doors stored client JSON before secrets were dropped at the door. */
const STORED_JSON: JsonColumns[] = [
  { table: 'users', key: ['id'], columns: ['attributes', 'metadata'] },
  { table: 'departments', key: ['id'], columns: ['attributes'] },
  { table: 'provisioning_operations', key: ['transaction_id', 'order_id'], columns: ['payload'] },
];

/**
 * Secrets at rest: values under secret-looking names that earlier versions stored (an extension's
 * `pwd`, partner `metadata.apiToken`, a queued item's `pin`) are removed from the rows, by the
 * same rule the doors now apply. Data only; the schema does not change, and there is no way back.
 */
export class DropStoredSecrets1795516000000 implements MigrationInterface {
  name = 'DropStoredSecrets1795516000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const target of STORED_JSON) await this.clean(queryRunner, target);
  }

  public async down(): Promise<void> {
    // What was dropped is gone, as intended.
  }

  private async clean(queryRunner: QueryRunner, { table, key, columns }: JsonColumns): Promise<void> {
    const keyList = key.map((name) => `"${name}"`).join(', ');
    const keyParams = key.map((_name, index) => `$${index + 1}`).join(', ');
    const selected = [...key, ...columns].map((name) => `"${name}"`).join(', ');
    let after: unknown[] | null = null;
    for (;;) {
      const rows = (await queryRunner.query(
        `SELECT ${selected} FROM "${table}"${after ? ` WHERE (${keyList}) > (${keyParams})` : ''} ORDER BY ${keyList} LIMIT ${PAGE}`,
        after ?? [],
      )) as Record<string, unknown>[];
      for (const row of rows) {
        const changed = columns.filter((column) => {
          const value = row[column];
          if (value === null || typeof value !== 'object') return false;
          const cleaned = withoutSecrets(value);
          row[column] = cleaned;
          return JSON.stringify(cleaned) !== JSON.stringify(value);
        });
        if (changed.length === 0) continue;
        const sets = changed.map((column, index) => `"${column}" = $${key.length + index + 1}::jsonb`).join(', ');
        await queryRunner.query(`UPDATE "${table}" SET ${sets} WHERE (${keyList}) = (${keyParams})`, [
          ...key.map((name) => row[name]),
          ...changed.map((column) => JSON.stringify(row[column])),
        ]);
      }
      if (rows.length < PAGE) return;
      after = key.map((name) => rows[rows.length - 1][name]);
    }
  }
}
