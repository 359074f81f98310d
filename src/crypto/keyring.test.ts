// KMS-1: tenant keys exist only wrapped at rest, bound to their tenant and version; the cache is
// bounded in time and uses; master rotation re-wraps without touching data.
import { randomUUID } from 'node:crypto'
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { createTestKeys, type TestKeys } from '../../test/support/keys.ts'
import type { KmsError } from './errors.ts'
import { decryptField, encryptField } from './field-encryption.ts'
import { KeyProviderError } from './key-provider.ts'

let keys: TestKeys
let tenant: string

beforeEach(async () => {
  keys = createTestKeys()
  tenant = randomUUID()
  await keys.keyring.createTenantKey(tenant)
})

const ref = (rowId = '0f8f1b8e-0000-4000-8000-000000000001') => ({
  tenantId: tenant,
  table: 't',
  column: 'c',
  rowId,
})

describe('KMS-1 tenant keys', () => {
  it('KMS-1: key files are 0600 and hold the tenant key only wrapped', async () => {
    expect(statSync(keys.masterKeyFile).mode & 0o777).toBe(0o600)
    const file = join(keys.storeDir, `${tenant}.json`)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const stored = JSON.parse(readFileSync(file, 'utf8'))
    expect(stored.versions).toHaveLength(1)
    expect(stored.versions[0]).toMatchObject({ version: 1, state: 'active', masterKeyId: 'file-1' })
    // The unwrapped key is 32 bytes; the wrapped form is nonce + 32 + tag, and differs.
    const wrapped = Buffer.from(stored.versions[0].wrapped, 'base64')
    expect(wrapped.length).toBe(12 + 32 + 16)
    const plain = await keys.provider.unwrap(
      { masterKeyId: 'file-1', wrapped },
      Buffer.from(`rampart-tenant-key\u0000${tenant}\u00001`),
    )
    expect(wrapped.includes(plain)).toBe(false)
    expect(readFileSync(file).includes(plain.toString('base64'))).toBe(false)
  })

  it("KMS-1: a wrapped key copied into another tenant's entry does not unwrap", async () => {
    const victim = randomUUID()
    await keys.keyring.createTenantKey(victim)
    const sealed = await encryptField(keys.keyring, { ...ref(), tenantId: victim }, 'x')
    // Overwrite the attacker's own key entry with the victim's wrapped key.
    const victimFile = JSON.parse(readFileSync(join(keys.storeDir, `${victim}.json`), 'utf8'))
    const mineFile = join(keys.storeDir, `${tenant}.json`)
    const mine = JSON.parse(readFileSync(mineFile, 'utf8'))
    mine.versions[0].wrapped = victimFile.versions[0].wrapped
    writeFileSync(mineFile, JSON.stringify(mine))
    keys.keyring.clear()
    const err = await encryptField(keys.keyring, ref(), 'y').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(KeyProviderError)
    expect((err as KeyProviderError).reason).toBe('unwrap_failed')
    expect(sealed.length).toBeGreaterThan(0)
  })

  it('KMS-1: unwrapped keys are cached for a limited time and a limited number of uses', async () => {
    let now = 1_000_000
    keys = createTestKeys({ ttlMs: 5_000, maxUses: 3 }, () => now)
    await keys.keyring.createTenantKey(tenant)
    const sealed = await encryptField(keys.keyring, ref(), 'v') // use 1
    expect(keys.unwraps()).toBe(1)
    await decryptField(keys.keyring, ref(), sealed) // use 2
    await decryptField(keys.keyring, ref(), sealed) // use 3
    expect(keys.unwraps()).toBe(1)
    await decryptField(keys.keyring, ref(), sealed) // uses exhausted: unwrapped again
    expect(keys.unwraps()).toBe(2)
    now += 5_001 // expired: unwrapped again
    await decryptField(keys.keyring, ref(), sealed)
    expect(keys.unwraps()).toBe(3)
  })

  it('KMS-1: parallel first uses unwrap once', async () => {
    await Promise.all(Array.from({ length: 20 }, () => encryptField(keys.keyring, ref(), 'p')))
    expect(keys.unwraps()).toBe(1)
  })

  it('KMS-1: master rotation re-wraps every tenant key; data still decrypts; the old master can go', async () => {
    const others = [randomUUID(), randomUUID()]
    for (const t of others) await keys.keyring.createTenantKey(t)
    await keys.keyring.rotate(tenant)
    const sealed = await encryptField(keys.keyring, ref(), 'survives master rotation')
    const before = readFileSync(join(keys.storeDir, `${tenant}.json`), 'utf8')

    const created = await keys.provider.createMasterKey()
    expect(created).toMatchObject({ id: 'file-2', active: true })
    const { rewrapped, masterKeyId } = await keys.keyring.rewrapAll()
    expect(masterKeyId).toBe('file-2')
    expect(rewrapped).toBe(4) // tenant v1, v2 and one version of each other tenant
    expect(readFileSync(join(keys.storeDir, `${tenant}.json`), 'utf8')).not.toBe(before)
    expect(await keys.keyring.unusedMasterKeys()).toEqual(['file-1'])
    await keys.provider.destroyMasterKey('file-1')
    expect((await keys.provider.listMasterKeys()).map((k) => k.id)).toEqual(['file-2'])

    keys.keyring.clear()
    expect((await decryptField(keys.keyring, ref(), sealed)).toString()).toBe(
      'survives master rotation',
    )
    for (const t of others) {
      const r = { ...ref(), tenantId: t }
      expect(
        (await decryptField(keys.keyring, r, await encryptField(keys.keyring, r, 'o'))).toString(),
      ).toBe('o')
    }
    // A second rewrap has nothing to do.
    expect((await keys.keyring.rewrapAll()).rewrapped).toBe(0)
    const err = await keys.provider.destroyMasterKey('file-2').catch((e: unknown) => e)
    expect((err as KeyProviderError).reason).toBe('active_master_key')
  })

  it('KMS-1: a key wrapped under a destroyed master key is refused clearly', async () => {
    await keys.provider.createMasterKey()
    await keys.provider.destroyMasterKey('file-1') // deliberately before rewrapping
    keys.keyring.clear()
    const err = await encryptField(keys.keyring, ref(), 'x').catch((e: unknown) => e)
    expect((err as KeyProviderError).reason).toBe('unknown_master_key')
  })

  it('KMS-1: rotation numbers versions in order, also when two rotations race', async () => {
    const results = await Promise.allSettled([
      keys.keyring.rotate(tenant),
      keys.keyring.rotate(tenant),
      keys.keyring.rotate(tenant),
    ])
    const made = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
    const versions = (await keys.store.read(tenant)).versions.map((v) => v.version)
    expect(versions).toEqual([1, ...made.sort()])
    expect(new Set(versions).size).toBe(versions.length)
    for (const r of results) {
      if (r.status === 'rejected')
        expect((r.reason as { reason: string }).reason).toBe('version_exists')
    }
    expect(readdirSync(keys.storeDir).filter((f) => f.endsWith('.lock'))).toEqual([])
  })

  it('KMS-1: the keyring refuses unknown versions', async () => {
    const err = await keys.keyring.fieldKey(tenant, 9, 't/c').catch((e: unknown) => e)
    expect((err as KmsError).reason).toBe('key_version_unknown')
  })
})
