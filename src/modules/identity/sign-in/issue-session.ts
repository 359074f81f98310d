// Purpose: clear the failure counter, record the sign-in, issue the session and audit it.
import { randomUUID } from 'node:crypto'
import type { ServiceContext } from '../../../context.ts'
import { withTenant } from '../../../db/tenant.ts'
import { eventOrigin, recordEvent } from '../../audit/audit.service.ts'
import { insertSession } from '../sessions.repository.ts'
import { clearFailures } from '../sign-in-guards.repository.ts'
import { hashToken, newSessionToken } from '../tokens.ts'
import { recordSignIn } from '../users.repository.ts'
import type { SessionAttempt } from './attempt.ts'

export async function issueSession(ctx: ServiceContext, attempt: SessionAttempt): Promise<void> {
  const tenantId = attempt.tenantId as string
  const user = attempt.user
  if (!user) throw new Error('issueSession needs a resolved user')
  const token = newSessionToken()
  const expiresAt = new Date(Date.now() + ctx.config.session.absoluteTimeoutSeconds * 1000)
  const session = await withTenant(ctx.db, tenantId, async (trx) => {
    if (attempt.guard) await clearFailures(trx, tenantId, attempt.guard)
    await recordSignIn(trx, tenantId, user.id, attempt.rehashed)
    const session = await insertSession(trx, {
      id: randomUUID(),
      tenant_id: tenantId,
      user_id: user.id,
      token_hash: hashToken(token),
      expires_at: expiresAt,
      ip: attempt.meta.ip,
      user_agent: attempt.meta.userAgent?.slice(0, 512) ?? null,
      revoked_at: null,
      revoked_reason: null,
      scope: attempt.scope,
      amr: attempt.amr,
    })
    await recordEvent(trx, tenantId, {
      category: 'iam',
      action: 'session.create',
      outcome: 'success',
      actor: { type: 'user', id: user.id },
      target: { type: 'session', id: session.id },
      // IAM-4: how the user proved it (RFC 8176 names joined by dots: pwd.otp, pwd.swk, hwk.mfa),
      // and whether the session is enrolment-only, are part of the record.
      reason:
        attempt.scope === 'mfa_enrolment'
          ? 'mfa_enrolment_required'
          : attempt.amr.join('.') || 'unknown',
      ...(attempt.rehashed ? { fields: ['password_hash'] } : {}),
      ...eventOrigin(attempt.meta),
    })
    return session
  })
  attempt.issued = { token, sessionId: session.id, expiresAt, scope: attempt.scope }
}
