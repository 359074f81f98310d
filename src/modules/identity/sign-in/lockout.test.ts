// IAM-3: failures are counted before the password is checked, so parallel guesses cannot get
// past the limit; the lock grows and lifts; a known device keeps its own counter; refusals of
// every kind look and take alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../../test/support/app.ts'
import { auditReasons } from './sign-in.test-support.ts'

let t: TestApp
let short: TestApp

beforeAll(async () => {
  t = await createTestApp()
  // Locks of 1, 2, 4 ... seconds, to watch them lift.
  short = await createTestApp({ env: { RAMPART_LOCKOUT_BASE_SECONDS: '1' } })
})
afterAll(async () => {
  await t.close()
  await short.close()
})

function attempt(app: TestApp, who: SignedUp, password: string, device?: string) {
  return app.app.inject({
    method: 'POST',
    url: '/api/v1/sessions',
    payload: { tenant: who.tenant.slug, email: who.owner.email, password, mode: 'bearer' },
    ...(device ? { cookies: { '__Host-rampart_device': device } } : {}),
  })
}

function reasons(app: TestApp, tenantId: string): Promise<string[]> {
  return auditReasons(app.database.handle, tenantId)
}

async function lockedUntil(app: TestApp, userId: string): Promise<Date | null> {
  const row = await app.database.handle.db
    .selectFrom('sign_in_guards')
    .select('locked_until')
    .where('user_id', '=', userId)
    .executeTakeFirst()
  return row?.locked_until ?? null
}

describe('IAM-3 brute-force protection', () => {
  it('IAM-3: 50 parallel wrong passwords let at most 5 through to the password check', async () => {
    const who = await signUp(t.app)
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => attempt(t, who, `Wrong-password-${i}-xyz`)),
    )
    expect(new Set(responses.map((r) => r.statusCode))).toEqual(new Set([401]))
    expect(new Set(responses.map((r) => r.body)).size).toBe(1)
    const seen = await reasons(t, who.tenant.id)
    expect(seen.filter((r) => r === 'session.create:invalid_password')).toHaveLength(5)
    expect(seen.filter((r) => r === 'session.create:account_locked')).toHaveLength(45)
    expect(seen.filter((r) => r === 'user.lock:consecutive_failures')).toHaveLength(1)
    // The right password is refused too while the lock lasts, from a browser it does not know.
    const right = await attempt(t, who, who.password)
    expect(right.statusCode).toBe(401)
    expect(right.body).toBe(responses[0]?.body)
  }, 60_000)

  it('IAM-3: a known device keeps its own counter: locking the account does not lock out its owner', async () => {
    const who = await signUp(t.app)
    const first = await attempt(t, who, who.password)
    expect(first.statusCode).toBe(201)
    const device = first.cookies.find((c) => c.name === '__Host-rampart_device')
    expect(device).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' })
    // An attacker elsewhere locks the account.
    for (let i = 0; i < 6; i++) await attempt(t, who, `Attacker-guess-${i}-abc`)
    expect(await lockedUntil(t, who.owner.id)).not.toBeNull()
    expect((await attempt(t, who, who.password)).statusCode).toBe(401)
    // The owner, on the device that signed in before, is not locked out.
    const owner = await attempt(t, who, who.password, device?.value)
    expect(owner.statusCode).toBe(201)
    expect(owner.cookies.find((c) => c.name === '__Host-rampart_device')).toBeUndefined()
    // The device's own counter locks after five failures from it, and then refuses it too.
    for (let i = 0; i < 5; i++) {
      expect((await attempt(t, who, `Typo-on-device-${i}-q`, device?.value)).statusCode).toBe(401)
    }
    expect((await attempt(t, who, who.password, device?.value)).statusCode).toBe(401)
    const seen = await reasons(t, who.tenant.id)
    expect(seen).toContain('device.lock:consecutive_failures')
    // A cookie copied to another account's sign-in is not a known device there.
    const other = await signUp(t.app)
    for (let i = 0; i < 5; i++) await attempt(t, other, `Guess-${i}-for-other`, device?.value)
    expect(await lockedUntil(t, other.owner.id)).not.toBeNull()
  }, 60_000)

  it('IAM-3: each lock lasts longer than the last, lifts when it ends, and a success resets it', async () => {
    const who = await signUp(short.app)
    const lockFor = async (): Promise<number> => {
      for (let i = 0; i < 5; i++) await attempt(short, who, `Wrong-${i}-password-x`)
      const until = await lockedUntil(short, who.owner.id)
      return (until?.getTime() ?? 0) - Date.now()
    }
    const firstLock = await lockFor()
    expect(firstLock).toBeGreaterThan(0)
    expect(firstLock).toBeLessThanOrEqual(1_000)
    await new Promise((r) => setTimeout(r, firstLock + 100))
    const secondLock = await lockFor()
    expect(secondLock).toBeGreaterThan(1_000)
    expect(secondLock).toBeLessThanOrEqual(2_000)
    await new Promise((r) => setTimeout(r, secondLock + 100))
    expect((await attempt(short, who, who.password)).statusCode).toBe(201)
    const guard = await short.database.handle.db
      .selectFrom('sign_in_guards')
      .selectAll()
      .where('user_id', '=', who.owner.id)
      .executeTakeFirstOrThrow()
    expect(guard).toMatchObject({ failures: 0, lockouts: 0, locked_until: null })
  }, 60_000)

  it('IAM-3: unknown user, wrong password and locked account give the same answer in comparable time', async () => {
    const wrong = await signUp(t.app)
    const locked = await signUp(t.app)
    for (let i = 0; i < 5; i++) await attempt(t, locked, `Lock-it-${i}-now-x`)
    type Send = () => Promise<{ statusCode: number; body: string }>
    const unknownUser: Send = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/sessions',
        payload: {
          tenant: wrong.tenant.slug,
          email: 'nobody@example.org',
          password: 'x-Guess-12345',
        },
      })
    // A different wrong password each time; the counter is cleared (untimed) before each sample so
    // the account never locks and every sample reaches the password check.
    let n = 0
    const wrongPassword: Send = () => attempt(t, wrong, `Not-it-${n++}-at-all`)
    const lockedAccount: Send = () => attempt(t, locked, locked.password)
    const kinds = [unknownUser, wrongPassword, lockedAccount]
    const samples: number[][] = kinds.map(() => [])
    const bodies = kinds.map(() => '')
    // Round-robin, so a burst of load elsewhere on the machine falls on all three alike.
    for (let round = 0; round < 9; round++) {
      for (const [i, send] of kinds.entries()) {
        await t.database.handle.db
          .updateTable('sign_in_guards')
          .set({ failures: 0 })
          .where('user_id', '=', wrong.owner.id)
          .execute()
        const start = performance.now()
        const res = await send()
        samples[i]?.push(performance.now() - start)
        expect(res.statusCode).toBe(401)
        bodies[i] = res.body
      }
    }
    const median = (xs: number[]) =>
      [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number
    const [unknown, badPassword, lockedOut] = kinds.map((_, i) => ({
      median: median(samples[i] ?? []),
      body: bodies[i] ?? '',
    })) as [
      { median: number; body: string },
      { median: number; body: string },
      { median: number; body: string },
    ]
    expect(new Set([unknown.body, badPassword.body, lockedOut.body]).size).toBe(1)
    const medians = [unknown.median, badPassword.median, lockedOut.median]
    // Within a small factor: all three pay for one argon2id verification.
    expect(Math.max(...medians) / Math.min(...medians)).toBeLessThan(2.5)
  }, 60_000)
})
