// IAM-4, IAM-6: changes of second factors and password need a sign-in or step-up at most
// RAMPART_STEP_UP_MAX_AGE old; a step-up proves the password and, for a user with one, a second
// factor, under the same lockout counter as sign-in (IAM-3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedIn, type SignedUp, signInBearer, signUp } from '../../../test/support/app.ts'
import { codeFor, createMfaTestApp, enableTotp, type MfaTestApp } from '../mfa/mfa.test-support.ts'
import { registerPasskey, SoftAuthenticator } from '../mfa/passkeys.test-support.ts'

let t: MfaTestApp

beforeAll(async () => {
  t = await createMfaTestApp()
})
afterAll(() => t.close())

/** Makes the session's last authentication `minutes` old. */
async function age(session: SignedIn, minutes: number): Promise<void> {
  await t.database.handle.db
    .updateTable('sessions')
    .set({ authenticated_at: new Date(Date.now() - minutes * 60_000) })
    .where('id', '=', session.sessionId)
    .execute()
}

function stepUp(session: SignedIn, payload: object) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/sessions/current/step-up',
    headers: session.authorization,
    payload,
  })
}

function enrol(session: SignedIn) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/me/mfa/totp',
    headers: session.authorization,
  })
}

function changePassword(session: SignedIn, who: SignedUp) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/me/password',
    headers: session.authorization,
    payload: { currentPassword: who.password, newPassword: 'copper-Lantern-58-softly-Meadow' },
  })
}

