// Purpose: refuse a sign-in from outside the organisation's IP allowlist (IAM-8).
// The seam where the allowlist plugs in: organisations have no allowlist until IAM-8 lands, so
// every address passes today. A refusal here must burn the same time as a wrong password and
// use refuse(ctx, attempt, 'ip_not_allowed').
import type { ServiceContext } from '../../../context.ts'
import type { SignInAttempt } from './attempt.ts'

export async function checkIpAllowlist(
  _ctx: ServiceContext,
  _attempt: SignInAttempt,
): Promise<void> {}
