// IAM-2, IAM-6: a signed-in user changes their password. The current password is proved, the new
// one meets the policy, and in one transaction the hash is replaced and every other session of
// the user is revoked, so whoever else held one (the reason to change a password) is out at once.
// LOG-1: success and refusal are both audited as `user.password_change`, with the field name only.
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { withTenant } from '../../db/tenant.ts'
import { eventOrigin, recordEvent, recordEventAlone } from '../audit/audit.service.ts'
import type { AuditEvent } from '../audit/events.ts'
import { revokeUserSessions } from './devices.service.ts'
import { IdentityErrors } from './errors.ts'
import { replacePasswordHash } from './password-change.repository.ts'
import { assertAcceptablePassword, hashPassword, normalizePassword } from './passwords.ts'
import type { SessionPrincipal } from './sessions.service.ts'
import { clearFailures } from './sign-in-guards.repository.ts'
import { checkOwnPassword } from './step-up.service.ts'

export interface PasswordChange {
  currentPassword: string
  newPassword: string
  /** The browser's device cookie, if any (IAM-3: its own counter). */
  deviceToken?: string | undefined
}

function changeEvent(
  principal: SessionPrincipal,
  outcome: AuditEvent['outcome'],
  meta: RequestMeta,
  reason?: string,
): AuditEvent {
  return {
    category: 'iam',
    action: 'user.password_change',
    outcome,
    ...(reason ? { reason } : {}),
    actor: { type: 'user', id: principal.userId },
    target: { type: 'user', id: principal.userId },
    ...(outcome === 'success' ? { fields: ['password_hash'] } : {}),
    ...eventOrigin(meta),
  }
}

async function refuse(
  ctx: ServiceContext,
  principal: SessionPrincipal,
  meta: RequestMeta,
  reason: string,
): Promise<Error> {
  await recordEventAlone(
    ctx.db,
    principal.tenantId,
    changeEvent(principal, 'failure', meta, reason),
  )
  return IdentityErrors.IDENTITY_CURRENT_PASSWORD_INVALID()
}

/** Changes the caller's password; returns how many other sessions were revoked. */
export async function changePassword(
  ctx: ServiceContext,
  principal: SessionPrincipal,
  input: PasswordChange,
  meta: RequestMeta,
): Promise<{ revokedSessions: number }> {
  const { tenantId, userId } = principal
  // IAM-3: the current password is charged to the account's failure counter like a sign-in. The
  // slow hashes run outside any transaction, so no row stays locked while they do.
  const checked = await checkOwnPassword(
    ctx,
    principal,
    input.currentPassword,
    meta,
    input.deviceToken,
  )
  const stored = checked.stored
  if (!stored) {
    // A user without a password (single sign-on only) has nothing to change here.
    throw await refuse(ctx, principal, meta, 'no_password')
  }
  if (checked.outcome !== 'ok') {
    throw await refuse(
      ctx,
      principal,
      meta,
      checked.outcome === 'locked' ? 'account_locked' : 'invalid_password',
    )
  }
  if (normalizePassword(input.newPassword) === normalizePassword(input.currentPassword)) {
    throw IdentityErrors.IDENTITY_PASSWORD_UNCHANGED()
  }
  assertAcceptablePassword(input.newPassword, [
    principal.email,
    principal.tenant.name,
    principal.tenant.slug,
  ])
  const replacement = await hashPassword(input.newPassword)

  const revokedSessions = await withTenant(ctx.db, tenantId, async (trx) => {
    if (!(await replacePasswordHash(trx, tenantId, userId, stored, replacement))) return null
    await clearFailures(trx, tenantId, checked.guard)
    // IAM-6: the same transaction, so there is no moment with the new password and old sessions.
    const revoked = await revokeUserSessions(trx, tenantId, userId, {
      exceptSessionId: principal.sessionId,
      reason: 'password_change',
      actor: { type: 'user', id: userId },
      meta,
    })
    await recordEvent(trx, tenantId, changeEvent(principal, 'success', meta))
    return revoked
  })
  // Another change won the race: the password offered is no longer the current one.
  if (revokedSessions === null)
    throw await refuse(ctx, principal, meta, 'password_changed_meanwhile')
  return { revokedSessions }
}
