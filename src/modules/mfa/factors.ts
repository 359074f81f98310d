// IAM-4: which second factors a user can present at sign-in, and whether the organisation's
// policy obliges them to have one.
import type { Trx } from '../../db/tenant.ts'
import type { UserRole } from '../identity/users.table.ts'
import { findTenantSettings } from '../tenants/mfa-policy.repository.ts'
import type { MfaPolicy } from '../tenants/tenants.table.ts'
import { MfaErrors } from './errors.ts'
import { hasMfa } from './mfa.service.ts'

export type SecondFactor = 'totp' | 'recovery_code' | 'passkey'

/**
 * The factors to offer, primary ones first. Recovery codes stand in for a primary factor that was
 * lost; without a primary factor they are not offered, and the user counts as having no MFA.
 */
export async function secondFactorsOf(
  trx: Trx,
  tenantId: string,
  userId: string,
): Promise<SecondFactor[]> {
  const state = await hasMfa(trx, tenantId, userId)
  const primary: SecondFactor[] = []
  if (state.totp) primary.push('totp')
  if (state.passkeys > 0) primary.push('passkey')
  if (primary.length === 0) return []
  return state.recoveryCodes > 0 ? [...primary, 'recovery_code'] : primary
}

/** Roles that hold administrative power: the `admins` policy applies to them. */
const ADMIN_ROLES: ReadonlySet<UserRole> = new Set(['owner', 'admin'])

/**
 * IAM-4: in the caller's transaction, after a factor was deleted: throws (rolling the deletion
 * back) when the organisation requires MFA of this user and no primary factor is left.
 */
export async function assertPolicyAllowsRemoval(
  trx: Trx,
  tenantId: string,
  principal: { userId: string; role: UserRole },
): Promise<void> {
  const tenant = await findTenantSettings(trx, tenantId)
  if (!tenant || !mfaRequiredFor(tenant.mfa_policy, principal.role)) return
  if ((await secondFactorsOf(trx, tenantId, principal.userId)).length === 0) {
    throw MfaErrors.MFA_REQUIRED_BY_POLICY()
  }
}

export function mfaRequiredFor(policy: MfaPolicy, role: UserRole): boolean {
  return policy === 'all' || (policy === 'admins' && ADMIN_ROLES.has(role))
}
