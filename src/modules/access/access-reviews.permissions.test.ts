// AUTHZ-1, AUTHZ-4, AUTHZ-5: who may do what with access reviews. Members and viewers get
// nothing (403 before any input is read); auditors read and export but never decide; another
// organisation's reviews and users are 404s, exactly like ids that never existed.
import { randomUUID } from 'node:crypto'
import type { InjectOptions } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/support/app.ts'
import {
  complete,
  decide,
  decideAll,
  exportReview,
  getReview,
  openedReviewId,
  ownerOf,
  type Reviewer,
  userWithRole,
} from './access-reviews.test-support.ts'

let t: TestApp
let org: SignedUp
let owner: Reviewer
let completedId: string
let openId: string

beforeAll(async () => {
  t = await createTestApp()
  org = await signUp(t.app)
  owner = await ownerOf(t, org)
  completedId = await openedReviewId(t, owner)
  await decideAll(t, owner, completedId, 'keep')
  await complete(t, owner, completedId)
  openId = await openedReviewId(t, owner)
})
afterAll(() => t.close())

/** Every route, with a body that would not even validate: the permission is checked first. */
function everyRoute(reviewId: string, userId: string): (InjectOptions & { manage: boolean })[] {
  const review = `/api/v1/access-reviews/${reviewId}`
  return [
    { method: 'GET', url: '/api/v1/tenant/access-review-schedule', manage: false },
    {
      method: 'PUT',
      url: '/api/v1/tenant/access-review-schedule',
      payload: { intervalDays: 'never' },
      manage: true,
    },
    { method: 'POST', url: '/api/v1/access-reviews', manage: true },
    { method: 'GET', url: '/api/v1/access-reviews', manage: false },
    { method: 'GET', url: review, manage: false },
    {
      method: 'PUT',
      url: `${review}/items/${userId}`,
      payload: { decision: 'obliterate', extra: 1 },
      manage: true,
    },
    { method: 'POST', url: `${review}/complete`, manage: true },
    { method: 'GET', url: `${review}/export?format=csv`, manage: false },
  ]
}

describe('access review permissions', () => {
  it.each(['member', 'viewer'] as const)(
    'AUTHZ-1: a %s gets 403 AUTH_PERMISSION_DENIED on every access review route',
    async (role) => {
      const who = await userWithRole(t, org, role)
      for (const { manage, ...request } of everyRoute(completedId, owner.id)) {
        const res = await t.app.inject({ ...request, ...who.session.auth })
        expect(res.statusCode, `${request.method} ${request.url}`).toBe(403)
        expect(res.json().error).toMatchObject({
          code: 'AUTH_PERMISSION_DENIED',
          details: { permission: manage ? 'access_reviews.manage' : 'access_reviews.read' },
        })
      }
    },
  )

  it('AUTHZ-1: an auditor reads and exports, and is refused every change', async () => {
    const auditor = await userWithRole(t, org, 'auditor')
    for (const { manage, ...request } of everyRoute(completedId, owner.id)) {
      const res = await t.app.inject({ ...request, ...auditor.session.auth })
      if (manage) {
        expect(res.statusCode, `${request.method} ${request.url}`).toBe(403)
        expect(res.json().error.details).toEqual({ permission: 'access_reviews.manage' })
      } else {
        expect(res.statusCode, `${request.method} ${request.url}`).toBe(200)
      }
    }
    expect((await exportReview(t, auditor, completedId)).json().items.length).toBeGreaterThan(0)
    const open = await getReview(t, auditor, openId)
    expect(open.json().items.every((i: { decision: unknown }) => i.decision === null)).toBe(true)
    expect((await decide(t, auditor, openId, owner.id, { decision: 'keep' })).statusCode).toBe(403)
  })

  it('AUTHZ-1: without a session every route is 401', async () => {
    for (const { manage: _, ...request } of everyRoute(completedId, owner.id)) {
      const res = await t.app.inject(request)
      expect(res.statusCode).toBe(401)
      expect(res.json().error.code).toBe('AUTH_REQUIRED')
    }
  })
})

describe("another organisation's reviews", () => {
  it("AUTHZ-5: another organisation's review ids are 404 on every route, for its owner too", async () => {
    const other = await signUp(t.app)
    const otherOwner = await ownerOf(t, other)
    const theirs = await openedReviewId(t, otherOwner)
    for (const id of [completedId, openId]) {
      const attempts = [
        await getReview(t, otherOwner, id),
        await decide(t, otherOwner, id, owner.id, { decision: 'revoke' }),
        await decide(t, otherOwner, id, otherOwner.id, { decision: 'keep' }),
        await complete(t, otherOwner, id),
        await exportReview(t, otherOwner, id, 'json'),
      ]
      for (const res of attempts) {
        expect(res.statusCode).toBe(404)
        expect(res.json().error.code).toBe('ACCESS_REVIEW_NOT_FOUND')
      }
    }
    // The same answer as for an id that never existed.
    const never = await getReview(t, otherOwner, randomUUID())
    expect(never.json()).toEqual((await getReview(t, otherOwner, openId)).json())

    // Our user is not in their review, and our owner is untouched.
    const cross = await decide(t, otherOwner, theirs, owner.id, { decision: 'revoke' })
    expect(cross.statusCode).toBe(404)
    expect(cross.json().error.code).toBe('ACCESS_REVIEW_ITEM_NOT_FOUND')
    const ours = await getReview(t, owner, openId)
    expect(ours.statusCode).toBe(200)
    expect(ours.json().items.every((i: { decision: unknown }) => i.decision === null)).toBe(true)
    const list = await t.app.inject({
      method: 'GET',
      url: '/api/v1/access-reviews',
      ...otherOwner.session.auth,
    })
    expect(list.json().reviews.map((r: { id: string }) => r.id)).toEqual([theirs])
  })
})
