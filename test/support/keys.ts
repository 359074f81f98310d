// Real key services for tests: the file master-key provider and a directory key store, each in a
// temporary directory of the test's own, and a provider that counts its unwraps.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDirectoryKeyStore } from '../../src/crypto/directory-key-store.ts'
import { openFileProvider } from '../../src/crypto/file-provider.ts'
import type { KeyProvider } from '../../src/crypto/key-provider.ts'
import type { TenantKeyStore } from '../../src/crypto/key-store.ts'
import { type KeyCacheOptions, Keyring } from '../../src/crypto/keyring.ts'

export interface TestKeys {
  dir: string
  masterKeyFile: string
  storeDir: string
  provider: KeyProvider
  store: TenantKeyStore
  keyring: Keyring
  /** How many times the provider unwrapped a tenant key. */
  unwraps(): number
}

export function createTestKeys(
  cache: KeyCacheOptions = { ttlMs: 60_000, maxUses: 1_000 },
  now: () => number = Date.now,
): TestKeys {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-keys-'))
  const masterKeyFile = join(dir, 'keys', 'master.key')
  const storeDir = join(dir, 'keystore')
  const file = openFileProvider(masterKeyFile)
  let unwraps = 0
  const provider: KeyProvider = {
    ...file,
    unwrap(wrapped, context) {
      unwraps++
      return file.unwrap(wrapped, context)
    },
  }
  const store = openDirectoryKeyStore(storeDir)
  return {
    dir,
    masterKeyFile,
    storeDir,
    provider,
    store,
    keyring: new Keyring(provider, store, cache, now),
    unwraps: () => unwraps,
  }
}
