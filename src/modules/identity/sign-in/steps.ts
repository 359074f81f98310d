// IAM-1, IAM-3, IAM-4: password sign-in as a table of small named steps, run in order. Each step
// either adds what it learned to the attempt or throws the one refusal every failure gives; the
// run ends early once the attempt is done (a challenge issued: a second factor must follow).
import type { RequestMeta, ServiceContext } from '../../../context.ts'
import { newAttempt, type SignInAttempt, type SignInInput, type SignInResult } from './attempt.ts'
import { checkIpAllowlist } from './check-ip-allowlist.ts'
import { checkLockout } from './check-lockout.ts'
import { issueSession } from './issue-session.ts'
import { notifyNewDevice } from './notify-new-device.ts'
import { rememberDevice } from './remember-device.ts'
import { requireMfa } from './require-mfa.ts'
import { resolveTenant } from './resolve-tenant.ts'
import { verifyPasswordStep } from './verify-password.ts'

export interface SignInStep<A> {
  name: string
  run(ctx: ServiceContext, attempt: A): Promise<void>
}

/** The steps, in order; each file states its purpose on its first line. */
export const SIGN_IN_STEPS: readonly SignInStep<SignInAttempt>[] = [
  { name: 'resolve-tenant', run: resolveTenant },
  { name: 'check-ip-allowlist', run: checkIpAllowlist },
  { name: 'check-lockout', run: checkLockout },
  { name: 'verify-password', run: verifyPasswordStep },
  { name: 'require-mfa', run: requireMfa },
  { name: 'issue-session', run: issueSession },
  { name: 'remember-device', run: rememberDevice },
  { name: 'notify-new-device', run: notifyNewDevice },
]

/** Runs `steps` in order, stopping early once `done(attempt)` holds. */
export async function runSteps<A>(
  ctx: ServiceContext,
  steps: readonly SignInStep<A>[],
  attempt: A,
  done: (attempt: A) => boolean = () => false,
): Promise<void> {
  for (const step of steps) {
    await step.run(ctx, attempt)
    if (done(attempt)) return
  }
}

export async function signIn(
  ctx: ServiceContext,
  input: SignInInput,
  meta: RequestMeta,
): Promise<SignInResult> {
  const attempt: SignInAttempt = { ...newAttempt(meta), input, ipRanges: [], challenge: null }
  await runSteps(ctx, SIGN_IN_STEPS, attempt, (a) => a.challenge !== null)
  if (attempt.challenge) return { kind: 'mfa', challenge: attempt.challenge }
  if (!attempt.issued) throw new Error('sign-in finished without a session')
  return { kind: 'session', session: attempt.issued }
}
