// IAM-1, IAM-7, AUTHZ-1: the organisation's users through HTTP. Owners and admins list, read,
// re-role, deactivate, reactivate and remove users; owners alone touch owners; nobody changes
// their own role except an owner stepping down while another remains; every change is audited
// with ids only.
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

describe('IAM-1 listing and reading users', () => {
  it('IAM-1: lists users by address with a cursor, with role, status, sign-in and verification', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const added = []
    for (const role of ['admin', 'member', 'viewer', 'auditor'] as const) {
      added.push(await addUser(t, org, role))
    }
    const seen: { id: string; email: string }[] = []
    let cursor: string | null = null
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2'
      const res = await call(t, owner.session, 'GET', `/api/v1/users${query}`)
      expect(res.statusCode, res.body).toBe(200)
      const body = res.json() as {
        users: { id: string; email: string }[]
        nextCursor: string | null
      }
      expect(body.users.length).toBeLessThanOrEqual(2)
      seen.push(...body.users)
      cursor = body.nextCursor
    } while (cursor)
    expect(seen.map((u) => u.id).sort()).toEqual([org.owner.id, ...added.map((u) => u.id)].sort())
    const emails = seen.map((u) => u.email)
    expect(emails).toEqual([...emails].sort())
    const one = await call(t, owner.session, 'GET', `/api/v1/users/${added[1]?.id}`)
    expect(one.statusCode).toBe(200)
    expect(one.json()).toMatchObject({
      id: added[1]?.id,
      email: added[1]?.email,
      role: 'member',
      status: 'active',
      emailVerified: false,
    })
    // The member signed in when added, and the hash never leaves the server.
    expect(Date.parse(one.json().lastSignInAt)).toBeGreaterThan(Date.now() - 60_000)
    expect(one.body).not.toContain('argon2')
  })

  it('AUTHZ-1: auditors may read users; members and viewers get 403 AUTH_PERMISSION_DENIED', async () => {
    const org = await signUp(t.app)
    const auditor = await addUser(t, org, 'auditor')
    expect((await call(t, auditor.session, 'GET', '/api/v1/users')).statusCode).toBe(200)
    for (const role of ['member', 'viewer'] as const) {
      const user = await addUser(t, org, role)
      for (const url of ['/api/v1/users', `/api/v1/users/${org.owner.id}`]) {
        const res = await call(t, user.session, 'GET', url)
        expect(res.statusCode).toBe(403)
        expect(res.json().error.code).toBe('AUTH_PERMISSION_DENIED')
      }
    }
  })

  it('IAM-1: an unknown user id is 404 IDENTITY_USER_NOT_FOUND; a junk cursor 400', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const res = await call(
      t,
      owner.session,
      'GET',
      '/api/v1/users/00000000-0000-4000-8000-000000000000',
    )
    expect(res.statusCode).toBe(404)
    expect(res.json().error.code).toBe('IDENTITY_USER_NOT_FOUND')
    for (const cursor of ['junk', Buffer.from('u:not-a-uuid').toString('base64url')]) {
      const page = await call(t, owner.session, 'GET', `/api/v1/users?cursor=${cursor}`)
      expect(page.statusCode).toBe(400)
      expect(page.json().error.code).toBe('IDENTITY_CURSOR_INVALID')
    }
  })
})

