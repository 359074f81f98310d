// KMS-1: the development master key provider. Master key versions are 256-bit AES keys kept in
// one JSON file (mode 0600) under ./data/keys; the prod profile refuses this provider unless
// explicitly allowed (SEC-7), because anyone who can read the file holds every tenant key.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { writeFileAtomic } from './atomic-file.ts'
import {
  type KeyProvider,
  KeyProviderError,
  type MasterKeyInfo,
  type WrappedKey,
} from './key-provider.ts'

const NONCE_BYTES = 12
const TAG_BYTES = 16

interface StoredMasterKey {
  id: string
  key: string
  createdAt: string
}

interface MasterKeyFile {
  format: 'rampart-master-keys-v1'
  /** Oldest first; the last one is active. */
  keys: StoredMasterKey[]
}

/** AES-256-GCM with `context` as associated data: nonce || ciphertext || tag. */
export function sealWithKey(key: Buffer, plaintext: Buffer, context: Buffer): Buffer {
  const nonce = randomBytes(NONCE_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, nonce)
  cipher.setAAD(context)
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return Buffer.concat([nonce, body, cipher.getAuthTag()])
}

/** The inverse of sealWithKey; null when the bytes, key or context do not match. */
export function openWithKey(key: Buffer, sealed: Buffer, context: Buffer): Buffer | null {
  if (sealed.length < NONCE_BYTES + TAG_BYTES) return null
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_BYTES))
    decipher.setAAD(context)
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES))
    const body = sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)
    return Buffer.concat([decipher.update(body), decipher.final()])
  } catch {
    return null
  }
}

function readKeyFile(path: string): MasterKeyFile {
  let parsed: MasterKeyFile
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as MasterKeyFile
  } catch (err) {
    throw new KeyProviderError(
      'provider_unavailable',
      `master key file ${path} cannot be read: ${(err as Error).message}`,
    )
  }
  if (parsed.format !== 'rampart-master-keys-v1' || !Array.isArray(parsed.keys)) {
    throw new KeyProviderError('provider_unavailable', `${path} is not a Rampart master key file`)
  }
  return parsed
}

function newKey(existing: StoredMasterKey[]): StoredMasterKey {
  const n = existing.length === 0 ? 1 : Number(existing.at(-1)?.id.split('-').at(-1)) + 1
  return {
    id: `file-${n}`,
    key: randomBytes(32).toString('base64'),
    createdAt: new Date().toISOString(),
  }
}

/** Opens (creating on first use) the master key file at `path`. */
export function openFileProvider(path: string): KeyProvider {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  if (!existsSync(path)) {
    const file: MasterKeyFile = { format: 'rampart-master-keys-v1', keys: [newKey([])] }
    writeFileAtomic(path, JSON.stringify(file, null, 2), 0o600)
  }
  // Tighten a file copied in with looser permissions.
  chmodSync(path, 0o600)
  // Re-read on every call: `rampart keys rewrap` in another process adds versions.
  const load = () => readKeyFile(path)
  const keyById = (id: string): Buffer => {
    const found = load().keys.find((k) => k.id === id)
    if (!found) throw new KeyProviderError('unknown_master_key', `no master key ${id} in ${path}`)
    return Buffer.from(found.key, 'base64')
  }
  const info = (file: MasterKeyFile): MasterKeyInfo[] =>
    file.keys.map((k, i) => ({
      id: k.id,
      active: i === file.keys.length - 1,
      createdAt: new Date(k.createdAt),
    }))

  return {
    async wrap(key, context): Promise<WrappedKey> {
      const active = load().keys.at(-1)
      if (!active) throw new KeyProviderError('provider_unavailable', `${path} holds no key`)
      return {
        masterKeyId: active.id,
        wrapped: sealWithKey(Buffer.from(active.key, 'base64'), key, context),
      }
    },
    async unwrap(wrapped, context) {
      const key = openWithKey(keyById(wrapped.masterKeyId), wrapped.wrapped, context)
      if (!key) {
        throw new KeyProviderError(
          'unwrap_failed',
          `tenant key does not unwrap under ${wrapped.masterKeyId}`,
        )
      }
      return key
    },
    async createMasterKey() {
      const file = load()
      file.keys.push(newKey(file.keys))
      writeFileAtomic(path, JSON.stringify(file, null, 2), 0o600)
      return info(file).at(-1) as MasterKeyInfo
    },
    async destroyMasterKey(id) {
      const file = load()
      const index = file.keys.findIndex((k) => k.id === id)
      if (index < 0) throw new KeyProviderError('unknown_master_key', `no master key ${id}`)
      if (index === file.keys.length - 1) {
        throw new KeyProviderError('active_master_key', `${id} is the active master key`)
      }
      file.keys.splice(index, 1)
      writeFileAtomic(path, JSON.stringify(file, null, 2), 0o600)
    },
    async listMasterKeys() {
      return info(load())
    },
    describe() {
      return { kind: 'file', location: path, nonExtractable: false }
    },
    async close() {},
  }
}
