// IAM-1, IAM-7: the organisation's users as the members API reads and changes them. Every query
// carries the tenant beneath row-level security (AUTHZ-5).
import type { Trx } from '../../db/tenant.ts'
import type { UserRole, UserRow } from './users.table.ts'

/** What the members API shows of a user; never the password hash. */
export type MemberRow = Pick<
  UserRow,
  | 'id'
  | 'email'
  | 'email_normalized'
  | 'role'
  | 'status'
  | 'created_at'
  | 'last_sign_in_at'
  | 'email_verified_at'
>

const MEMBER_COLUMNS = [
  'id',
  'email',
  'email_normalized',
  'role',
  'status',
  'created_at',
  'last_sign_in_at',
  'email_verified_at',
] as const

/** Where a page starts: after this row in (email, id) order. */
export interface MemberCursor {
  email_normalized: string
  id: string
}

export async function listMembers(
  trx: Trx,
  tenantId: string,
  after: MemberCursor | undefined,
  limit: number,
): Promise<MemberRow[]> {
  let query = trx.selectFrom('users').select(MEMBER_COLUMNS).where('tenant_id', '=', tenantId)
  if (after) {
    query = query.where((eb) =>
      eb(eb.refTuple('email_normalized', 'id'), '>', eb.tuple(after.email_normalized, after.id)),
    )
  }
  return query.orderBy('email_normalized').orderBy('id').limit(limit).execute()
}

export async function findMember(
  trx: Trx,
  tenantId: string,
  userId: string,
): Promise<MemberRow | undefined> {
  return trx
    .selectFrom('users')
    .select(MEMBER_COLUMNS)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .executeTakeFirst()
}

export async function updateRole(
  trx: Trx,
  tenantId: string,
  userId: string,
  role: UserRole,
): Promise<MemberRow | undefined> {
  return trx
    .updateTable('users')
    .set({ role, updated_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .returning(MEMBER_COLUMNS)
    .executeTakeFirst()
}

export async function updateStatus(
  trx: Trx,
  tenantId: string,
  userId: string,
  status: 'active' | 'deactivated',
): Promise<MemberRow | undefined> {
  return trx
    .updateTable('users')
    .set({ status, updated_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .returning(MEMBER_COLUMNS)
    .executeTakeFirst()
}

/**
 * Deletes the user row. Sessions, second factors, tokens, devices, group memberships and API keys
 * go with it by ON DELETE CASCADE; rows that only name the user as creator keep a null instead.
 */
export async function deleteUser(trx: Trx, tenantId: string, userId: string): Promise<boolean> {
  const result = await trx
    .deleteFrom('users')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .executeTakeFirst()
  return result.numDeletedRows > 0n
}