describe('AUTHZ-1 and IAM-7 role changes', () => {
  const setRole = (by: { session: Parameters<typeof call>[1] }, userId: string, role: string) =>
    call(t, by.session, 'PUT', `/api/v1/users/${userId}/role`, { role })

  it('AUTHZ-1: an admin changes roles below owner; the change counts on the next request and is audited', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const admin = await addUser(t, org, 'admin')
    const member = await addUser(t, org, 'member')
    expect((await call(t, member.session, 'GET', '/api/v1/users')).statusCode).toBe(403)
    const res = await setRole(admin, member.id, 'auditor')
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().role).toBe('auditor')
    // Permissions come from the role read at each request: the auditor reads users at once.
    expect((await call(t, member.session, 'GET', '/api/v1/users')).statusCode).toBe(200)
    const events = await auditEvents(t, owner.session)
    const change = events.find((e) => e.action === 'user.role_change')
    expect(change).toMatchObject({
      outcome: 'success',
      reason: 'member_to_auditor',
      actor: { type: 'user', id: admin.id },
      target: { type: 'user', id: member.id },
      fields: ['role'],
    })
    expect(change?.text).not.toContain(member.email)
  })

  it('IAM-7: making or unmaking an owner needs owners.manage: an admin gets 403', async () => {
    const org = await signUp(t.app)
    const admin = await addUser(t, org, 'admin')
    const member = await addUser(t, org, 'member')
    for (const [userId, role] of [
      [member.id, 'owner'],
      [org.owner.id, 'admin'],
      [org.owner.id, 'member'],
    ] as const) {
      const res = await setRole(admin, userId, role)
      expect(res.statusCode).toBe(403)
      expect(res.json().error.code).toBe('AUTH_PERMISSION_DENIED')
    }
    expect(await activeOwners(t, org.tenant.id)).toEqual([org.owner.id])
  })

  it('IAM-7: an owner makes another owner, who may then step down; the last owner may not', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const admin = await addUser(t, org, 'admin')
    expect((await setRole(owner, admin.id, 'owner')).statusCode).toBe(200)
    expect((await activeOwners(t, org.tenant.id)).sort()).toEqual([org.owner.id, admin.id].sort())
    const down = await setRole(admin, admin.id, 'admin')
    expect(down.statusCode, down.body).toBe(200)
    const last = await setRole(owner, owner.id, 'admin')
    expect(last.statusCode).toBe(409)
    expect(last.json().error.code).toBe('IDENTITY_LAST_OWNER')
    expect(await activeOwners(t, org.tenant.id)).toEqual([org.owner.id])
  })

  it('IAM-7: an owner whose co-owner is deactivated is the last active owner', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const other = await addUser(t, org, 'owner')
    expect(
      (await call(t, owner.session, 'POST', `/api/v1/users/${other.id}/deactivate`)).statusCode,
    ).toBe(200)
    const res = await setRole(owner, owner.id, 'member')
    expect(res.statusCode).toBe(409)
    expect(res.json().error.code).toBe('IDENTITY_LAST_OWNER')
  })

  it('AUTHZ-1: nobody changes their own role otherwise: an admin cannot demote or promote themself', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const admin = await addUser(t, org, 'admin')
    for (const role of ['member', 'viewer']) {
      const res = await setRole(admin, admin.id, role)
      expect(res.statusCode).toBe(403)
      expect(res.json().error.code).toBe('IDENTITY_SELF_CHANGE_FORBIDDEN')
    }
    expect((await setRole(admin, admin.id, 'owner')).json().error.code).toBe(
      'AUTH_PERMISSION_DENIED',
    )
    // An owner may not "change" to owner either, which would be a no-op dressed as a change.
    expect((await setRole(owner, owner.id, 'owner')).statusCode).toBe(403)
  })

  it('IAM-6: a role change needs a recent sign-in: a stale session gets IDENTITY_STEP_UP_REQUIRED', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const member = await addUser(t, org, 'member')
    await ageSession(t, owner.session, 11)
    const res = await setRole(owner, member.id, 'admin')
    expect(res.statusCode).toBe(403)
    expect(res.json().error.code).toBe('IDENTITY_STEP_UP_REQUIRED')
  })

  it('AUTHZ-1: members, viewers and auditors get 403 before their input is even read', async () => {
    const org = await signUp(t.app)
    const target = await addUser(t, org, 'member')
    for (const role of ['member', 'viewer', 'auditor'] as const) {
      const user = await addUser(t, org, role)
      for (const [method, url, payload] of [
        ['PUT', `/api/v1/users/${target.id}/role`, { role: 'admin' }],
        ['PUT', `/api/v1/users/${target.id}/role`, { nonsense: true }],
        ['POST', `/api/v1/users/${target.id}/deactivate`, undefined],
        ['POST', `/api/v1/users/${target.id}/reactivate`, undefined],
        ['DELETE', `/api/v1/users/${target.id}`, undefined],
      ] as const) {
        const res = await call(t, user.session, method, url, payload)
        expect(res.statusCode, `${role} ${method} ${url}`).toBe(403)
        expect(res.json().error.code).toBe('AUTH_PERMISSION_DENIED')
      }
    }
    const row = await t.database.handle.db
      .selectFrom('users')
      .select(['role', 'status'])
      .where('id', '=', target.id)
      .executeTakeFirst()
    expect(row).toEqual({ role: 'member', status: 'active' })
  })
})

