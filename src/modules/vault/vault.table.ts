import type { Generated, Insertable, Selectable } from 'kysely'
import type { CredentialKind } from './vault.kinds.ts'

/** KMS-3: one third-party credential. Only `secret` is secret; the rest is metadata. */
export interface CredentialsTable {
  id: string
  tenant_id: string
  /** Unique per tenant, trimmed and NFC-normalised. */
  name: string
  kind: CredentialKind
  /** Names of the secret's fields, in clear: they are metadata and go into the audit log. */
  field_names: string[]
  /**
   * encryptField output over the JSON of the fields, bound to (tenant, 'credentials', 'secret',
   * id). Uint8Array, not Buffer: PGlite returns Uint8Array, pg a Buffer.
   */
  secret: Uint8Array
  /** 1 when stored, plus one per replacement. */
  secret_version: Generated<number>
  /** Null once the user who stored it was removed (IAM-1): the credential stays. */
  created_by: string | null
  created_at: Generated<Date>
  updated_at: Generated<Date>
  last_used_at: Date | null
}

export type NewCredentialRow = Insertable<CredentialsTable>
/** What the API may show: every column but the secret. */
export type CredentialMetadataRow = Omit<Selectable<CredentialsTable>, 'secret'>
