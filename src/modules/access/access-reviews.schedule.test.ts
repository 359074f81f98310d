// AUTHZ-4: the schedule opens a review once an organisation's interval has passed since its last
// review (or its sign-up), mails the users whose role holds access_reviews.manage, and reminds
// them of an overdue review at most once a day. Time passes by moving timestamps in the
// database; the mails are read from a real SMTP server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SignedUp } from '../../../test/support/app.ts'
import { signUp } from '../../../test/support/app.ts'
import type { ServiceContext } from '../../context.ts'
import { type KeyServices, openKeyServices } from '../../crypto/key-services.ts'
import { auditEventsOf } from '../identity/devices.test-support.ts'
import {
  createResetTestApp,
  mailsTo,
  type ResetTestApp,
} from '../identity/password-reset.test-support.ts'
import { REVIEWER_ROLES, runReviewSchedule } from './access-reviews.schedule.ts'
import {
  complete,
  decideAll,
  getReview,
  moveBack,
  openedReviewId,
  ownerOf,
  type Reviewer,
  userWithRole,
} from './access-reviews.test-support.ts'
import { ROLE_PERMISSIONS, ROLES } from './permissions.ts'

let t: ResetTestApp
let keys: KeyServices
let ctx: ServiceContext

beforeAll(async () => {
  t = await createResetTestApp()
  keys = await openKeyServices(t.config.keys)
  ctx = { config: t.config, db: t.database.handle, keys: keys.keyring }
})
afterAll(async () => {
  await keys.close()
  await t.close()
})

async function reviewsOf(tenantId: string) {
  return t.database.handle.db
    .selectFrom('access_reviews')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('opened_at')
    .execute()
}

function subjectsTo(address: string): string[] {
  return mailsTo(t.smtp, address).map((m) => m.headers.get('subject') ?? '')
}

const DUE = 'An access review of your Rampart organisation is due'
const OVERDUE = 'An access review of your Rampart organisation is overdue'

