import type { Trx } from '../../db/tenant.ts'
import type { NewUserRow, UserRow } from './users.table.ts'

export async function insertUser(trx: Trx, row: NewUserRow): Promise<UserRow> {
  return trx.insertInto('users').values(row).returningAll().executeTakeFirstOrThrow()
}

export async function findUserByEmail(
  trx: Trx,
  tenantId: string,
  emailNormalized: string,
): Promise<UserRow | undefined> {
  return trx
    .selectFrom('users')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('email_normalized', '=', emailNormalized)
    .executeTakeFirst()
}

export async function recordSignIn(
  trx: Trx,
  tenantId: string,
  userId: string,
  rehashed: string | null,
): Promise<void> {
  await trx
    .updateTable('users')
    .set({
      last_sign_in_at: new Date(),
      ...(rehashed ? { password_hash: rehashed, updated_at: new Date() } : {}),
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .execute()
}

export async function findUserById(
  trx: Trx,
  tenantId: string,
  userId: string,
): Promise<UserRow | undefined> {
  return trx
    .selectFrom('users')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .executeTakeFirst()
}
