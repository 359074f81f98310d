// AUTHZ-4: the deployment sets the review interval (RAMPART_ACCESS_REVIEW_INTERVAL_DAYS) and how
// long a review has (RAMPART_ACCESS_REVIEW_DUE_DAYS). An organisation may review more often, never
// less: a longer interval is refused with 422 naming the maximum; without its own it uses the
// deployment's; one saved above a since-lowered maximum is capped. The schedule and the schedule
// route report the interval in force and the maximum. This app's deployment: 60 days, due in 10.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/support/app.ts'
import type { ServiceContext } from '../../context.ts'
import { type KeyServices, openKeyServices } from '../../crypto/key-services.ts'
import { auditEventsOf } from '../identity/devices.test-support.ts'
import { describeScheduleReport, runReviewSchedule } from './access-reviews.schedule.ts'
import { moveBack, ownerOf, type Reviewer } from './access-reviews.test-support.ts'

const DAY_MS = 86_400_000
const SCHEDULE = '/api/v1/tenant/access-review-schedule'

let t: TestApp
let keys: KeyServices
let ctx: ServiceContext

beforeAll(async () => {
  t = await createTestApp({
    env: { RAMPART_ACCESS_REVIEW_INTERVAL_DAYS: '60', RAMPART_ACCESS_REVIEW_DUE_DAYS: '10' },
  })
  keys = await openKeyServices(t.config.keys)
  ctx = { config: t.config, db: t.database.handle, keys: keys.keyring }
})
afterAll(async () => {
  await keys.close()
  await t.close()
})

const getSchedule = (who: Reviewer) =>
  t.app.inject({ method: 'GET', url: SCHEDULE, ...who.session.auth })
const putSchedule = (who: Reviewer, payload: unknown) =>
  t.app.inject({ method: 'PUT', url: SCHEDULE, ...who.session.auth, payload: payload as object })

async function reviewsOf(tenantId: string) {
  return t.database.handle.db
    .selectFrom('access_reviews')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .execute()
}

async function storedInterval(tenantId: string): Promise<number | undefined> {
  const row = await t.database.handle.db
    .selectFrom('access_review_settings')
    .select('interval_days')
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst()
  return row?.interval_days
}

describe('AUTHZ-4 the deployment maximum for the review interval', () => {
  let org: SignedUp
  let owner: Reviewer

  beforeAll(async () => {
    org = await signUp(t.app)
    owner = await ownerOf(t, org)
  })

  it('AUTHZ-4: without its own setting an organisation uses the deployment’s interval', async () => {
    const res = await getSchedule(owner)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({
      intervalDays: 60,
      organisationIntervalDays: null,
      maxIntervalDays: 60,
      dueDays: 10,
    })
    const next = Date.parse(res.json().nextReviewAt) - Date.now()
    expect(next).toBeGreaterThan(59 * DAY_MS)
    expect(next).toBeLessThanOrEqual(60 * DAY_MS)
  })

  it('AUTHZ-4: a longer interval is refused with 422 naming the maximum; nothing changes', async () => {
    for (const intervalDays of [61, 90, 365]) {
      const res = await putSchedule(owner, { intervalDays })
      expect(res.statusCode, String(intervalDays)).toBe(422)
      expect(res.json().error).toMatchObject({
        code: 'ACCESS_REVIEW_INTERVAL_TOO_LONG',
        details: { maxIntervalDays: 60 },
      })
      expect(res.json().error.message).toContain('60 days')
    }
    // Beyond every deployment's bounds it stays a schema error.
    const outside = await putSchedule(owner, { intervalDays: 366 })
    expect(outside.statusCode).toBe(400)
    expect(outside.json().error.code).toBe('REQUEST_INVALID')

    expect(await storedInterval(org.tenant.id)).toBeUndefined()
    expect((await getSchedule(owner)).json().intervalDays).toBe(60)
    const updates = (await auditEventsOf(t, org.tenant.id)).filter(
      (e) => e.action === 'access_review_schedule.update',
    )
    expect(updates).toEqual([])
  })

  it('AUTHZ-4: an interval up to the maximum is accepted, and reported as the organisation’s', async () => {
    for (const intervalDays of [60, 7, 21]) {
      const res = await putSchedule(owner, { intervalDays })
      expect(res.statusCode, res.body).toBe(200)
      expect(res.json()).toMatchObject({
        intervalDays,
        organisationIntervalDays: intervalDays,
        maxIntervalDays: 60,
      })
    }
  })

  it('AUTHZ-4: parallel changes of the interval never store one above the maximum', async () => {
    const results = await Promise.all(
      [61, 30, 200, 45, 365, 59].map((intervalDays) => putSchedule(owner, { intervalDays })),
    )
    expect(results.map((r) => r.statusCode)).toEqual([422, 200, 422, 200, 422, 200])
    expect(await storedInterval(org.tenant.id)).toBeLessThanOrEqual(60)
  })
})

