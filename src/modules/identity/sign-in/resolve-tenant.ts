// Purpose: find the organisation by slug and the user by e-mail, in one transaction.

import { randomUUID } from 'node:crypto'
import type { ServiceContext } from '../../../context.ts'
import { withTenant, withTenantBySlug } from '../../../db/tenant.ts'
import { listRanges } from '../../access/ip-allowlist.repository.ts'
import { PLATFORM_LOG } from '../../audit/events.ts'
import { normalizeEmail } from '../emails.ts'
import { burnVerification } from '../passwords.ts'
import { probeCounter } from '../sign-in-guards.repository.ts'
import { findUserByEmail } from '../users.repository.ts'
import { refuse, type SignInAttempt } from './attempt.ts'

export async function resolveTenant(ctx: ServiceContext, attempt: SignInAttempt): Promise<void> {
  const emailNormalized = normalizeEmail(attempt.input.email)
  const found = await withTenantBySlug(ctx.db, attempt.input.tenant, async (trx, tenantId) => {
    // IAM-3: the look-up runs for an unknown organisation too (it finds nothing under row-level
    // security), so the time taken does not tell whether the organisation exists.
    const user = await findUserByEmail(trx, tenantId ?? PLATFORM_LOG, emailNormalized)
    // IAM-8: read here, in the same transaction, so checking it costs no round trip of its own.
    const ipRanges = tenantId ? await listRanges(trx, tenantId) : []
    return { tenantId, user, ipRanges }
  })
  attempt.tenantId = found.tenantId
  attempt.user = found.user
  attempt.ipRanges = found.ipRanges
  const user = found.user
  if (!found.tenantId || !user || user.status !== 'active' || !user.password_hash) {
    // IAM-3: as long as a wrong password takes: the counter look-up's round trips, then argon2.
    await withTenant(ctx.db, found.tenantId ?? PLATFORM_LOG, (trx) =>
      probeCounter(trx, found.tenantId ?? PLATFORM_LOG, user?.id ?? randomUUID()),
    )
    await burnVerification(attempt.input.password)
    throw await refuse(
      ctx,
      attempt,
      !found.tenantId ? 'unknown_tenant' : !user ? 'unknown_user' : 'user_inactive',
    )
  }
}
