// AUTHZ-4, IAM-6, IAM-7: a revocation in a review holds from the very next request (the user is
// deactivated and every session ended in the decision's transaction); nobody revokes themselves,
// the last active owner cannot be revoked, only owner managers revoke owners, and a revocation
// is final within the review.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/support/app.ts'
import { type ServiceContext, SYSTEM_META } from '../../context.ts'
import { type KeyServices, openKeyServices } from '../../crypto/key-services.ts'
import { meStatus, signInFrom } from '../identity/devices.test-support.ts'
import { authenticate } from '../identity/sessions.service.ts'
import { decide as decideInService } from './access-reviews.service.ts'
import {
  decide,
  openedReviewId,
  ownerOf,
  type Reviewer,
  userWithRole,
} from './access-reviews.test-support.ts'

let t: TestApp
let keys: KeyServices
let ctx: ServiceContext

beforeAll(async () => {
  t = await createTestApp()
  keys = await openKeyServices(t.config.keys)
  ctx = { config: t.config, db: t.database.handle, keys: keys.keyring }
})
afterAll(async () => {
  await keys.close()
  await t.close()
})

async function activeOwners(tenantId: string): Promise<number> {
  const rows = await t.database.handle.db
    .selectFrom('users')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('role', '=', 'owner')
    .where('status', '=', 'active')
    .execute()
  return rows.length
}

async function userStatus(userId: string): Promise<string> {
  const row = await t.database.handle.db
    .selectFrom('users')
    .select('status')
    .where('id', '=', userId)
    .executeTakeFirstOrThrow()
  return row.status
}

describe('revocation in an access review', () => {
  let org: SignedUp
  let owner: Reviewer
  let admin: Reviewer
  let reviewId: string

  beforeAll(async () => {
    org = await signUp(t.app)
    owner = await ownerOf(t, org)
    admin = await userWithRole(t, org, 'admin')
  })

  it('AUTHZ-4: the revoked user is refused on the very next request, bearer and cookie alike', async () => {
    const member = await userWithRole(t, org, 'member')
    const cookie = await signInFrom(t, org, member.email, { mode: 'cookie' })
    reviewId = await openedReviewId(t, admin)
    expect(await meStatus(t, member.session)).toBe(200)

    const res = await decide(t, admin, reviewId, member.id, { decision: 'revoke' })
    expect(res.statusCode).toBe(200)
    expect(await meStatus(t, member.session)).toBe(401)
    expect(await meStatus(t, cookie)).toBe(401)
    expect(await userStatus(member.id)).toBe('deactivated')
    const live = await t.database.handle.db
      .selectFrom('sessions')
      .select(['revoked_at', 'revoked_reason'])
      .where('user_id', '=', member.id)
      .execute()
    expect(live.length).toBe(2)
    expect(live.every((s) => s.revoked_at !== null && s.revoked_reason === 'access-review')).toBe(
      true,
    )
    // And cannot sign in again.
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      payload: {
        tenant: org.tenant.slug,
        email: member.email,
        password: org.password,
        mode: 'bearer',
      },
    })
    expect(again.statusCode).toBe(401)
  })

  it('AUTHZ-4: a revocation is final within the review', async () => {
    const items = await t.database.handle.db
      .selectFrom('access_review_items')
      .select('user_id')
      .where('review_id', '=', reviewId)
      .where('decision', '=', 'revoke')
      .execute()
    const revoked = items[0]?.user_id as string
    const res = await decide(t, owner, reviewId, revoked, { decision: 'keep' })
    expect(res.statusCode).toBe(409)
    expect(res.json().error.code).toBe('ACCESS_REVIEW_ALREADY_REVOKED')
  })

  it('AUTHZ-4: a reviewer cannot revoke themselves (409), and nothing changes', async () => {
    const res = await decide(t, admin, reviewId, admin.id, { decision: 'revoke' })
    expect(res.statusCode).toBe(409)
    expect(res.json().error.code).toBe('ACCESS_REVIEW_SELF_REVOKE')
    expect(await meStatus(t, admin.session)).toBe(200)
    expect(await userStatus(admin.id)).toBe('active')
    // Keeping oneself is allowed: someone has to decide on the reviewer too.
    expect((await decide(t, admin, reviewId, admin.id, { decision: 'keep' })).statusCode).toBe(200)
  })

  it('AUTHZ-1: an admin cannot revoke an owner (owners.manage); the owner is untouched', async () => {
    const res = await decide(t, admin, reviewId, owner.id, { decision: 'revoke' })
    expect(res.statusCode).toBe(403)
    expect(res.json().error).toMatchObject({
      code: 'AUTH_PERMISSION_DENIED',
      details: { permission: 'owners.manage' },
    })
    expect(await meStatus(t, owner.session)).toBe(200)
  })

  it('IAM-7: two owners revoking each other at once: exactly one wins, one active owner stays', async () => {
    const fresh = await signUp(t.app)
    const first = await ownerOf(t, fresh)
    const second = await userWithRole(t, fresh, 'owner')
    const review = await openedReviewId(t, first)
    const results = await Promise.all([
      decide(t, first, review, second.id, { decision: 'revoke' }),
      decide(t, second, review, first.id, { decision: 'revoke' }),
    ])
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(1)
    // The other was authenticated before the winner committed (re-read under the lock, its own
    // account is found deactivated) or after (its session had already ended).
    const loser = results.find((r) => r.statusCode !== 200)
    expect(loser?.statusCode).toBe(401)
    expect(await activeOwners(fresh.tenant.id)).toBe(1)
  })

  it('IAM-7: a request already past authentication whose reviewer was revoked meanwhile revokes nothing', async () => {
    const fresh = await signUp(t.app)
    const first = await ownerOf(t, fresh)
    const second = await userWithRole(t, fresh, 'owner')
    const review = await openedReviewId(t, first)
    // The second owner's request is in flight: authenticated, not yet decided.
    const inFlight = await authenticate(ctx, second.session.token)
    if (!inFlight) throw new Error('no principal')
    expect((await decide(t, first, review, second.id, { decision: 'revoke' })).statusCode).toBe(200)
    await expect(
      decideInService(ctx, inFlight, review, first.id, { decision: 'revoke' }, SYSTEM_META),
    ).rejects.toMatchObject({ code: 'AUTH_REQUIRED', statusCode: 401 })
    expect(await activeOwners(fresh.tenant.id)).toBe(1)
    expect(await meStatus(t, first.session)).toBe(200)
  })
})
