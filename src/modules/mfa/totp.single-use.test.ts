// IAM-4: verifyTotp accepts a confirmed authenticator's code once: never again, never a code of an
// earlier step after it, never a code two steps away, never a pending enrolment's, never another
// user's; and of two sign-ins presenting one code at the same moment, exactly one succeeds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedUp, signUp } from '../../../test/support/app.ts'
import { withTenant } from '../../db/tenant.ts'
import {
  addMember,
  codeFor,
  createMfaTestApp,
  type Enrolment,
  enableTotp,
  type MfaTestApp,
  startEnrolment,
  storedTotp,
} from './mfa.test-support.ts'
import { verifyTotp } from './totp.service.ts'

let t: MfaTestApp
let acme: SignedUp

function verify(userId: string, code: string, tenantId = acme.tenant.id): Promise<boolean> {
  return withTenant(t.database.handle, tenantId, (trx) =>
    verifyTotp(t.ctx, trx, tenantId, userId, code),
  )
}

/** A member with a confirmed authenticator, its confirming step already used. */
async function memberWithTotp() {
  const member = await addMember(t, acme)
  const secret = await enableTotp(t, member.session)
  return { ...member, secret }
}

beforeAll(async () => {
  t = await createMfaTestApp()
  acme = await signUp(t.app)
})
afterAll(() => t.close())

describe('TOTP codes are single use', () => {
  it('IAM-4: a code of the next step is accepted once, then refused (replay)', async () => {
    const { id, secret } = await memberWithTotp()
    const code = codeFor(secret, 1)
    expect(await verify(id, code)).toBe(true)
    expect(await verify(id, code)).toBe(false)
    const row = await storedTotp(t, id)
    expect(Number(row?.last_step)).toBeGreaterThan(0)
  })

  it('IAM-4: the code that confirmed enrolment cannot sign in', async () => {
    const member = await addMember(t, acme)
    const { secret } = (await startEnrolment(t, member.session)).json() as Enrolment
    const code = codeFor(secret)
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/me/mfa/totp/confirm',
      headers: member.session.authorization,
      payload: { code },
    })
    expect(res.statusCode).toBe(200)
    expect(await verify(member.id, code)).toBe(false)
  })

  it('IAM-4: after a step is used, codes of that step or earlier are refused', async () => {
    const { id, secret } = await memberWithTotp()
    expect(await verify(id, codeFor(secret, 1))).toBe(true)
    const previous = codeFor(secret, 0)
    if (previous !== codeFor(secret, 1)) expect(await verify(id, previous)).toBe(false)
  })

  it('IAM-4: codes two steps away are refused, so is a wrong code', async () => {
    const { id, secret } = await memberWithTotp()
    const inWindow = new Set([-1, 0, 1].map((s) => codeFor(secret, s)))
    for (const code of [codeFor(secret, -2), codeFor(secret, 2), '000000', '999999']) {
      if (!inWindow.has(code)) expect(await verify(id, code), code).toBe(false)
    }
  })

  it('IAM-4: a pending enrolment signs nobody in', async () => {
    const member = await addMember(t, acme)
    const { secret } = (await startEnrolment(t, member.session)).json() as Enrolment
    expect(await verify(member.id, codeFor(secret))).toBe(false)
    expect(await verify(member.id, codeFor(secret, 1))).toBe(false)
  })

  it("IAM-4: one user's code does not verify for another, nor for a user without TOTP", async () => {
    const a = await memberWithTotp()
    const b = await memberWithTotp()
    const code = codeFor(a.secret, 1)
    if (code !== codeFor(b.secret, 1) && code !== codeFor(b.secret)) {
      expect(await verify(b.id, code)).toBe(false)
    }
    expect(await verify(acme.owner.id, code)).toBe(false)
    expect(await verify(a.id, code)).toBe(true)
  })

  it("IAM-4, AUTHZ-5: a code checked in another tenant's context finds nothing", async () => {
    const a = await memberWithTotp()
    const other = await signUp(t.app)
    expect(await verify(a.id, codeFor(a.secret, 1), other.tenant.id)).toBe(false)
    expect(await verify(a.id, codeFor(a.secret, 1))).toBe(true)
  })

  it('IAM-4: two parallel sign-ins with one valid code: exactly one succeeds', async () => {
    for (let round = 0; round < 5; round++) {
      const { id, secret } = await memberWithTotp()
      const code = codeFor(secret, 1)
      const results = await Promise.all([verify(id, code), verify(id, code)])
      expect(results.filter(Boolean), `round ${round}: ${results}`).toHaveLength(1)
    }
  })
})
