// AUTHZ-4: a review lists every user as they were when it opened (role, groups, last sign-in,
// second factors, devices); each is kept or revoked; a completed review is frozen and exported as
// evidence; every step is audited.
import { randomBytes, randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/support/app.ts'
import { withTenant } from '../../db/tenant.ts'
import { auditEventsOf } from '../identity/devices.test-support.ts'
import {
  complete,
  decide,
  decideAll,
  exportReview,
  getReview,
  listReviews,
  openedReviewId,
  openReview,
  ownerOf,
  type Reviewer,
  userWithRole,
} from './access-reviews.test-support.ts'
import { makeKey } from './api-keys.test-support.ts'

let t: TestApp

beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

interface Item {
  userId: string
  email: string
  role: string
  status: string
  groups: string[]
  lastSignInAt: string | null
  mfa: { enabled: boolean; totp: boolean; passkeys: number; recoveryCodes: number }
  devices: {
    liveSessions: number
    lastSeenAt: string | null
    knownDevices: number
    liveApiKeys: number
  }
  decision: string | null
  decidedBy: string | null
  note: string | null
}

/** Gives `userId` two groups, a confirmed authenticator, a passkey, 3 recovery codes (1 used). */
async function furnish(org: SignedUp, userId: string): Promise<void> {
  const tenantId = org.tenant.id
  await withTenant(t.database.handle, tenantId, async (trx) => {
    for (const name of ['Zeta ops', 'Alpha team']) {
      const id = randomUUID()
      await trx
        .insertInto('groups')
        .values({ id, tenant_id: tenantId, name, name_normalized: name.toLowerCase() })
        .execute()
      await trx
        .insertInto('group_members')
        .values({ tenant_id: tenantId, group_id: id, user_id: userId })
        .execute()
    }
    await trx
      .insertInto('mfa_totp')
      .values({
        id: randomUUID(),
        tenant_id: tenantId,
        user_id: userId,
        secret: randomBytes(32),
        confirmed_at: new Date(),
      })
      .execute()
    await trx
      .insertInto('mfa_passkeys')
      .values({
        id: randomUUID(),
        tenant_id: tenantId,
        user_id: userId,
        credential_id: 'A'.repeat(43),
        public_key: randomBytes(64),
        sign_count: 0,
        transports: [],
        name: 'Laptop',
      })
      .execute()
    for (const used of [null, null, new Date()]) {
      await trx
        .insertInto('mfa_recovery_codes')
        .values({
          id: randomUUID(),
          tenant_id: tenantId,
          user_id: userId,
          code_hash: randomBytes(32),
          used_at: used,
        })
        .execute()
    }
  })
}

describe('opening, deciding, completing and exporting a review', () => {
  let org: SignedUp
  let owner: Reviewer
  let admin: Reviewer
  let member: Reviewer
  let reviewId: string

  beforeAll(async () => {
    org = await signUp(t.app)
    owner = await ownerOf(t, org)
    admin = await userWithRole(t, org, 'admin')
    member = await userWithRole(t, org, 'member')
    await furnish(org, member.id)
    // IAM-9: one live key, one revoked: only the live one counts.
    const bearer = {
      ...member.session,
      authorization: { authorization: `Bearer ${member.session.token}` },
    }
    await makeKey(t.app, bearer, ['api_keys.create'], 'live')
    const revoked = await makeKey(t.app, bearer, ['api_keys.create'], 'revoked')
    await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/api-keys/${revoked.id}`,
      headers: bearer.authorization,
    })
  })

  it('AUTHZ-4: opening takes a snapshot of every user with role, groups, sign-in, MFA and devices', async () => {
    const opened = await openReview(t, admin)
    expect(opened.statusCode).toBe(201)
    const review = opened.json()
    reviewId = review.id
    expect(review).toMatchObject({
      status: 'open',
      trigger: 'manual',
      openedBy: admin.id,
      overdue: false,
      completedAt: null,
      counts: { users: 3, kept: 0, revoked: 0, undecided: 3 },
    })
    expect(Date.parse(review.dueAt) - Date.parse(review.openedAt)).toBe(14 * 86_400_000)

    const read = await getReview(t, owner, reviewId)
    expect(read.statusCode).toBe(200)
    const items = read.json().items as Item[]
    expect(items.map((i) => i.userId).sort()).toEqual([owner.id, admin.id, member.id].sort())
    const m = items.find((i) => i.userId === member.id)
    expect(m).toMatchObject({
      email: member.email,
      role: 'member',
      status: 'active',
      groups: ['Alpha team', 'Zeta ops'],
      mfa: { enabled: true, totp: true, passkeys: 1, recoveryCodes: 2 },
      devices: { liveSessions: 1, knownDevices: 1, liveApiKeys: 1 },
      decision: null,
    })
    expect(m?.lastSignInAt).not.toBeNull()
    expect(m?.devices.lastSeenAt).not.toBeNull()
    // The owner signed up and signed in twice in these tests (the sign-up's session and ours).
    const o = items.find((i) => i.userId === owner.id)
    expect(o).toMatchObject({
      role: 'owner',
      groups: [],
      mfa: { enabled: false, totp: false },
      devices: { liveApiKeys: 0 },
    })
    expect(o?.devices.liveSessions).toBeGreaterThanOrEqual(1)
  })

  it('AUTHZ-4: the snapshot stays as it was when users change afterwards', async () => {
    await withTenant(t.database.handle, org.tenant.id, (trx) =>
      trx.updateTable('users').set({ role: 'viewer' }).where('id', '=', member.id).execute(),
    )
    const items = (await getReview(t, owner, reviewId)).json().items as Item[]
    expect(items.find((i) => i.userId === member.id)?.role).toBe('member')
    await withTenant(t.database.handle, org.tenant.id, (trx) =>
      trx.updateTable('users').set({ role: 'member' }).where('id', '=', member.id).execute(),
    )
  })

  it('AUTHZ-4: decisions are recorded with who and when; a keep can become a revoke', async () => {
    const kept = await decide(t, admin, reviewId, owner.id, { decision: 'keep', note: 'Founder' })
    expect(kept.statusCode).toBe(200)
    expect(kept.json()).toMatchObject({ decision: 'keep', decidedBy: admin.id, note: 'Founder' })
    expect(Date.parse(kept.json().decidedAt)).toBeGreaterThan(Date.now() - 60_000)

    const again = await decide(t, admin, reviewId, member.id, { decision: 'keep' })
    expect(again.json()).toMatchObject({ decision: 'keep', note: null })
    const changed = await decide(t, owner, reviewId, member.id, {
      decision: 'revoke',
      note: 'Left the team',
    })
    expect(changed.statusCode).toBe(200)
    const review = (await getReview(t, owner, reviewId)).json().review
    expect(review.counts).toEqual({ users: 3, kept: 1, revoked: 1, undecided: 1 })
  })

  it('AUTHZ-4: completing needs every decision (409 naming how many are left), then freezes', async () => {
    const early = await complete(t, owner, reviewId)
    expect(early.statusCode).toBe(409)
    expect(early.json().error).toMatchObject({
      code: 'ACCESS_REVIEW_UNDECIDED',
      details: { undecided: 1 },
    })
    expect(early.json().error.message).toMatch(/^1 user\(s\) still need a decision/)

    await decide(t, owner, reviewId, admin.id, { decision: 'keep' })
    const done = await complete(t, owner, reviewId)
    expect(done.statusCode).toBe(200)
    expect(done.json()).toMatchObject({
      status: 'completed',
      completedBy: owner.id,
      counts: { users: 3, kept: 2, revoked: 1, undecided: 0 },
    })

    const late = await decide(t, owner, reviewId, admin.id, { decision: 'revoke' })
    expect(late.statusCode).toBe(409)
    expect(late.json().error.code).toBe('ACCESS_REVIEW_NOT_OPEN')
    expect((await complete(t, owner, reviewId)).json().error.code).toBe('ACCESS_REVIEW_NOT_OPEN')
  })

  it('AUTHZ-4: a completed review cannot be changed even by SQL on the owner connection', async () => {
    const change = sql`UPDATE access_review_items SET decision = 'keep'
      WHERE review_id = ${reviewId}::uuid`.execute(t.database.handle.db)
    await expect(change).rejects.toMatchObject({ code: '55000' })
    const reopen = sql`UPDATE access_reviews SET status = 'open', completed_at = NULL
      WHERE id = ${reviewId}::uuid`.execute(t.database.handle.db)
    await expect(reopen).rejects.toMatchObject({ code: '55000' })
  })

  it('AUTHZ-4: the JSON evidence holds the metadata and every item with snapshot and decision', async () => {
    const res = await exportReview(t, owner, reviewId)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="access-review-${reviewId}.json"`,
    )
    const evidence = res.json()
    expect(evidence).toMatchObject({
      format: 'rampart.access-review.v1',
      exportedBy: { type: 'user', id: owner.id },
      review: { id: reviewId, status: 'completed', counts: { users: 3 } },
    })
    expect(evidence.items).toHaveLength(3)
    expect(evidence.items.find((i: Item) => i.userId === member.id)).toMatchObject({
      groups: ['Alpha team', 'Zeta ops'],
      decision: 'revoke',
      decidedBy: owner.id,
      note: 'Left the team',
    })
  })

  it('AUTHZ-4: the CSV evidence has a header and one quoted row per user', async () => {
    const res = await exportReview(t, owner, reviewId, 'csv')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8')
    const lines = res.body.trimEnd().split('\r\n')
    expect(lines[0]).toMatch(/^review_id,review_trigger,.*,decision,decided_by,decided_at,note$/)
    expect(lines).toHaveLength(4)
    const row = lines.find((l) => l.includes(member.id)) ?? ''
    expect(row).toContain(`"${reviewId}","manual","${admin.id}"`)
    expect(row).toContain('"Alpha team; Zeta ops"')
    expect(row).toContain(`"revoke","${owner.id}"`)
    expect(row.endsWith('"Left the team"')).toBe(true)
  })

  it('AUTHZ-4: only completed reviews are exported; an open one is 409', async () => {
    const next = await openedReviewId(t, owner)
    const res = await exportReview(t, owner, next)
    expect(res.statusCode).toBe(409)
    expect(res.json().error.code).toBe('ACCESS_REVIEW_NOT_COMPLETED')
    await decideAll(t, owner, next, 'keep')
    expect((await complete(t, owner, next)).statusCode).toBe(200)
  })

  it('AUTHZ-4: the list shows the reviews newest first with their counts', async () => {
    const res = await listReviews(t, admin)
    expect(res.statusCode).toBe(200)
    const reviews = res.json().reviews as { id: string; status: string }[]
    expect(reviews).toHaveLength(2)
    expect(reviews[1]?.id).toBe(reviewId)
    expect(reviews.every((r) => r.status === 'completed')).toBe(true)
  })

  it('LOG-1: open, decide, revocation, complete and export are audited, without personal data', async () => {
    const events = await auditEventsOf(t, org.tenant.id)
    const ours = events.filter((e) =>
      ['access_review', 'user'].some(
        (type) => e.target?.type === type && e.action !== 'user.create',
      ),
    )
    const actions = ours.map((e) => `${e.action}:${e.reason ?? ''}`)
    expect(actions).toEqual(
      expect.arrayContaining([
        'access_review.open:manual',
        'access_review.decide:keep',
        'access_review.decide:revoke',
        'user.deactivate:access_review',
        'access_review.complete:',
        'access_review.export:json',
        'access_review.export:csv',
      ]),
    )
    const revocation = events.find((e) => e.action === 'user.deactivate')
    expect(revocation).toMatchObject({ actor: { type: 'user', id: owner.id } })
    expect(revocation?.target).toEqual({ type: 'user', id: member.id })
    const sessionEnds = events.filter(
      (e) => e.action === 'session.revoke' && e.reason === 'access_review',
    )
    expect(sessionEnds).toHaveLength(1)
    const text = JSON.stringify(events)
    for (const secret of [member.email, 'Left the team', 'Founder', 'Alpha team']) {
      expect(text).not.toContain(secret)
    }
  })
})

