import type { ColumnType, Generated, Insertable, Selectable } from 'kysely'

/**
 * IAM-4: a user's WebAuthn credential. `public_key` is the COSE key from the attestation: not a
 * secret, so stored in clear. Uint8Array, not Buffer: PGlite returns Uint8Array, pg a Buffer.
 */
export interface MfaPasskeysTable {
  id: string
  tenant_id: string
  user_id: string
  /** The credential id as the authenticator gave it, base64url. */
  credential_id: string
  public_key: Uint8Array
  /** bigint: pg returns a string, PGlite a number; written as a number. Read with Number(). */
  sign_count: ColumnType<string | number, number, number>
  /** How the browser can reach the authenticator (usb, nfc, internal, hybrid, ...). */
  transports: string[]
  /** Chosen by the user, 1..64 characters. */
  name: string
  created_at: Generated<Date>
  last_used_at: Date | null
}

/** IAM-4: challenges already used, kept until they would have expired (single use). */
export interface MfaPasskeyChallengesTable {
  tenant_id: string
  id: string
  purpose: 'registration' | 'authentication'
  expires_at: Date
  spent_at: Generated<Date>
}

export type PasskeyRow = Selectable<MfaPasskeysTable>
export type NewPasskeyRow = Insertable<MfaPasskeysTable>
