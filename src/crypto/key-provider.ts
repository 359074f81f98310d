// KMS-1: the master key (key-encryption key) lives in a key provider. Tenant keys are only ever
// stored wrapped by it. Providers: `file` (development default) and `pkcs11` (an HSM, where the
// master key never leaves the token). A cloud KMS (AWS KMS, Vault Transit) is a third
// implementation of this interface: its wrap and unwrap are the service's Encrypt and Decrypt
// calls with `context` as the encryption context; see docs/keys.md.

/** A tenant key as stored: wrapped under one master key version. */
export interface WrappedKey {
  /** Which master key version wrapped it (providers keep old versions until rewrapped). */
  masterKeyId: string
  /** Provider-defined bytes; for the built-in providers nonce(12) || ciphertext || tag(16). */
  wrapped: Buffer
}

export interface MasterKeyInfo {
  id: string
  /** The version new wraps use. Exactly one is active. */
  active: boolean
  createdAt: Date | null
}

export interface ProviderDescription {
  kind: 'file' | 'pkcs11'
  /** Where the master keys are: a file path, or the PKCS#11 library, slot and token label. */
  location: string
  /** True when the master key cannot be read out of the provider (an HSM). */
  nonExtractable: boolean
}

export interface KeyProvider {
  /**
   * Wraps a tenant key under the active master key. `context` (tenant id and key version) is
   * bound as associated data, so a wrapped key copied to another tenant or version does not
   * unwrap.
   */
  wrap(key: Buffer, context: Buffer): Promise<WrappedKey>
  /** Unwraps with the master key version named in `wrapped`; throws KeyProviderError. */
  unwrap(wrapped: WrappedKey, context: Buffer): Promise<Buffer>
  /** Creates a new master key version and makes it the active one; older versions still unwrap. */
  createMasterKey(): Promise<MasterKeyInfo>
  /** Destroys a master key version that is not active (after every key was rewrapped). */
  destroyMasterKey(id: string): Promise<void>
  listMasterKeys(): Promise<MasterKeyInfo[]>
  describe(): ProviderDescription
  close(): Promise<void>
}

/** Codes: `unknown_master_key`, `unwrap_failed`, `active_master_key`, `provider_unavailable`. */
export class KeyProviderError extends Error {
  override name = 'KeyProviderError'
  constructor(
    readonly reason:
      | 'unknown_master_key'
      | 'unwrap_failed'
      | 'active_master_key'
      | 'provider_unavailable',
    message: string,
  ) {
    super(message)
  }
}
