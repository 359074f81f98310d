// KMS-2, KMS-1, KMS-5: an authenticator secret decrypts only in its own row of its own tenant.
// Copied to another user's or another tenant's row it is refused (MFA_TOTP_UNREADABLE, never a
// successful check); key re-encryption carries it to a new key version; after crypto-shredding
// nothing decrypts and no new secret can be stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedUp, signInBearer, signUp } from '../../../test/support/app.ts'
import { SYSTEM_META } from '../../context.ts'
import { keyVersionOf } from '../../crypto/field-encryption.ts'
import { withTenant } from '../../db/tenant.ts'
import { reencryptTenant } from '../keys/reencrypt.service.ts'
import {
  addMember,
  codeFor,
  createMfaTestApp,
  enableTotp,
  type MfaTestApp,
  startEnrolment,
  storedTotp,
} from './mfa.test-support.ts'
import { verifyTotp } from './totp.service.ts'

let t: MfaTestApp

function verify(org: SignedUp, userId: string, code: string): Promise<boolean> {
  return withTenant(t.database.handle, org.tenant.id, (trx) =>
    verifyTotp(t.ctx, trx, org.tenant.id, userId, code),
  )
}

/** A user of `org` with a confirmed authenticator. */
async function enrolled(org: SignedUp) {
  const member = await addMember(t, org)
  return { id: member.id, secret: await enableTotp(t, member.session) }
}

/** Overwrites a row's ciphertext on the owner connection, as an attacker with SQL access would. */
async function copySecret(fromUser: string, toUser: string): Promise<void> {
  const from = await storedTotp(t, fromUser)
  if (!from) throw new Error('no source row')
  await t.database.handle.db
    .updateTable('mfa_totp')
    .set({ secret: Buffer.from(from.secret) })
    .where('user_id', '=', toUser)
    .execute()
}

beforeAll(async () => {
  t = await createMfaTestApp()
})
afterAll(() => t.close())

describe('authenticator secret cross-check', () => {
  it("KMS-2: a secret copied to another user's row does not decrypt, so no code passes", async () => {
    const acme = await signUp(t.app)
    const a = await enrolled(acme)
    const b = await enrolled(acme)
    await copySecret(a.id, b.id)
    // A's code in B's row would pass if the copied secret were usable there.
    await expect(verify(acme, b.id, codeFor(a.secret, 1))).rejects.toMatchObject({
      code: 'MFA_TOTP_UNREADABLE',
      details: { reason: 'ciphertext_rejected' },
    })
    expect(await verify(acme, a.id, codeFor(a.secret, 1))).toBe(true)
  })

  it("KMS-2: a secret copied to another tenant's row does not decrypt", async () => {
    const one = await signUp(t.app)
    const two = await signUp(t.app)
    const a = await enrolled(one)
    const b = await enrolled(two)
    await copySecret(a.id, b.id)
    await expect(verify(two, b.id, codeFor(a.secret, 1))).rejects.toMatchObject({
      code: 'MFA_TOTP_UNREADABLE',
    })
  })

  it('KMS-1: re-encryption moves authenticator secrets to the new key version, still usable', async () => {
    const acme = await signUp(t.app)
    const a = await enrolled(acme)
    expect(keyVersionOf((await storedTotp(t, a.id))?.secret ?? new Uint8Array())).toBe(1)
    await t.keys.keyring.rotate(acme.tenant.id)
    const result = await reencryptTenant(t.ctx, acme.tenant.id, { batchSize: 10 }, SYSTEM_META)
    expect(result).toMatchObject({ version: 2, remaining: 0 })
    expect(keyVersionOf((await storedTotp(t, a.id))?.secret ?? new Uint8Array())).toBe(2)
    expect(await verify(acme, a.id, codeFor(a.secret, 1))).toBe(true)
  })

  it('KMS-5: after crypto-shredding no code decrypts and no enrolment can start', async () => {
    const acme = await signUp(t.app)
    const owner = await signInBearer(t.app, acme)
    const a = await enrolled(acme)
    await t.keys.keyring.shred(acme.tenant.id)
    await expect(verify(acme, a.id, codeFor(a.secret, 1))).rejects.toMatchObject({
      code: 'MFA_TOTP_UNREADABLE',
      details: { reason: 'tenant_shredded' },
    })
    const res = await startEnrolment(t, owner)
    expect(res.statusCode).toBe(409)
    expect(res.json().error).toMatchObject({
      code: 'MFA_KEY_UNAVAILABLE',
      details: { reason: 'tenant_shredded' },
    })
  })
})
