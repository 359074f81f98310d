import type { Generated, Insertable, Selectable } from 'kysely'

/** IAM-4: a sign-in whose password was right, waiting for its second factor. */
export interface MfaChallengesTable {
  id: string
  tenant_id: string
  user_id: string
  /** SHA-256 of the challenge token, hex; the token exists only in the client. */
  token_hash: string
  /** IAM-3: the known device the attempt was counted on; null when counted on the account. */
  known_device_id: string | null
  created_at: Generated<Date>
  expires_at: Date
  /** Wrong codes offered against this challenge; it is dropped after a few. */
  failures: Generated<number>
  consumed_at: Date | null
}

export type MfaChallengeRow = Selectable<MfaChallengesTable>
export type NewMfaChallengeRow = Insertable<MfaChallengesTable>
