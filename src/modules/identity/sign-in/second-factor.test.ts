// IAM-4: a user with a second factor gets no session from the password alone: the password half
// returns a challenge, and only a valid authenticator code or an unused recovery code completes
// it, once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedUp, signInBearer, signUp } from '../../../../test/support/app.ts'
import {
  auditEventsOf,
  codeFor,
  createMfaTestApp,
  enableTotp,
  type MfaTestApp,
  newRecoveryCodes,
} from '../../mfa/mfa.test-support.ts'
import { challengeFor, passwordHalf, secondHalf, wrongCode } from './sign-in.test-support.ts'

let t: MfaTestApp

/** An owner with an authenticator; returns the organisation and the base32 secret. */
async function ownerWithTotp(): Promise<{ who: SignedUp; secret: string }> {
  const who = await signUp(t.app)
  const session = await signInBearer(t.app, who)
  const secret = await enableTotp(t, session)
  return { who, secret }
}

beforeAll(async () => {
  t = await createMfaTestApp()
})
afterAll(() => t.close())

describe('IAM-4 sign-in with a second factor', () => {
  it('IAM-4: the password alone yields a challenge and no session; the authenticator code completes it', async () => {
    const { who, secret } = await ownerWithTotp()
    const first = await passwordHalf(t.app, who)
    expect(first.statusCode).toBe(200)
    expect(first.headers['cache-control']).toBe('no-store')
    expect(first.cookies.find((c) => c.name === '__Host-rampart_session')).toBeUndefined()
    const body = first.json()
    expect(body).toMatchObject({
      mfaRequired: true,
      challenge: { methods: ['totp'] },
    })
    expect(body.token).toBeUndefined()
    expect(body.challenge.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    // The challenge is no session.
    const asSession = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${body.challenge.token}` },
    })
    expect(asSession.statusCode).toBe(401)

    // The enrolment used this step's code; the next step's is valid and unused.
    const done = await secondHalf(t.app, body.challenge.token, 'totp', codeFor(secret, 1))
    expect(done.statusCode, done.body).toBe(201)
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${done.json().token}` },
    })
    expect(me.statusCode).toBe(200)
    expect(me.json().session.scope).toBe('full')
    const stored = await t.database.handle.db
      .selectFrom('sessions')
      .select('amr')
      .where('id', '=', done.json().session.id)
      .executeTakeFirstOrThrow()
    expect(stored.amr).toEqual(['pwd', 'otp'])
    const actions = (
      await auditEventsOf(t, {
        ...done.json(),
        authorization: { authorization: `Bearer ${done.json().token}` },
      })
    ).map((e) => e.action)
    expect(actions).toContain('session.mfa_challenge')
  })

  it('IAM-4: a challenge completes once; a second completion with another valid code is refused', async () => {
    const { who, secret } = await ownerWithTotp()
    const challenge = await challengeFor(t.app, who)
    expect((await secondHalf(t.app, challenge, 'totp', codeFor(secret, 1))).statusCode).toBe(201)
    const again = await secondHalf(t.app, challenge, 'totp', codeFor(secret, -1))
    expect(again.statusCode).toBe(401)
    expect(again.json().error.code).toBe('IDENTITY_SECOND_FACTOR_INVALID')
  })

  it('IAM-4: a code accepted once is refused in the next sign-in', async () => {
    const { who, secret } = await ownerWithTotp()
    const code = codeFor(secret, 1)
    expect((await secondHalf(t.app, await challengeFor(t.app, who), 'totp', code)).statusCode).toBe(
      201,
    )
    const replay = await secondHalf(t.app, await challengeFor(t.app, who), 'totp', code)
    expect(replay.statusCode).toBe(401)
  })

  it('IAM-4: of two parallel completions of one challenge with one valid code, exactly one gets a session', async () => {
    const { who, secret } = await ownerWithTotp()
    const challenge = await challengeFor(t.app, who)
    const code = codeFor(secret, 1)
    const results = await Promise.all([
      secondHalf(t.app, challenge, 'totp', code),
      secondHalf(t.app, challenge, 'totp', code),
    ])
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 401])
  })

  it('IAM-4: an unused recovery code completes the sign-in once; a wrong code is refused alike', async () => {
    const who = await signUp(t.app)
    const session = await signInBearer(t.app, who)
    await enableTotp(t, session)
    const codes = await newRecoveryCodes(t, session)
    const code = codes[0] as string
    const wrong = await secondHalf(
      t.app,
      await challengeFor(t.app, who),
      'totp',
      wrongCode(['000000']),
    )
    expect(wrong.statusCode).toBe(401)
    const ok = await secondHalf(
      t.app,
      await challengeFor(t.app, who),
      'recovery_code',
      code.toLowerCase(),
    )
    expect(ok.statusCode, ok.body).toBe(201)
    const reused = await secondHalf(t.app, await challengeFor(t.app, who), 'recovery_code', code)
    expect(reused.statusCode).toBe(401)
    expect(reused.body).toBe(wrong.body)
  })

  it('IAM-4: a challenge expires, and an unknown or malformed one gets the same refusal', async () => {
    const { who, secret } = await ownerWithTotp()
    const challenge = await challengeFor(t.app, who)
    await t.database.handle.db
      .updateTable('mfa_challenges')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .execute()
    const expired = await secondHalf(t.app, challenge, 'totp', codeFor(secret, 1))
    expect(expired.statusCode).toBe(401)
    for (const bogus of ['x', 'A'.repeat(43), "' OR 1=1 --", '🔑'.repeat(20)]) {
      const res = await secondHalf(t.app, bogus, 'totp', '123456')
      expect(res.statusCode).toBe(401)
      expect(res.body).toBe(expired.body)
    }
  })

  it('IAM-4: a user without a second factor still signs in with the password alone', async () => {
    const who = await signUp(t.app)
    const res = await passwordHalf(t.app, who)
    expect(res.statusCode).toBe(201)
    expect(res.json().session.scope).toBe('full')
  })

  it('SEC-3: the second half refuses wrong types, unknown methods, extra fields and oversize input with 400', async () => {
    for (const payload of [
      { challenge: 1, method: 'totp', code: '123456' },
      { challenge: 'x', method: 'sms', code: '123456' },
      { challenge: 'x', method: 'totp', code: '123456', userId: 'y' },
      { challenge: 'x'.repeat(200), method: 'totp', code: '123456' },
      { challenge: 'x', method: 'totp', code: '1'.repeat(100) },
      { challenge: 'x', method: 'totp' },
    ]) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/sessions/mfa', payload })
      expect(res.statusCode, JSON.stringify(payload)).toBe(400)
      expect(res.json().error.code).toBe('REQUEST_INVALID')
    }
  })
})
