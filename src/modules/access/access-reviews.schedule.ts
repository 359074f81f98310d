// AUTHZ-4: the periodic review, run by the `access-reviews` job. For every active organisation
// whose interval has passed since its last review (or since it signed up) and that has none open,
// the schedule opens one, audited as the system's doing, and mails the reviewers; for an open
// review past its due date it mails an overdue reminder, at most once a day per review.
// The interval is the organisation's own within the deployment's RAMPART_ACCESS_REVIEW_INTERVAL_DAYS
// (effectiveIntervalDays), in the gateway's choice of organisations and in the re-check alike.
// Reviewers are the active users whose role holds access_reviews.manage (ROLE_PERMISSIONS).
import type { ServiceContext } from '../../context.ts'
import { SYSTEM_META } from '../../context.ts'
import { type Trx, withAppRole, withTenant } from '../../db/tenant.ts'
import { eventOrigin, recordEvent } from '../audit/audit.service.ts'
import { queueMail } from '../mail/mail.service.ts'
import { reviewDueMail, reviewLink, reviewOverdueMail } from './access-reviews.mails.ts'
import {
  addressesOfRoles,
  findIntervalDays,
  findOpenReview,
  lockTenantRow,
  markReminded,
  scheduleFacts,
  tenantsWithReviewWork,
} from './access-reviews.repository.ts'
import { effectiveIntervalDays, nextReviewAt, openReviewIn } from './access-reviews.service.ts'
import type { AccessReviewRow } from './access-reviews.table.ts'
import { ROLE_PERMISSIONS, ROLES } from './permissions.ts'

const DAY_MS = 86_400_000
/** Organisations handled per run; the rest wait for the next run. */
const TENANTS_PER_RUN = 1_000

/** AUTHZ-1: who reviews is decided by the role matrix, not by role names. */
export const REVIEWER_ROLES = ROLES.filter((role) =>
  ROLE_PERMISSIONS[role].has('access_reviews.manage'),
)

export interface ScheduleReport {
  opened: number
  /** The interval in force for each review opened, in days, in the order they were opened. */
  openedIntervalDays: number[]
  reminded: number
  /** Organisations whose turn failed; the next run tries them again. */
  failed: number
  /** The deployment's interval: no organisation's is longer. */
  maxIntervalDays: number
}

export interface ScheduleLog {
  error(details: object, message: string): void
}

type Action =
  | { kind: 'open'; intervalDays: number }
  | { kind: 'remind'; review: AccessReviewRow }
  | null

type Done = { kind: 'opened'; intervalDays: number } | { kind: 'reminded' } | null

async function actionFor(
  trx: Trx,
  ctx: ServiceContext,
  tenantId: string,
  facts: { tenantCreatedAt: Date; lastOpenedAt: Date | null },
  now: Date,
): Promise<Action> {
  const open = await findOpenReview(trx, tenantId)
  if (open) {
    const overdue = open.due_at.getTime() <= now.getTime()
    const remindedToday = open.reminded_at && now.getTime() - open.reminded_at.getTime() < DAY_MS
    return overdue && !remindedToday ? { kind: 'remind', review: open } : null
  }
  const intervalDays = effectiveIntervalDays(
    ctx.config.accessReview,
    await findIntervalDays(trx, tenantId),
  )
  return nextReviewAt(facts, intervalDays).getTime() <= now.getTime()
    ? { kind: 'open', intervalDays }
    : null
}

async function mailReviewers(
  trx: Trx,
  tenantId: string,
  mail: (to: string) => Parameters<typeof queueMail>[2],
): Promise<void> {
  for (const to of await addressesOfRoles(trx, tenantId, REVIEWER_ROLES)) {
    await queueMail(trx, tenantId, mail(to))
  }
}

