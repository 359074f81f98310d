import type { Generated, Insertable, Selectable, Updateable } from 'kysely'

export type UserRole = 'owner' | 'admin' | 'member' | 'viewer' | 'auditor'

export interface UsersTable {
  id: string
  tenant_id: string
  email: string
  /** Lower-cased, NFC-normalised e-mail used for look-ups; unique per tenant. */
  email_normalized: string
  password_hash: string | null
  role: UserRole
  status: Generated<'active' | 'deactivated'>
  created_at: Generated<Date>
  updated_at: Generated<Date>
  last_sign_in_at: Date | null
  /** When the current address was proven by following a link sent to it; null until then. */
  email_verified_at: Generated<Date | null>
}

export type UserRow = Selectable<UsersTable>
export type NewUserRow = Insertable<UsersTable>
export type UserUpdate = Updateable<UsersTable>
