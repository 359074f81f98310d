// IAM-6: a user lists their devices (device summary, IP address, first and last seen, which one is
// current) and revokes one or all the others; every revocation is audited (LOG-1).
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/support/app.ts'
import {
  addUser,
  auditEventsOf,
  FIREFOX_LINUX,
  type Member,
  meStatus,
  SAFARI_IPHONE,
  sessionRow,
  signInFrom,
} from './devices.test-support.ts'

let t: TestApp
let acme: SignedUp

beforeAll(async () => {
  t = await createTestApp()
  acme = await signUp(t.app)
})
afterAll(() => t.close())

/** A fresh member per test, so one test's revocations do not show in another's list. */
async function freshMember(): Promise<Member> {
  return addUser(t, acme, 'member')
}

function listMine(auth: object) {
  return t.app.inject({ method: 'GET', url: '/api/v1/me/sessions', ...auth })
}

describe('my sessions', () => {
  it('IAM-6: lists live sessions newest first with device summary, IP, first/last seen and the current flag', async () => {
    const me = await freshMember()
    const laptop = await signInFrom(t, acme, me.email, {
      userAgent: FIREFOX_LINUX,
      ip: '203.0.113.7',
    })
    const phone = await signInFrom(t, acme, me.email, {
      userAgent: SAFARI_IPHONE,
      ip: '2001:db8::42',
      mode: 'cookie',
    })
    const res = await listMine(phone.auth)
    expect(res.statusCode).toBe(200)
    const { sessions } = res.json()
    expect(sessions.map((s: { id: string }) => s.id)).toEqual([phone.sessionId, laptop.sessionId])
    const [fromPhone, fromLaptop] = sessions
    expect(fromPhone).toMatchObject({
      device: 'Safari 17 on iOS 17',
      userAgent: SAFARI_IPHONE,
      ip: '2001:db8::42',
      current: true,
    })
    expect(fromLaptop).toMatchObject({
      device: 'Firefox 132 on Linux',
      userAgent: FIREFOX_LINUX,
      ip: '203.0.113.7',
      current: false,
    })
    const row = await sessionRow(t, laptop.sessionId)
    expect(fromLaptop.firstSeenAt).toBe(row.created_at.toISOString())
    expect(fromLaptop.lastSeenAt).toBe(row.last_seen_at.toISOString())
    expect(fromLaptop.expiresAt).toBe(row.expires_at.toISOString())
    // Never the token or its hash.
    expect(res.body).not.toContain(laptop.token)
    expect(res.body).not.toContain(row.token_hash)
  })

  it('IAM-6: leaves out revoked, idle and absolutely expired sessions', async () => {
    const me = await freshMember()
    const current = await signInFrom(t, acme, me.email)
    const signedOut = await signInFrom(t, acme, me.email)
    const idle = await signInFrom(t, acme, me.email)
    const old = await signInFrom(t, acme, me.email)
    await t.app.inject({ method: 'DELETE', url: '/api/v1/sessions/current', ...signedOut.auth })
    const idleFor = t.config.session.idleTimeoutSeconds + 1
    await sql`UPDATE sessions SET last_seen_at = now() - make_interval(secs => ${idleFor})
      WHERE id = ${idle.sessionId}`.execute(t.database.handle.db)
    await sql`UPDATE sessions SET expires_at = now() - interval '1 second'
      WHERE id = ${old.sessionId}`.execute(t.database.handle.db)
    const { sessions } = (await listMine(current.auth)).json()
    expect(sessions.map((s: { id: string }) => s.id)).toEqual([current.sessionId])
  })

  it('IAM-6: revokes one session; its token is refused and the others live on', async () => {
    const me = await freshMember()
    const current = await signInFrom(t, acme, me.email)
    const other = await signInFrom(t, acme, me.email)
    const res = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/sessions/${other.sessionId}`,
      ...current.auth,
    })
    expect(res.statusCode).toBe(204)
    expect(await meStatus(t, other)).toBe(401)
    expect(await meStatus(t, current)).toBe(200)
    expect((await sessionRow(t, other.sessionId)).revoked_reason).toBe('user-revoked')
    const again = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/sessions/${other.sessionId}`,
      ...current.auth,
    })
    expect(again.statusCode).toBe(404)
    expect(again.json().error.code).toBe('IDENTITY_SESSION_NOT_FOUND')
  })

  it('IAM-6: revoking the current session works as sign-out and drops the cookie', async () => {
    const me = await freshMember()
    const current = await signInFrom(t, acme, me.email, { mode: 'cookie' })
    const res = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/sessions/${current.sessionId}`,
      ...current.auth,
    })
    expect(res.statusCode).toBe(204)
    const cleared = res.cookies.find((c) => c.name === '__Host-rampart_session')
    expect(cleared?.value).toBe('')
    expect(await meStatus(t, current)).toBe(401)
  })

  it("IAM-6: another user's session id in the same organisation is a 404 and stays alive", async () => {
    const me = await freshMember()
    const someoneElse = await freshMember()
    const current = await signInFrom(t, acme, me.email)
    const theirs = await signInFrom(t, acme, someoneElse.email)
    const res = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/sessions/${theirs.sessionId}`,
      ...current.auth,
    })
    expect(res.statusCode).toBe(404)
    expect(res.json().error.code).toBe('IDENTITY_SESSION_NOT_FOUND')
    expect(await meStatus(t, theirs)).toBe(200)
  })

  it('IAM-6: revoke-others ends every other session at once and keeps the current one', async () => {
    const me = await freshMember()
    const current = await signInFrom(t, acme, me.email, { mode: 'cookie' })
    const others = [
      await signInFrom(t, acme, me.email),
      await signInFrom(t, acme, me.email, { mode: 'cookie' }),
      await signInFrom(t, acme, me.email, { userAgent: SAFARI_IPHONE }),
    ]
    const res = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/me/sessions?others=true',
      ...current.auth,
    })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ revoked: 3 })
    for (const other of others) expect(await meStatus(t, other)).toBe(401)
    expect(await meStatus(t, current)).toBe(200)
    const { sessions } = (await listMine(current.auth)).json()
    expect(sessions).toHaveLength(1)
    expect(sessions[0]).toMatchObject({ id: current.sessionId, current: true })
  })

  it('LOG-1: revocations are audited as session.revoke with the user as actor and the session as target', async () => {
    const me = await freshMember()
    const current = await signInFrom(t, acme, me.email)
    const one = await signInFrom(t, acme, me.email)
    const two = await signInFrom(t, acme, me.email)
    await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/sessions/${one.sessionId}`,
      ...current.auth,
    })
    await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/me/sessions?others=true',
      ...current.auth,
    })
    const revokes = (await auditEventsOf(t, acme.tenant.id)).filter(
      (e) => e.action === 'session.revoke' && e.actor.id === me.id,
    )
    expect(revokes).toEqual([
      expect.objectContaining({
        outcome: 'success',
        reason: 'user_revoked',
        actor: { type: 'user', id: me.id },
        target: { type: 'session', id: one.sessionId },
        source: { ip: '127.0.0.1' },
      }),
      expect.objectContaining({
        reason: 'user_revoked_others',
        target: { type: 'session', id: two.sessionId },
      }),
    ])
  })
})
