// IAM-4: what an organisation's administrators see and do about their users' second factors.
import { sql } from 'kysely'
import type { Trx } from '../../db/tenant.ts'
import type { UserRole } from '../identity/users.table.ts'

/** Active users with one of `roles` and no primary second factor (authenticator or passkey). */
export async function countUsersWithoutMfa(
  trx: Trx,
  tenantId: string,
  roles: readonly UserRole[],
): Promise<number> {
  if (roles.length === 0) return 0
  const { rows } = await sql<{ n: string }>`
    SELECT count(*) AS n FROM users u
    WHERE u.tenant_id = ${tenantId} AND u.status = 'active' AND u.role IN (${sql.join(roles)})
      AND NOT EXISTS (SELECT 1 FROM mfa_totp t WHERE t.tenant_id = u.tenant_id
                      AND t.user_id = u.id AND t.confirmed_at IS NOT NULL)
      AND NOT EXISTS (SELECT 1 FROM mfa_passkeys p WHERE p.tenant_id = u.tenant_id
                      AND p.user_id = u.id)`.execute(trx)
  return Number(rows[0]?.n ?? 0)
}

/** Removes every second factor of the user; returns whether there was any. */
export async function deleteAllFactors(
  trx: Trx,
  tenantId: string,
  userId: string,
): Promise<boolean> {
  let removed = 0n
  for (const table of ['mfa_totp', 'mfa_recovery_codes', 'mfa_passkeys'] as const) {
    const result = await trx
      .deleteFrom(table)
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .executeTakeFirst()
    removed += result.numDeletedRows
  }
  return removed > 0n
}
