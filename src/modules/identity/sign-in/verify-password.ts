// Purpose: check the password; the failure that reaches the threshold locks the counter for an
// increasing time, audited (IAM-2, IAM-3, LOG-1).
import type { ServiceContext } from '../../../context.ts'
import { withTenant } from '../../../db/tenant.ts'
import { eventOrigin, recordEvent } from '../../audit/audit.service.ts'
import { hashPassword, needsRehash, verifyPassword } from '../passwords.ts'
import { lock } from '../sign-in-guards.repository.ts'
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
    return
  }
  if (attempt.guard && attempt.attemptNumber === ctx.config.lockout.threshold) {
    await lockCounter(ctx, attempt)
  }
  throw await refuse(ctx, attempt, 'invalid_password')
}

async function lockCounter(ctx: ServiceContext, attempt: SignInAttempt): Promise<void> {
  const tenantId = attempt.tenantId as string
  const guard = attempt.guard
  const user = attempt.user
  if (!guard || !user) return
  const { baseSeconds, maxSeconds } = ctx.config.lockout
  await withTenant(ctx.db, tenantId, async (trx) => {
    const until = await lock(trx, tenantId, guard, baseSeconds, maxSeconds)
    if (!until) return
    await recordEvent(trx, tenantId, {
      category: 'iam',
      action: guard.kind === 'account' ? 'user.lock' : 'device.lock',
      outcome: 'success',
      reason: 'consecutive_failures',
      actor: { type: 'system' },
      target:
        guard.kind === 'account'
          ? { type: 'user', id: user.id }
          : { type: 'known_device', id: guard.deviceId },
      ...eventOrigin(attempt.meta),
    })
  })
}
