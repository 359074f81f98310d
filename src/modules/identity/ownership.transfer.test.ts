// IAM-7: ownership changes hands only when an owner who just proved who they are offers it and the
// recipient, with a fresh sign-in of their own, accepts: then the recipient is an owner and the
// sender an admin, in one step. Without the acceptance nothing changes; a stale session of the
// sender cannot make the offer; one offer is pending at a time and it lapses after 7 days.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signInBearer, signUp } from '../../../test/support/app.ts'
import {
  activeOwners,
  addUser,
  ageSession,
  auditEvents,
  call,
  createMembersTestApp,
  type MembersTestApp,
  ownerOf,
  type TestUser,
} from './members.test-support.ts'
import { mailsTo } from './password-reset.test-support.ts'

let t: MembersTestApp
beforeAll(async () => {
  t = await createMembersTestApp()
})
afterAll(() => t.close())

const BASE = '/api/v1/tenant/ownership-transfers'

const offer = (by: TestUser, toUserId: string) => call(t, by.session, 'POST', BASE, { toUserId })
const act = (by: TestUser, id: string, verb: 'accept' | 'decline') =>
  call(t, by.session, 'POST', `${BASE}/${id}/${verb}`)
const cancel = (by: TestUser, id: string) => call(t, by.session, 'DELETE', `${BASE}/${id}`)
const pending = async (by: TestUser) =>
  (await call(t, by.session, 'GET', BASE)).json().transfers as { id: string }[]

async function roleOf(userId: string): Promise<string | undefined> {
  const row = await t.database.handle.db
    .selectFrom('users')
    .select('role')
    .where('id', '=', userId)
    .executeTakeFirst()
  return row?.role
}

async function setting() {
  const org = await signUp(t.app, { organisationName: 'Handover Ltd' })
  const owner = await ownerOf(t, org)
  const recipient = await addUser(t, org, 'member')
  return { org, owner, recipient }
}

