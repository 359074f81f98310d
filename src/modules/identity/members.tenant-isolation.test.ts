// AUTHZ-5, IAM-1, IAM-7: another organisation's users, invitations and ownership transfers are
// invisible: their ids get the same 404 as ids that never existed (not a 403 that would confirm
// them), and nothing of theirs changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signUp } from '../../../test/support/app.ts'
import {
  addUser,
  call,
  createMembersTestApp,
  invite,
  type MembersTestApp,
  ownerOf,
  type TestUser,
} from './members.test-support.ts'

let t: MembersTestApp
let a: TestUser
let b: TestUser
let bMember: TestUser
let bInvitation: { id: string; token: string }
let bTransfer: string

beforeAll(async () => {
  t = await createMembersTestApp()
  a = await ownerOf(t, await signUp(t.app))
  const orgB = await signUp(t.app)
  b = await ownerOf(t, orgB)
  bMember = await addUser(t, orgB, 'member')
  bInvitation = await invite(t, b.session, `someone@${orgB.tenant.slug}.example`)
  const offered = await call(t, b.session, 'POST', '/api/v1/tenant/ownership-transfers', {
    toUserId: bMember.id,
  })
  bTransfer = offered.json().id
})
afterAll(() => t.close())

async function stateOfB() {
  const db = t.database.handle.db
  const tenantId = b.as.tenant.id
  return {
    users: await db
      .selectFrom('users')
      .select(['id', 'role', 'status'])
      .where('tenant_id', '=', tenantId)
      .orderBy('id')
      .execute(),
    invitations: await db
      .selectFrom('invitations')
      .select(['id', 'token_hash', 'expires_at', 'revoked_at', 'accepted_at'])
      .where('tenant_id', '=', tenantId)
      .execute(),
    transfers: await db
      .selectFrom('ownership_transfers')
      .select(['id', 'status'])
      .where('tenant_id', '=', tenantId)
      .execute(),
  }
}

describe('AUTHZ-5 members of another organisation', () => {
  it("AUTHZ-5: B's user ids get 404 IDENTITY_USER_NOT_FOUND from A on every users route", async () => {
    const before = await stateOfB()
    for (const id of [b.id, bMember.id]) {
      for (const [method, url, payload] of [
        ['GET', `/api/v1/users/${id}`, undefined],
        ['PUT', `/api/v1/users/${id}/role`, { role: 'viewer' }],
        ['POST', `/api/v1/users/${id}/deactivate`, undefined],
        ['POST', `/api/v1/users/${id}/reactivate`, undefined],
        ['DELETE', `/api/v1/users/${id}`, undefined],
      ] as const) {
        const res = await call(t, a.session, method, url, payload)
        expect(res.statusCode, `${method} ${url}`).toBe(404)
        expect(res.json().error.code).toBe('IDENTITY_USER_NOT_FOUND')
      }
    }
    const list = await call(t, a.session, 'GET', '/api/v1/users')
    expect(list.json().users.map((u: { id: string }) => u.id)).toEqual([a.id])
    expect(await stateOfB()).toEqual(before)
  })

  it("AUTHZ-5: B's invitation ids get 404 IDENTITY_INVITATION_NOT_FOUND; B's listing stays B's", async () => {
    const before = await stateOfB()
    for (const [method, url] of [
      ['POST', `/api/v1/invitations/${bInvitation.id}/resend`],
      ['DELETE', `/api/v1/invitations/${bInvitation.id}`],
    ] as const) {
      const res = await call(t, a.session, method, url)
      expect(res.statusCode).toBe(404)
      expect(res.json().error.code).toBe('IDENTITY_INVITATION_NOT_FOUND')
    }
    const cursor = Buffer.from(`u:${bInvitation.id}`).toString('base64url')
    const page = await call(t, a.session, 'GET', `/api/v1/invitations?cursor=${cursor}`)
    expect(page.json().error.code).toBe('IDENTITY_CURSOR_INVALID')
    expect((await call(t, a.session, 'GET', '/api/v1/invitations')).json().invitations).toEqual([])
    // B's user as a cursor for A's user list is no cursor at all.
    const users = await call(
      t,
      a.session,
      'GET',
      `/api/v1/users?cursor=${Buffer.from(`u:${b.id}`).toString('base64url')}`,
    )
    expect(users.json().error.code).toBe('IDENTITY_CURSOR_INVALID')
    expect(await stateOfB()).toEqual(before)
  })

  it("AUTHZ-5: B's ownership transfer is not A's to see, accept, decline or cancel; B's users cannot be offered it", async () => {
    const before = await stateOfB()
    expect((await call(t, a.session, 'GET', '/api/v1/tenant/ownership-transfers')).json()).toEqual({
      transfers: [],
    })
    for (const [method, url] of [
      ['POST', `/api/v1/tenant/ownership-transfers/${bTransfer}/accept`],
      ['POST', `/api/v1/tenant/ownership-transfers/${bTransfer}/decline`],
      ['DELETE', `/api/v1/tenant/ownership-transfers/${bTransfer}`],
    ] as const) {
      const res = await call(t, a.session, method, url)
      expect(res.statusCode).toBe(404)
      expect(res.json().error.code).toBe('IDENTITY_TRANSFER_NOT_FOUND')
    }
    const offer = await call(t, a.session, 'POST', '/api/v1/tenant/ownership-transfers', {
      toUserId: bMember.id,
    })
    expect(offer.statusCode).toBe(404)
    expect(offer.json().error.code).toBe('IDENTITY_USER_NOT_FOUND')
    expect(await stateOfB()).toEqual(before)
  })

  it("AUTHZ-5: inviting the address of B's member into A creates A's invitation, nothing in B", async () => {
    const res = await call(t, a.session, 'POST', '/api/v1/invitations', {
      email: bMember.email,
      role: 'admin',
    })
    // The same address may be invited into A: users belong to exactly one organisation each.
    expect(res.statusCode).toBe(201)
    const row = await t.database.handle.db
      .selectFrom('invitations')
      .select('tenant_id')
      .where('id', '=', res.json().id)
      .executeTakeFirstOrThrow()
    expect(row.tenant_id).toBe(a.as.tenant.id)
  })
})
