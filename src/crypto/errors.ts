// Why a key or ciphertext was refused. Services map these to HTTP errors; the CLI prints them.
export type KmsReason =
  /** The tenant has no key (created before keys existed, or the key store is not the right one). */
  | 'tenant_key_missing'
  /** The tenant was crypto-shredded (KMS-5): nothing of it decrypts any more. */
  | 'tenant_shredded'
  /** The ciphertext names a key version the tenant never had. */
  | 'key_version_unknown'
  /** The ciphertext's key version was retired after re-encryption. */
  | 'key_version_retired'
  /** Not a Rampart ciphertext: too short or an unknown format version. */
  | 'ciphertext_malformed'
  /** The tag did not verify: altered bytes, or copied from another tenant, table, column or row. */
  | 'ciphertext_rejected'
  /** The key version is still used by stored fields, or is the one new writes use. */
  | 'key_version_in_use'

export class KmsError extends Error {
  override name = 'KmsError'
  constructor(
    readonly reason: KmsReason,
    message: string,
  ) {
    super(message)
  }
}
