// Purpose: refuse a sign-in from outside the organisation's IP allowlist (IAM-8).
// The refusal is the one every sign-in failure gives, after as long as a wrong password takes
// (IAM-3), so the answer does not tell an allowlist refusal from a wrong password.
import type { ServiceContext } from '../../../context.ts'
import { ipAllowedForTenant, storedRangesAllow } from '../../access/ip-allowlist.service.ts'
import { burnVerification } from '../passwords.ts'
import { refuse, type SessionAttempt, type SignInAttempt } from './attempt.ts'

export async function checkIpAllowlist(ctx: ServiceContext, attempt: SignInAttempt): Promise<void> {
  // resolve-tenant has refused the attempt already when no organisation matched, and read the list.
  if (!attempt.tenantId) return
  if (storedRangesAllow(attempt.ipRanges, attempt.meta.ip)) return
  await burnVerification(attempt.input.password)
  throw await refuse(ctx, attempt, 'ip_not_allowed')
}

/**
 * The same check for the ways to a session without a password step of their own: the second
 * factor (the address may have changed since the password) and the passwordless passkey. Their
 * refusal is the one their stage gives any failure.
 */
export function checkIpAllowlistBeforeSession(
  stage: 'password' | 'second_factor',
): (ctx: ServiceContext, attempt: SessionAttempt) => Promise<void> {
  return async (ctx, attempt) => {
    if (!attempt.tenantId) return
    if (await ipAllowedForTenant(ctx, attempt.tenantId, attempt.meta.ip)) return
    throw await refuse(ctx, attempt, 'ip_not_allowed', stage)
  }
}
