// IAM-4: the organisation's MFA policy, and an administrator's reset of a user's second factors
// (a lost phone). Both need an owner or admin with a recent authentication; both are audited.
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { withTenant } from '../../db/tenant.ts'
import { assertCan } from '../access/permissions.ts'
import { eventOrigin, recordEvent } from '../audit/audit.service.ts'
import { revokeUserSessions } from '../identity/devices.service.ts'
import { mfaResetMail } from '../identity/notices.mails.ts'
import { actorOf, type Principal } from '../identity/sessions.service.ts'
import { findUserById } from '../identity/users.repository.ts'
import type { UserRole } from '../identity/users.table.ts'
import { queueMail } from '../mail/mail.service.ts'
import { findTenantSettings, updateMfaPolicy } from '../tenants/mfa-policy.repository.ts'
import type { MfaPolicy } from '../tenants/tenants.table.ts'
import { MfaErrors } from './errors.ts'
import { countUsersWithoutMfa, deleteAllFactors } from './mfa-admin.repository.ts'

const ALL_ROLES: readonly UserRole[] = ['owner', 'admin', 'member', 'viewer', 'auditor']

export interface MfaPolicyState {
  policy: MfaPolicy
  /** Active users the policy obliges to have a second factor who have none yet. */
  usersWithoutRequiredMfa: number
}

function rolesUnder(policy: MfaPolicy): readonly UserRole[] {
  return policy === 'all' ? ALL_ROLES : policy === 'admins' ? ['owner', 'admin'] : []
}

export async function getMfaPolicy(
  ctx: ServiceContext,
  principal: Principal,
): Promise<MfaPolicyState> {
  assertCan(principal, 'tenant.security.manage')
  const { tenantId } = principal
  return withTenant(ctx.db, tenantId, async (trx) => {
    const tenant = await findTenantSettings(trx, tenantId)
    const policy = tenant?.mfa_policy ?? 'optional'
    return {
      policy,
      usersWithoutRequiredMfa: await countUsersWithoutMfa(trx, tenantId, rolesUnder(policy)),
    }
  })
}

export async function setMfaPolicy(
  ctx: ServiceContext,
  principal: Principal,
  policy: MfaPolicy,
  meta: RequestMeta,
): Promise<MfaPolicyState> {
  assertCan(principal, 'tenant.security.manage')
  const { tenantId } = principal
  return withTenant(ctx.db, tenantId, async (trx) => {
    await updateMfaPolicy(trx, tenantId, policy)
    await recordEvent(trx, tenantId, {
      category: 'iam',
      action: 'tenant.mfa_policy.update',
      outcome: 'success',
      reason: policy,
      actor: actorOf(principal),
      target: { type: 'tenant', id: tenantId },
      fields: ['mfa_policy'],
      ...eventOrigin(meta),
    })
    return {
      policy,
      usersWithoutRequiredMfa: await countUsersWithoutMfa(trx, tenantId, rolesUnder(policy)),
    }
  })
}

/**
 * Removes every second factor of another user and signs out all their sessions at once (IAM-6),
 * telling them by e-mail. Only an owner may reset an owner: an admin must not be able to weaken
 * the account that can remove them (IAM-7).
 */
export async function resetUserMfa(
  ctx: ServiceContext,
  principal: Principal,
  userId: string,
  meta: RequestMeta,
): Promise<{ revokedSessions: number }> {
  assertCan(principal, 'users.mfa.reset')
  if (userId === principal.userId) throw MfaErrors.MFA_RESET_SELF()
  const { tenantId } = principal
  return withTenant(ctx.db, tenantId, async (trx) => {
    // Another organisation's user is invisible under row-level security: the same 404.
    const target = await findUserById(trx, tenantId, userId)
    if (!target) throw MfaErrors.MFA_USER_NOT_FOUND()
    if (target.role === 'owner' && principal.role !== 'owner') {
      throw MfaErrors.MFA_OWNER_RESET_FORBIDDEN()
    }
    if (!(await deleteAllFactors(trx, tenantId, userId))) throw MfaErrors.MFA_NOTHING_TO_RESET()
    const revokedSessions = await revokeUserSessions(trx, tenantId, userId, {
      reason: 'mfa_reset',
      actor: actorOf(principal),
      meta,
    })
    await recordEvent(trx, tenantId, {
      category: 'iam',
      action: 'mfa.reset',
      outcome: 'success',
      actor: actorOf(principal),
      target: { type: 'user', id: userId },
      ...eventOrigin(meta),
    })
    const tenant = await findTenantSettings(trx, tenantId)
    await queueMail(
      trx,
      tenantId,
      mfaResetMail(target.email, tenant?.name ?? 'your organisation', new Date()),
    )
    return { revokedSessions }
  })
}
