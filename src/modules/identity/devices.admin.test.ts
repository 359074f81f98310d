// IAM-6, AUTHZ-1: owners and admins list and revoke the sessions of any user of their
// organisation, audited with the admin as actor; members, viewers and auditors are refused.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/support/app.ts'
import {
  addUser,
  auditEventsOf,
  FIREFOX_LINUX,
  type Member,
  meStatus,
  type Session,
  signInFrom,
} from './devices.test-support.ts'
import type { UserRole } from './users.table.ts'

let t: TestApp
let acme: SignedUp
let owner: Session
let admin: { user: Member; session: Session }

beforeAll(async () => {
  t = await createTestApp()
  acme = await signUp(t.app)
  owner = await signInFrom(t, acme, acme.owner.email)
  const adminUser = await addUser(t, acme, 'admin')
  admin = { user: adminUser, session: await signInFrom(t, acme, adminUser.email) }
})
afterAll(() => t.close())

/** A member of the organisation with `count` sessions. */
async function memberWithSessions(count: number): Promise<{ user: Member; sessions: Session[] }> {
  const user = await addUser(t, acme, 'member')
  const sessions: Session[] = []
  for (let i = 0; i < count; i++) {
    sessions.push(await signInFrom(t, acme, user.email, { userAgent: FIREFOX_LINUX }))
  }
  return { user, sessions }
}

describe("another user's sessions", () => {
  it.each([
    ['owner', () => owner],
    ['admin', () => admin.session],
  ])("IAM-6: an %s lists a member's sessions, and the reading is audited", async (_role, who) => {
    const target = await memberWithSessions(2)
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/users/${target.user.id}/sessions`,
      ...who().auth,
    })
    expect(res.statusCode).toBe(200)
    const { sessions } = res.json()
    expect(sessions.map((s: { id: string }) => s.id)).toEqual(
      target.sessions.map((s) => s.sessionId).reverse(),
    )
    for (const s of sessions) {
      expect(s).toMatchObject({ device: 'Firefox 132 on Linux', ip: '127.0.0.1', current: false })
    }
    const listed = (await auditEventsOf(t, acme.tenant.id)).filter(
      (e) => e.action === 'session.list' && e.target?.id === target.user.id,
    )
    expect(listed).toHaveLength(1)
  })

  it('IAM-6, LOG-1: an admin revokes one session of a member: refused at once, audited as admin_revoked', async () => {
    const target = await memberWithSessions(2)
    const [victim, survivor] = target.sessions as [Session, Session]
    const res = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/users/${target.user.id}/sessions/${victim.sessionId}`,
      ...admin.session.auth,
    })
    expect(res.statusCode).toBe(204)
    expect(await meStatus(t, victim)).toBe(401)
    expect(await meStatus(t, survivor)).toBe(200)
    const events = await auditEventsOf(t, acme.tenant.id)
    expect(events.filter((e) => e.target?.id === victim.sessionId).at(-1)).toMatchObject({
      action: 'session.revoke',
      outcome: 'success',
      reason: 'admin_revoked',
      actor: { type: 'user', id: admin.user.id },
      target: { type: 'session', id: victim.sessionId },
    })
  })

  it("IAM-6: an admin revokes all of a member's sessions at once", async () => {
    const target = await memberWithSessions(3)
    const res = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/users/${target.user.id}/sessions`,
      ...admin.session.auth,
    })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ revoked: 3 })
    for (const s of target.sessions) expect(await meStatus(t, s)).toBe(401)
    expect(await meStatus(t, admin.session)).toBe(200)
    const revokes = (await auditEventsOf(t, acme.tenant.id)).filter(
      (e) =>
        e.reason === 'admin_revoked' && target.sessions.some((s) => s.sessionId === e.target?.id),
    )
    expect(revokes).toHaveLength(3)
    for (const e of revokes) expect(e.actor).toEqual({ type: 'user', id: admin.user.id })
  })

  it("IAM-6: a session id of another user under this user's path is a 404", async () => {
    const target = await memberWithSessions(1)
    const bystander = await memberWithSessions(1)
    const [theirs] = bystander.sessions as [Session]
    const res = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/users/${target.user.id}/sessions/${theirs.sessionId}`,
      ...admin.session.auth,
    })
    expect(res.statusCode).toBe(404)
    expect(res.json().error.code).toBe('IDENTITY_SESSION_NOT_FOUND')
    expect(await meStatus(t, theirs)).toBe(200)
  })

  it('IAM-6: an unknown user id is a 404 on every admin route', async () => {
    const ghost = randomUUID()
    const responses = await Promise.all([
      t.app.inject({ method: 'GET', url: `/api/v1/users/${ghost}/sessions`, ...owner.auth }),
      t.app.inject({ method: 'DELETE', url: `/api/v1/users/${ghost}/sessions`, ...owner.auth }),
      t.app.inject({
        method: 'DELETE',
        url: `/api/v1/users/${ghost}/sessions/${randomUUID()}`,
        ...owner.auth,
      }),
    ])
    for (const res of responses) {
      expect(res.statusCode).toBe(404)
      expect(res.json().error.code).toBe('IDENTITY_USER_NOT_FOUND')
    }
  })

  it('IAM-6: an admin naming themselves ends their own session too, and the cookie is dropped', async () => {
    const self = await addUser(t, acme, 'admin')
    const cookie = await signInFrom(t, acme, self.email, { mode: 'cookie' })
    const res = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/users/${self.id}/sessions`,
      ...cookie.auth,
    })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ revoked: 1 })
    expect(res.cookies.find((c) => c.name === '__Host-rampart_session')?.value).toBe('')
    expect(await meStatus(t, cookie)).toBe(401)
  })

  it.each<UserRole>(['member', 'viewer', 'auditor'])(
    "AUTHZ-1: a %s is refused on every admin route and the target's sessions live on",
    async (role) => {
      const caller = await addUser(t, acme, role)
      const session = await signInFrom(t, acme, caller.email)
      const target = await memberWithSessions(1)
      const [victim] = target.sessions as [Session]
      const base = `/api/v1/users/${target.user.id}/sessions`
      const responses = [
        await t.app.inject({ method: 'GET', url: base, ...session.auth }),
        await t.app.inject({ method: 'DELETE', url: base, ...session.auth }),
        await t.app.inject({
          method: 'DELETE',
          url: `${base}/${victim.sessionId}`,
          ...session.auth,
        }),
        // Not even their own sessions through the admin routes.
        await t.app.inject({
          method: 'GET',
          url: `/api/v1/users/${caller.id}/sessions`,
          ...session.auth,
        }),
      ]
      for (const res of responses) {
        expect(res.statusCode).toBe(403)
        expect(res.json().error.code).toBe('AUTH_PERMISSION_DENIED')
        expect(res.body).not.toContain(victim.sessionId)
      }
      expect(await meStatus(t, victim)).toBe(200)
    },
  )
})
