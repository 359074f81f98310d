// IAM-1, IAM-2, LOG-1: users join only by an admin's invitation, end to end through HTTP and a
// real SMTP server: the mailed link shows the invitation and creates the account with the
// invited role and a verified address; only the token's hash is stored; every step is audited
// without the address.
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signInBearer, signUp } from '../../../test/support/app.ts'
import {
  addUser,
  auditEvents,
  call,
  createMembersTestApp,
  invitationTokenFor,
  invite,
  type MembersTestApp,
  ownerOf,
} from './members.test-support.ts'
import { mailsTo } from './password-reset.test-support.ts'

let t: MembersTestApp
beforeAll(async () => {
  t = await createMembersTestApp()
})
afterAll(() => t.close())

const NEW_PASSWORD = 'amber-Falcon-93-slowly-Harvest'

const inspect = (token: unknown) =>
  call(t, undefined, 'POST', '/api/v1/invitations/inspect', { token })
const accept = (token: unknown, password: unknown = NEW_PASSWORD) =>
  call(t, undefined, 'POST', '/api/v1/invitations/accept', { token, password })

describe('IAM-1 invitation, end to end', () => {
  it('IAM-1: an admin invites; the mailed link shows the invitation and creates the user with its role', async () => {
    const org = await signUp(t.app, { organisationName: 'Acme Ltd' })
    const owner = await ownerOf(t, org)
    const admin = await addUser(t, org, 'admin')
    const email = `new.hire@${org.tenant.slug}.example`
    const created = await call(t, admin.session, 'POST', '/api/v1/invitations', {
      email,
      role: 'auditor',
    })
    expect(created.statusCode, created.body).toBe(201)
    const invitation = created.json()
    expect(invitation).toMatchObject({
      email,
      role: 'auditor',
      invitedBy: admin.id,
      expired: false,
    })
    const ttl = Date.parse(invitation.expiresAt) - Date.now()
    expect(ttl).toBeGreaterThan(7 * 86_400_000 - 60_000)
    expect(ttl).toBeLessThanOrEqual(7 * 86_400_000)
    expect(created.body).not.toMatch(/token/i)

    await t.deliver()
    const [mail] = mailsTo(t.smtp, email)
    expect(mail?.headers.get('subject')).toBe('You are invited to join an organisation on Rampart')
    expect(mail?.html).toBeUndefined()
    expect(mail?.text).toContain('Acme Ltd')
    expect(mail?.text).toContain('as auditor')
    const token = await invitationTokenFor(t, email)
    expect(mail?.text).toContain(`https://rampart.example.com/accept-invitation#token=${token}`)

    // Only the SHA-256 of the token is stored.
    const row = await t.database.handle.db
      .selectFrom('invitations')
      .selectAll()
      .where('id', '=', invitation.id)
      .executeTakeFirstOrThrow()
    expect(row.token_hash).toBe(createHash('sha256').update(token).digest('hex'))
    expect(JSON.stringify(row)).not.toContain(token)

    const shown = await inspect(token)
    expect(shown.statusCode, shown.body).toBe(200)
    expect(shown.json()).toEqual({
      organisation: { name: 'Acme Ltd', slug: org.tenant.slug },
      email,
      role: 'auditor',
      expiresAt: invitation.expiresAt,
    })
    const accepted = await accept(token)
    expect(accepted.statusCode, accepted.body).toBe(201)
    const { user } = accepted.json()
    expect(accepted.json()).toEqual({
      user: { id: user.id, email, role: 'auditor' },
      tenant: { slug: org.tenant.slug, name: 'Acme Ltd' },
    })
    // The new user signs in with the password chosen, holds the role, and the link proved the
    // address.
    const session = await signInBearer(t.app, {
      ...org,
      owner: { ...user },
      password: NEW_PASSWORD,
    })
    expect((await call(t, session, 'GET', '/api/v1/users')).statusCode).toBe(200)
    const me = await call(t, session, 'GET', '/api/v1/me')
    expect(me.json().user).toMatchObject({ id: user.id, role: 'auditor', emailVerified: true })
    const list = await call(t, admin.session, 'GET', '/api/v1/invitations')
    expect(list.json().invitations).toEqual([])

    const events = await auditEvents(t, owner.session)
    const actions = events.map((e) => e.action)
    expect(actions).toEqual(
      expect.arrayContaining(['invitation.create', 'user.create', 'invitation.accept']),
    )
    expect(events.find((e) => e.action === 'invitation.create')).toMatchObject({
      actor: { type: 'user', id: admin.id },
      target: { type: 'invitation', id: invitation.id },
      reason: 'auditor',
    })
    expect(events.find((e) => e.action === 'invitation.accept')).toMatchObject({
      actor: { type: 'user', id: user.id },
      target: { type: 'invitation', id: invitation.id },
    })
    for (const event of events) expect(event.text).not.toContain('new.hire')
  })

  it('IAM-1: an existing user, or an address with an open invitation, gets 409', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const member = await addUser(t, org, 'member')
    const asUser = await call(t, owner.session, 'POST', '/api/v1/invitations', {
      email: member.email.toUpperCase(),
      role: 'viewer',
    })
    expect(asUser.statusCode).toBe(409)
    expect(asUser.json().error.code).toBe('IDENTITY_USER_EXISTS')
    const email = `twice@${org.tenant.slug}.example`
    await invite(t, owner.session, email)
    const twice = await call(t, owner.session, 'POST', '/api/v1/invitations', {
      email: email.toUpperCase(),
      role: 'admin',
    })
    expect(twice.statusCode).toBe(409)
    expect(twice.json().error.code).toBe('IDENTITY_INVITATION_EXISTS')
  })

  it('IAM-1: parallel invitations of one address leave exactly one', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const email = `race@${org.tenant.slug}.example`
    const results = await Promise.all(
      [1, 2, 3, 4].map(() =>
        call(t, owner.session, 'POST', '/api/v1/invitations', { email, role: 'member' }),
      ),
    )
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1)
    for (const r of results.filter((r) => r.statusCode !== 201)) {
      expect(r.json().error.code).toBe('IDENTITY_INVITATION_EXISTS')
    }
  })

  it('IAM-1: a lapsed invitation does not block a new one, and is listed as expired until then', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const email = `late@${org.tenant.slug}.example`
    const first = await invite(t, owner.session, email)
    await t.database.handle.db
      .updateTable('invitations')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', first.id)
      .execute()
    const listed = await call(t, owner.session, 'GET', '/api/v1/invitations')
    expect(listed.json().invitations).toMatchObject([{ id: first.id, expired: true }])
    const again = await call(t, owner.session, 'POST', '/api/v1/invitations', {
      email,
      role: 'member',
    })
    expect(again.statusCode, again.body).toBe(201)
    const after = await call(t, owner.session, 'GET', '/api/v1/invitations')
    expect(after.json().invitations.map((i: { id: string }) => i.id)).toEqual([again.json().id])
  })

  it('IAM-7: inviting an owner needs owners.manage: an admin gets 403, an owner may', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const admin = await addUser(t, org, 'admin')
    const email = `co-owner@${org.tenant.slug}.example`
    const refused = await call(t, admin.session, 'POST', '/api/v1/invitations', {
      email,
      role: 'owner',
    })
    expect(refused.statusCode).toBe(403)
    expect(refused.json().error.code).toBe('AUTH_PERMISSION_DENIED')
    const { id, token } = await invite(t, owner.session, email, 'owner')
    // Nor may the admin resend the owner invitation (or revoke it: invitations.inviter-rights.test.ts).
    const resend = await call(t, admin.session, 'POST', `/api/v1/invitations/${id}/resend`)
    expect(resend.statusCode).toBe(403)
    const accepted = await accept(token)
    expect(accepted.statusCode).toBe(201)
    expect(accepted.json().user.role).toBe('owner')
  })

  it('IAM-1: lists open invitations with a cursor; resend mails a new link and kills the old one', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const invited = []
    for (const name of ['c', 'a', 'b']) {
      invited.push(await invite(t, owner.session, `${name}@${org.tenant.slug}.example`))
    }
    const first = await call(t, owner.session, 'GET', '/api/v1/invitations?limit=2')
    expect(first.json().invitations.map((i: { email: string }) => i.email[0])).toEqual(['a', 'b'])
    const next = await call(
      t,
      owner.session,
      'GET',
      `/api/v1/invitations?limit=2&cursor=${first.json().nextCursor}`,
    )
    expect(next.json()).toMatchObject({
      invitations: [{ email: `c@${org.tenant.slug}.example` }],
      nextCursor: null,
    })

    const target = invited[0] as { id: string; token: string }
    await t.database.handle.db
      .updateTable('invitations')
      .set({ expires_at: new Date(Date.now() + 60_000) })
      .where('id', '=', target.id)
      .execute()
    const resent = await call(t, owner.session, 'POST', `/api/v1/invitations/${target.id}/resend`)
    expect(resent.statusCode, resent.body).toBe(200)
    expect(Date.parse(resent.json().expiresAt) - Date.now()).toBeGreaterThan(
      7 * 86_400_000 - 60_000,
    )
    const fresh = await invitationTokenFor(t, `c@${org.tenant.slug}.example`)
    expect(fresh).not.toBe(target.token)
    const old = await inspect(target.token)
    expect(old.statusCode).toBe(400)
    expect(old.json().error.code).toBe('IDENTITY_INVITATION_TOKEN_INVALID')
    expect((await inspect(fresh)).statusCode).toBe(200)
  })

  it('IAM-1: a revoked invitation is gone: its link fails and a second revoke is 404', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const { id, token } = await invite(t, owner.session, `gone@${org.tenant.slug}.example`)
    expect((await call(t, owner.session, 'DELETE', `/api/v1/invitations/${id}`)).statusCode).toBe(
      204,
    )
    expect((await accept(token)).json().error.code).toBe('IDENTITY_INVITATION_TOKEN_INVALID')
    const again = await call(t, owner.session, 'DELETE', `/api/v1/invitations/${id}`)
    expect(again.statusCode).toBe(404)
    expect(again.json().error.code).toBe('IDENTITY_INVITATION_NOT_FOUND')
    const resend = await call(t, owner.session, 'POST', `/api/v1/invitations/${id}/resend`)
    expect(resend.statusCode).toBe(404)
    const actions = (await auditEvents(t, owner.session)).map((e) => e.action)
    expect(actions).toContain('invitation.revoke')
  })

  it('IAM-2: a password the sign-up policy refuses gets its 422, and the link still works', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const email = `weak@${org.tenant.slug}.example`
    const { token } = await invite(t, owner.session, email)
    for (const [password, code] of [
      ['short', 'IDENTITY_PASSWORD_TOO_SHORT'],
      ['password1234', 'IDENTITY_PASSWORD_COMMON'],
      [`${email}${email}`, 'IDENTITY_PASSWORD_WEAK'],
      ['x'.repeat(257), 'IDENTITY_PASSWORD_TOO_LONG'],
    ]) {
      const res = await accept(token, password)
      expect(res.statusCode, password).toBe(422)
      expect(res.json().error.code).toBe(code)
    }
    expect((await accept(token)).statusCode).toBe(201)
  })

  it('AUTHZ-1: members, viewers and auditors cannot invite, resend or revoke; only auditors list', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const { id } = await invite(t, owner.session, `someone@${org.tenant.slug}.example`)
    for (const role of ['member', 'viewer', 'auditor'] as const) {
      const user = await addUser(t, org, role)
      for (const [method, url, payload] of [
        ['POST', '/api/v1/invitations', { email: `x-${role}@x.example`, role: 'admin' }],
        ['POST', '/api/v1/invitations', { nonsense: 1 }],
        ['POST', `/api/v1/invitations/${id}/resend`, undefined],
        ['DELETE', `/api/v1/invitations/${id}`, undefined],
      ] as const) {
        const res = await call(t, user.session, method, url, payload)
        expect(res.statusCode, `${role} ${method} ${url}`).toBe(403)
        expect(res.json().error.code).toBe('AUTH_PERMISSION_DENIED')
      }
      const list = await call(t, user.session, 'GET', '/api/v1/invitations')
      expect(list.statusCode).toBe(role === 'auditor' ? 200 : 403)
    }
    const rows = await t.database.handle.db
      .selectFrom('invitations')
      .select('id')
      .where('tenant_id', '=', org.tenant.id)
      .execute()
    expect(rows).toHaveLength(1)
  })
})
