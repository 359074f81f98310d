// Purpose: find the open challenge the password half issued, and its still-active user (IAM-4).
import type { ServiceContext } from '../../../context.ts'
import { withTenantByMfaChallenge } from '../../../db/tenant.ts'
import { findOpenChallenge } from '../mfa-challenges.repository.ts'
import { findUserById } from '../users.repository.ts'
import { refuse } from './attempt.ts'
import { challengeHash, type SecondFactorAttempt } from './second-factor.ts'

export async function resolveChallenge(
  ctx: ServiceContext,
  attempt: SecondFactorAttempt,
): Promise<void> {
  const tokenHash = challengeHash(attempt.challengeToken)
  const found = tokenHash
    ? await withTenantByMfaChallenge(ctx.db, tokenHash, async (trx, tenantId) => {
        if (!tenantId) return null
        const challenge = await findOpenChallenge(trx, tenantId, tokenHash)
        if (!challenge) return null
        const user = await findUserById(trx, tenantId, challenge.user_id)
        return { tenantId, challenge, user }
      })
    : null
  if (!found) throw await refuse(ctx, attempt, 'unknown_challenge', 'second_factor')
  attempt.tenantId = found.tenantId
  attempt.user = found.user
  attempt.challengeId = found.challenge.id
  if (found.user?.status !== 'active') {
    throw await refuse(ctx, attempt, 'user_inactive', 'second_factor')
  }
  attempt.guard = found.challenge.known_device_id
    ? { kind: 'device', deviceId: found.challenge.known_device_id }
    : { kind: 'account', userId: found.user.id }
}
