// AUTHZ-4: access reviews. A review is a snapshot of every user (role, groups, last sign-in,
// second factors, devices) taken in one statement; reviewers mark each keep or revoke, and a
// revocation deactivates the user and ends every session in the same transaction, so it holds
// from the very next request. A completed review is frozen (a trigger refuses changes) and
// exported as evidence. One review is open per organisation at a time.
// The deployment sets the interval (RAMPART_ACCESS_REVIEW_INTERVAL_DAYS, [90 days]); an
// organisation may review more often, never less (MEASURES: a tenant setting is never weaker
// than the deployment's).
// LOG-1: every step writes its audit event in the transaction of the change.
import { randomUUID } from 'node:crypto'
import { ACCESS_REVIEW_INTERVAL_BOUNDS, type AccessReviewConfig } from '../../config/config.ts'
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { type Trx, withTenant } from '../../db/tenant.ts'
import { eventOrigin, recordEvent } from '../audit/audit.service.ts'
import type { AuditEvent } from '../audit/events.ts'
import { cutOff } from '../identity/members.service.ts'
import { assertKeepsAnOwner, lockAsCaller } from '../identity/ownership.service.ts'
import { actorOf, type Principal } from '../identity/sessions.service.ts'
import { AccessReviewErrors } from './access-reviews.errors.ts'
import {
  EVIDENCE_FORMAT,
  type Evidence,
  evidenceCsv,
  evidenceJson,
} from './access-reviews.export.ts'
import {
  addToCounts,
  findIntervalDays,
  findItem,
  findOpenReview,
  findReview,
  insertReview,
  insertSnapshot,
  type Liveness,
  listItems,
  listReviews,
  lockTenantRow,
  lockUser,
  markCompleted,
  saveDecision,
  saveIntervalDays,
  scheduleFacts,
} from './access-reviews.repository.ts'
import type { AccessDecision, AccessReviewRow } from './access-reviews.table.ts'
import {
  type AccessReview,
  type AccessReviewItem,
  toItem,
  toReview,
} from './access-reviews.views.ts'
import { assertCan } from './permissions.ts'

export const MIN_INTERVAL_DAYS = ACCESS_REVIEW_INTERVAL_BOUNDS.minDays
/** No deployment allows more; each allows at most its own RAMPART_ACCESS_REVIEW_INTERVAL_DAYS. */
export const INTERVAL_CEILING_DAYS = ACCESS_REVIEW_INTERVAL_BOUNDS.maxDays
export const MAX_NOTE_LENGTH = 500
/** The list shows this many newest reviews. */
export const REVIEW_LIST_LIMIT = 200

const DAY_MS = 86_400_000

export interface ReviewSchedule {
  /** The interval in force: the organisation's own, within the deployment's maximum. */
  intervalDays: number
  /** What the organisation set; null when it uses the deployment's interval. */
  organisationIntervalDays: number | null
  /** The deployment's interval: the default and the longest an organisation may set. */
  maxIntervalDays: number
  /** Days an opened review has before it is overdue. */
  dueDays: number
  lastOpenedAt: string | null
  /** When the schedule opens the next review; null while one is open. */
  nextReviewAt: string | null
  openReviewId: string | null
}

function liveness(ctx: ServiceContext, now: Date): Liveness {
  // The same limits as authenticate() and the device list.
  return { now, idleCutoff: new Date(now.getTime() - ctx.config.session.idleTimeoutSeconds * 1000) }
}

function reviewEvent(
  action: string,
  actor: AuditEvent['actor'],
  target: NonNullable<AuditEvent['target']>,
  extra: Partial<AuditEvent> = {},
): AuditEvent {
  return { category: 'iam', action, outcome: 'success', actor, target, ...extra }
}

/**
 * AUTHZ-4: the interval in force. An organisation's own is never longer than the deployment's,
 * including one saved before the deployment lowered its maximum.
 */
export function effectiveIntervalDays(
  config: AccessReviewConfig,
  organisationDays: number | undefined,
): number {
  return Math.min(organisationDays ?? config.intervalDays, config.intervalDays)
}

/** When the schedule opens the next review: the interval after the last one, or after sign-up. */
export function nextReviewAt(
  facts: { tenantCreatedAt: Date; lastOpenedAt: Date | null },
  intervalDays: number,
): Date {
  const from = facts.lastOpenedAt ?? facts.tenantCreatedAt
  return new Date(from.getTime() + intervalDays * DAY_MS)
}

