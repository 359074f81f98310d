// AUTHZ-1, IAM-1, IAM-7: an invitation grants a role on its inviter's authority. Revoking an owner
// invitation takes owners.manage, as sending or resending one does. At acceptance the inviter's
// current account and role are judged again: an inviter who is gone, deactivated or no longer
// holds users.invite (and owners.manage for an owner invitation) leaves a dead invitation, which
// gets the one IDENTITY_INVITATION_TOKEN_INVALID and is revoked, audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedUp, signUp } from '../../../test/support/app.ts'
import {
  addUser,
  auditEvents,
  call,
  createMembersTestApp,
  invite,
  type MembersTestApp,
  ownerOf,
  type TestUser,
} from './members.test-support.ts'
import type { UserRole } from './users.table.ts'

let t: MembersTestApp
beforeAll(async () => {
  t = await createMembersTestApp()
})
afterAll(() => t.close())

const PASSWORD = 'amber-Falcon-93-slowly-Harvest'
const inspect = (token: string) =>
  call(t, undefined, 'POST', '/api/v1/invitations/inspect', { token })
const accept = (token: string, password = PASSWORD) =>
  call(t, undefined, 'POST', '/api/v1/invitations/accept', { token, password })

function expectInvalid(res: { statusCode: number; json(): { error: { code: string } } }) {
  expect(res.statusCode).toBe(400)
  expect(res.json().error.code).toBe('IDENTITY_INVITATION_TOKEN_INVALID')
}

/** Changes a user straight in the database, as a parallel admin action would have. */
async function setUser(userId: string, change: { role?: UserRole; status?: 'deactivated' }) {
  await t.database.handle.db.updateTable('users').set(change).where('id', '=', userId).execute()
}

