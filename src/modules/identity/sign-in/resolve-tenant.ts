// Purpose: find the organisation by slug and the user by e-mail, in one transaction.
import type { ServiceContext } from '../../../context.ts'
import { withTenantBySlug } from '../../../db/tenant.ts'
import { PLATFORM_LOG } from '../../audit/events.ts'
import { normalizeEmail } from '../emails.ts'
import { burnVerification } from '../passwords.ts'
import { findUserByEmail } from '../users.repository.ts'
import { refuse, type SignInAttempt } from './attempt.ts'

export async function resolveTenant(ctx: ServiceContext, attempt: SignInAttempt): Promise<void> {
  const emailNormalized = normalizeEmail(attempt.input.email)
  const found = await withTenantBySlug(ctx.db, attempt.input.tenant, async (trx, tenantId) => {
    // IAM-3: the look-up runs for an unknown organisation too (it finds nothing under row-level
    // security), so the time taken does not tell whether the organisation exists.
    const user = await findUserByEmail(trx, tenantId ?? PLATFORM_LOG, emailNormalized)
    return { tenantId, user }
  })
  attempt.tenantId = found.tenantId
  attempt.user = found.user
  const user = found.user
  if (!found.tenantId || !user || user.status !== 'active' || !user.password_hash) {
    // IAM-3: as long as a wrong password takes.
    await burnVerification(attempt.input.password)
    throw await refuse(
      ctx,
      attempt,
      !found.tenantId ? 'unknown_tenant' : !user ? 'unknown_user' : 'user_inactive',
    )
  }
}
