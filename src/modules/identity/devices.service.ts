// IAM-6: sessions and devices. A user lists their live sessions (device, IP, first and last seen)
// and revokes one or all but the current; an owner or admin does the same for any user of their
// organisation. Revocation is a write to the session row that authenticate() reads on every
// request, so it takes effect on the very next request: there is no cache to wait out.
// LOG-1: every revocation writes a `session.revoke` event in the same transaction.
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { type Trx, withTenant } from '../../db/tenant.ts'
import { HttpErrors } from '../../http/errors.ts'
import { assertCan } from '../access/permissions.ts'
import { eventOrigin, recordEvent } from '../audit/audit.service.ts'
import type { AuditEvent } from '../audit/events.ts'
import {
  type DeviceRow,
  type Liveness,
  listLiveSessions,
  lockUnrevokedSessionIds,
  revokeLiveSession,
  revokeSessionsOfUser,
  userExists,
} from './devices.repository.ts'
import { IdentityErrors } from './errors.ts'
import { actorOf, type Principal, type SessionPrincipal } from './sessions.service.ts'
import { summarizeUserAgent } from './user-agent.ts'

// AUTHZ-1: the roles that hold the "manage other users' sessions" permission. Checked here only,
// by set membership, so the coming permission model replaces one constant.

/** The newest this many are listed; revoking all reaches any beyond them. */
const DEVICE_LIST_LIMIT = 200

export interface Device {
  id: string
  /** Browser and system, e.g. "Firefox 132 on Linux". */
  device: string
  userAgent: string | null
  ip: string | null
  firstSeenAt: string
  lastSeenAt: string
  expiresAt: string
  /** The session this request was made with. */
  current: boolean
}

export interface RevokeOptions {
  /** The session to keep (the caller's own); it must still be live, or nothing is revoked. */
  exceptSessionId?: string
  /** Why, as an audit reason code: `password_change`, `mfa_reset`, `admin_revoked`, ... */
  reason: string
  /** Who revokes; the system when absent (jobs, sweeps). */
  actor?: AuditEvent['actor']
  /** The request's facts, for the audit events' source. */
  meta?: RequestMeta
}

/** The session table's reasons are written with dashes (`sign-out`), the audit log's with `_`. */
function storedReason(reason: string): string {
  return reason.replaceAll('_', '-')
}

function liveness(ctx: ServiceContext): Liveness {
  const now = Date.now()
  // The same clock and limits as authenticate(), so the list and the guard agree.
  return {
    now: new Date(now),
    idleCutoff: new Date(now - ctx.config.session.idleTimeoutSeconds * 1000),
  }
}

function toDevice(row: DeviceRow, currentSessionId: string | null): Device {
  return {
    id: row.id,
    device: summarizeUserAgent(row.user_agent),
    userAgent: row.user_agent,
    ip: row.ip,
    firstSeenAt: row.created_at.toISOString(),
    lastSeenAt: row.last_seen_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    current: row.id === currentSessionId,
  }
}

function revokeEvent(
  actor: AuditEvent['actor'],
  sessionId: string,
  reason: string,
  meta: RequestMeta | undefined,
): AuditEvent {
  return {
    category: 'iam',
    action: 'session.revoke',
    outcome: 'success',
    reason,
    actor,
    target: { type: 'session', id: sessionId },
    ...(meta ? eventOrigin(meta) : {}),
  }
}

/** The caller's own session, which an API key has none of. */
function currentSessionOf(principal: Principal): string | null {
  return principal.via === 'session' ? principal.sessionId : null
}

async function assertUserExists(trx: Trx, tenantId: string, userId: string): Promise<void> {
  // Another organisation's user is invisible under row-level security: the same 404.
  if (!(await userExists(trx, tenantId, userId))) throw IdentityErrors.IDENTITY_USER_NOT_FOUND()
}

/**
 * Revokes every session of the user but `exceptSessionId`, auditing each in the caller's
 * transaction, and returns how many were revoked. For any module that must cut a user off:
 * password change and reset, MFA reset, deactivation (IAM-6).
 *
 * The sessions are locked in id order first, so concurrent bulk revocations for one user take
 * turns instead of deadlocking. A kept session that was revoked meanwhile means the caller acts
 * from a dead session: AUTH_REQUIRED, and the caller's transaction rolls back.
 */
export async function revokeUserSessions(
  trx: Trx,
  tenantId: string,
  userId: string,
  options: RevokeOptions,
): Promise<number> {
  const { exceptSessionId, reason, meta } = options
  const unrevoked = await lockUnrevokedSessionIds(trx, tenantId, userId)
  if (exceptSessionId && !unrevoked.includes(exceptSessionId)) {
    throw HttpErrors.AUTH_REQUIRED('The session was revoked meanwhile; sign in again')
  }
  const revoked = await revokeSessionsOfUser(
    trx,
    tenantId,
    userId,
    exceptSessionId,
    storedReason(reason),
  )
  const actor = options.actor ?? { type: 'system' }
  for (const id of revoked) await recordEvent(trx, tenantId, revokeEvent(actor, id, reason, meta))
  return revoked.length
}

