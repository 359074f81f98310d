// IAM-2, IAM-6: what the tables of mailed single-use tokens (password reset, e-mail verification)
// share: the per-user mail limit and voiding a user's open tokens when a newer one is sent.
import { sql } from 'kysely'
import type { Trx } from '../../db/tenant.ts'

export type MailedTokenTable = 'password_reset_tokens' | 'email_verification_tokens'

/** Tokens issued to the user within the last `seconds`: one per mail sent. */
export async function countRecentTokens(
  trx: Trx,
  table: MailedTokenTable,
  tenantId: string,
  userId: string,
  seconds: number,
): Promise<number> {
  const row = await trx
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('created_at', '>', sql<Date>`now() - make_interval(secs => ${seconds})`)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Voids the user's tokens that are neither used nor voided yet. */
export async function revokeOpenTokens(
  trx: Trx,
  table: MailedTokenTable,
  tenantId: string,
  userId: string,
): Promise<void> {
  await trx
    .updateTable(table)
    .set({ revoked_at: sql<Date>`now()` })
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .execute()
}
