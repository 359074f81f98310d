// KMS-1: opens the configured master key provider, the tenant key store and the keyring on top.
import type { KeysConfig } from '../config/config.ts'
import { openDirectoryKeyStore } from './directory-key-store.ts'
import { openFileProvider } from './file-provider.ts'
import type { KeyProvider } from './key-provider.ts'
import type { TenantKeyStore } from './key-store.ts'
import { Keyring } from './keyring.ts'
import { openSqlKeyStore } from './sql-key-store.ts'

export interface KeyServices {
  provider: KeyProvider
  store: TenantKeyStore
  keyring: Keyring
  close(): Promise<void>
}

export async function openKeyProvider(config: KeysConfig): Promise<KeyProvider> {
  if (config.provider === 'file') return openFileProvider(config.masterKeyFile)
  const { library, tokenLabel, pin, keyLabelPrefix } = config.pkcs11
  if (!library || !tokenLabel || !pin) {
    throw new Error(
      'the pkcs11 key provider needs RAMPART_PKCS11_LIBRARY, RAMPART_PKCS11_TOKEN_LABEL and RAMPART_PKCS11_PIN(_FILE)',
    )
  }
  // Loaded only when used: the native module is not needed by the file provider.
  const { openPkcs11Provider } = await import('./pkcs11-provider.ts')
  return openPkcs11Provider({ library, tokenLabel, pin, keyLabelPrefix })
}

export async function openTenantKeyStore(config: KeysConfig): Promise<TenantKeyStore> {
  return config.storeUrl ? openSqlKeyStore(config.storeUrl) : openDirectoryKeyStore(config.storeDir)
}

export async function openKeyServices(config: KeysConfig): Promise<KeyServices> {
  const provider = await openKeyProvider(config)
  let store: TenantKeyStore
  try {
    store = await openTenantKeyStore(config)
  } catch (err) {
    await provider.close()
    throw err
  }
  const keyring = new Keyring(provider, store, config.cache)
  return {
    provider,
    store,
    keyring,
    async close() {
      keyring.clear()
      await store.close()
      await provider.close()
    },
  }
}

/** Runs `fn` with the configured key services open, closing them afterwards (CLI commands). */
export async function withKeyServices<T>(
  config: KeysConfig,
  fn: (keys: KeyServices) => Promise<T>,
): Promise<T> {
  const keys = await openKeyServices(config)
  try {
    return await fn(keys)
  } finally {
    await keys.close()
  }
}
