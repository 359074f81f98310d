// Purpose: check the second factor and consume the challenge in one transaction, so a code, a
// recovery code and a challenge each work once even under parallel requests; a wrong one counts
// against the challenge and the lockout counter (IAM-3, IAM-4, LOG-1).
import type { ServiceContext } from '../../../context.ts'
import { withTenant } from '../../../db/tenant.ts'
import { verifyPasskeyAssertion } from '../../mfa/passkeys.service.ts'
import { consumeRecoveryCode } from '../../mfa/recovery-codes.service.ts'
import { verifyTotp } from '../../mfa/totp.service.ts'
import { afterFailure } from '../lockout.service.ts'
import { consumeChallenge, recordChallengeFailure } from '../mfa-challenges.repository.ts'
import { releaseAttempt } from '../sign-in-guards.repository.ts'
import { refuse } from './attempt.ts'
import type { SecondFactorAttempt } from './second-factor.ts'

/** Wrong codes one challenge takes before the password must be entered again. */
const CHALLENGE_MAX_FAILURES = 3

const AMR = { totp: 'otp', recovery_code: 'swk', passkey: 'hwk' } as const

export async function verifySecondFactor(
  ctx: ServiceContext,
  attempt: SecondFactorAttempt,
): Promise<void> {
  const tenantId = attempt.tenantId as string
  const user = attempt.user
  const challengeId = attempt.challengeId
  if (!user || !challengeId || !attempt.guard) {
    throw new Error('verifySecondFactor needs a resolved challenge')
  }
  const proof = attempt.proof
  const outcome = await withTenant(ctx.db, tenantId, async (trx) => {
    const right =
      proof.method === 'totp'
        ? await verifyTotp(ctx, trx, tenantId, user.id, proof.code)
        : proof.method === 'recovery_code'
          ? await consumeRecoveryCode(ctx, trx, tenantId, user.id, proof.code)
          : // A refused assertion is audited and its challenge spent inside trx, which commits.
            (await verifyPasskeyAssertion(ctx, trx, tenantId, {
              challengeId: proof.challengeId,
              response: proof.response,
              expectedUserId: user.id,
              meta: attempt.meta,
            })) === user.id
    if (!right) {
      await recordChallengeFailure(trx, tenantId, challengeId, CHALLENGE_MAX_FAILURES)
      return 'wrong'
    }
    // A factor that was right but lost the race for the challenge stays spent: a code, a
    // recovery code or a passkey assertion is good for one sign-in at most, whatever happens.
    if (!(await consumeChallenge(trx, tenantId, challengeId))) return 'taken'
    return 'right'
  })
  if (outcome === 'right') {
    attempt.amr = ['pwd', AMR[proof.method]]
    return
  }
  if (outcome === 'wrong') {
    await afterFailure(ctx, tenantId, user, attempt.guard, attempt.attemptNumber, attempt.meta)
  } else {
    // IAM-3: the factor was right; only the race was lost. The reservation is no failure.
    const guard = attempt.guard
    await withTenant(ctx.db, tenantId, (trx) => releaseAttempt(trx, tenantId, guard))
  }
  throw await refuse(
    ctx,
    attempt,
    outcome === 'wrong' ? 'invalid_second_factor' : 'unknown_challenge',
    'second_factor',
  )
}
