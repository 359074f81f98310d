// KMS-2, KMS-5: field ciphertext is bound to its tenant, table, column and row; any change to it
// fails; unknown, retired and shredded key versions decrypt nothing.
import { createDecipheriv, hkdfSync, randomUUID } from 'node:crypto'
import { beforeEach, describe, expect, it } from 'vitest'
import { createTestKeys, type TestKeys } from '../../test/support/keys.ts'
import { KmsError, type KmsReason } from './errors.ts'
import { decryptField, encryptField, type FieldRef, keyVersionOf } from './field-encryption.ts'

let keys: TestKeys
let tenantA: string
let tenantB: string
let ref: FieldRef

beforeEach(async () => {
  keys = createTestKeys()
  tenantA = randomUUID()
  tenantB = randomUUID()
  await keys.keyring.createTenantKey(tenantA)
  await keys.keyring.createTenantKey(tenantB)
  ref = { tenantId: tenantA, table: 'records', column: 'email', rowId: randomUUID() }
})

async function refusal(promise: Promise<unknown>): Promise<KmsReason> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(KmsError)
  return (err as KmsError).reason
}

/** Decrypts without field-encryption.ts or the keyring: from the stored key, HKDF and AAD. */
async function openIndependently(r: FieldRef, sealed: Buffer): Promise<Buffer> {
  const stored = (await keys.store.read(r.tenantId)).versions[0]
  if (!stored) throw new Error('no stored key')
  const tenantKey = await keys.provider.unwrap(
    stored,
    Buffer.from(`rampart-tenant-key\u0000${r.tenantId}\u00001`),
  )
  const info = `${r.table}/${r.column}`
  const fieldKey = Buffer.from(hkdfSync('sha256', tenantKey, Buffer.alloc(0), info, 32))
  const header = sealed.subarray(0, 17)
  const lp = (s: string) => {
    const b = Buffer.from(s)
    const n = Buffer.alloc(4)
    n.writeUInt32BE(b.length)
    return Buffer.concat([n, b])
  }
  const aad = Buffer.concat([header, lp(r.tenantId), lp(r.table), lp(r.column), lp(r.rowId)])
  const decipher = createDecipheriv('aes-256-gcm', fieldKey, header.subarray(5))
  decipher.setAAD(aad)
  decipher.setAuthTag(sealed.subarray(sealed.length - 16))
  return Buffer.concat([decipher.update(sealed.subarray(17, -16)), decipher.final()])
}

