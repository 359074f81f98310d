import type { ColumnType, Generated, Insertable, Selectable } from 'kysely'

/**
 * IAM-4: a user's authenticator app (TOTP), one row per user; pending until confirmed with a code.
 * KMS-2: `secret` is encryptField output over the raw secret bytes, bound to (tenant, 'mfa_totp',
 * 'secret', id). Uint8Array, not Buffer: PGlite returns Uint8Array, pg a Buffer.
 */
export interface MfaTotpTable {
  id: string
  tenant_id: string
  user_id: string
  secret: Uint8Array
  /** Null while the enrolment waits for its first valid code. */
  confirmed_at: Date | null
  /**
   * The last accepted RFC 6238 time step: a code is accepted once, and no older one after it.
   * bigint, returned as a string, written as a number.
   */
  last_step: ColumnType<string | null, number | null, number | null>
  last_used_at: Date | null
  created_at: Generated<Date>
}

/** IAM-4: single-use recovery codes, only their SHA-256 hashes (see recovery-codes.ts). */
export interface MfaRecoveryCodesTable {
  id: string
  tenant_id: string
  user_id: string
  code_hash: Uint8Array
  created_at: Generated<Date>
  used_at: Date | null
}

export type NewMfaTotpRow = Insertable<MfaTotpTable>
/** What enrolment state needs: every column but the secret. */
export type MfaTotpStateRow = Omit<Selectable<MfaTotpTable>, 'secret'>
export type NewRecoveryCodeRow = Insertable<MfaRecoveryCodesTable>
