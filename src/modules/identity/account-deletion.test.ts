// IAM-1, IAM-7: a user can leave the organisation, deleting their own account (opt-out), with a
// fresh sign-in; their sessions end and they cannot sign in again. The last active owner cannot
// leave until someone else is owner.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signUp } from '../../../test/support/app.ts'
import {
  activeOwners,
  addUser,
  ageSession,
  auditEvents,
  call,
  createMembersTestApp,
  type MembersTestApp,
  ownerOf,
} from './members.test-support.ts'

let t: MembersTestApp
beforeAll(async () => {
  t = await createMembersTestApp()
})
afterAll(() => t.close())

describe('IAM-1 leaving the organisation', () => {
  it('IAM-1: a member leaves: the account and its sessions are gone, sign-in fails, audited', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const member = await addUser(t, org, 'member')
    const res = await call(t, member.session, 'DELETE', '/api/v1/me')
    expect(res.statusCode, res.body).toBe(204)
    expect((await call(t, member.session, 'GET', '/api/v1/me')).statusCode).toBe(401)
    const signIn = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      payload: { tenant: org.tenant.slug, email: member.email, password: org.password },
    })
    expect(signIn.statusCode).toBe(401)
    const sessions = await t.database.handle.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', member.id)
      .execute()
    expect(sessions).toEqual([])
    const events = await auditEvents(t, owner.session)
    expect(events.find((e) => e.action === 'user.delete')).toMatchObject({
      reason: 'user_left',
      actor: { type: 'user', id: member.id },
      target: { type: 'user', id: member.id },
    })
    for (const e of events) expect(e.text).not.toContain(member.email)
  })

  it('IAM-6: leaving needs a recent sign-in: a stale session gets IDENTITY_STEP_UP_REQUIRED', async () => {
    const org = await signUp(t.app)
    const member = await addUser(t, org, 'member')
    await ageSession(t, member.session, 11)
    const res = await call(t, member.session, 'DELETE', '/api/v1/me')
    expect(res.statusCode).toBe(403)
    expect(res.json().error.code).toBe('IDENTITY_STEP_UP_REQUIRED')
    expect((await call(t, member.session, 'GET', '/api/v1/me')).statusCode).toBe(200)
  })

  it('IAM-7: the last owner gets 409 IDENTITY_LAST_OWNER; with another owner they may leave', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const last = await call(t, owner.session, 'DELETE', '/api/v1/me')
    expect(last.statusCode).toBe(409)
    expect(last.json().error.code).toBe('IDENTITY_LAST_OWNER')
    const other = await addUser(t, org, 'owner')
    expect((await call(t, owner.session, 'DELETE', '/api/v1/me')).statusCode).toBe(204)
    expect(await activeOwners(t, org.tenant.id)).toEqual([other.id])
  })

  it('IAM-7: a deactivated co-owner does not count: the last active owner still cannot leave', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const other = await addUser(t, org, 'owner')
    await call(t, owner.session, 'POST', `/api/v1/users/${other.id}/deactivate`)
    const res = await call(t, owner.session, 'DELETE', '/api/v1/me')
    expect(res.statusCode).toBe(409)
    expect(res.json().error.code).toBe('IDENTITY_LAST_OWNER')
  })

  it('SEC-2: a cookie session leaves only with its CSRF token, and its cookie is cleared', async () => {
    const org = await signUp(t.app)
    const member = await addUser(t, org, 'member')
    const signIn = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      payload: { tenant: org.tenant.slug, email: member.email, password: org.password },
    })
    const cookie = signIn.cookies.find((c) => c.name === '__Host-rampart_session')?.value as string
    const cookies = { '__Host-rampart_session': cookie }
    const without = await t.app.inject({ method: 'DELETE', url: '/api/v1/me', cookies })
    expect(without.statusCode).toBe(403)
    expect(without.json().error.code).toBe('REQUEST_CSRF_FAILED')
    const res = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/me',
      cookies,
      headers: { 'x-csrf-token': signIn.json().csrfToken },
    })
    expect(res.statusCode).toBe(204)
    const cleared = res.cookies.find((c) => c.name === '__Host-rampart_session')
    expect(cleared?.value).toBe('')
  })
})
