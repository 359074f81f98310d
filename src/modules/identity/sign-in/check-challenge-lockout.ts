// Purpose: charge the code to the counter the password was charged to, before it is checked;
// refuse a locked counter (IAM-3). Wrong codes add up across challenges like wrong passwords.
import type { ServiceContext } from '../../../context.ts'
import { reserve } from '../lockout.service.ts'
import { refuse } from './attempt.ts'
import type { SecondFactorAttempt } from './second-factor.ts'

export async function checkChallengeLockout(
  ctx: ServiceContext,
  attempt: SecondFactorAttempt,
): Promise<void> {
  const tenantId = attempt.tenantId as string
  if (!attempt.guard) throw new Error('checkChallengeLockout needs a resolved challenge')
  attempt.attemptNumber = await reserve(ctx, tenantId, attempt.guard)
  if (attempt.attemptNumber === null) {
    throw await refuse(ctx, attempt, 'account_locked', 'second_factor')
  }
}