async function invitationRow(id: string) {
  return t.database.handle.db
    .selectFrom('invitations')
    .select(['accepted_at', 'revoked_at', 'revoked_reason', 'invited_by'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
}

async function usersWithEmail(tenantId: string, email: string): Promise<number> {
  const rows = await t.database.handle.db
    .selectFrom('users')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('email_normalized', '=', email)
    .execute()
  return rows.length
}

/** The dead invitation's trail: one revoke by the system, and the refused acceptances. */
async function withdrawalEvents(reader: TestUser, invitationId: string) {
  const events = (await auditEvents(t, reader.session)).filter(
    (e) => e.target?.type === 'invitation' && e.target.id === invitationId,
  )
  return {
    revokes: events.filter((e) => e.action === 'invitation.revoke'),
    refusals: events.filter((e) => e.action === 'invitation.accept' && e.outcome === 'failure'),
  }
}

describe('AUTHZ-1 revoking an owner invitation', () => {
  let org: SignedUp
  let owner: TestUser
  let admin: TestUser

  beforeAll(async () => {
    org = await signUp(t.app)
    owner = await ownerOf(t, org)
    admin = await addUser(t, org, 'admin')
  })

  it('IAM-7: an admin cannot revoke an owner invitation (403, owners.manage); the link still works', async () => {
    const email = `co-owner@${org.tenant.slug}.example`
    const { id, token } = await invite(t, owner.session, email, 'owner')
    const refused = await call(t, admin.session, 'DELETE', `/api/v1/invitations/${id}`)
    expect(refused.statusCode).toBe(403)
    expect(refused.json().error).toMatchObject({
      code: 'AUTH_PERMISSION_DENIED',
      details: { permission: 'owners.manage' },
    })
    expect(await invitationRow(id)).toMatchObject({ revoked_at: null, accepted_at: null })
    expect((await inspect(token)).statusCode).toBe(200)
    const revokes = (await auditEvents(t, owner.session)).filter(
      (e) => e.action === 'invitation.revoke' && e.target?.id === id,
    )
    expect(revokes).toEqual([])
  })

  it('IAM-7: an owner revokes an owner invitation; an admin revokes any other', async () => {
    const ownerInvite = await invite(t, owner.session, `owner2@${org.tenant.slug}.example`, 'owner')
    const byOwner = await call(t, owner.session, 'DELETE', `/api/v1/invitations/${ownerInvite.id}`)
    expect(byOwner.statusCode).toBe(204)
    expectInvalid(await accept(ownerInvite.token))

    const adminInvite = await invite(t, owner.session, `admin2@${org.tenant.slug}.example`, 'admin')
    const byAdmin = await call(t, admin.session, 'DELETE', `/api/v1/invitations/${adminInvite.id}`)
    expect(byAdmin.statusCode).toBe(204)
    expect(await invitationRow(adminInvite.id)).toMatchObject({ revoked_reason: 'revoked' })
  })

  it('AUTHZ-1: a revoker demoted since signing in is refused on their current role', async () => {
    const demoted = await addUser(t, org, 'admin')
    const { id } = await invite(t, owner.session, `stays@${org.tenant.slug}.example`, 'member')
    await setUser(demoted.id, { role: 'member' })
    const res = await call(t, demoted.session, 'DELETE', `/api/v1/invitations/${id}`)
    expect(res.statusCode).toBe(403)
    expect(await invitationRow(id)).toMatchObject({ revoked_at: null })
  })
})

describe('AUTHZ-1 the inviter is judged again at acceptance', () => {
  let org: SignedUp
  let owner: TestUser

  beforeAll(async () => {
    org = await signUp(t.app)
    owner = await ownerOf(t, org)
  })

  it('AUTHZ-1: an inviter demoted to member leaves a dead invitation: refused, revoked, audited', async () => {
    const inviter = await addUser(t, org, 'admin')
    const email = `demoted-inviter@${org.tenant.slug}.example`
    const { id, token } = await invite(t, inviter.session, email, 'admin')
    await setUser(inviter.id, { role: 'member' })

    // The page shows it as dead and changes nothing.
    expectInvalid(await inspect(token))
    expect(await invitationRow(id)).toMatchObject({ revoked_at: null })

    // Refused before the password is judged: a weak one gets the same 400, not a 422.
    expectInvalid(await accept(token, 'short'))
    expect(await invitationRow(id)).toMatchObject({
      accepted_at: null,
      revoked_reason: 'revoked',
    })
    expect((await invitationRow(id)).revoked_at).toBeInstanceOf(Date)
    expectInvalid(await accept(token))
    expect(await usersWithEmail(org.tenant.id, email)).toBe(0)

    const { revokes, refusals } = await withdrawalEvents(owner, id)
    expect(revokes).toHaveLength(1)
    expect(revokes[0]).toMatchObject({ actor: { type: 'system' }, reason: 'inviter_lacks_rights' })
    // The retry's token leads nowhere any more: that refusal is in the platform's log.
    expect(refusals.map((e) => e.reason)).toEqual(['inviter_lacks_rights'])
    for (const event of [...revokes, ...refusals]) expect(event.text).not.toContain(email)
    const listed = await call(t, owner.session, 'GET', '/api/v1/invitations')
    expect(listed.json().invitations.map((i: { id: string }) => i.id)).not.toContain(id)
  })

  it('AUTHZ-1: a deactivated inviter’s invitation is dead', async () => {
    const inviter = await addUser(t, org, 'admin')
    const email = `deactivated-inviter@${org.tenant.slug}.example`
    const { id, token } = await invite(t, inviter.session, email, 'viewer')
    await setUser(inviter.id, { status: 'deactivated' })
    expectInvalid(await accept(token))
    expect(await usersWithEmail(org.tenant.id, email)).toBe(0)
    expect((await invitationRow(id)).revoked_at).toBeInstanceOf(Date)
  })

  it('AUTHZ-1: a removed inviter’s invitation is dead (invited_by set to null)', async () => {
    const inviter = await addUser(t, org, 'admin')
    const email = `removed-inviter@${org.tenant.slug}.example`
    const { id, token } = await invite(t, inviter.session, email, 'member')
    await t.database.handle.db.deleteFrom('users').where('id', '=', inviter.id).execute()
    expect(await invitationRow(id)).toMatchObject({ invited_by: null })
    expectInvalid(await accept(token))
    expect(await usersWithEmail(org.tenant.id, email)).toBe(0)
    expect((await invitationRow(id)).revoked_at).toBeInstanceOf(Date)
  })

  it('IAM-7: an owner demoted to admin cannot make owners any more, but may still make members', async () => {
    const inviter = await addUser(t, org, 'owner')
    const ownerEmail = `would-be-owner@${org.tenant.slug}.example`
    const memberEmail = `plain-member@${org.tenant.slug}.example`
    const asOwner = await invite(t, inviter.session, ownerEmail, 'owner')
    const asMember = await invite(t, inviter.session, memberEmail, 'member')
    await setUser(inviter.id, { role: 'admin' })

    expectInvalid(await accept(asOwner.token))
    expect(await usersWithEmail(org.tenant.id, ownerEmail)).toBe(0)
    expect((await invitationRow(asOwner.id)).revoked_at).toBeInstanceOf(Date)

    const accepted = await accept(asMember.token)
    expect(accepted.statusCode, accepted.body).toBe(201)
    expect(accepted.json().user.role).toBe('member')
  })

  it('AUTHZ-1: an inviter who still holds the rights is fine, though demoted from owner to admin', async () => {
    const inviter = await addUser(t, org, 'owner')
    const email = `still-fine@${org.tenant.slug}.example`
    const { token } = await invite(t, inviter.session, email, 'admin')
    await setUser(inviter.id, { role: 'admin' })
    expect((await inspect(token)).statusCode).toBe(200)
    const accepted = await accept(token)
    expect(accepted.statusCode, accepted.body).toBe(201)
    expect(accepted.json().user.role).toBe('admin')
  })

  it('AUTHZ-1: parallel acceptances of a dead invitation are all refused, with one revocation', async () => {
    const inviter = await addUser(t, org, 'admin')
    const email = `parallel-dead@${org.tenant.slug}.example`
    const { id, token } = await invite(t, inviter.session, email, 'member')
    await setUser(inviter.id, { role: 'viewer' })
    const results = await Promise.all([1, 2, 3, 4].map(() => accept(token)))
    for (const res of results) expectInvalid(res)
    expect(await usersWithEmail(org.tenant.id, email)).toBe(0)
    const { revokes, refusals } = await withdrawalEvents(owner, id)
    expect(revokes).toHaveLength(1)
    // Those that found the link already revoked are refused as unknown, in the platform's log.
    expect(refusals.length).toBeGreaterThanOrEqual(1)
    expect(refusals.every((e) => e.reason === 'inviter_lacks_rights')).toBe(true)
  })
})
