// IAM-3: the failure counters every proof of identity is charged to: passwords at sign-in,
// second factors, step-up and password change. An attempt is reserved before it is checked, so
// parallel guesses cannot get past the limit; the failure that reaches the limit locks the
// counter for an increasing time, is audited and is mailed to the account's owner. A success
// clears it with clearFailures, in the success's own transaction.
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { withTenant } from '../../db/tenant.ts'
import { eventOrigin, recordEvent } from '../audit/audit.service.ts'
import { queueMail } from '../mail/mail.service.ts'
import { findTenantSettings } from '../tenants/mfa-policy.repository.ts'
import { lockoutMail } from './notices.mails.ts'
import { type GuardRef, lock, reserveAttempt } from './sign-in-guards.repository.ts'
import type { UserRow } from './users.table.ts'

/** The attempt's number on the counter, or null when the counter is locked or full. */
export function reserve(
  ctx: ServiceContext,
  tenantId: string,
  guard: GuardRef,
): Promise<number | null> {
  return withTenant(ctx.db, tenantId, (trx) =>
    reserveAttempt(trx, tenantId, guard, ctx.config.lockout.threshold),
  )
}

/** After a failed check: the failure that reached the threshold locks the counter. */
export async function afterFailure(
  ctx: ServiceContext,
  tenantId: string,
  user: Pick<UserRow, 'id' | 'email'>,
  guard: GuardRef,
  attemptNumber: number | null,
  meta: RequestMeta,
): Promise<void> {
  const { threshold, baseSeconds, maxSeconds } = ctx.config.lockout
  if (attemptNumber !== threshold) return
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
      ...eventOrigin(meta),
    })
    const tenant = await findTenantSettings(trx, tenantId)
    const seconds = Math.max(1, Math.round((until.getTime() - Date.now()) / 1000))
    await queueMail(
      trx,
      tenantId,
      lockoutMail(user.email, tenant?.name ?? 'your organisation', seconds, meta.ip, threshold),
    )
  })
}
