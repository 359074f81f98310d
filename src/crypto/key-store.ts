// KMS-1, KMS-5: tenant keys live in a key store apart from the main database (a directory by
// default, a database of its own in production), only ever wrapped by the master key. A backup
// of the main database therefore holds ciphertext only, and shredding a tenant means deleting its
// entries here: once the key store's own (short) backup retention has passed, nothing anywhere
// can decrypt the tenant's data. See docs/keys.md.

/** `active` versions decrypt and the newest of them encrypts; `retired` ones do neither. */
export type KeyVersionState = 'active' | 'retired'

export interface StoredTenantKey {
  tenantId: string
  version: number
  state: KeyVersionState
  masterKeyId: string
  wrapped: Buffer
  createdAt: Date
  retiredAt: Date | null
}

export interface TenantKeys {
  versions: StoredTenantKey[]
  /** Set once the tenant was crypto-shredded: no versions remain and none may be added. */
  shreddedAt: Date | null
}

export interface KeyStoreSnapshot {
  format: 'rampart-keystore-snapshot-v1'
  takenAt: string
  tenants: {
    tenantId: string
    shreddedAt: string | null
    versions: (Omit<StoredTenantKey, 'wrapped' | 'createdAt' | 'retiredAt'> & {
      wrapped: string
      createdAt: string
      retiredAt: string | null
    })[]
  }[]
}

export interface TenantKeyStore {
  /** Where the store is, for `rampart keys status`. */
  describe(): string
  /** Every version of a tenant's key, oldest first. */
  read(tenantId: string): Promise<TenantKeys>
  /** Adds the next version (1 for a new tenant); fails with KeyStoreError('version_exists'). */
  add(key: StoredTenantKey): Promise<void>
  /** Replaces the wrapping of one version, if it is still wrapped under `fromMasterKeyId`. */
  rewrap(
    tenantId: string,
    version: number,
    fromMasterKeyId: string,
    to: { masterKeyId: string; wrapped: Buffer },
  ): Promise<boolean>
  retire(tenantId: string, version: number, at: Date): Promise<void>
  /** Deletes every version and leaves a tombstone (KMS-5). Returns how many were destroyed. */
  shred(tenantId: string, at: Date): Promise<number>
  /** Every tenant id the store knows, shredded ones included. */
  tenants(): Promise<string[]>
  close(): Promise<void>
}

export class KeyStoreError extends Error {
  override name = 'KeyStoreError'
  constructor(
    readonly reason: 'version_exists' | 'shredded' | 'unknown_version' | 'unavailable',
    message: string,
  ) {
    super(message)
  }
}

/** The store's contents as JSON text (wrapped keys only), for its own backups. */
export async function snapshotKeyStore(store: TenantKeyStore): Promise<KeyStoreSnapshot> {
  const tenants: KeyStoreSnapshot['tenants'] = []
  for (const tenantId of (await store.tenants()).sort()) {
    const keys = await store.read(tenantId)
    tenants.push({
      tenantId,
      shreddedAt: keys.shreddedAt?.toISOString() ?? null,
      versions: keys.versions.map((v) => ({
        tenantId: v.tenantId,
        version: v.version,
        state: v.state,
        masterKeyId: v.masterKeyId,
        wrapped: v.wrapped.toString('base64'),
        createdAt: v.createdAt.toISOString(),
        retiredAt: v.retiredAt?.toISOString() ?? null,
      })),
    })
  }
  return { format: 'rampart-keystore-snapshot-v1', takenAt: new Date().toISOString(), tenants }
}