export async function getSchedule(
  ctx: ServiceContext,
  principal: Principal,
): Promise<ReviewSchedule> {
  assertCan(principal, 'access_reviews.read')
  return withTenant(ctx.db, principal.tenantId, (trx) =>
    readSchedule(trx, ctx.config.accessReview, principal.tenantId),
  )
}

async function readSchedule(
  trx: Trx,
  config: AccessReviewConfig,
  tenantId: string,
): Promise<ReviewSchedule> {
  const organisationDays = await findIntervalDays(trx, tenantId)
  const intervalDays = effectiveIntervalDays(config, organisationDays)
  const facts = await scheduleFacts(trx, tenantId)
  const open = await findOpenReview(trx, tenantId)
  return {
    intervalDays,
    organisationIntervalDays: organisationDays ?? null,
    maxIntervalDays: config.intervalDays,
    dueDays: config.dueDays,
    lastOpenedAt: facts?.lastOpenedAt?.toISOString() ?? null,
    nextReviewAt: facts && !open ? nextReviewAt(facts, intervalDays).toISOString() : null,
    openReviewId: open?.id ?? null,
  }
}

export async function setSchedule(
  ctx: ServiceContext,
  principal: Principal,
  intervalDays: number,
  meta: RequestMeta,
): Promise<ReviewSchedule> {
  assertCan(principal, 'access_reviews.manage')
  // The route's schema checks this too; the service holds for every caller.
  if (
    !Number.isInteger(intervalDays) ||
    intervalDays < MIN_INTERVAL_DAYS ||
    intervalDays > INTERVAL_CEILING_DAYS
  ) {
    throw new RangeError(`intervalDays must be ${MIN_INTERVAL_DAYS} to ${INTERVAL_CEILING_DAYS}`)
  }
  // AUTHZ-4: reviewing less often than the deployment requires would weaken the measure.
  const maxIntervalDays = ctx.config.accessReview.intervalDays
  if (intervalDays > maxIntervalDays) {
    throw AccessReviewErrors.ACCESS_REVIEW_INTERVAL_TOO_LONG(
      `This deployment reviews access at least every ${maxIntervalDays} days: choose ${MIN_INTERVAL_DAYS} to ${maxIntervalDays}`,
      { maxIntervalDays },
    )
  }
  const { tenantId } = principal
  return withTenant(ctx.db, tenantId, async (trx) => {
    await saveIntervalDays(trx, tenantId, intervalDays, principal.userId)
    await recordEvent(
      trx,
      tenantId,
      reviewEvent(
        'access_review_schedule.update',
        actorOf(principal),
        { type: 'tenant', id: tenantId },
        { fields: ['interval_days'], ...eventOrigin(meta) },
      ),
    )
    return readSchedule(trx, ctx.config.accessReview, tenantId)
  })
}

/**
 * Opens a review with its snapshot inside the caller's transaction, which must hold the tenant
 * row lock and have checked that none is open. `openedBy` is null for the schedule.
 */
export async function openReviewIn(
  trx: Trx,
  ctx: ServiceContext,
  tenantId: string,
  openedBy: string | null,
  now: Date,
): Promise<AccessReviewRow> {
  const id = randomUUID()
  await insertReview(trx, {
    id,
    tenant_id: tenantId,
    opened_by: openedBy,
    opened_at: now,
    due_at: new Date(now.getTime() + ctx.config.accessReview.dueDays * DAY_MS),
    completed_at: null,
    completed_by: null,
    reminded_at: null,
    item_count: 0,
  })
  await insertSnapshot(trx, tenantId, id, liveness(ctx, now))
  const row = await findReview(trx, tenantId, id)
  if (!row) throw new Error('the review just opened is missing')
  return row
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '23505'
}

