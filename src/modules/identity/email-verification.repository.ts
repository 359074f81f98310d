// IAM-1, IAM-6: e-mail verification tokens (only their hashes) and the address change they allow.
import { sql } from 'kysely'
import type { Trx } from '../../db/tenant.ts'
import type {
  EmailVerificationTokenRow,
  NewEmailVerificationTokenRow,
} from './email-verification.table.ts'

export async function insertEmailToken(trx: Trx, row: NewEmailVerificationTokenRow): Promise<void> {
  await trx.insertInto('email_verification_tokens').values(row).execute()
}

/** Marks the open, unexpired token used and returns it; undefined when there is none. */
export async function consumeEmailToken(
  trx: Trx,
  tenantId: string,
  tokenHash: string,
): Promise<EmailVerificationTokenRow | undefined> {
  return trx
    .updateTable('email_verification_tokens')
    .set({ used_at: sql<Date>`now()` })
    .where('tenant_id', '=', tenantId)
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .returningAll()
    .executeTakeFirst()
}

/** Whether another user of the organisation already has this address. */
export async function emailTakenByOther(
  trx: Trx,
  tenantId: string,
  userId: string,
  emailNormalized: string,
): Promise<boolean> {
  const row = await trx
    .selectFrom('users')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('email_normalized', '=', emailNormalized)
    .where('id', '!=', userId)
    .executeTakeFirst()
  return row !== undefined
}

/** Sets the verified address; returns the previous one, or undefined for an inactive user. */
export async function setVerifiedEmail(
  trx: Trx,
  tenantId: string,
  userId: string,
  email: string,
  emailNormalized: string,
): Promise<string | undefined> {
  const before = await trx
    .selectFrom('users')
    .select('email')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .where('status', '=', 'active')
    .forUpdate()
    .executeTakeFirst()
  if (!before) return undefined
  await trx
    .updateTable('users')
    .set({
      email,
      email_normalized: emailNormalized,
      email_verified_at: sql<Date>`now()`,
      updated_at: sql<Date>`now()`,
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .execute()
  return before.email
}

export async function findEmailState(
  trx: Trx,
  tenantId: string,
  userId: string,
): Promise<{ email: string; email_verified_at: Date | null } | undefined> {
  return trx
    .selectFrom('users')
    .select(['email', 'email_verified_at'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .executeTakeFirst()
}