describe('IAM-6 step-up', () => {
  it('IAM-6: an 11-minute-old sign-in may not enrol a factor or change the password; a step-up allows both', async () => {
    const who = await signUp(t.app)
    const session = await signInBearer(t.app, who)
    await age(session, 11)
    for (const res of [await enrol(session), await changePassword(session, who)]) {
      expect(res.statusCode).toBe(403)
      expect(res.json().error.code).toBe('IDENTITY_STEP_UP_REQUIRED')
    }
    const up = await stepUp(session, { password: who.password })
    expect(up.statusCode, up.body).toBe(200)
    expect(Date.now() - Date.parse(up.json().authenticatedAt)).toBeLessThan(5_000)
    expect((await enrol(session)).statusCode).toBe(201)
  })

  it('IAM-6: a 9-minute-old sign-in is still fresh', async () => {
    const who = await signUp(t.app)
    const session = await signInBearer(t.app, who)
    await age(session, 9)
    expect((await enrol(session)).statusCode).toBe(201)
  })

  it('IAM-4: a user with an authenticator must add its code to the step-up', async () => {
    const who = await signUp(t.app)
    const session = await signInBearer(t.app, who)
    const secret = await enableTotp(t, session)
    await age(session, 30)
    const missing = await stepUp(session, { password: who.password })
    expect(missing.statusCode).toBe(422)
    expect(missing.json().error.code).toBe('IDENTITY_STEP_UP_SECOND_FACTOR_REQUIRED')
    const wrong = await stepUp(session, { password: who.password, method: 'totp', code: '000000' })
    expect(wrong.statusCode).toBe(403)
    const ok = await stepUp(session, {
      password: who.password,
      method: 'totp',
      code: codeFor(secret, 1),
    })
    expect(ok.statusCode, ok.body).toBe(200)
    const amr = await t.database.handle.db
      .selectFrom('sessions')
      .select('amr')
      .where('id', '=', session.sessionId)
      .executeTakeFirstOrThrow()
    expect(amr.amr).toEqual(['pwd', 'otp'])
  })

  it('IAM-4: a user whose only factor is a passkey steps up with it; an assertion works once', async () => {
    const who = await signUp(t.app)
    const session = await signInBearer(t.app, who)
    const key = new SoftAuthenticator()
    await registerPasskey(t, session, key)
    await age(session, 30)
    const opened = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions/current/step-up/passkey-options',
      headers: session.authorization,
    })
    expect(opened.statusCode, opened.body).toBe(200)
    const { challengeId, options } = opened.json()
    const passkey = { challengeId, response: key.assert(options) }
    const ok = await stepUp(session, { password: who.password, method: 'passkey', passkey })
    expect(ok.statusCode, ok.body).toBe(200)
    const replay = await stepUp(session, { password: who.password, method: 'passkey', passkey })
    expect(replay.statusCode).toBe(403)
    expect(replay.json().error.code).toBe('IDENTITY_STEP_UP_FAILED')
  })

  it('IAM-3: right passwords sent without the code never add up to a lock', async () => {
    const who = await signUp(t.app)
    const session = await signInBearer(t.app, who)
    const secret = await enableTotp(t, session)
    for (let i = 0; i < 8; i++) {
      expect((await stepUp(session, { password: who.password })).statusCode).toBe(422)
    }
    const ok = await stepUp(session, {
      password: who.password,
      method: 'totp',
      code: codeFor(secret, 1),
    })
    expect(ok.statusCode, ok.body).toBe(200)
    const guard = await t.database.handle.db
      .selectFrom('sign_in_guards')
      .select(['failures', 'locked_until'])
      .where('user_id', '=', who.owner.id)
      .executeTakeFirstOrThrow()
    expect(guard).toEqual({ failures: 0, locked_until: null })
  })

  it('IAM-3: wrong step-up passwords count against the account and lock it; a locked account refuses the right one', async () => {
    const who = await signUp(t.app)
    const session = await signInBearer(t.app, who)
    const answers = []
    for (let i = 0; i < 5; i++)
      answers.push(await stepUp(session, { password: `wrong-${i}-Password-x` }))
    const right = await stepUp(session, { password: who.password })
    for (const r of [...answers, right]) {
      expect(r.statusCode).toBe(403)
      expect(r.json().error.code).toBe('IDENTITY_STEP_UP_FAILED')
    }
    const guard = await t.database.handle.db
      .selectFrom('sign_in_guards')
      .select('locked_until')
      .where('user_id', '=', who.owner.id)
      .executeTakeFirstOrThrow()
    expect(guard.locked_until).not.toBeNull()
    // The same counter guards the current password of a password change.
    const change = await changePassword(session, who)
    expect(change.statusCode).toBe(403)
    expect(change.json().error.code).toBe('IDENTITY_CURRENT_PASSWORD_INVALID')
  })

  it("IAM-3: guesses from elsewhere that lock the account do not block a step-up from the owner's known browser", async () => {
    const who = await signUp(t.app)
    const signedIn = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      payload: {
        tenant: who.tenant.slug,
        email: who.owner.email,
        password: who.password,
        mode: 'bearer',
      },
    })
    const device = signedIn.cookies.find((c) => c.name === '__Host-rampart_device')?.value as string
    const session = { authorization: { authorization: `Bearer ${signedIn.json().token}` } }
    for (let i = 0; i < 5; i++) {
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/sessions',
        payload: {
          tenant: who.tenant.slug,
          email: who.owner.email,
          password: `Attack-${i}-guess-x`,
        },
      })
    }
    const fromElsewhere = await stepUp(session as SignedIn, { password: who.password })
    expect(fromElsewhere.statusCode).toBe(403)
    const fromOwnBrowser = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions/current/step-up',
      headers: session.authorization,
      cookies: { '__Host-rampart_device': device },
      payload: { password: who.password },
    })
    expect(fromOwnBrowser.statusCode, fromOwnBrowser.body).toBe(200)
  })

  it('IAM-3: 20 parallel step-ups with wrong passwords check at most 5', async () => {
    const who = await signUp(t.app)
    const session = await signInBearer(t.app, who)
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        stepUp(session, { password: `parallel-${i}-Wrong-pass` }),
      ),
    )
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/audit/events?action=session.step_up&limit=100',
      headers: (await signInBearer(t.app, who).catch(() => session)).authorization,
    })
    // The account is locked now, so the events are read through the existing session.
    const events = (
      res.statusCode === 200
        ? res
        : await t.app.inject({
            method: 'GET',
            url: '/api/v1/audit/events?action=session.step_up&limit=100',
            headers: session.authorization,
          })
    ).json().events as { reason: string }[]
    expect(events).toHaveLength(20)
    expect(events.filter((e) => e.reason === 'invalid_password').length).toBeLessThanOrEqual(5)
    expect(events.filter((e) => e.reason === 'locked').length).toBeGreaterThanOrEqual(15)
  })

  it('SEC-3: step-up input is validated: wrong types, unknown fields and oversize values get 400', async () => {
    const who = await signUp(t.app)
    const session = await signInBearer(t.app, who)
    for (const payload of [
      {},
      { password: 1 },
      { password: 'x', method: 'sms', code: '1' },
      { password: 'x', userId: who.owner.id },
      { password: 'x'.repeat(2000) },
    ]) {
      const res = await stepUp(session, payload)
      expect(res.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(400)
    }
  })
})
