import type { Generated, Insertable, Selectable } from 'kysely'

/** A link sent to an address to prove it belongs to the user (IAM-1, IAM-6). */
export interface EmailVerificationTokensTable {
  id: string
  tenant_id: string
  user_id: string
  /** The address being verified: the current one, or the one the user asked to change to. */
  email: string
  /** SHA-256 of the token, hex; the token itself exists only in the e-mail. */
  token_hash: string
  created_at: Generated<Date>
  expires_at: Date
  used_at: Date | null
  revoked_at: Date | null
}

export type EmailVerificationTokenRow = Selectable<EmailVerificationTokensTable>
export type NewEmailVerificationTokenRow = Insertable<EmailVerificationTokensTable>
