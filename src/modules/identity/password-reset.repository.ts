// IAM-2: password reset tokens, and the user and password reads and writes a reset needs.
import { sql } from 'kysely'
import type { Trx } from '../../db/tenant.ts'
import type { NewPasswordResetTokenRow } from './password-reset.table.ts'

export interface ResetAccount {
  user_id: string
  email: string
  user_status: string
  tenant_name: string
  tenant_slug: string
}

/**
 * The account a reset is asked for, with what the mail and the password policy need. The user row
 * stays locked until the transaction ends, so parallel requests for one account take turns and
 * the per-account limit cannot be outrun.
 */
export async function lockAccountByEmail(
  trx: Trx,
  tenantId: string,
  emailNormalized: string,
): Promise<ResetAccount | undefined> {
  const { rows } = await sql<ResetAccount>`
    SELECT u.id AS user_id, u.email, u.status AS user_status,
           t.name AS tenant_name, t.slug AS tenant_slug
    FROM users u JOIN tenants t ON t.id = u.tenant_id
    WHERE u.tenant_id = ${tenantId} AND u.email_normalized = ${emailNormalized}
    FOR UPDATE OF u`.execute(trx)
  return rows[0]
}

export async function insertToken(trx: Trx, row: NewPasswordResetTokenRow): Promise<void> {
  await trx.insertInto('password_reset_tokens').values(row).execute()
}

export interface ResetTokenAccount extends ResetAccount {
  token_id: string
  expires_at: Date
}

/** An open (unused, not voided) token with its account; expiry is the caller's to judge. */
export async function findOpenToken(
  trx: Trx,
  tenantId: string,
  tokenHash: string,
): Promise<ResetTokenAccount | undefined> {
  const { rows } = await sql<ResetTokenAccount>`
    SELECT r.id AS token_id, r.expires_at, u.id AS user_id, u.email, u.status AS user_status,
           t.name AS tenant_name, t.slug AS tenant_slug
    FROM password_reset_tokens r
    JOIN users u ON u.id = r.user_id AND u.tenant_id = r.tenant_id
    JOIN tenants t ON t.id = r.tenant_id
    WHERE r.tenant_id = ${tenantId} AND r.token_hash = ${tokenHash}
      AND r.used_at IS NULL AND r.revoked_at IS NULL`.execute(trx)
  return rows[0]
}

/**
 * Marks the token used if it still is open and unexpired, in one statement: of two confirmations
 * racing with one token, exactly one gets the row back.
 */
export async function consumeToken(
  trx: Trx,
  tenantId: string,
  tokenHash: string,
): Promise<{ id: string; user_id: string } | undefined> {
  return trx
    .updateTable('password_reset_tokens')
    .set({ used_at: sql<Date>`now()` })
    .where('tenant_id', '=', tenantId)
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .returning(['id', 'user_id'])
    .executeTakeFirst()
}

/** Sets an active user's password hash; false when the user is gone or deactivated. */
export async function setPasswordHash(
  trx: Trx,
  tenantId: string,
  userId: string,
  passwordHash: string,
): Promise<boolean> {
  const result = await trx
    .updateTable('users')
    .set({ password_hash: passwordHash, updated_at: sql<Date>`now()` })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .where('status', '=', 'active')
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}