describe('IAM-1 deactivation, reactivation and removal', () => {
  it('IAM-1: deactivate, then reactivate: the user signs in again; both audited', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const member = await addUser(t, org, 'member')
    const off = await call(t, owner.session, 'POST', `/api/v1/users/${member.id}/deactivate`)
    expect(off.statusCode, off.body).toBe(200)
    expect(off.json().status).toBe('deactivated')
    const again = await call(t, owner.session, 'POST', `/api/v1/users/${member.id}/deactivate`)
    expect(again.statusCode).toBe(409)
    expect(again.json().error.code).toBe('IDENTITY_USER_STATUS_UNCHANGED')
    const on = await call(t, owner.session, 'POST', `/api/v1/users/${member.id}/reactivate`)
    expect(on.statusCode).toBe(200)
    expect(on.json().status).toBe('active')
    const signIn = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      payload: {
        tenant: org.tenant.slug,
        email: member.email,
        password: org.password,
        mode: 'bearer',
      },
    })
    expect(signIn.statusCode).toBe(201)
    const actions = (await auditEvents(t, owner.session)).map((e) => e.action)
    expect(actions).toContain('user.deactivate')
    expect(actions).toContain('user.reactivate')
  })

  it('IAM-7: deactivating or removing an owner needs owners.manage; an admin gets 403', async () => {
    const org = await signUp(t.app)
    const admin = await addUser(t, org, 'admin')
    for (const [method, url] of [
      ['POST', `/api/v1/users/${org.owner.id}/deactivate`],
      ['DELETE', `/api/v1/users/${org.owner.id}`],
    ] as const) {
      const res = await call(t, admin.session, method, url)
      expect(res.statusCode).toBe(403)
      expect(res.json().error.code).toBe('AUTH_PERMISSION_DENIED')
    }
    expect(await activeOwners(t, org.tenant.id)).toEqual([org.owner.id])
  })

  it('IAM-1: nobody deactivates or removes themself here (leaving is DELETE /api/v1/me)', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    await addUser(t, org, 'owner')
    for (const [method, url] of [
      ['POST', `/api/v1/users/${owner.id}/deactivate`],
      ['POST', `/api/v1/users/${owner.id}/reactivate`],
      ['DELETE', `/api/v1/users/${owner.id}`],
    ] as const) {
      const res = await call(t, owner.session, method, url)
      expect(res.statusCode).toBe(403)
      expect(res.json().error.code).toBe('IDENTITY_SELF_CHANGE_FORBIDDEN')
    }
  })

  it('IAM-1: an admin removes a member: gone from the list, cannot sign in, audited', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const admin = await addUser(t, org, 'admin')
    const member = await addUser(t, org, 'member')
    const res = await call(t, admin.session, 'DELETE', `/api/v1/users/${member.id}`)
    expect(res.statusCode, res.body).toBe(204)
    expect((await call(t, owner.session, 'GET', `/api/v1/users/${member.id}`)).statusCode).toBe(404)
    expect((await call(t, member.session, 'GET', '/api/v1/me')).statusCode).toBe(401)
    const again = await call(t, admin.session, 'DELETE', `/api/v1/users/${member.id}`)
    expect(again.statusCode).toBe(404)
    const events = await auditEvents(t, owner.session)
    expect(events.find((e) => e.action === 'user.delete')).toMatchObject({
      reason: 'user_removed',
      actor: { type: 'user', id: admin.id },
      target: { type: 'user', id: member.id },
    })
    expect(
      events.some(
        (e) =>
          e.action === 'session.revoke' &&
          e.reason === 'user_removed' &&
          e.target?.id === member.session.sessionId,
      ),
    ).toBe(true)
  })

  it('IAM-6: removing a user needs a recent sign-in too', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const member = await addUser(t, org, 'member')
    await ageSession(t, owner.session, 30)
    const res = await call(t, owner.session, 'DELETE', `/api/v1/users/${member.id}`)
    expect(res.statusCode).toBe(403)
    expect(res.json().error.code).toBe('IDENTITY_STEP_UP_REQUIRED')
  })
})
