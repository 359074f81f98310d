// IAM-4, AUTHZ-5: the /me/mfa routes act on the caller's own user only. A colleague in the same
// organisation (even its owner) who names another user's id anywhere in a request can neither
// see nor change that user's authenticator or recovery codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedIn, type SignedUp, signInBearer, signUp } from '../../../test/support/app.ts'
import {
  addMember,
  codeFor,
  createMfaTestApp,
  enableTotp,
  type Member,
  type MfaTestApp,
  mfaStateOf,
} from './mfa.test-support.ts'

let t: MfaTestApp
let acme: SignedUp
let owner: SignedIn
let victim: Member
let victimSecret: string

async function snapshotOf(userId: string) {
  const db = t.database.handle.db
  return {
    totp: await db.selectFrom('mfa_totp').selectAll().where('user_id', '=', userId).execute(),
    codes: await db
      .selectFrom('mfa_recovery_codes')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('id')
      .execute(),
  }
}

beforeAll(async () => {
  t = await createMfaTestApp()
  acme = await signUp(t.app)
  owner = await signInBearer(t.app, acme)
  victim = await addMember(t, acme)
  victimSecret = await enableTotp(t, victim.session)
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/me/mfa/recovery-codes',
    headers: victim.session.authorization,
  })
  expect(res.statusCode).toBe(201)
})
afterAll(() => t.close())

describe("one user's factors are out of a colleague's reach", () => {
  it("IAM-4: the owner naming the member's id changes only the owner's own factors", async () => {
    const before = await snapshotOf(victim.id)
    const as = { ...owner.authorization, 'x-user-id': victim.id }
    const q = `?user=${victim.id}&userId=${victim.id}`
    const responses = [
      await t.app.inject({ method: 'GET', url: `/api/v1/me/mfa${q}`, headers: as }),
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/me/mfa/totp',
        headers: as,
        payload: { userId: victim.id },
      }),
      await t.app.inject({ method: 'POST', url: `/api/v1/me/mfa/totp${q}`, headers: as }),
      await t.app.inject({
        method: 'POST',
        url: `/api/v1/me/mfa/totp/confirm${q}`,
        headers: as,
        payload: { code: codeFor(victimSecret, 1) },
      }),
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/me/mfa/totp/confirm',
        headers: as,
        payload: { code: codeFor(victimSecret, 1), userId: victim.id },
      }),
      await t.app.inject({ method: 'DELETE', url: `/api/v1/me/mfa/totp${q}`, headers: as }),
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/me/mfa/recovery-codes',
        headers: as,
        payload: { userId: victim.id },
      }),
      await t.app.inject({ method: 'POST', url: `/api/v1/me/mfa/recovery-codes${q}`, headers: as }),
    ]
    expect(responses.map((r) => r.statusCode)).toEqual([
      // The owner's own (empty) state.
      200,
      // A user id in a body is an unknown field.
      400,
      // The owner's own pending enrolment...
      201,
      // ...which the victim's code does not confirm (the chance of a match is 1e-6).
      422, 400,
      // The owner's own pending enrolment, removed.
      204, 400, 201,
    ])
    expect(responses[0]?.json()).toEqual({
      totp: null,
      recoveryCodes: { remaining: 0 },
      passkeys: { count: 0 },
    })
    for (const r of responses) expect(r.body).not.toContain(victimSecret)
    expect(await snapshotOf(victim.id)).toEqual(before)
    expect(await mfaStateOf(t, victim.session)).toEqual({
      totp: { enabled: true, confirmedAt: expect.any(String) },
      recoveryCodes: { remaining: 10 },
      passkeys: { count: 0 },
    })
    expect(await mfaStateOf(t, owner)).toEqual({
      totp: null,
      recoveryCodes: { remaining: 10 },
      passkeys: { count: 0 },
    })
  })
})
