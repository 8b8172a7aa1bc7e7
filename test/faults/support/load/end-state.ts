import { query } from '../servers';

/** A users row as the model expects it: the columns any front door writes, none the database picks. */
export interface ExpectedUser {
  user_name: string;
  external_id: string | null;
  given_name: string | null;
  middle_name: string | null;
  family_name: string | null;
  display_name: string | null;
  email: string | null;
  emails: { value: string; type?: string; primary?: boolean }[];
  phone_number: string | null;
  active: boolean;
  role: string | null;
  metadata: Record<string, unknown> | null;
  attributes: Record<string, unknown>;
  created_by: 'scim' | 'batch' | 'partner';
  changed_by: 'scim' | 'batch' | 'partner';
  /** 1 + every acknowledged update: an operation applied twice (or lost) shows here. */
  version: number;
}

export interface ExpectedDepartment {
  external_id: string;
  name: string;
  parent_external_id: string | null;
  active: boolean;
  attributes: Record<string, unknown>;
}

export interface ExpectedMembership {
  user_name: string;
  department_external_id: string;
  user_type_id: string;
}

export interface ExpectedTenant {
  users: ExpectedUser[];
  departments: ExpectedDepartment[];
  memberships: ExpectedMembership[];
}

/**
 * Each compared table: the tenant's rows as SQL reads them, and the same columns, in the same
 * order and types, as `jsonb_to_recordset` reads the model. Both sides are then rendered by
 * PostgreSQL itself (`ROW(...)::text`, jsonb in its canonical form), so the checksums differ only
 * when a value does. Departments and users are named by their natural keys (external id,
 * userName), never by the generated ids, which the model of a batch or partner client never sees.
 */
const TABLES: Record<keyof ExpectedTenant, { actual: string; columns: string }> = {
  users: {
    actual: `SELECT user_name::text, external_id::text, given_name::text, middle_name::text, family_name::text,
               display_name::text, email::text, emails, phone_number::text, active, role::text, metadata,
               attributes, created_by::text, changed_by::text, version
               FROM users WHERE tenant_id = $1`,
    columns: `user_name text, external_id text, given_name text, middle_name text, family_name text,
              display_name text, email text, emails jsonb, phone_number text, active boolean, role text,
              metadata jsonb, attributes jsonb, created_by text, changed_by text, version int`,
  },
  departments: {
    actual: `SELECT d.external_id::text, d.name::text, p.external_id::text AS parent_external_id, d.active, d.attributes
               FROM departments d LEFT JOIN departments p ON p.id = d.parent_id
              WHERE d.tenant_id = $1`,
    columns: 'external_id text, name text, parent_external_id text, active boolean, attributes jsonb',
  },
  memberships: {
    actual: `SELECT u.user_name::text, d.external_id::text AS department_external_id, a.user_type_id::text
               FROM assignments a JOIN users u ON u.id = a.user_id JOIN departments d ON d.id = a.department_id
              WHERE a.tenant_id = $1`,
    columns: 'user_name text, department_external_id text, user_type_id text',
  },
};

export interface TableComparison {
  tenant: string;
  table: keyof ExpectedTenant;
  actualRows: number;
  expectedRows: number;
  actualMd5: string;
  expectedMd5: string;
  /** Rows the database has and the model does not (first few). */
  unexpected: string[];
  /** Rows the model has and the database does not (first few). */
  missing: string[];
}

