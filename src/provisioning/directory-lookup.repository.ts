import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { MatchField } from '../directory/directory.types';

/** Whether failed items named existing entities, so their failure reports CREATE or UPDATE. */
@Injectable()
export class DirectoryLookupRepository {
  async existingDepartments(em: EntityManager, tenantId: string, externalIds: readonly string[]): Promise<Set<string>> {
    if (externalIds.length === 0) return new Set();
    const rows = await em.query<{ external_id: string }[]>(
      `SELECT external_id FROM departments WHERE tenant_id = $1 AND external_id = ANY($2::text[])`,
      [tenantId, externalIds],
    );
    return new Set(rows.map((row) => row.external_id));
  }

  /** Keys `FIELD:lower(value)` of the users these keys match. */
  async existingUsers(
    em: EntityManager,
    tenantId: string,
    keys: readonly { matchOnField: MatchField; value: string }[],
  ): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const values = (field: MatchField): string[] =>
      keys.filter((key) => key.matchOnField === field).map((key) => key.value);
    const rows = await em.query<{ key: string }[]>(
      `SELECT 'EXTERNAL_ID:' || lower(external_id) AS key FROM users WHERE tenant_id = $1 AND external_id = ANY($2::text[])
       UNION ALL SELECT 'EMAIL:' || lower(email) FROM users WHERE tenant_id = $1 AND lower(email) = ANY($3::text[])
       UNION ALL SELECT 'USERNAME:' || lower(user_name) FROM users WHERE tenant_id = $1 AND lower(user_name) = ANY($4::text[])`,
      [
        tenantId,
        values('EXTERNAL_ID'),
        values('EMAIL').map((v) => v.toLowerCase()),
        values('USERNAME').map((v) => v.toLowerCase()),
      ],
    );
    return new Set(rows.map((row) => row.key));
  }
}
