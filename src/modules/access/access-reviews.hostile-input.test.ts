// SEC-3, AUTHZ-4: hostile input to the review routes gets a 4xx with a stable code and changes
// nothing: bad ids, wrong types, unknown fields, oversize and control-character notes, interval
// days out of range. Unicode and SQL-looking notes are stored verbatim, and CSV cells that a
// spreadsheet would run as formulas are neutralised.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/support/app.ts'
import {
  complete,
  decide,
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
let member: Reviewer
let reviewId: string

beforeAll(async () => {
  t = await createTestApp()
  org = await signUp(t.app)
  owner = await ownerOf(t, org)
  member = await userWithRole(t, org, 'member')
  reviewId = await openedReviewId(t, owner)
})
afterAll(() => t.close())

async function undecided(): Promise<number> {
  return (await getReview(t, owner, reviewId)).json().review.counts.undecided
}

describe('hostile input to access reviews', () => {
  it('SEC-3: ids that are not UUIDs are 400 REQUEST_INVALID on every review route', async () => {
    const bad = ["' OR 1=1 --", 'x'.repeat(5_000), '%00', '..%2F..%2Fetc', '😀', '1']
    for (const id of bad) {
      for (const res of [
        await getReview(t, owner, id),
        await decide(t, owner, id, member.id, { decision: 'keep' }),
        await decide(t, owner, reviewId, id, { decision: 'keep' }),
        await complete(t, owner, id),
        await exportReview(t, owner, id),
      ]) {
        expect(res.statusCode, `${id}: ${res.body}`).toBe(400)
        expect(res.json().error.code).toBe('REQUEST_INVALID')
      }
    }
    expect(await undecided()).toBe(2)
  })

  it('SEC-3: bad decisions, unknown fields and oversize or control-character notes are 400', async () => {
    const bodies: unknown[] = [
      {},
      { decision: 'delete' },
      { decision: 'KEEP' },
      { decision: 1 },
      { decision: null },
      { decision: ['keep'] },
      { decision: 'keep', note: 7 },
      { decision: 'keep', note: 'x'.repeat(501) },
      { decision: 'keep', note: 'line\nbreak' },
      { decision: 'keep', note: 'nul\u0000byte' },
      { decision: 'keep', userId: owner.id },
      { decision: 'revoke', tenantId: org.tenant.id },
      ['keep'],
    ]
    for (const payload of bodies) {
      const res = await decide(t, owner, reviewId, member.id, payload)
      expect(res.statusCode, JSON.stringify(payload)).toBe(400)
      expect(res.json().error.code).toMatch(/^REQUEST_(INVALID|MALFORMED_JSON)$/)
    }
    const text = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/access-reviews/${reviewId}/items/${member.id}`,
      ...owner.session.auth,
      headers: { ...owner.session.auth.headers, 'content-type': 'text/plain' },
      payload: 'decision=revoke',
    })
    expect(text.statusCode).toBe(415)
    expect(await undecided()).toBe(2)
    expect(
      (await getReview(t, owner, reviewId))
        .json()
        .items.every((i: { decision: unknown }) => i.decision === null),
    ).toBe(true)
  })

  it('AUTHZ-4: a note of 500 characters in any script and SQL-looking text is stored verbatim', async () => {
    const note = `'); DROP TABLE users; -- ${'Ω😀'.repeat(237)}`
    expect([...note].length).toBeLessThanOrEqual(500)
    const res = await decide(t, owner, reviewId, member.id, { decision: 'keep', note })
    expect(res.statusCode).toBe(200)
    expect(res.json().note).toBe(note)
    const blank = await decide(t, owner, reviewId, member.id, { decision: 'keep', note: '   ' })
    expect(blank.json().note).toBeNull()
  })

  it('SEC-3: the CSV neutralises cells a spreadsheet would run as formulas', async () => {
    await decide(t, owner, reviewId, member.id, {
      decision: 'keep',
      note: '=HYPERLINK("http://evil.example","x")',
    })
    await decide(t, owner, reviewId, owner.id, { decision: 'keep', note: '@SUM(A1)' })
    expect((await complete(t, owner, reviewId)).statusCode).toBe(200)
    const csv = (await exportReview(t, owner, reviewId, 'csv')).body
    expect(csv).toContain('"\'=HYPERLINK(""http://evil.example"",""x"")"')
    expect(csv).toContain('"\'@SUM(A1)"')
    expect(csv).not.toMatch(/(^|,)"=/m)
    expect((await exportReview(t, owner, reviewId, 'xml')).statusCode).toBe(400)
    const extra = await t.app.inject({
      method: 'GET',
      url: `/api/v1/access-reviews/${reviewId}/export?format=csv&tenant=${org.tenant.id}`,
      ...owner.session.auth,
    })
    expect(extra.statusCode).toBe(400)
  })

  it('SEC-3: interval days outside 7..365, fractions, strings and extra fields are 400', async () => {
    const url = '/api/v1/tenant/access-review-schedule'
    const bodies: unknown[] = [
      { intervalDays: 6 },
      { intervalDays: 366 },
      { intervalDays: 0 },
      { intervalDays: -90 },
      { intervalDays: 30.5 },
      { intervalDays: '30' },
      { intervalDays: null },
      { intervalDays: 1e300 },
      { intervalDays: 30, tenantId: org.tenant.id },
      {},
    ]
    for (const payload of bodies) {
      const res = await t.app.inject({
        method: 'PUT',
        url,
        ...owner.session.auth,
        payload: payload as object,
      })
      expect(res.statusCode, JSON.stringify(payload)).toBe(400)
      expect(res.json().error.code).toBe('REQUEST_INVALID')
    }
    // Within 7..365 but above this deployment's 90: access-reviews.deployment-interval.test.ts.
    for (const intervalDays of [7, 90]) {
      const res = await t.app.inject({
        method: 'PUT',
        url,
        ...owner.session.auth,
        payload: { intervalDays },
      })
      expect(res.statusCode).toBe(200)
      expect(res.json().intervalDays).toBe(intervalDays)
    }
  })
})
