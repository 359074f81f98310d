import type { Generated, Insertable, Selectable } from 'kysely'

export interface SessionsTable {
  id: string
  tenant_id: string
  user_id: string
  /** SHA-256 of the opaque token, hex; the token itself is never stored (IAM-6). */
  token_hash: string
  created_at: Generated<Date>
  last_seen_at: Generated<Date>
  /** Absolute expiry; the idle timeout is checked against last_seen_at. */
  expires_at: Date
  ip: string | null
  user_agent: string | null
  revoked_at: Date | null
  revoked_reason: string | null
  /** IAM-4: `mfa_enrolment` sessions reach second-factor enrolment only. */
  scope: Generated<SessionScope>
  /** IAM-6: the last time the holder proved who they are (sign-in or step-up). */
  authenticated_at: Generated<Date>
  /** How they proved it, by RFC 8176 names: pwd, otp, hwk (passkey), swk (recovery code). */
  amr: Generated<string[]>
}

export type SessionScope = 'full' | 'mfa_enrolment'

export type SessionRow = Selectable<SessionsTable>
export type NewSessionRow = Insertable<SessionsTable>