/** One organisation's turn, under its tenant row lock: re-decides, then acts. */
async function serveTenant(ctx: ServiceContext, tenantId: string, now: Date): Promise<Done> {
  return withTenant(ctx.db, tenantId, async (trx): Promise<Done> => {
    await lockTenantRow(trx, tenantId)
    const facts = await scheduleFacts(trx, tenantId)
    if (!facts) return null
    const action = await actionFor(trx, ctx, tenantId, facts, now)
    if (!action) return null
    const organisation = facts.tenantName
    const system = { type: 'system' } as const
    if (action.kind === 'open') {
      const review = await openReviewIn(trx, ctx, tenantId, null, now)
      await recordEvent(trx, tenantId, {
        category: 'iam',
        action: 'access_review.open',
        outcome: 'success',
        reason: 'schedule',
        actor: system,
        target: { type: 'access_review', id: review.id },
        ...eventOrigin(SYSTEM_META),
      })
      const link = reviewLink(ctx.config.publicUrl, review.id)
      await mailReviewers(trx, tenantId, (to) =>
        reviewDueMail(to, organisation, { users: review.item_count, dueAt: review.due_at, link }),
      )
      return { kind: 'opened', intervalDays: action.intervalDays }
    }
    const { review } = action
    await markReminded(trx, tenantId, review.id, now)
    await recordEvent(trx, tenantId, {
      category: 'iam',
      action: 'access_review.remind',
      outcome: 'success',
      reason: 'overdue',
      actor: system,
      target: { type: 'access_review', id: review.id },
      ...eventOrigin(SYSTEM_META),
    })
    const undecided = review.item_count - review.kept_count - review.revoked_count
    const link = reviewLink(ctx.config.publicUrl, review.id)
    await mailReviewers(trx, tenantId, (to) =>
      reviewOverdueMail(to, organisation, {
        openedAt: review.opened_at,
        dueAt: review.due_at,
        undecided,
        link,
      }),
    )
    return { kind: 'reminded' }
  })
}

/** The run's line in `rampart jobs list`: what was done, at which intervals, within what maximum. */
export function describeScheduleReport(report: ScheduleReport): string {
  const intervals = [...new Set(report.openedIntervalDays)].sort((x, y) => x - y)
  const at = intervals.length > 0 ? ` (interval ${intervals.join(', ')} days)` : ''
  return [
    `${report.opened} review(s) opened${at}, ${report.reminded} overdue reminder(s) sent`,
    `deployment interval ${report.maxIntervalDays} days`,
  ].join('; ')
}

/**
 * Serves every organisation with review work, each in its own transaction, so one failing
 * organisation neither blocks nor rolls back the others. Stops between organisations once
 * `signal` is aborted (the lease was lost or the server is stopping).
 */
export async function runReviewSchedule(
  ctx: ServiceContext,
  options: { signal?: AbortSignal; log?: ScheduleLog } = {},
): Promise<ScheduleReport> {
  const maxIntervalDays = ctx.config.accessReview.intervalDays
  const report: ScheduleReport = {
    opened: 0,
    openedIntervalDays: [],
    reminded: 0,
    failed: 0,
    maxIntervalDays,
  }
  // The gateway applies the same rule as effectiveIntervalDays to the deployment's interval.
  const tenants = await withAppRole(ctx.db.db, ctx.db.appRole, (trx) =>
    tenantsWithReviewWork(trx, maxIntervalDays, TENANTS_PER_RUN),
  )
  for (const tenantId of tenants) {
    if (options.signal?.aborted) break
    try {
      const done = await serveTenant(ctx, tenantId, new Date())
      if (done?.kind === 'opened') {
        report.opened += 1
        report.openedIntervalDays.push(done.intervalDays)
      } else if (done?.kind === 'reminded') {
        report.reminded += 1
      }
    } catch (err) {
      report.failed += 1
      options.log?.error(
        { tenantId, err: (err as { code?: unknown }).code ?? (err as Error).name },
        'access review schedule failed for an organisation',
      )
    }
  }
  return report
}