export async function listMySessions(
  ctx: ServiceContext,
  principal: SessionPrincipal,
): Promise<Device[]> {
  const { tenantId, userId } = principal
  const rows = await withTenant(ctx.db, tenantId, (trx) =>
    listLiveSessions(trx, tenantId, userId, liveness(ctx), DEVICE_LIST_LIMIT),
  )
  return rows.map((row) => toDevice(row, principal.sessionId))
}

/** Revokes one of the caller's sessions; the current one too, which then works as sign-out. */
export async function revokeMySession(
  ctx: ServiceContext,
  principal: SessionPrincipal,
  sessionId: string,
  meta: RequestMeta,
): Promise<{ wasCurrent: boolean }> {
  const { tenantId, userId } = principal
  await withTenant(ctx.db, tenantId, async (trx) => {
    const reason = 'user_revoked'
    const done = await revokeLiveSession(
      trx,
      tenantId,
      userId,
      sessionId,
      liveness(ctx),
      storedReason(reason),
    )
    if (!done) throw IdentityErrors.IDENTITY_SESSION_NOT_FOUND()
    await recordEvent(
      trx,
      tenantId,
      revokeEvent({ type: 'user', id: userId }, sessionId, reason, meta),
    )
  })
  return { wasCurrent: sessionId === currentSessionOf(principal) }
}

/** Signs the caller out everywhere else; returns how many sessions ended. */
export async function revokeMyOtherSessions(
  ctx: ServiceContext,
  principal: SessionPrincipal,
  meta: RequestMeta,
): Promise<number> {
  const { tenantId, userId } = principal
  return withTenant(ctx.db, tenantId, (trx) =>
    revokeUserSessions(trx, tenantId, userId, {
      exceptSessionId: principal.sessionId,
      reason: 'user_revoked_others',
      actor: { type: 'user', id: userId },
      meta,
    }),
  )
}

export async function listUserSessions(
  ctx: ServiceContext,
  principal: Principal,
  userId: string,
  meta: RequestMeta,
): Promise<Device[]> {
  assertCan(principal, 'sessions.manage')
  const { tenantId } = principal
  const rows = await withTenant(ctx.db, tenantId, async (trx) => {
    await assertUserExists(trx, tenantId, userId)
    const rows = await listLiveSessions(trx, tenantId, userId, liveness(ctx), DEVICE_LIST_LIMIT)
    // LOG-1: an admin reading someone else's devices and addresses is an admin action.
    if (userId !== principal.userId) {
      await recordEvent(trx, tenantId, {
        category: 'iam',
        action: 'session.list',
        outcome: 'success',
        actor: actorOf(principal),
        target: { type: 'user', id: userId },
        ...eventOrigin(meta),
      })
    }
    return rows
  })
  return rows.map((row) => toDevice(row, currentSessionOf(principal)))
}

export async function revokeSessionOfUser(
  ctx: ServiceContext,
  principal: Principal,
  userId: string,
  sessionId: string,
  meta: RequestMeta,
): Promise<{ wasCurrent: boolean }> {
  assertCan(principal, 'sessions.manage')
  const { tenantId } = principal
  await withTenant(ctx.db, tenantId, async (trx) => {
    await assertUserExists(trx, tenantId, userId)
    const reason = 'admin_revoked'
    const done = await revokeLiveSession(
      trx,
      tenantId,
      userId,
      sessionId,
      liveness(ctx),
      storedReason(reason),
    )
    if (!done) throw IdentityErrors.IDENTITY_SESSION_NOT_FOUND()
    const actor = { type: 'user', id: principal.userId } as const
    await recordEvent(trx, tenantId, revokeEvent(actor, sessionId, reason, meta))
  })
  return { wasCurrent: sessionId === currentSessionOf(principal) }
}

/** Ends every session of the user, the admin's own current one included if they name themselves. */
export async function revokeAllSessionsOfUser(
  ctx: ServiceContext,
  principal: Principal,
  userId: string,
  meta: RequestMeta,
): Promise<{ revoked: number; includedCurrent: boolean }> {
  assertCan(principal, 'sessions.manage')
  const { tenantId } = principal
  const revoked = await withTenant(ctx.db, tenantId, async (trx) => {
    await assertUserExists(trx, tenantId, userId)
    return revokeUserSessions(trx, tenantId, userId, {
      reason: 'admin_revoked',
      actor: actorOf(principal),
      meta,
    })
  })
  return { revoked, includedCurrent: userId === principal.userId }
}