describe('AUTHZ-4 the schedule keeps to the deployment’s interval', () => {
  it('AUTHZ-4: with no setting, the schedule opens a review after the deployment’s 60 days, due in 10', async () => {
    const org = await signUp(t.app)
    await moveBack(t, 'tenants', 'created_at', org.tenant.id, 59)
    await runReviewSchedule(ctx)
    expect(await reviewsOf(org.tenant.id)).toEqual([])

    await moveBack(t, 'tenants', 'created_at', org.tenant.id, 2)
    const report = await runReviewSchedule(ctx)
    expect(report).toMatchObject({ failed: 0, maxIntervalDays: 60 })
    expect(report.openedIntervalDays).toContain(60)
    const [review] = await reviewsOf(org.tenant.id)
    expect(review?.opened_by).toBeNull()
    const due = (review?.due_at.getTime() ?? 0) - (review?.opened_at.getTime() ?? 0)
    expect(due).toBe(10 * DAY_MS)
  })

  it('AUTHZ-4: a shorter interval of the organisation’s own is used by the schedule', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    expect((await putSchedule(owner, { intervalDays: 20 })).statusCode).toBe(200)
    await moveBack(t, 'tenants', 'created_at', org.tenant.id, 19)
    await runReviewSchedule(ctx)
    expect(await reviewsOf(org.tenant.id)).toEqual([])

    await moveBack(t, 'tenants', 'created_at', org.tenant.id, 2)
    const report = await runReviewSchedule(ctx)
    expect(report.openedIntervalDays).toContain(20)
    expect(await reviewsOf(org.tenant.id)).toHaveLength(1)
    const opened = (await auditEventsOf(t, org.tenant.id)).find(
      (e) => e.action === 'access_review.open',
    )
    expect(opened).toMatchObject({ actor: { type: 'system' }, reason: 'schedule' })
  })

  it('AUTHZ-4: an interval saved above a since-lowered maximum is capped at the deployment’s', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    // As if saved while the deployment allowed 200 days (the owner connection skips the service).
    await sql`
      INSERT INTO access_review_settings (tenant_id, interval_days)
      VALUES (${org.tenant.id}::uuid, 200)`.execute(t.database.handle.db)
    expect((await getSchedule(owner)).json()).toMatchObject({
      intervalDays: 60,
      organisationIntervalDays: 200,
      maxIntervalDays: 60,
    })

    await moveBack(t, 'tenants', 'created_at', org.tenant.id, 61)
    const report = await runReviewSchedule(ctx)
    expect(report.openedIntervalDays).toContain(60)
    expect(await reviewsOf(org.tenant.id)).toHaveLength(1)
  })

  it('AUTHZ-4: the job’s summary names the intervals used and the deployment’s maximum', () => {
    expect(
      describeScheduleReport({
        opened: 3,
        openedIntervalDays: [60, 20, 60],
        reminded: 1,
        failed: 0,
        maxIntervalDays: 60,
      }),
    ).toBe(
      '3 review(s) opened (interval 20, 60 days), 1 overdue reminder(s) sent; deployment interval 60 days',
    )
    expect(
      describeScheduleReport({
        opened: 0,
        openedIntervalDays: [],
        reminded: 0,
        failed: 0,
        maxIntervalDays: 90,
      }),
    ).toBe('0 review(s) opened, 0 overdue reminder(s) sent; deployment interval 90 days')
  })
})