export async function openReview(
  ctx: ServiceContext,
  principal: Principal,
  meta: RequestMeta,
): Promise<AccessReview> {
  assertCan(principal, 'access_reviews.manage')
  const { tenantId } = principal
  try {
    const row = await withTenant(ctx.db, tenantId, async (trx) => {
      await lockTenantRow(trx, tenantId)
      if (await findOpenReview(trx, tenantId)) throw AccessReviewErrors.ACCESS_REVIEW_ALREADY_OPEN()
      const opened = await openReviewIn(trx, ctx, tenantId, principal.userId, new Date())
      await recordEvent(
        trx,
        tenantId,
        reviewEvent(
          'access_review.open',
          actorOf(principal),
          { type: 'access_review', id: opened.id },
          { reason: 'manual', ...eventOrigin(meta) },
        ),
      )
      return opened
    })
    return toReview(row)
  } catch (err) {
    // The partial unique index is the last word should two opens ever get past the lock.
    if (isUniqueViolation(err)) throw AccessReviewErrors.ACCESS_REVIEW_ALREADY_OPEN()
    throw err
  }
}

export async function listAccessReviews(
  ctx: ServiceContext,
  principal: Principal,
): Promise<AccessReview[]> {
  assertCan(principal, 'access_reviews.read')
  const { tenantId } = principal
  const rows = await withTenant(ctx.db, tenantId, (trx) =>
    listReviews(trx, tenantId, REVIEW_LIST_LIMIT),
  )
  const now = new Date()
  return rows.map((row) => toReview(row, now))
}

export async function getAccessReview(
  ctx: ServiceContext,
  principal: Principal,
  reviewId: string,
): Promise<{ review: AccessReview; items: AccessReviewItem[] }> {
  assertCan(principal, 'access_reviews.read')
  const { tenantId } = principal
  return withTenant(ctx.db, tenantId, async (trx) => {
    const review = await findReview(trx, tenantId, reviewId)
    // Another organisation's review is invisible under row-level security: the same 404.
    if (!review) throw AccessReviewErrors.ACCESS_REVIEW_NOT_FOUND()
    const items = await listItems(trx, tenantId, reviewId)
    return { review: toReview(review), items: items.map(toItem) }
  })
}

/** Locks the tenant row and the review; refuses unless it exists and is open. */
async function lockOpenReview(trx: Trx, tenantId: string, reviewId: string) {
  await lockTenantRow(trx, tenantId)
  const review = await findReview(trx, tenantId, reviewId, { lock: true })
  if (!review) throw AccessReviewErrors.ACCESS_REVIEW_NOT_FOUND()
  if (review.status !== 'open') throw AccessReviewErrors.ACCESS_REVIEW_NOT_OPEN()
  return review
}

/**
 * Revokes the user's access at once: deactivated, every session ended (IAM-6), audited, through
 * the same step as an admin's deactivation. It runs under the member-change lock with the
 * caller's permissions re-read after it (a reviewer demoted meanwhile cannot still revoke), and
 * the owner rule is the one every other path uses (IAM-7).
 */
async function revokeAccess(
  trx: Trx,
  principal: Principal,
  userId: string,
  meta: RequestMeta,
): Promise<void> {
  const { tenantId } = principal
  if (userId === principal.userId) throw AccessReviewErrors.ACCESS_REVIEW_SELF_REVOKE()
  const caller = await lockAsCaller(trx, principal)
  assertCan(caller, 'access_reviews.manage')
  const user = await lockUser(trx, tenantId, userId)
  // Removed or deactivated since the snapshot: nothing left to cut; the decision is recorded.
  if (user?.status !== 'active') return
  if (user.role === 'owner') {
    // AUTHZ-1: only who may manage owners may take an owner's access away.
    assertCan(caller, 'owners.manage')
    await assertKeepsAnOwner(trx, tenantId, userId)
  }
  await cutOff(trx, tenantId, userId, { actor: actorOf(principal), meta, reason: 'access_review' })
}

function countDelta(before: AccessDecision | null, after: AccessDecision) {
  const delta = { kept: 0, revoked: 0 }
  if (before === 'keep') delta.kept -= 1
  if (after === 'keep') delta.kept += 1
  else delta.revoked += 1
  return delta
}

export interface DecisionInput {
  decision: AccessDecision
  note?: string | undefined
}

/**
 * Records keep or revoke for one user of an open review. A keep may be changed (to revoke, or
 * kept again with a new note); a revoke is final, since it has already been applied.
 */
