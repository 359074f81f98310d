// KMS-1, KMS-5: both tenant key stores (directory, and a database of its own) keep versions
// apart per tenant, refuse duplicates, re-wrap only what they expect, and shred for good.
import { randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPostgresDatabase, postgresUrl } from '../../test/support/database.ts'
import { PGliteDialect } from '../db/pglite-driver.ts'
import { openDirectoryKeyStore } from './directory-key-store.ts'
import { KeyStoreError, type StoredTenantKey, type TenantKeyStore } from './key-store.ts'
import { openSqlKeyStore, sqlKeyStore } from './sql-key-store.ts'

const cleanups: (() => Promise<void>)[] = []
afterAll(async () => {
  for (const c of cleanups) await c()
})

const stores: [string, () => Promise<TenantKeyStore>][] = [
  ['directory', async () => openDirectoryKeyStore(mkdtempSync(join(tmpdir(), 'rampart-ks-')))],
  [
    'database (PGlite)',
    async () => {
      const db = new Kysely<unknown>({ dialect: new PGliteDialect(await PGlite.create()) })
      return sqlKeyStore(db, 'pglite memory', () => db.destroy())
    },
  ],
]
if (postgresUrl) {
  stores.push([
    'database (PostgreSQL)',
    async () => {
      const created = await createPostgresDatabase()
      const store = await openSqlKeyStore(created.url)
      cleanups.push(() => created.drop())
      return store
    },
  ])
}

function key(tenantId: string, version: number, masterKeyId = 'mk-1'): StoredTenantKey {
  return {
    tenantId,
    version,
    state: 'active',
    masterKeyId,
    wrapped: Buffer.from(`wrapped-${tenantId}-${version}`),
    createdAt: new Date('2026-11-01T00:00:00Z'),
    retiredAt: null,
  }
}

async function reasonOf(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(KeyStoreError)
  return (err as KeyStoreError).reason
}

describe.each(stores)('KMS-1 tenant key store: %s', (_name, open) => {
  // One store per kind (a fresh PGlite takes seconds to create); tests use their own tenant ids.
  let store: TenantKeyStore
  beforeAll(async () => {
    store = await open()
    cleanups.unshift(() => store.close())
  })

  it('KMS-1: versions per tenant, oldest first; duplicates refused, also in parallel', async () => {
    const [a, b] = [randomUUID(), randomUUID()]
    await store.add(key(a, 1))
    await store.add(key(b, 1))
    const racing = await Promise.allSettled(Array.from({ length: 8 }, () => store.add(key(a, 2))))
    expect(racing.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    expect(await reasonOf(store.add(key(a, 2)))).toBe('version_exists')
    const read = await store.read(a)
    expect(read.versions.map((v) => v.version)).toEqual([1, 2])
    expect(read.versions[0]?.wrapped.toString()).toBe(`wrapped-${a}-1`)
    expect((await store.read(b)).versions).toHaveLength(1)
    expect(await store.read(randomUUID())).toEqual({ versions: [], shreddedAt: null })
    expect((await store.tenants()).sort()).toEqual(expect.arrayContaining([a, b].sort()))
  })

  it('KMS-1: rewrap replaces only a version still under the expected master key', async () => {
    const t = randomUUID()
    await store.add(key(t, 1))
    const to = { masterKeyId: 'mk-2', wrapped: Buffer.from('rewrapped') }
    expect(await store.rewrap(t, 1, 'mk-1', to)).toBe(true)
    expect(await store.rewrap(t, 1, 'mk-1', to)).toBe(false)
    expect((await store.read(t)).versions[0]).toMatchObject({ masterKeyId: 'mk-2' })
    await store.retire(t, 1, new Date())
    expect((await store.read(t)).versions[0]?.state).toBe('retired')
    expect(await reasonOf(store.retire(t, 7, new Date()))).toBe('unknown_version')
  })

  it('KMS-5: shredding removes every version, leaves a tombstone and refuses new versions', async () => {
    const t = randomUUID()
    await store.add(key(t, 1))
    await store.add(key(t, 2))
    const at = new Date('2026-11-20T12:00:00Z')
    expect(await store.shred(t, at)).toBe(2)
    const read = await store.read(t)
    expect(read.versions).toEqual([])
    expect(read.shreddedAt?.toISOString()).toBe(at.toISOString())
    expect(await reasonOf(store.add(key(t, 3)))).toBe('shredded')
    expect(await store.tenants()).toContain(t)
  })
})
