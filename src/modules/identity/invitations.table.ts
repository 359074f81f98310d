import type { Generated, Insertable, Selectable } from 'kysely'
import type { UserRole } from './users.table.ts'

/** IAM-1: an admin's invitation to join the organisation with a role. */
export interface InvitationsTable {
  id: string
  tenant_id: string
  /** The address as the admin typed it (trimmed, NFC): the account is created with it. */
  email: string
  /** Lower-cased, NFC-normalised: at most one open invitation per address. */
  email_normalized: string
  role: UserRole
  /** SHA-256 of the token, hex; the token itself exists only in the e-mail. */
  token_hash: string
  invited_by: string | null
  created_at: Generated<Date>
  /** When the current token was mailed (creation, or the latest resend). */
  sent_at: Generated<Date>
  expires_at: Date
  accepted_at: Generated<Date | null>
  accepted_user_id: Generated<string | null>
  revoked_at: Generated<Date | null>
  /** `revoked` by an admin, or `expired` when a new invitation replaced a lapsed one. */
  revoked_reason: Generated<'revoked' | 'expired' | null>
}

export type InvitationRow = Selectable<InvitationsTable>
export type NewInvitationRow = Insertable<InvitationsTable>
