import type { Generated, Insertable, Selectable } from 'kysely'

export interface PasswordResetTokensTable {
  id: string
  tenant_id: string
  user_id: string
  /** SHA-256 of the token, hex; the token itself exists only in the e-mail (IAM-2). */
  token_hash: string
  created_at: Generated<Date>
  expires_at: Date
  /** Set when the token was used to choose a new password: a token works once. */
  used_at: Date | null
  /** Set when a newer request or a completed reset made this token void. */
  revoked_at: Date | null
}

export type PasswordResetTokenRow = Selectable<PasswordResetTokensTable>
export type NewPasswordResetTokenRow = Insertable<PasswordResetTokensTable>
