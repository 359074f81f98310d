// KMS-2, KMS-3, KMS-5: a secret's ciphertext decrypts only in its own row of its own tenant. Copied
// to another credential or another tenant, altered, or after crypto-shredding, useCredential
// refuses with VAULT_SECRET_UNREADABLE, records the failure, and never hands out any secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedIn, type SignedUp, signInBearer, signUp } from '../../../test/support/app.ts'
import { SYSTEM_META } from '../../context.ts'
import { keyVersionOf } from '../../crypto/field-encryption.ts'
import { reencryptTenant } from '../keys/reencrypt.service.ts'
import { useCredential } from './vault.service.ts'
import {
  auditEventsOf,
  createVaultTestApp,
  storedCredential,
  type VaultTestApp,
} from './vault.test-support.ts'

let t: VaultTestApp

interface Org {
  org: SignedUp
  owner: SignedIn
}

async function organisation(): Promise<Org> {
  const org = await signUp(t.app)
  return { org, owner: await signInBearer(t.app, org) }
}

async function store(who: Org, name: string, key: string): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/credentials',
    headers: who.owner.authorization,
    payload: { name, kind: 'api_key', secret: { key } },
  })
  if (res.statusCode !== 201) throw new Error(`store failed: ${res.statusCode} ${res.body}`)
  return res.json().id
}

/** Overwrites a row's ciphertext on the owner connection, as an attacker with SQL access would. */
async function setCiphertext(id: string, secret: Uint8Array): Promise<void> {
  await t.database.handle.db
    .updateTable('credentials')
    .set({ secret: Buffer.from(secret) })
    .where('id', '=', id)
    .execute()
}

async function ciphertextOf(id: string): Promise<Uint8Array> {
  const row = await storedCredential(t, id)
  if (!row) throw new Error('credential row missing')
  return row.secret
}

/** useCredential must refuse without ever calling `use`. */
async function expectRefused(who: Org, id: string, reason: string): Promise<void> {
  let handedOut = false
  await expect(
    useCredential(t.ctx, who.org.tenant.id, id, 'test.use', async () => {
      handedOut = true
    }),
  ).rejects.toMatchObject({ code: 'VAULT_SECRET_UNREADABLE', details: { reason } })
  expect(handedOut).toBe(false)
  const last = (await auditEventsOf(t, who.owner)).at(-1)
  expect(last).toMatchObject({
    action: 'credential.use',
    outcome: 'failure',
    reason,
    target: { type: 'credential', id },
  })
}

beforeAll(async () => {
  t = await createVaultTestApp()
})
afterAll(() => t.close())

describe('credential ciphertext cross-check', () => {
  it('KMS-3: ciphertext copied to another credential of the same tenant does not decrypt', async () => {
    const acme = await organisation()
    const source = await store(acme, 'Source', 'source-key-1')
    const target = await store(acme, 'Target', 'target-key-1')
    await setCiphertext(target, await ciphertextOf(source))
    await expectRefused(acme, target, 'ciphertext_rejected')
    // The source row itself still works.
    const key = await useCredential(t.ctx, acme.org.tenant.id, source, 'check', async (s) => s.key)
    expect(key).toBe('source-key-1')
  })

  it("KMS-3: ciphertext copied to another tenant's credential does not decrypt", async () => {
    const a = await organisation()
    const b = await organisation()
    const ofA = await store(a, 'Shared name', 'tenant-a-key')
    const ofB = await store(b, 'Shared name', 'tenant-b-key')
    await setCiphertext(ofB, await ciphertextOf(ofA))
    await expectRefused(b, ofB, 'ciphertext_rejected')
  })

  it('KMS-3: a ciphertext with one bit changed does not decrypt', async () => {
    const acme = await organisation()
    const id = await store(acme, 'Flipped', 'flipped-key')
    const bytes = Buffer.from(await ciphertextOf(id))
    bytes[bytes.length - 20] = (bytes[bytes.length - 20] ?? 0) ^ 0x01
    await setCiphertext(id, bytes)
    await expectRefused(acme, id, 'ciphertext_rejected')
  })

  it('KMS-1, KMS-3: re-encryption moves vault secrets to a new key version, still usable', async () => {
    const acme = await organisation()
    const id = await store(acme, 'Rotated', 'rotated-key')
    expect(keyVersionOf(await ciphertextOf(id))).toBe(1)
    await t.keys.keyring.rotate(acme.org.tenant.id)
    const result = await reencryptTenant(t.ctx, acme.org.tenant.id, { batchSize: 10 }, SYSTEM_META)
    expect(result).toMatchObject({ version: 2, moved: 1, remaining: 0 })
    expect(keyVersionOf(await ciphertextOf(id))).toBe(2)
    const key = await useCredential(t.ctx, acme.org.tenant.id, id, 'check', async (s) => s.key)
    expect(key).toBe('rotated-key')
  })

  it('KMS-5: after crypto-shredding nothing decrypts and no new secret can be stored', async () => {
    const acme = await organisation()
    const id = await store(acme, 'Shredded', 'shredded-key')
    await t.keys.keyring.shred(acme.org.tenant.id)
    await expectRefused(acme, id, 'tenant_shredded')
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      headers: acme.owner.authorization,
      payload: { name: 'After shred', kind: 'api_key', secret: { key: 'k' } },
    })
    const replaced = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/credentials/${id}/secret`,
      headers: acme.owner.authorization,
      payload: { secret: { key: 'k' } },
    })
    for (const res of [created, replaced]) {
      expect(res.statusCode).toBe(409)
      expect(res.json().error).toMatchObject({
        code: 'VAULT_KEY_UNAVAILABLE',
        details: { reason: 'tenant_shredded' },
      })
    }
    // Metadata stays readable and deletable: it was never encrypted.
    const listed = await t.app.inject({
      method: 'GET',
      url: '/api/v1/credentials',
      headers: acme.owner.authorization,
    })
    expect(listed.json().credentials.map((c: { id: string }) => c.id)).toEqual([id])
  })
})
