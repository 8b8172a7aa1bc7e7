// The directory the SCIM benchmark reads and writes: users and departments (SCIM groups) of one
// tenant, written with set-based SQL straight into the tables the migrations made.

/** A pg Client, or a TypeORM DataSource: anything that runs a statement with parameters. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

export interface SeedCounts {
  users: number;
  groups: number;
}

/** `user<n>@example.com`, n from 1: the userName (and email) of the n-th seeded user. */
export const seededUserName = (n: number): string => `user${n}@example.com`;

/**
 * Users 1..N as Entra ID would have created them over SCIM (one work email, externalId, names),
 * one second apart in creation order; groups 1..G; user n is a member (user type "1") of group
 * 1 + (n - 1) mod G, so every group has N / G members and every user one group. Then VACUUM ANALYZE,
 * so the planner sees the tables as they would be in production rather than freshly bulk-loaded.
 */
export async function seedDirectory(db: Queryable, tenantId: string, counts: SeedCounts): Promise<void> {
  await db.query(
    `INSERT INTO users (tenant_id, user_name, external_id, given_name, family_name, display_name, email, emails,
       active, created_by, changed_by, created_on, updated_on)
     SELECT $1, 'user' || n || '@example.com', 'ext-' || n, 'Given' || n, 'Family' || n,
            'Given' || n || ' Family' || n, 'user' || n || '@example.com',
            jsonb_build_array(jsonb_build_object('value', 'user' || n || '@example.com', 'type', 'work', 'primary', true)),
            true, 'scim', 'scim', t.at, t.at
       FROM generate_series(1, $2::int) AS n,
            LATERAL (SELECT now() - make_interval(secs => $2::int - n)) AS t(at)`,
    [tenantId, counts.users],
  );
  await db.query(
    `INSERT INTO departments (tenant_id, external_id, name, active, created_on, updated_on)
     SELECT $1, 'grp-' || g, 'Group ' || g, true, t.at, t.at
       FROM generate_series(1, $2::int) AS g,
            LATERAL (SELECT now() - make_interval(secs => $2::int - g)) AS t(at)`,
    [tenantId, counts.groups],
  );
  await db.query(
    `INSERT INTO assignments (user_id, department_id, user_type_id, tenant_id)
     SELECT u.id, d.id, '1', $1
       FROM generate_series(1, $2::int) AS n
       JOIN users u ON u.tenant_id = $1 AND u.external_id = 'ext-' || n
       JOIN departments d ON d.tenant_id = $1 AND d.external_id = 'grp-' || (1 + (n - 1) % $3::int)`,
    [tenantId, counts.users, counts.groups],
  );
  await db.query('VACUUM ANALYZE users, departments, assignments');
}
