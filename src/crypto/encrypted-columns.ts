// KMS-2: every column that holds field ciphertext, so `rampart keys reencrypt` can move all of a
// tenant's values to the newest key version and `keys retire` can prove an old one is unused.
// A module that encrypts a column adds it here; the reencrypt test checks the list is complete.
// Records keep a map of ciphertexts per row instead (records.sealed, with a blind index): they
// are covered in src/modules/keys/encrypted-stores.ts.

export interface EncryptedColumn {
  table: string
  /** bytea column holding encryptField output; null values are skipped. */
  column: string
  /** The row id the ciphertext is bound to (its FieldRef.rowId), a uuid column. */
  idColumn: string
}

export const ENCRYPTED_COLUMNS: readonly EncryptedColumn[] = [
  { table: 'credentials', column: 'secret', idColumn: 'id' },
  // IAM-4: authenticator (TOTP) secrets.
  { table: 'mfa_totp', column: 'secret', idColumn: 'id' },
]
