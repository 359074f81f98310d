// Purpose: charge the attempt to the account's failure counter, or to the counter of the known
// device it comes from, before the password is checked; refuse a locked counter (IAM-3).
import type { ServiceContext } from '../../../context.ts'
import { withTenant } from '../../../db/tenant.ts'
import { burnVerification } from '../passwords.ts'
import { findKnownDevice, type GuardRef, reserveAttempt } from '../sign-in-guards.repository.ts'
import { hashToken } from '../tokens.ts'
import { refuse, type SignInAttempt } from './attempt.ts'

export async function checkLockout(ctx: ServiceContext, attempt: SignInAttempt): Promise<void> {
  const tenantId = attempt.tenantId as string
  const userId = attempt.user?.id as string
  const deviceToken = attempt.input.deviceToken
  // Committed before the slow hash runs: fifty parallel guesses see each other's reservations,
  // so at most `threshold` of them reach the password check.
  const reserved = await withTenant(ctx.db, tenantId, async (trx) => {
    const deviceId = deviceToken
      ? await findKnownDevice(trx, tenantId, userId, hashToken(deviceToken))
      : null
    const guard: GuardRef = deviceId ? { kind: 'device', deviceId } : { kind: 'account', userId }
    const number = await reserveAttempt(trx, tenantId, guard, ctx.config.lockout.threshold)
    return { guard, number }
  })
  attempt.guard = reserved.guard
  attempt.attemptNumber = reserved.number
  if (reserved.number === null) {
    // A locked account answers exactly like a wrong password, in about the same time.
    await burnVerification(attempt.input.password)
    throw await refuse(ctx, attempt, 'account_locked')
  }
}