export async function decide(
  ctx: ServiceContext,
  principal: Principal,
  reviewId: string,
  userId: string,
  input: DecisionInput,
  meta: RequestMeta,
): Promise<AccessReviewItem> {
  assertCan(principal, 'access_reviews.manage')
  const note = input.note?.trim() ? input.note.trim() : null
  if (note !== null && [...note].length > MAX_NOTE_LENGTH) {
    throw new RangeError(`a note has at most ${MAX_NOTE_LENGTH} characters`)
  }
  const { tenantId } = principal
  return withTenant(ctx.db, tenantId, async (trx) => {
    await lockOpenReview(trx, tenantId, reviewId)
    const item = await findItem(trx, tenantId, reviewId, userId)
    if (!item) throw AccessReviewErrors.ACCESS_REVIEW_ITEM_NOT_FOUND()
    if (item.decision === 'revoke') throw AccessReviewErrors.ACCESS_REVIEW_ALREADY_REVOKED()
    if (input.decision === 'revoke') await revokeAccess(trx, principal, userId, meta)
    const saved = await saveDecision(trx, tenantId, reviewId, userId, {
      decision: input.decision,
      by: principal.userId,
      at: new Date(),
      note,
    })
    await addToCounts(trx, tenantId, reviewId, countDelta(item.decision, input.decision))
    // The review is the only open one, so the user and the time name the item.
    await recordEvent(
      trx,
      tenantId,
      reviewEvent(
        'access_review.decide',
        actorOf(principal),
        { type: 'user', id: userId },
        {
          reason: input.decision,
          fields: note === null ? ['decision'] : ['decision', 'note'],
          ...eventOrigin(meta),
        },
      ),
    )
    return toItem(saved)
  })
}

export async function completeReview(
  ctx: ServiceContext,
  principal: Principal,
  reviewId: string,
  meta: RequestMeta,
): Promise<AccessReview> {
  assertCan(principal, 'access_reviews.manage')
  const { tenantId } = principal
  const row = await withTenant(ctx.db, tenantId, async (trx) => {
    const review = await lockOpenReview(trx, tenantId, reviewId)
    const undecided = review.item_count - review.kept_count - review.revoked_count
    if (undecided > 0) {
      throw AccessReviewErrors.ACCESS_REVIEW_UNDECIDED(
        `${undecided} user(s) still need a decision before the review can be completed`,
        { undecided },
      )
    }
    const completed = await markCompleted(trx, tenantId, reviewId, principal.userId, new Date())
    await recordEvent(
      trx,
      tenantId,
      reviewEvent(
        'access_review.complete',
        actorOf(principal),
        { type: 'access_review', id: reviewId },
        eventOrigin(meta),
      ),
    )
    return completed
  })
  return toReview(row)
}

export type ExportFormat = 'json' | 'csv'

export interface ExportedReview {
  filename: string
  contentType: string
  body: string
}

/** LOG-1: the export is recorded in the same transaction that reads what it hands out. */
export async function exportReview(
  ctx: ServiceContext,
  principal: Principal,
  reviewId: string,
  format: ExportFormat,
  meta: RequestMeta,
): Promise<ExportedReview> {
  assertCan(principal, 'access_reviews.read')
  const { tenantId } = principal
  const evidence = await withTenant(ctx.db, tenantId, async (trx): Promise<Evidence> => {
    const review = await findReview(trx, tenantId, reviewId)
    if (!review) throw AccessReviewErrors.ACCESS_REVIEW_NOT_FOUND()
    if (review.status !== 'completed') throw AccessReviewErrors.ACCESS_REVIEW_NOT_COMPLETED()
    const items = await listItems(trx, tenantId, reviewId)
    await recordEvent(
      trx,
      tenantId,
      reviewEvent(
        'access_review.export',
        actorOf(principal),
        { type: 'access_review', id: reviewId },
        { category: 'data', reason: format, ...eventOrigin(meta) },
      ),
    )
    return {
      format: EVIDENCE_FORMAT,
      exportedAt: new Date().toISOString(),
      exportedBy: actorOf(principal),
      review: toReview(review),
      items: items.map(toItem),
    }
  })
  return format === 'csv'
    ? {
        filename: `access-review-${reviewId}.csv`,
        contentType: 'text/csv; charset=utf-8',
        body: evidenceCsv(evidence),
      }
    : {
        filename: `access-review-${reviewId}.json`,
        contentType: 'application/json; charset=utf-8',
        body: evidenceJson(evidence),
      }
}
