// IAM-4, LOG-1: recovery codes are ten high-entropy codes shown once, stored only as SHA-256
// hashes, each spent once by consumeRecoveryCode whatever the case, spacing or hyphens typed; new
// codes replace all earlier ones, and generating them is audited without any code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedIn, type SignedUp, signInBearer, signUp } from '../../../test/support/app.ts'
import { withTenant } from '../../db/tenant.ts'
import { hasMfa } from './mfa.service.ts'
import {
  addMember,
  auditEventsOf,
  createMfaTestApp,
  enableTotp,
  type MfaTestApp,
  mfaStateOf,
  newRecoveryCodes,
} from './mfa.test-support.ts'
import { consumeRecoveryCode } from './recovery-codes.service.ts'
import { hashRecoveryCode, normaliseRecoveryCode } from './recovery-codes.ts'

let t: MfaTestApp
let acme: SignedUp
let owner: SignedIn

const FORMAT = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/

function consume(userId: string, code: string, tenantId = acme.tenant.id): Promise<boolean> {
  return withTenant(t.database.handle, tenantId, (trx) =>
    consumeRecoveryCode(t.ctx, trx, tenantId, userId, code),
  )
}

function storedHashes(userId: string) {
  return t.database.handle.db
    .selectFrom('mfa_recovery_codes')
    .selectAll()
    .where('user_id', '=', userId)
    .execute()
}

beforeAll(async () => {
  t = await createMfaTestApp()
  acme = await signUp(t.app)
  owner = await signInBearer(t.app, acme)
})
afterAll(() => t.close())

describe('recovery codes', () => {
  it('IAM-4: ten distinct 80-bit codes, shown once with no-store, stored only as their hashes', async () => {
    const member = await addMember(t, acme)
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/me/mfa/recovery-codes',
      headers: member.session.authorization,
    })
    expect(res.statusCode).toBe(201)
    expect(res.headers['cache-control']).toBe('no-store')
    const { codes } = res.json() as { codes: string[] }
    expect(codes).toHaveLength(10)
    expect(new Set(codes).size).toBe(10)
    for (const code of codes) expect(code).toMatch(FORMAT)
    const rows = await storedHashes(member.id)
    expect(rows).toHaveLength(10)
    const stored = Buffer.concat(rows.map((r) => Buffer.from(r.code_hash)))
    for (const code of codes) {
      expect(stored.includes(Buffer.from(code))).toBe(false)
      expect(stored.includes(Buffer.from(code.replaceAll('-', '')))).toBe(false)
    }
    const expected = codes.map((c) => hashRecoveryCode(normaliseRecoveryCode(c) as string))
    expect(rows.map((r) => Buffer.from(r.code_hash).toString('hex')).sort()).toEqual(
      expected.map((h) => h.toString('hex')).sort(),
    )
    expect(await mfaStateOf(t, member.session)).toEqual({
      totp: null,
      recoveryCodes: { remaining: 10 },
      passkeys: { count: 0 },
    })
    // Shown once: no route returns them again.
    expect(JSON.stringify(await mfaStateOf(t, member.session))).not.toContain(codes[0])
  })

  it('IAM-4: each code is spent once; the others keep working', async () => {
    const member = await addMember(t, acme)
    const codes = await newRecoveryCodes(t, member.session)
    const [first, second] = codes as [string, string]
    expect(await consume(member.id, first)).toBe(true)
    expect(await consume(member.id, first)).toBe(false)
    expect(await consume(member.id, second)).toBe(true)
    expect((await mfaStateOf(t, member.session)).recoveryCodes.remaining).toBe(8)
    const rows = await storedHashes(member.id)
    expect(rows.filter((r) => r.used_at !== null)).toHaveLength(2)
  })

  it('IAM-4: input is read in any case, with or without spaces and hyphens, O/I/L as 0/1/1', async () => {
    const member = await addMember(t, acme)
    const codes = await newRecoveryCodes(t, member.session)
    const variants = [
      (c: string) => c.toLowerCase(),
      (c: string) => c.replaceAll('-', ''),
      (c: string) => ` ${c.replaceAll('-', ' ')} `,
      (c: string) => c.replaceAll('-', '').match(/.{2}/g)?.join('-') ?? c,
      (c: string) => c.replaceAll('0', 'o').replaceAll('1', 'l'),
      (c: string) => c.replaceAll('1', 'I').toLowerCase(),
    ]
    for (const [i, variant] of variants.entries()) {
      const code = codes[i] as string
      expect(await consume(member.id, variant(code)), variant(code)).toBe(true)
    }
  })

  it('IAM-4: new codes replace every earlier one, used or not', async () => {
    const member = await addMember(t, acme)
    const old = await newRecoveryCodes(t, member.session)
    expect(await consume(member.id, old[0] as string)).toBe(true)
    const fresh = await newRecoveryCodes(t, member.session)
    expect(fresh.some((c) => old.includes(c))).toBe(false)
    for (const code of old.slice(1, 4)) expect(await consume(member.id, code)).toBe(false)
    expect((await mfaStateOf(t, member.session)).recoveryCodes.remaining).toBe(10)
    expect(await consume(member.id, fresh[0] as string)).toBe(true)
  })

  it("IAM-4: one user's code does not work for another user or in another tenant", async () => {
    const a = await addMember(t, acme)
    const b = await addMember(t, acme)
    const codesOfA = await newRecoveryCodes(t, a.session)
    await newRecoveryCodes(t, b.session)
    expect(await consume(b.id, codesOfA[0] as string)).toBe(false)
    const other = await signUp(t.app)
    expect(await consume(a.id, codesOfA[0] as string, other.tenant.id)).toBe(false)
    expect(await consume(a.id, codesOfA[0] as string)).toBe(true)
    expect((await mfaStateOf(t, b.session)).recoveryCodes.remaining).toBe(10)
  })

  it('IAM-4: hasMfa reports a confirmed authenticator and the unused codes, for sign-in', async () => {
    const member = await addMember(t, acme)
    const check = () =>
      withTenant(t.database.handle, acme.tenant.id, (trx) => hasMfa(trx, acme.tenant.id, member.id))
    expect(await check()).toEqual({ totp: false, recoveryCodes: 0, passkeys: 0 })
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/me/mfa/totp',
      headers: member.session.authorization,
    })
    expect(await check()).toEqual({ totp: false, recoveryCodes: 0, passkeys: 0 })
    await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/me/mfa/totp',
      headers: member.session.authorization,
    })
    await enableTotp(t, member.session)
    const codes = await newRecoveryCodes(t, member.session)
    await consume(member.id, codes[0] as string)
    expect(await check()).toEqual({ totp: true, recoveryCodes: 9, passkeys: 0 })
  })

  it('LOG-1: generating codes writes one event with ids only, never a code', async () => {
    const member = await addMember(t, acme)
    const before = (await auditEventsOf(t, owner)).length
    const codes = await newRecoveryCodes(t, member.session)
    const events = (await auditEventsOf(t, owner)).slice(before)
    expect(events).toHaveLength(1)
    const user = { type: 'user', id: member.id }
    expect(events[0]).toMatchObject({
      category: 'iam',
      action: 'mfa.recovery_codes.generate',
      outcome: 'success',
      actor: user,
      target: user,
    })
    for (const code of codes) {
      expect(events[0]?.text).not.toContain(code)
      expect(events[0]?.text).not.toContain(code.replaceAll('-', ''))
    }
    expect(events[0]?.text).not.toContain(member.email)
    const logs = t.logText()
    for (const code of codes) expect(logs).not.toContain(code)
  })
})
