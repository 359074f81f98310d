// IAM-6, IAM-2, LOG-1: a password change proves the current password, meets the policy, stores a
// new argon2id hash and revokes every other session of the user at once, keeping the current one;
// a wrong current password changes nothing and is audited as a failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestApp,
  type SignedUp,
  STRONG_PASSWORD,
  signUp,
  type TestApp,
} from '../../../test/support/app.ts'
import {
  addUser,
  auditEventsOf,
  type Member,
  meStatus,
  type Session,
  signInFrom,
} from './devices.test-support.ts'
import { verifyPassword } from './passwords.ts'

const NEW_PASSWORD = 'tundra-Lantern-58-gravely-Comet'

let t: TestApp
let acme: SignedUp

beforeAll(async () => {
  t = await createTestApp()
  acme = await signUp(t.app)
})
afterAll(() => t.close())

function change(session: Session, currentPassword: string, newPassword: string) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/me/password',
    ...session.auth,
    payload: { currentPassword, newPassword },
  })
}

async function storedHash(user: Member): Promise<string | null> {
  const row = await t.database.handle.db
    .selectFrom('users')
    .select('password_hash')
    .where('id', '=', user.id)
    .executeTakeFirstOrThrow()
  return row.password_hash
}

function signInStatus(user: Member, password: string) {
  return t.app
    .inject({
      method: 'POST',
      url: '/api/v1/sessions',
      payload: { tenant: acme.tenant.slug, email: user.email, password, mode: 'bearer' },
    })
    .then((res) => res.statusCode)
}

