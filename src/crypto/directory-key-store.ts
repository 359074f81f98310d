// KMS-1: the default tenant key store, one JSON file per tenant (mode 0600) in a directory kept
// apart from the database. Changes take a per-tenant lock (a lock directory, atomic across
// processes, so the server and a `rampart keys` command never overwrite each other) and replace
// the file atomically.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { writeFileAtomic } from './atomic-file.ts'
import {
  KeyStoreError,
  type StoredTenantKey,
  type TenantKeyStore,
  type TenantKeys,
} from './key-store.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
/** A lock older than this was left by a crashed process. */
const STALE_LOCK_MS = 30_000
const LOCK_WAIT_MS = 10_000

interface TenantFile {
  format: 'rampart-tenant-keys-v1'
  tenantId: string
  shreddedAt: string | null
  versions: {
    version: number
    state: StoredTenantKey['state']
    masterKeyId: string
    wrapped: string
    createdAt: string
    retiredAt: string | null
  }[]
}

function toKeys(file: TenantFile): TenantKeys {
  return {
    shreddedAt: file.shreddedAt ? new Date(file.shreddedAt) : null,
    versions: file.versions.map((v) => ({
      tenantId: file.tenantId,
      version: v.version,
      state: v.state,
      masterKeyId: v.masterKeyId,
      wrapped: Buffer.from(v.wrapped, 'base64'),
      createdAt: new Date(v.createdAt),
      retiredAt: v.retiredAt ? new Date(v.retiredAt) : null,
    })),
  }
}

export function openDirectoryKeyStore(dir: string): TenantKeyStore {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const fileOf = (tenantId: string) => {
    if (!UUID.test(tenantId)) throw new KeyStoreError('unavailable', 'tenant id is not a uuid')
    return join(dir, `${tenantId}.json`)
  }
  const load = (tenantId: string): TenantFile => {
    const path = fileOf(tenantId)
    if (!existsSync(path)) {
      return { format: 'rampart-tenant-keys-v1', tenantId, shreddedAt: null, versions: [] }
    }
    return JSON.parse(readFileSync(path, 'utf8')) as TenantFile
  }
  const save = (file: TenantFile) =>
    writeFileAtomic(fileOf(file.tenantId), JSON.stringify(file, null, 2), 0o600)

  /** Runs `change` on the tenant's file under its lock and saves what it returns. */
  const update = async <T>(tenantId: string, change: (file: TenantFile) => T): Promise<T> => {
    const lock = `${fileOf(tenantId)}.lock`
    const deadline = Date.now() + LOCK_WAIT_MS
    for (;;) {
      try {
        mkdirSync(lock)
        break
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
        const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0)
        if (age > STALE_LOCK_MS) rmdirSync(lock)
        else if (Date.now() > deadline) {
          throw new KeyStoreError('unavailable', `tenant key file is locked: ${lock}`)
        } else await sleep(5)
      }
    }
    try {
      const file = load(tenantId)
      const result = change(file)
      save(file)
      return result
    } finally {
      rmdirSync(lock)
    }
  }

  return {
    describe: () => `directory ${dir}`,
    async read(tenantId) {
      return toKeys(load(tenantId))
    },
    async add(key) {
      await update(key.tenantId, (file) => {
        if (file.shreddedAt) throw new KeyStoreError('shredded', 'the tenant was crypto-shredded')
        if (file.versions.some((v) => v.version === key.version)) {
          throw new KeyStoreError('version_exists', `version ${key.version} exists`)
        }
        file.versions.push({
          version: key.version,
          state: key.state,
          masterKeyId: key.masterKeyId,
          wrapped: key.wrapped.toString('base64'),
          createdAt: key.createdAt.toISOString(),
          retiredAt: null,
        })
        file.versions.sort((a, b) => a.version - b.version)
      })
    },
    async rewrap(tenantId, version, fromMasterKeyId, to) {
      return update(tenantId, (file) => {
        const v = file.versions.find((x) => x.version === version)
        if (!v || v.masterKeyId !== fromMasterKeyId) return false
        v.masterKeyId = to.masterKeyId
        v.wrapped = to.wrapped.toString('base64')
        return true
      })
    },
    async retire(tenantId, version, at) {
      await update(tenantId, (file) => {
        const v = file.versions.find((x) => x.version === version)
        if (!v) throw new KeyStoreError('unknown_version', `no key version ${version}`)
        v.state = 'retired'
        v.retiredAt = at.toISOString()
      })
    },
    async shred(tenantId, at) {
      return update(tenantId, (file) => {
        const destroyed = file.versions.length
        file.versions = []
        file.shreddedAt ??= at.toISOString()
        return destroyed
      })
    },
    async tenants() {
      return readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.slice(0, -'.json'.length))
        .filter((id) => UUID.test(id))
    },
    async close() {},
  }
}
