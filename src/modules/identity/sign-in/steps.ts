// IAM-1, IAM-3: password sign-in as a table of small named steps, run in order. Each step either
// adds what it learned to the attempt or throws the one refusal every failure gives.
import type { RequestMeta, ServiceContext } from '../../../context.ts'
import type { IssuedSession, SignInAttempt, SignInInput } from './attempt.ts'
import { checkIpAllowlist } from './check-ip-allowlist.ts'
import { checkLockout } from './check-lockout.ts'
import { issueSession } from './issue-session.ts'
import { rememberDevice } from './remember-device.ts'
import { resolveTenant } from './resolve-tenant.ts'
import { verifyPasswordStep } from './verify-password.ts'

export interface SignInStep {
  name: string
  run(ctx: ServiceContext, attempt: SignInAttempt): Promise<void>
}

/** The steps, in order; each file states its purpose on its first line. */
export const SIGN_IN_STEPS: readonly SignInStep[] = [
  { name: 'resolve-tenant', run: resolveTenant },
  { name: 'check-ip-allowlist', run: checkIpAllowlist },
  { name: 'check-lockout', run: checkLockout },
  { name: 'verify-password', run: verifyPasswordStep },
  { name: 'issue-session', run: issueSession },
  { name: 'remember-device', run: rememberDevice },
]

export async function signIn(
  ctx: ServiceContext,
  input: SignInInput,
  meta: RequestMeta,
): Promise<IssuedSession> {
  const attempt: SignInAttempt = {
    input,
    meta,
    tenantId: null,
    user: undefined,
    guard: null,
    attemptNumber: null,
    rehashed: null,
    issued: null,
  }
  for (const step of SIGN_IN_STEPS) await step.run(ctx, attempt)
  if (!attempt.issued) throw new Error('sign-in finished without a session')
  return attempt.issued
}