describe('KMS-2 field encryption', () => {
  it('KMS-2: round trip; the header names format 1 and the key version; no plaintext in the bytes', async () => {
    const value = 'ada.lovelace@example.org ✓'
    const sealed = await encryptField(keys.keyring, ref, value)
    expect(sealed[0]).toBe(0x01)
    expect(keyVersionOf(sealed)).toBe(1)
    expect(sealed.length).toBe(17 + Buffer.byteLength(value) + 16)
    expect(sealed.includes(Buffer.from('lovelace'))).toBe(false)
    expect((await decryptField(keys.keyring, ref, sealed)).toString('utf8')).toBe(value)
    // Same value twice: fresh nonces, different ciphertexts.
    expect((await encryptField(keys.keyring, ref, value)).equals(sealed)).toBe(false)
  })

  it('KMS-2: the field key is HKDF-SHA256(tenant key, "table/column") and the AAD binds the row', async () => {
    const sealed = await encryptField(keys.keyring, ref, 'independent check')
    // Re-derive everything from the stored, wrapped key, without the keyring.
    const stored = (await keys.store.read(tenantA)).versions[0]
    if (!stored) throw new Error('no stored key')
    const tenantKey = await keys.provider.unwrap(
      stored,
      Buffer.from(`rampart-tenant-key\u0000${tenantA}\u00001`),
    )
    const fieldKey = Buffer.from(
      hkdfSync('sha256', tenantKey, Buffer.alloc(0), 'records/email', 32),
    )
    const header = sealed.subarray(0, 17)
    const lp = (s: string) => {
      const b = Buffer.from(s)
      const n = Buffer.alloc(4)
      n.writeUInt32BE(b.length)
      return Buffer.concat([n, b])
    }
    const aad = Buffer.concat([header, lp(tenantA), lp('records'), lp('email'), lp(ref.rowId)])
    const decipher = createDecipheriv('aes-256-gcm', fieldKey, header.subarray(5))
    decipher.setAAD(aad)
    decipher.setAuthTag(sealed.subarray(sealed.length - 16))
    const plain = Buffer.concat([decipher.update(sealed.subarray(17, -16)), decipher.final()])
    expect(plain.toString()).toBe('independent check')
  })

  it('KMS-2: a ciphertext copied to another tenant, row, column or table fails with a clear error', async () => {
    const sealed = await encryptField(keys.keyring, ref, 'secret value')
    const elsewhere: FieldRef[] = [
      { ...ref, tenantId: tenantB },
      { ...ref, rowId: randomUUID() },
      { ...ref, column: 'phone' },
      { ...ref, table: 'contacts' },
    ]
    for (const other of elsewhere) {
      expect(await refusal(decryptField(keys.keyring, other, sealed))).toBe('ciphertext_rejected')
    }
    const err = await decryptField(keys.keyring, { ...ref, rowId: randomUUID() }, sealed).catch(
      (e: Error) => e,
    )
    expect((err as Error).message).toMatch(/does not belong to this tenant and row, or was altered/)
  })

  it('KMS-2: flipping any single bit fails (header, nonce, body, tag)', async () => {
    const sealed = await encryptField(keys.keyring, ref, 'twelve bytes')
    for (let byte = 0; byte < sealed.length; byte++) {
      const tampered = Buffer.from(sealed)
      tampered[byte] = (tampered[byte] as number) ^ 0x01
      const reason = await refusal(decryptField(keys.keyring, ref, tampered))
      // Byte 0 is the format, bytes 1-4 the key version: those fail before the tag is checked.
      if (byte === 0) expect(reason).toBe('ciphertext_malformed')
      else if (byte <= 4) expect(reason).toBe('key_version_unknown')
      else expect(reason).toBe('ciphertext_rejected')
    }
    expect(await refusal(decryptField(keys.keyring, ref, sealed.subarray(0, 20)))).toBe(
      'ciphertext_malformed',
    )
  })

  it('KMS-1: rotation: new writes use version 2, version 1 still decrypts; retired versions do not', async () => {
    const old = await encryptField(keys.keyring, ref, 'written under v1')
    expect(await keys.keyring.rotate(tenantA)).toBe(2)
    const fresh = await encryptField(keys.keyring, ref, 'written under v2')
    expect(keyVersionOf(fresh)).toBe(2)
    expect((await decryptField(keys.keyring, ref, old)).toString()).toBe('written under v1')
    await keys.keyring.retire(tenantA, 1)
    expect(await refusal(decryptField(keys.keyring, ref, old))).toBe('key_version_retired')
    expect((await decryptField(keys.keyring, ref, fresh)).toString()).toBe('written under v2')
    // The version new writes use cannot be retired.
    expect(await refusal(keys.keyring.retire(tenantA, 2))).toBe('key_version_in_use')
  })

  it('KMS-5: after shredding nothing of the tenant decrypts, not even with keys cached before', async () => {
    const sealed = await encryptField(keys.keyring, ref, 'to be shredded')
    await decryptField(keys.keyring, ref, sealed) // the key is now cached
    expect(await keys.keyring.shred(tenantA)).toBe(1)
    expect(await refusal(decryptField(keys.keyring, ref, sealed))).toBe('tenant_shredded')
    expect(await refusal(encryptField(keys.keyring, ref, 'new'))).toBe('tenant_shredded')
    expect(await refusal(keys.keyring.rotate(tenantA))).toBe('tenant_shredded')
    // A second keyring on the same store (another node) cannot read it either.
    const { Keyring } = await import('./keyring.ts')
    const other = new Keyring(keys.provider, keys.store)
    expect(await refusal(decryptField(other, ref, sealed))).toBe('tenant_shredded')
    // The other tenant is untouched.
    const b = { ...ref, tenantId: tenantB }
    expect(
      (await decryptField(keys.keyring, b, await encryptField(keys.keyring, b, 'ok'))).toString(),
    ).toBe('ok')
  })

  it('KMS-2: the associated data stays exact when refs alternate, ids are long or not ASCII, and calls overlap', async () => {
    // field-encryption.ts builds the associated data in one reused buffer and keeps the tenant,
    // table and column parts when they repeat: every one must still match an independent build.
    const refs: FieldRef[] = [
      ref,
      { ...ref, rowId: randomUUID() },
      { ...ref, column: 'phone' },
      { ...ref, tenantId: tenantB },
      { ...ref, rowId: 'x'.repeat(3000) },
      { ...ref, table: 'récords', rowId: 'ligne ✓ 𝄞' },
      { ...ref, rowId: 'short' },
      { ...ref, tenantId: tenantB, rowId: 'y'.repeat(600) },
    ]
    keys.keyring.clear() // cold: every first call awaits its key while the others go on
    const sealed = await Promise.all(refs.map((r, i) => encryptField(keys.keyring, r, `v${i}`)))
    for (const [i, r] of [...refs.entries()].reverse()) {
      expect((await decryptField(keys.keyring, r, sealed[i] as Buffer)).toString()).toBe(`v${i}`)
      expect((await openIndependently(r, sealed[i] as Buffer)).toString()).toBe(`v${i}`)
      const other = refs[(i + 1) % refs.length] as FieldRef
      expect(await refusal(decryptField(keys.keyring, other, sealed[i] as Buffer))).toBe(
        'ciphertext_rejected',
      )
    }
  })

  it('KMS-2: a tenant without a key is refused, not given some other key', async () => {
    const stranger = { ...ref, tenantId: randomUUID() }
    expect(await refusal(encryptField(keys.keyring, stranger, 'x'))).toBe('tenant_key_missing')
  })
})
