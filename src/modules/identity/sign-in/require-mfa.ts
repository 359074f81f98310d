// Purpose: a user with a second factor proves it before any session exists; a user whom the
// organisation's policy obliges to have one, and who has none, gets an enrolment-only session
// (IAM-4).
import { randomUUID } from 'node:crypto'
import type { ServiceContext } from '../../../context.ts'
import { withTenant } from '../../../db/tenant.ts'
import { eventOrigin, recordEvent } from '../../audit/audit.service.ts'
import { mfaRequiredFor, secondFactorsOf } from '../../mfa/factors.ts'
import { findTenantSettings } from '../../tenants/mfa-policy.repository.ts'
import { deleteStaleChallenges, insertChallenge } from '../mfa-challenges.repository.ts'
import { setPasswordHash } from '../password-reset.repository.ts'
import { releaseAttempt } from '../sign-in-guards.repository.ts'
import { hashToken, newSessionToken } from '../tokens.ts'
import type { SignInAttempt } from './attempt.ts'

export async function requireMfa(ctx: ServiceContext, attempt: SignInAttempt): Promise<void> {
  const tenantId = attempt.tenantId as string
  const user = attempt.user
  if (!user) throw new Error('requireMfa needs a resolved user')
  await withTenant(ctx.db, tenantId, async (trx) => {
    const methods = await secondFactorsOf(trx, tenantId, user.id)
    if (methods.length === 0) {
      const tenant = await findTenantSettings(trx, tenantId)
      if (tenant && mfaRequiredFor(tenant.mfa_policy, user.role)) attempt.scope = 'mfa_enrolment'
      return
    }
    // The password was right: a stronger hash need not wait for the second factor.
    if (attempt.rehashed) {
      await setPasswordHash(trx, tenantId, user.id, attempt.rehashed)
      attempt.rehashed = null
    }
    // IAM-3: the right password is no failure; each code guessed from here on is charged alone.
    if (attempt.guard) await releaseAttempt(trx, tenantId, attempt.guard)
    await deleteStaleChallenges(trx, tenantId, user.id)
    const token = newSessionToken()
    const expiresAt = new Date(Date.now() + ctx.config.session.mfaChallengeSeconds * 1000)
    const id = randomUUID()
    await insertChallenge(trx, {
      id,
      tenant_id: tenantId,
      user_id: user.id,
      token_hash: hashToken(token),
      // IAM-3: the code is charged to the counter the password was charged to.
      known_device_id: attempt.guard?.kind === 'device' ? attempt.guard.deviceId : null,
      expires_at: expiresAt,
      consumed_at: null,
    })
    await recordEvent(trx, tenantId, {
      category: 'iam',
      action: 'session.mfa_challenge',
      outcome: 'success',
      actor: { type: 'user', id: user.id },
      target: { type: 'mfa_challenge', id },
      ...eventOrigin(attempt.meta),
    })
    attempt.challenge = { token, expiresAt, methods }
  })
}
