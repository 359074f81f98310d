// IAM-2, IAM-6: the stored password hash, read and replaced for a password change.
import { sql } from 'kysely'
import type { Trx } from '../../db/tenant.ts'

export async function findPasswordHash(
  trx: Trx,
  tenantId: string,
  userId: string,
): Promise<string | null> {
  const row = await trx
    .selectFrom('users')
    .select('password_hash')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .where('status', '=', 'active')
    .executeTakeFirst()
  return row?.password_hash ?? null
}

/**
 * Replaces the hash only if it is still the one the current password was checked against: of two
 * changes racing with the same current password, exactly one wins. False when it was not.
 */
export async function replacePasswordHash(
  trx: Trx,
  tenantId: string,
  userId: string,
  expected: string,
  replacement: string,
): Promise<boolean> {
  const result = await trx
    .updateTable('users')
    .set({ password_hash: replacement, updated_at: sql<Date>`now()` })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .where('status', '=', 'active')
    .where('password_hash', '=', expected)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}