describe('password change', () => {
  it('IAM-6: revokes every other session at once (bearer and cookie) and keeps the current one', async () => {
    const user = await addUser(t, acme, 'member')
    const current = await signInFrom(t, acme, user.email, { mode: 'cookie' })
    const others = [
      await signInFrom(t, acme, user.email),
      await signInFrom(t, acme, user.email, { mode: 'cookie' }),
    ]
    const res = await change(current, STRONG_PASSWORD, NEW_PASSWORD)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ revokedSessions: 2 })
    for (const other of others) expect(await meStatus(t, other)).toBe(401)
    expect(await meStatus(t, current)).toBe(200)
  })

  it('IAM-2: stores a new argon2id hash; the new password signs in and the old one no longer does', async () => {
    const user = await addUser(t, acme, 'member')
    const current = await signInFrom(t, acme, user.email)
    expect((await change(current, STRONG_PASSWORD, NEW_PASSWORD)).statusCode).toBe(200)
    const hash = (await storedHash(user)) as string
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    expect(await verifyPassword(hash, NEW_PASSWORD)).toBe(true)
    expect(await signInStatus(user, STRONG_PASSWORD)).toBe(401)
    expect(await signInStatus(user, NEW_PASSWORD)).toBe(201)
  })

  it('LOG-1: the change is audited with the field name only, and each revoked session with reason password_change', async () => {
    const user = await addUser(t, acme, 'member')
    const current = await signInFrom(t, acme, user.email)
    const other = await signInFrom(t, acme, user.email)
    expect((await change(current, STRONG_PASSWORD, NEW_PASSWORD)).statusCode).toBe(200)
    const events = (await auditEventsOf(t, acme.tenant.id)).filter((e) => e.actor.id === user.id)
    expect(events.find((e) => e.action === 'user.password_change')).toEqual(
      expect.objectContaining({
        outcome: 'success',
        actor: { type: 'user', id: user.id },
        target: { type: 'user', id: user.id },
        fields: ['password_hash'],
      }),
    )
    expect(events.find((e) => e.action === 'session.revoke')).toEqual(
      expect.objectContaining({
        reason: 'password_change',
        target: { type: 'session', id: other.sessionId },
      }),
    )
    const text = JSON.stringify(events)
    expect(text).not.toContain(NEW_PASSWORD)
    expect(text).not.toContain(STRONG_PASSWORD)
  })

  it('IAM-6, LOG-1: a wrong current password is refused with 403, changes nothing and is audited', async () => {
    const user = await addUser(t, acme, 'member')
    const current = await signInFrom(t, acme, user.email)
    const other = await signInFrom(t, acme, user.email)
    const before = await storedHash(user)
    const res = await change(current, 'Not-the-password-at-all-77', NEW_PASSWORD)
    expect(res.statusCode).toBe(403)
    expect(res.json().error.code).toBe('IDENTITY_CURRENT_PASSWORD_INVALID')
    expect(await storedHash(user)).toBe(before)
    expect(await meStatus(t, other)).toBe(200)
    expect(await meStatus(t, current)).toBe(200)
    const failures = (await auditEventsOf(t, acme.tenant.id)).filter(
      (e) => e.action === 'user.password_change' && e.actor.id === user.id,
    )
    expect(failures).toEqual([
      expect.objectContaining({
        outcome: 'failure',
        reason: 'invalid_password',
        target: { type: 'user', id: user.id },
      }),
    ])
    expect(JSON.stringify(failures)).not.toContain('Not-the-password-at-all-77')
  })

  it.each([
    ['too short', 'short-Pw-1', 'IDENTITY_PASSWORD_TOO_SHORT'],
    ['too long', 'a'.repeat(257), 'IDENTITY_PASSWORD_TOO_LONG'],
    ['common', 'password1234', 'IDENTITY_PASSWORD_COMMON'],
    ['weak', 'aaaaaaaaaaaaaaaa', 'IDENTITY_PASSWORD_WEAK'],
    ['the current one', STRONG_PASSWORD, 'IDENTITY_PASSWORD_UNCHANGED'],
  ])(
    'IAM-2: a new password that is %s is refused with 422 and nothing changes',
    async (_n, pw, code) => {
      const user = await addUser(t, acme, 'member')
      const current = await signInFrom(t, acme, user.email)
      const other = await signInFrom(t, acme, user.email)
      const before = await storedHash(user)
      const res = await change(current, STRONG_PASSWORD, pw)
      expect(res.statusCode).toBe(422)
      expect(res.json().error.code).toBe(code)
      expect(await storedHash(user)).toBe(before)
      expect(await meStatus(t, other)).toBe(200)
    },
  )

  it("IAM-2: a new password built on the user's e-mail address is weak", async () => {
    const user = await addUser(t, acme, 'member')
    const current = await signInFrom(t, acme, user.email)
    const res = await change(current, STRONG_PASSWORD, user.email)
    expect(res.statusCode).toBe(422)
  })

  it('SEC-2: a cookie client needs the CSRF token', async () => {
    const user = await addUser(t, acme, 'member')
    const current = await signInFrom(t, acme, user.email, { mode: 'cookie' })
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/me/password',
      cookies: current.auth.cookies as Record<string, string>,
      payload: { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD },
    })
    expect(res.statusCode).toBe(403)
    expect(res.json().error.code).toBe('REQUEST_CSRF_FAILED')
  })

  it('IAM-6: parallel changes with the same current password: exactly one wins, no 500', async () => {
    const user = await addUser(t, acme, 'member')
    const sessions = [
      await signInFrom(t, acme, user.email),
      await signInFrom(t, acme, user.email),
      await signInFrom(t, acme, user.email),
    ]
    const responses = await Promise.all(
      sessions.map((s, i) => change(s, STRONG_PASSWORD, `${NEW_PASSWORD}-${i}`)),
    )
    const statuses = responses.map((r) => r.statusCode)
    for (const s of statuses) expect([200, 401, 403]).toContain(s)
    expect(statuses.filter((s) => s === 200)).toHaveLength(1)
    const winner = responses.findIndex((r) => r.statusCode === 200)
    expect(
      await verifyPassword((await storedHash(user)) as string, `${NEW_PASSWORD}-${winner}`),
    ).toBe(true)
    // Only the winner's session is left.
    const alive = []
    for (const s of sessions) alive.push(await meStatus(t, s))
    expect(alive.filter((s) => s === 200)).toHaveLength(1)
  })
})

describe('password change rate limit', () => {
  it('IAM-3: guesses at the current password are throttled per route', async () => {
    const limited = await createTestApp({ env: { RAMPART_RATE_LIMIT_SIGN_IN: '3' } })
    try {
      const org = await signUp(limited.app)
      const session = await signInFrom(limited, org, org.owner.email)
      const statuses: number[] = []
      for (let i = 0; i < 4; i++) {
        const res = await limited.app.inject({
          method: 'POST',
          url: '/api/v1/me/password',
          ...session.auth,
          payload: { currentPassword: `wrong-guess-${i}`, newPassword: NEW_PASSWORD },
        })
        statuses.push(res.statusCode)
      }
      expect(statuses).toEqual([403, 403, 403, 429])
    } finally {
      await limited.close()
    }
  })
})
