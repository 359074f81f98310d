// Test support for the AUTHZ-4 suites: users of any role signed in side by side, the review API
// as small calls, and timestamps moved in the database (on the owner connection) to make time
// pass for the schedule.
import { sql } from 'kysely'
import type { SignedUp, TestApp } from '../../../test/support/app.ts'
import { addUser, type Session, signInFrom } from '../identity/devices.test-support.ts'
import type { UserRole } from '../identity/users.table.ts'

export interface Reviewer {
  id: string
  email: string
  role: UserRole
  session: Session
}

/** A user of `role` inserted into the organisation and signed in as a bearer client. */
export async function userWithRole(t: TestApp, org: SignedUp, role: UserRole): Promise<Reviewer> {
  const user = await addUser(t, org, role)
  return { ...user, session: await signInFrom(t, org, user.email) }
}

/** The organisation's owner, signed in as a bearer client. */
export async function ownerOf(t: TestApp, org: SignedUp): Promise<Reviewer> {
  return {
    id: org.owner.id,
    email: org.owner.email,
    role: 'owner',
    session: await signInFrom(t, org, org.owner.email),
  }
}

type Who = { session: Session }

export function openReview(t: TestApp, who: Who) {
  return t.app.inject({ method: 'POST', url: '/api/v1/access-reviews', ...who.session.auth })
}

export function getReview(t: TestApp, who: Who, reviewId: string) {
  return t.app.inject({
    method: 'GET',
    url: `/api/v1/access-reviews/${reviewId}`,
    ...who.session.auth,
  })
}

export function listReviews(t: TestApp, who: Who) {
  return t.app.inject({ method: 'GET', url: '/api/v1/access-reviews', ...who.session.auth })
}

export function decide(t: TestApp, who: Who, reviewId: string, userId: string, payload: unknown) {
  return t.app.inject({
    method: 'PUT',
    url: `/api/v1/access-reviews/${reviewId}/items/${userId}`,
    ...who.session.auth,
    payload: payload as object,
  })
}

export function complete(t: TestApp, who: Who, reviewId: string) {
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/access-reviews/${reviewId}/complete`,
    ...who.session.auth,
  })
}

export function exportReview(t: TestApp, who: Who, reviewId: string, format?: string) {
  return t.app.inject({
    method: 'GET',
    url: `/api/v1/access-reviews/${reviewId}/export${format ? `?format=${format}` : ''}`,
    ...who.session.auth,
  })
}

/** Opens a review as `who` and returns its id; fails the test on anything but 201. */
export async function openedReviewId(t: TestApp, who: Who): Promise<string> {
  const res = await openReview(t, who)
  if (res.statusCode !== 201) throw new Error(`open failed: ${res.statusCode} ${res.body}`)
  return (res.json() as { id: string }).id
}

/** Decides `decision` for every undecided user of the review. */
export async function decideAll(
  t: TestApp,
  who: Who,
  reviewId: string,
  decision: 'keep' | 'revoke',
): Promise<void> {
  const review = await getReview(t, who, reviewId)
  const items = (review.json() as { items: { userId: string; decision: string | null }[] }).items
  for (const item of items.filter((i) => i.decision === null)) {
    const res = await decide(t, who, reviewId, item.userId, { decision })
    if (res.statusCode !== 200) throw new Error(`decision failed: ${res.statusCode} ${res.body}`)
  }
}

/** Moves a timestamp column of the organisation's rows `days` into the past. */
export async function moveBack(
  t: TestApp,
  table: 'tenants' | 'access_reviews',
  column: 'created_at' | 'opened_at' | 'due_at' | 'reminded_at',
  tenantId: string,
  days: number,
): Promise<void> {
  const key = table === 'tenants' ? 'id' : 'tenant_id'
  await sql`
    UPDATE ${sql.table(table)} SET ${sql.ref(column)} = ${sql.ref(column)} - make_interval(days => ${days}::int)
    WHERE ${sql.ref(key)} = ${tenantId}::uuid`.execute(t.database.handle.db)
}