/** Counts and md5 of every row, ordered by its text (which starts with the natural key), for both sides. */
export async function compareTenant(
  databaseUrl: string,
  tenant: string,
  expected: ExpectedTenant,
): Promise<TableComparison[]> {
  const comparisons: TableComparison[] = [];
  for (const table of Object.keys(TABLES) as (keyof ExpectedTenant)[]) {
    const { actual, columns } = TABLES[table];
    const [row] = await query<{
      actual_rows: number;
      expected_rows: number;
      actual_md5: string;
      expected_md5: string;
      unexpected: string[];
      missing: string[];
    }>(
      databaseUrl,
      `WITH actual AS (${actual}),
            expected AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS m(${columns})),
            a AS (SELECT ROW(actual.*)::text AS r FROM actual),
            e AS (SELECT ROW(expected.*)::text AS r FROM expected)
       SELECT (SELECT count(*)::int FROM a) AS actual_rows,
              (SELECT count(*)::int FROM e) AS expected_rows,
              (SELECT md5(coalesce(string_agg(r, E'\\n' ORDER BY r), '')) FROM a) AS actual_md5,
              (SELECT md5(coalesce(string_agg(r, E'\\n' ORDER BY r), '')) FROM e) AS expected_md5,
              ARRAY(SELECT r FROM (SELECT r FROM a EXCEPT ALL SELECT r FROM e) x ORDER BY r LIMIT 8) AS unexpected,
              ARRAY(SELECT r FROM (SELECT r FROM e EXCEPT ALL SELECT r FROM a) x ORDER BY r LIMIT 8) AS missing`,
      [tenant, JSON.stringify(expected[table])],
    );
    comparisons.push({
      tenant,
      table,
      actualRows: row.actual_rows,
      expectedRows: row.expected_rows,
      actualMd5: row.actual_md5,
      expectedMd5: row.expected_md5,
      unexpected: row.unexpected,
      missing: row.missing,
    });
  }
  return comparisons;
}

export function describeComparison(c: TableComparison): string {
  const same = c.actualRows === c.expectedRows && c.actualMd5 === c.expectedMd5;
  const head = `${c.tenant.padEnd(16)} ${c.table.padEnd(12)} rows ${String(c.actualRows).padStart(5)} / model ${String(c.expectedRows).padStart(5)}  md5 ${c.actualMd5.slice(0, 12)} / ${c.expectedMd5.slice(0, 12)}  ${same ? 'MATCH' : 'MISMATCH'}`;
  if (same) return head;
  return [
    head,
    ...c.unexpected.map((r) => `    only in database: ${r}`),
    ...c.missing.map((r) => `    only in model:    ${r}`),
  ].join('\n');
}

/** A committed transaction as its client saw it acknowledged. */
export interface CommittedTransaction {
  transactionId: string;
  jobId: string;
  operations: number;
}

export interface TransactionCheck {
  transactionId: string;
  problem: string;
}

/**
 * Every committed transaction of the tenant COMPLETED, once: its job DONE at the first attempt,
 * the only job naming it, every operation SUCCEEDED; and no transaction the clients did not commit.
 */
export async function checkTransactions(
  databaseUrl: string,
  tenant: string,
  committed: readonly CommittedTransaction[],
): Promise<TransactionCheck[]> {
  const rows = await query<{
    id: string;
    status: string;
    operation_count: number;
    completed_count: number;
    failed_count: number;
    job_id: string | null;
    job_status: string | null;
    attempts: number | null;
    jobs: number;
    not_succeeded: number;
  }>(
    databaseUrl,
    `SELECT t.id, t.status, t.operation_count, t.completed_count, t.failed_count, t.job_id::text,
            j.status AS job_status, j.attempts,
            (SELECT count(*)::int FROM backend_jobs b WHERE b.payload->>'transactionId' = t.id::text) AS jobs,
            (SELECT count(*)::int FROM provisioning_operations o
              WHERE o.transaction_id = t.id AND o.status <> 'SUCCEEDED') AS not_succeeded
       FROM provisioning_transactions t LEFT JOIN backend_jobs j ON j.id = t.job_id
      WHERE t.tenant_id = $1`,
    [tenant],
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  const problems: TransactionCheck[] = [];
  for (const tx of committed) {
    const row = byId.get(tx.transactionId);
    byId.delete(tx.transactionId);
    const wanted = {
      status: 'COMPLETED',
      operation_count: tx.operations,
      completed_count: tx.operations,
      failed_count: 0,
      job_id: tx.jobId,
      job_status: 'DONE',
      attempts: 1,
      jobs: 1,
      not_succeeded: 0,
    };
    if (!row) {
      problems.push({ transactionId: tx.transactionId, problem: 'not in the database' });
      continue;
    }
    const wrong = (Object.keys(wanted) as (keyof typeof wanted)[]).filter((key) => row[key] !== wanted[key]);
    if (wrong.length > 0) {
      const detail = wrong.map((key) => `${key} ${String(row[key])} (expected ${String(wanted[key])})`).join(', ');
      problems.push({ transactionId: tx.transactionId, problem: detail });
    }
  }
  for (const row of byId.values()) {
    problems.push({ transactionId: row.id, problem: `not committed by any client, yet ${row.status}` });
  }
  return problems;
}