describe('IAM-7 ownership transfer', () => {
  it('IAM-7: offer, mail, acceptance: the recipient becomes owner and the sender admin, audited', async () => {
    const { org, owner, recipient } = await setting()
    const res = await offer(owner, recipient.id)
    expect(res.statusCode, res.body).toBe(201)
    const transfer = res.json()
    expect(transfer).toMatchObject({
      from: { id: owner.id, email: owner.email },
      to: { id: recipient.id, email: recipient.email },
      status: 'pending',
    })
    expect(Date.parse(transfer.expiresAt) - Date.now()).toBeGreaterThan(7 * 86_400_000 - 60_000)
    await t.deliver()
    const [mail] = mailsTo(t.smtp, recipient.email)
    expect(mail?.text).toContain('Handover Ltd')
    expect(mail?.text).toContain(`https://rampart.example.com/ownership-transfers/${transfer.id}`)
    expect((await pending(recipient)).map((x) => x.id)).toEqual([transfer.id])
    expect((await pending(owner)).map((x) => x.id)).toEqual([transfer.id])

    const accepted = await act(recipient, transfer.id, 'accept')
    expect(accepted.statusCode, accepted.body).toBe(200)
    expect(accepted.json().status).toBe('accepted')
    expect(await roleOf(recipient.id)).toBe('owner')
    expect(await roleOf(owner.id)).toBe('admin')
    expect(await activeOwners(t, org.tenant.id)).toEqual([recipient.id])
    expect(await pending(recipient)).toEqual([])
    await t.deliver()
    expect(mailsTo(t.smtp, owner.email).at(-1)?.headers.get('subject')).toBe(
      'Your ownership transfer was accepted',
    )

    const events = await auditEvents(t, recipient.session)
    const offered = events.find((e) => e.action === 'ownership.transfer_offer')
    expect(offered).toMatchObject({
      actor: { type: 'user', id: owner.id },
      target: { type: 'ownership_transfer', id: transfer.id },
    })
    expect(events.find((e) => e.action === 'ownership.transfer_accept')).toMatchObject({
      actor: { type: 'user', id: recipient.id },
      target: { type: 'ownership_transfer', id: transfer.id },
    })
    const changes = events.filter((e) => e.action === 'user.role_change')
    expect(changes.map((e) => [e.target?.id, e.reason])).toEqual([
      [recipient.id, 'member_to_owner'],
      [owner.id, 'owner_to_admin'],
    ])
    for (const e of events) expect(e.text).not.toContain(recipient.email)
  })

  it('IAM-7: without the acceptance nothing changes: nobody but the recipient can accept', async () => {
    const { org, owner, recipient } = await setting()
    const coOwner = await addUser(t, org, 'owner')
    const admin = await addUser(t, org, 'admin')
    const { id } = (await offer(owner, recipient.id)).json()
    for (const who of [owner, coOwner, admin]) {
      const res = await act(who, id, 'accept')
      expect(res.statusCode).toBe(404)
      expect(res.json().error.code).toBe('IDENTITY_TRANSFER_NOT_FOUND')
      expect((await act(who, id, 'decline')).statusCode).toBe(404)
    }
    expect(await roleOf(recipient.id)).toBe('member')
    expect((await activeOwners(t, org.tenant.id)).sort()).toEqual([owner.id, coOwner.id].sort())
    // Others of the organisation do not see it either.
    expect(await pending(admin)).toEqual([])
  })

  it('IAM-7: a stale session of the sender gets IDENTITY_STEP_UP_REQUIRED; after a step-up the offer goes', async () => {
    const { owner, recipient } = await setting()
    await ageSession(t, owner.session, 11)
    const stale = await offer(owner, recipient.id)
    expect(stale.statusCode).toBe(403)
    expect(stale.json().error.code).toBe('IDENTITY_STEP_UP_REQUIRED')
    expect(await pending(owner)).toEqual([])
    const up = await call(t, owner.session, 'POST', '/api/v1/sessions/current/step-up', {
      password: owner.as.password,
    })
    expect(up.statusCode).toBe(200)
    expect((await offer(owner, recipient.id)).statusCode).toBe(201)
  })

  it('IAM-7: the recipient must have signed in recently too', async () => {
    const { owner, recipient } = await setting()
    const { id } = (await offer(owner, recipient.id)).json()
    await ageSession(t, recipient.session, 30)
    const res = await act(recipient, id, 'accept')
    expect(res.statusCode).toBe(403)
    expect(res.json().error.code).toBe('IDENTITY_STEP_UP_REQUIRED')
    expect(await roleOf(recipient.id)).toBe('member')
  })

  it('IAM-7: a declined offer changes nothing and cannot be accepted afterwards', async () => {
    const { owner, recipient } = await setting()
    const { id } = (await offer(owner, recipient.id)).json()
    const declined = await act(recipient, id, 'decline')
    expect(declined.statusCode).toBe(200)
    expect(declined.json().status).toBe('declined')
    const late = await act(recipient, id, 'accept')
    expect(late.statusCode).toBe(409)
    expect(late.json().error.code).toBe('IDENTITY_TRANSFER_CLOSED')
    expect([await roleOf(owner.id), await roleOf(recipient.id)]).toEqual(['owner', 'member'])
    await t.deliver()
    expect(mailsTo(t.smtp, owner.email).at(-1)?.headers.get('subject')).toBe(
      'Your ownership transfer was declined',
    )
  })

  it('IAM-7: the sender or another owner cancels; the recipient cannot; a cancelled offer is closed', async () => {
    const { org, owner, recipient } = await setting()
    const coOwner = await addUser(t, org, 'owner')
    const first = (await offer(owner, recipient.id)).json()
    expect((await cancel(recipient, first.id)).statusCode).toBe(404)
    expect((await cancel(owner, first.id)).statusCode).toBe(204)
    expect((await act(recipient, first.id, 'accept')).json().error.code).toBe(
      'IDENTITY_TRANSFER_CLOSED',
    )
    const second = (await offer(owner, recipient.id)).json()
    expect((await cancel(coOwner, second.id)).statusCode).toBe(204)
    expect((await cancel(coOwner, second.id)).json().error.code).toBe('IDENTITY_TRANSFER_CLOSED')
    const actions = (await auditEvents(t, owner.session)).map((e) => e.action)
    expect(actions.filter((a) => a === 'ownership.transfer_cancel')).toHaveLength(2)
  })

  it('IAM-7: one pending offer at a time, also when offered in parallel', async () => {
    const { org, owner, recipient } = await setting()
    const other = await addUser(t, org, 'admin')
    const results = await Promise.all([offer(owner, recipient.id), offer(owner, other.id)])
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409])
    expect(results.find((r) => r.statusCode === 409)?.json().error.code).toBe(
      'IDENTITY_TRANSFER_PENDING',
    )
  })

  it('IAM-7: an offer lapses after 7 days: it cannot be accepted, and a new one may be made', async () => {
    const { owner, recipient } = await setting()
    const { id } = (await offer(owner, recipient.id)).json()
    await t.database.handle.db
      .updateTable('ownership_transfers')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', id)
      .execute()
    expect(await pending(recipient)).toEqual([])
    const res = await act(recipient, id, 'accept')
    expect(res.statusCode).toBe(409)
    expect(res.json().error.code).toBe('IDENTITY_TRANSFER_CLOSED')
    expect(await roleOf(recipient.id)).toBe('member')
    expect((await offer(owner, recipient.id)).statusCode).toBe(201)
  })

  it('IAM-7: the recipient must be another active user who is not an owner', async () => {
    const { org, owner } = await setting()
    const coOwner = await addUser(t, org, 'owner')
    const inactive = await addUser(t, org, 'member')
    await call(t, owner.session, 'POST', `/api/v1/users/${inactive.id}/deactivate`)
    for (const id of [owner.id, coOwner.id, inactive.id]) {
      const res = await offer(owner, id)
      expect(res.statusCode).toBe(409)
      expect(res.json().error.code).toBe('IDENTITY_TRANSFER_RECIPIENT_INVALID')
    }
    const unknown = await offer(owner, '00000000-0000-4000-8000-000000000000')
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json().error.code).toBe('IDENTITY_USER_NOT_FOUND')
  })

  it('IAM-7: once the sender is no longer an owner the offer cannot be accepted', async () => {
    const { org, owner, recipient } = await setting()
    const coOwner = await addUser(t, org, 'owner')
    const { id } = (await offer(owner, recipient.id)).json()
    const demoted = await call(t, coOwner.session, 'PUT', `/api/v1/users/${owner.id}/role`, {
      role: 'admin',
    })
    expect(demoted.statusCode).toBe(200)
    const res = await act(recipient, id, 'accept')
    expect(res.statusCode).toBe(409)
    expect(res.json().error.code).toBe('IDENTITY_TRANSFER_SENDER_NOT_OWNER')
    expect(await roleOf(recipient.id)).toBe('member')
  })

  it('AUTHZ-1: admins, members, viewers and auditors cannot offer ownership', async () => {
    const { org, recipient } = await setting()
    for (const role of ['admin', 'member', 'viewer', 'auditor'] as const) {
      const user = await addUser(t, org, role)
      const res = await offer(user, recipient.id)
      expect(res.statusCode).toBe(403)
      expect(res.json().error.code).toBe('AUTH_PERMISSION_DENIED')
    }
  })

  it('IAM-7: an acceptance racing a cancel and a decline: exactly one of them wins', async () => {
    for (let round = 0; round < 3; round++) {
      const { owner, recipient } = await setting()
      const { id } = (await offer(owner, recipient.id)).json()
      const second = await signInBearer(t.app, recipient.as)
      const results = await Promise.all([
        act(recipient, id, 'accept'),
        call(t, second, 'POST', `${BASE}/${id}/decline`),
        cancel(owner, id),
      ])
      const won = results.filter((r) => r.statusCode < 300)
      expect(won, results.map((r) => r.body).join('\n')).toHaveLength(1)
      for (const r of results.filter((r) => r.statusCode >= 300)) {
        expect([
          'IDENTITY_TRANSFER_CLOSED',
          'AUTH_PERMISSION_DENIED',
          'IDENTITY_TRANSFER_NOT_FOUND',
        ]).toContain(r.json().error.code)
      }
      const roles = [await roleOf(owner.id), await roleOf(recipient.id)]
      expect(roles).toEqual(
        results[0]?.statusCode === 200 ? ['admin', 'owner'] : ['owner', 'member'],
      )
    }
  })
})
