// IAM-3, IAM-4: the second half of a sign-in whose password was right: the challenge from the
// first half and one second factor. The same named steps as the password half, with the same
// failure counter, so guesses at codes count against the same limit as guesses at passwords.
import type { RequestMeta, ServiceContext } from '../../../context.ts'
import { withTenant } from '../../../db/tenant.ts'
import { secondFactorsOf } from '../../mfa/factors.ts'
import { startPasskeyAuthentication } from '../../mfa/passkeys.service.ts'
import { hashToken, looksLikeSessionToken } from '../tokens.ts'
import { newAttempt, refuse, type SessionAttempt, type SignInResult } from './attempt.ts'
import { checkChallengeLockout } from './check-challenge-lockout.ts'
import { checkIpAllowlistBeforeSession } from './check-ip-allowlist.ts'
import { issueSession } from './issue-session.ts'
import { notifyNewDevice } from './notify-new-device.ts'
import { rememberDevice } from './remember-device.ts'
import { resolveChallenge } from './resolve-challenge.ts'
import { runSteps, type SignInStep } from './steps.ts'
import { verifySecondFactor } from './verify-second-factor.ts'

/** One second factor: a TOTP code, a recovery code, or a passkey assertion. */
export type SecondFactorProof =
  | { method: 'totp'; code: string }
  | { method: 'recovery_code'; code: string }
  | { method: 'passkey'; challengeId: string; response: unknown }

export interface SecondFactorAttempt extends SessionAttempt {
  /** The challenge token the password half returned. */
  challengeToken: string
  challengeId: string | null
  proof: SecondFactorProof
}

export const SECOND_FACTOR_STEPS: readonly SignInStep<SecondFactorAttempt>[] = [
  { name: 'resolve-challenge', run: resolveChallenge },
  // IAM-8: the address may have changed since the password half.
  { name: 'check-ip-allowlist', run: checkIpAllowlistBeforeSession('second_factor') },
  { name: 'check-lockout', run: checkChallengeLockout },
  { name: 'verify-second-factor', run: verifySecondFactor },
  { name: 'issue-session', run: issueSession },
  { name: 'remember-device', run: rememberDevice },
  { name: 'notify-new-device', run: notifyNewDevice },
]

export async function completeSignIn(
  ctx: ServiceContext,
  challengeToken: string,
  proof: SecondFactorProof,
  meta: RequestMeta,
): Promise<Extract<SignInResult, { kind: 'session' }>> {
  const attempt: SecondFactorAttempt = {
    ...newAttempt(meta),
    challengeToken,
    challengeId: null,
    proof,
  }
  await runSteps(ctx, SECOND_FACTOR_STEPS, attempt)
  if (!attempt.issued) throw new Error('second factor finished without a session')
  return { kind: 'session', session: attempt.issued }
}

/**
 * IAM-4: passkey options for an open challenge, listing only its user's passkeys. An unknown or
 * spent challenge, or a user without passkeys, gets the same refusal as a wrong code.
 */
export async function passkeyOptionsForChallenge(
  ctx: ServiceContext,
  challengeToken: string,
  meta: RequestMeta,
): Promise<Awaited<ReturnType<typeof startPasskeyAuthentication>>> {
  const attempt: SecondFactorAttempt = {
    ...newAttempt(meta),
    challengeToken,
    challengeId: null,
    proof: { method: 'passkey', challengeId: '', response: null },
  }
  await resolveChallenge(ctx, attempt)
  const tenantId = attempt.tenantId as string
  const userId = attempt.user?.id as string
  const factors = await withTenant(ctx.db, tenantId, (trx) =>
    secondFactorsOf(trx, tenantId, userId),
  )
  if (!factors.includes('passkey')) {
    throw await refuse(ctx, attempt, 'invalid_second_factor', 'second_factor')
  }
  return startPasskeyAuthentication(ctx, tenantId, userId)
}

/** The challenge's hash, or null for input that cannot be a challenge token. */
export function challengeHash(token: string): string | null {
  return looksLikeSessionToken(token) ? hashToken(token) : null
}