describe('the review schedule setting', () => {
  it('AUTHZ-4: defaults to the deployment’s 90 days from sign-up; owners set 7 to 90; the change is audited', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const url = '/api/v1/tenant/access-review-schedule'
    const first = await t.app.inject({ method: 'GET', url, ...owner.session.auth })
    expect(first.statusCode).toBe(200)
    const schedule = first.json()
    expect(schedule).toMatchObject({
      intervalDays: 90,
      organisationIntervalDays: null,
      maxIntervalDays: 90,
      dueDays: 14,
      lastOpenedAt: null,
      openReviewId: null,
    })
    expect(Date.parse(schedule.nextReviewAt)).toBeGreaterThan(Date.now() + 89 * 86_400_000)

    const set = await t.app.inject({
      method: 'PUT',
      url,
      ...owner.session.auth,
      payload: { intervalDays: 30 },
    })
    expect(set.statusCode).toBe(200)
    expect(set.json()).toMatchObject({
      intervalDays: 30,
      organisationIntervalDays: 30,
      maxIntervalDays: 90,
    })
    expect(Date.parse(set.json().nextReviewAt)).toBeLessThan(Date.now() + 31 * 86_400_000)

    const reviewId = await openedReviewId(t, owner)
    const open = (await t.app.inject({ method: 'GET', url, ...owner.session.auth })).json()
    expect(open).toMatchObject({ intervalDays: 30, openReviewId: reviewId, nextReviewAt: null })

    const event = (await auditEventsOf(t, org.tenant.id)).find(
      (e) => e.action === 'access_review_schedule.update',
    )
    expect(event).toMatchObject({
      actor: { type: 'user', id: owner.id },
      target: { type: 'tenant', id: org.tenant.id },
      fields: ['interval_days'],
    })
  })
})
