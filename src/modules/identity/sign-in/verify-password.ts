// Purpose: check the password; the failure that reaches the threshold locks the counter for an
// increasing time, audited and mailed (IAM-2, IAM-3, LOG-1).
import type { ServiceContext } from '../../../context.ts'
import { afterFailure } from '../lockout.service.ts'
import { hashPassword, needsRehash, verifyPassword } from '../passwords.ts'
import { refuse, type SignInAttempt } from './attempt.ts'

export async function verifyPasswordStep(
  ctx: ServiceContext,
  attempt: SignInAttempt,
): Promise<void> {
  const user = attempt.user
  if (!user?.password_hash) throw new Error('verifyPasswordStep needs a resolved user')
  if (await verifyPassword(user.password_hash, attempt.input.password)) {
    // IAM-2: a hash made with weaker parameters is replaced while the password is at hand.
    attempt.rehashed = needsRehash(user.password_hash)
      ? await hashPassword(attempt.input.password)
      : null
    attempt.amr = ['pwd']
    return
  }
  if (attempt.guard && attempt.tenantId) {
    await afterFailure(
      ctx,
      attempt.tenantId,
      user,
      attempt.guard,
      attempt.attemptNumber,
      attempt.meta,
    )
  }
  throw await refuse(ctx, attempt, 'invalid_password')
}
