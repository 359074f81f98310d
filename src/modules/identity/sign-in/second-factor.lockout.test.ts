// IAM-3: second factors are guessed under the same limit as passwords: five wrong codes lock the
// account like five wrong passwords do, even spread over several challenges; parallel guesses at a
// code cannot get past the limit; a locked account refuses even the right code alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signInBearer, signUp } from '../../../../test/support/app.ts'
import {
  codeFor,
  createMfaTestApp,
  enableTotp,
  type MfaTestApp,
} from '../../mfa/mfa.test-support.ts'
import {
  auditReasons,
  challengeFor,
  passwordHalf,
  secondHalf,
  wrongCode,
} from './sign-in.test-support.ts'

let t: MfaTestApp

beforeAll(async () => {
  t = await createMfaTestApp()
})
afterAll(() => t.close())

async function ownerWithTotp() {
  const who = await signUp(t.app)
  const secret = await enableTotp(t, await signInBearer(t.app, who))
  return { who, secret }
}

function reasons(tenantId: string): Promise<string[]> {
  return auditReasons(t.database.handle, tenantId)
}

function around(secret: string): string[] {
  return [-1, 0, 1].map((s) => codeFor(secret, s))
}

describe('IAM-3 limits on second factors', () => {
  it('IAM-3: five wrong codes over two challenges lock the account; then the right code is refused alike', async () => {
    const { who, secret } = await ownerWithTotp()
    const wrong = wrongCode(around(secret))
    // Three wrong codes spend a challenge: the password must be entered again.
    const spent = await challengeFor(t.app, who)
    const refusals = []
    for (let i = 0; i < 3; i++) refusals.push(await secondHalf(t.app, spent, 'totp', wrong))
    expect((await secondHalf(t.app, spent, 'totp', codeFor(secret, 1))).statusCode).toBe(401)
    const challenge = await challengeFor(t.app, who)
    for (let i = 0; i < 2; i++) refusals.push(await secondHalf(t.app, challenge, 'totp', wrong))
    const right = await secondHalf(t.app, challenge, 'totp', codeFor(secret, 1))
    for (const r of [...refusals, right]) expect(r.statusCode).toBe(401)
    expect(new Set([...refusals, right].map((r) => r.body)).size).toBe(1)
    const seen = await reasons(who.tenant.id)
    expect(seen.filter((r) => r === 'user.lock:consecutive_failures')).toHaveLength(1)
    expect(seen.filter((r) => r === 'session.create:invalid_second_factor')).toHaveLength(5)
    expect(seen.at(-1)).toBe('session.create:account_locked')
    // The lock holds for the password half too, from this unknown browser.
    const locked = await passwordHalf(t.app, who)
    expect(locked.statusCode).toBe(401)
    expect(locked.json().error.code).toBe('IDENTITY_INVALID_CREDENTIALS')
  })

  it('IAM-3: 30 parallel guesses at one challenge let at most 5 codes be checked', async () => {
    const { who, secret } = await ownerWithTotp()
    const challenge = await challengeFor(t.app, who)
    const wrong = wrongCode(around(secret))
    const results = await Promise.all(
      Array.from({ length: 30 }, () => secondHalf(t.app, challenge, 'totp', wrong)),
    )
    expect(new Set(results.map((r) => r.statusCode))).toEqual(new Set([401]))
    const seen = await reasons(who.tenant.id)
    const checked = seen.filter((r) => r === 'session.create:invalid_second_factor').length
    expect(checked).toBeGreaterThan(0)
    expect(checked).toBeLessThanOrEqual(5)
    // The rest were refused unchecked: locked, or the challenge already spent by three failures.
    expect(new Set(results.map((r) => r.body)).size).toBe(1)
    const guard = await t.database.handle.db
      .selectFrom('sign_in_guards')
      .select('failures')
      .where('user_id', '=', who.owner.id)
      .executeTakeFirstOrThrow()
    expect(guard.failures).toBe(checked)
  }, 60_000)

  it('IAM-3: a success clears the counter, so a user who mistypes once is not closer to a lock later', async () => {
    const { who, secret } = await ownerWithTotp()
    const challenge = await challengeFor(t.app, who)
    expect((await secondHalf(t.app, challenge, 'totp', wrongCode(around(secret)))).statusCode).toBe(
      401,
    )
    expect((await secondHalf(t.app, challenge, 'totp', codeFor(secret, 1))).statusCode).toBe(201)
    const guard = await t.database.handle.db
      .selectFrom('sign_in_guards')
      .select(['failures', 'locked_until'])
      .where('user_id', '=', who.owner.id)
      .executeTakeFirstOrThrow()
    expect(guard).toEqual({ failures: 0, locked_until: null })
  })
})
