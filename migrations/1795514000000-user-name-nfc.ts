import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * userNames are now stored in Unicode NFC and matched in NFC. Rows written before may be NFD; they
 * are normalised here, except where the NFC form is already another user's userName (ignoring
 * case): both rows stay as they are, for an operator to resolve, rather than failing the upgrade.
 */
export class UserNameNfc1795514000000 implements MigrationInterface {
  name = 'UserNameNfc1795514000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `WITH candidates AS (
         SELECT DISTINCT ON (tenant_id, lower(normalize(user_name, NFC))) id, tenant_id, normalize(user_name, NFC) AS nfc
           FROM users
          WHERE user_name IS NOT NFC NORMALIZED
          ORDER BY tenant_id, lower(normalize(user_name, NFC)), created_on, id)
       UPDATE users u SET user_name = c.nfc
         FROM candidates c
        WHERE u.id = c.id
          AND NOT EXISTS (SELECT 1 FROM users o
                           WHERE o.tenant_id = c.tenant_id AND o.id <> c.id AND lower(o.user_name) = lower(c.nfc))`,
    );
  }

  public async down(): Promise<void> {
    // NFC is a valid spelling of every userName: nothing to undo.
  }
}