describe('the access review schedule', () => {
  let org: SignedUp
  let owner: Reviewer
  let admin: Reviewer
  let others: Reviewer[]

  beforeAll(async () => {
    org = await signUp(t.app)
    owner = await ownerOf(t, org)
    admin = await userWithRole(t, org, 'admin')
    const gone = await userWithRole(t, org, 'admin')
    await t.database.handle.db
      .updateTable('users')
      .set({ status: 'deactivated' })
      .where('id', '=', gone.id)
      .execute()
    others = [
      gone,
      await userWithRole(t, org, 'member'),
      await userWithRole(t, org, 'viewer'),
      await userWithRole(t, org, 'auditor'),
    ]
  })

  it('AUTHZ-1: the reviewers are the roles the matrix gives access_reviews.manage', () => {
    expect(REVIEWER_ROLES).toEqual(
      ROLES.filter((r) => ROLE_PERMISSIONS[r].has('access_reviews.manage')),
    )
    expect([...REVIEWER_ROLES].sort()).toEqual(['admin', 'owner'])
  })

  it('AUTHZ-4: a new organisation gets no review before its interval has passed', async () => {
    await runReviewSchedule(ctx)
    expect(await reviewsOf(org.tenant.id)).toEqual([])
  })

  it('AUTHZ-4: 90 days after sign-up the schedule opens a review and mails owners and admins', async () => {
    await moveBack(t, 'tenants', 'created_at', org.tenant.id, 91)
    const report = await runReviewSchedule(ctx)
    expect(report).toMatchObject({ opened: 1, failed: 0 })
    const [review] = await reviewsOf(org.tenant.id)
    expect(review).toMatchObject({ status: 'open', opened_by: null, item_count: 6 })
    const read = await getReview(t, owner, review?.id as string)
    expect(read.json().review).toMatchObject({ trigger: 'schedule', openedBy: null })
    expect(read.json().items).toHaveLength(6)

    const opened = (await auditEventsOf(t, org.tenant.id)).find(
      (e) => e.action === 'access_review.open',
    )
    expect(opened).toMatchObject({
      actor: { type: 'system' },
      reason: 'schedule',
      target: { type: 'access_review', id: review?.id },
    })

    await t.deliver()
    for (const reviewer of [owner, admin]) {
      const mails = mailsTo(t.smtp, reviewer.email)
      expect(mails.map((m) => m.headers.get('subject'))).toEqual([DUE])
      expect(mails[0]?.text).toContain(`${t.config.publicUrl}/access-reviews/${review?.id}`)
      expect(mails[0]?.text).toContain(org.tenant.name)
      expect(mails[0]?.text).toContain('6 user(s)')
    }
    for (const other of others) expect(subjectsTo(other.email)).toEqual([])
  })

  it('AUTHZ-4: while the review is open and not overdue, later runs do nothing', async () => {
    expect(await runReviewSchedule(ctx)).toMatchObject({ opened: 0, reminded: 0 })
    expect(await reviewsOf(org.tenant.id)).toHaveLength(1)
    await t.deliver()
    expect(subjectsTo(owner.email)).toEqual([DUE])
  })

  it('AUTHZ-4: an overdue review is reminded of at most once a day', async () => {
    await moveBack(t, 'access_reviews', 'due_at', org.tenant.id, 15)
    expect(await runReviewSchedule(ctx)).toMatchObject({ reminded: 1 })
    expect(await runReviewSchedule(ctx)).toMatchObject({ reminded: 0 })
    await t.deliver()
    expect(subjectsTo(owner.email)).toEqual([DUE, OVERDUE])
    expect(subjectsTo(admin.email)).toEqual([DUE, OVERDUE])
    const overdue = mailsTo(t.smtp, admin.email)[1]
    expect(overdue?.text).toMatch(/6 user\(s\) still await a decision/)
    for (const other of others) expect(subjectsTo(other.email)).toEqual([])

    // A day later: one more.
    await moveBack(t, 'access_reviews', 'reminded_at', org.tenant.id, 1)
    expect(await runReviewSchedule(ctx)).toMatchObject({ reminded: 1 })
    expect(await runReviewSchedule(ctx)).toMatchObject({ reminded: 0 })
    await t.deliver()
    expect(subjectsTo(owner.email)).toEqual([DUE, OVERDUE, OVERDUE])
    const reminders = (await auditEventsOf(t, org.tenant.id)).filter(
      (e) => e.action === 'access_review.remind',
    )
    expect(reminders).toHaveLength(2)
    expect(reminders[0]).toMatchObject({ actor: { type: 'system' }, reason: 'overdue' })
  })

  it('AUTHZ-4: the interval counts from the last review opened, with the organisation’s own interval', async () => {
    const fresh = await signUp(t.app)
    const boss = await ownerOf(t, fresh)
    const set = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/tenant/access-review-schedule',
      ...boss.session.auth,
      payload: { intervalDays: 30 },
    })
    expect(set.statusCode).toBe(200)
    // Signed up 100 days ago; the last review, opened by hand 29 days ago, is completed.
    await moveBack(t, 'tenants', 'created_at', fresh.tenant.id, 100)
    const first = await openedReviewId(t, boss)
    await moveBack(t, 'access_reviews', 'opened_at', fresh.tenant.id, 29)
    await decideAll(t, boss, first, 'keep')
    expect((await complete(t, boss, first)).statusCode).toBe(200)
    // 29 days < 30: nothing, although the sign-up was long ago.
    expect(await runReviewSchedule(ctx)).toMatchObject({ opened: 0 })
    expect(await reviewsOf(fresh.tenant.id)).toHaveLength(1)

    // A shorter interval applies at once: 29 days >= 28.
    const shortened = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/tenant/access-review-schedule',
      ...boss.session.auth,
      payload: { intervalDays: 28 },
    })
    expect(Date.parse(shortened.json().nextReviewAt)).toBeLessThan(Date.now())
    expect(await runReviewSchedule(ctx)).toMatchObject({ opened: 1 })
    const reviews = await reviewsOf(fresh.tenant.id)
    expect(reviews.map((r) => r.opened_by)).toEqual([boss.id, null])
  })

  it('AUTHZ-4: organisations that are not active are left alone', async () => {
    const locked = await signUp(t.app)
    await moveBack(t, 'tenants', 'created_at', locked.tenant.id, 400)
    await t.database.handle.db
      .updateTable('tenants')
      .set({ status: 'suspended' })
      .where('id', '=', locked.tenant.id)
      .execute()
    await runReviewSchedule(ctx)
    expect(await reviewsOf(locked.tenant.id)).toEqual([])
  })
})
