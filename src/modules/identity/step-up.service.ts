// IAM-3, IAM-4, IAM-6: proving again who you are while signed in. The password (and, for a user
// with one, a second factor) is charged to the account's failure counter like a sign-in, so a
// stolen session cannot be used to guess the password.
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { withTenant } from '../../db/tenant.ts'
import { eventOrigin, recordEvent, recordEventAlone } from '../audit/audit.service.ts'
import { secondFactorsOf } from '../mfa/factors.ts'
import { consumeRecoveryCode } from '../mfa/recovery-codes.service.ts'
import { verifyTotp } from '../mfa/totp.service.ts'
import { IdentityErrors } from './errors.ts'
import { afterFailure, clearCounter, reserve } from './lockout.service.ts'
import { findPasswordHash } from './password-change.repository.ts'
import { burnVerification, verifyPassword } from './passwords.ts'
import { markAuthenticated } from './sessions.repository.ts'
import type { Principal } from './sessions.service.ts'
import type { GuardRef } from './sign-in-guards.repository.ts'

export interface StepUpInput {
  password: string
  /** Needed when the user has a second factor. */
  method?: 'totp' | 'recovery_code' | undefined
  code?: string | undefined
}

type Outcome = 'ok' | 'locked' | 'invalid_password' | 'second_factor_missing' | 'invalid_code'

/**
 * IAM-3: checks the caller's current password under the account's failure counter; on failure
 * the counter may lock, and the caller gets `false`. Used by step-up and password change.
 */
export async function checkOwnPassword(
  ctx: ServiceContext,
  principal: Principal,
  password: string,
  meta: RequestMeta,
): Promise<{
  outcome: 'ok' | 'locked' | 'invalid_password'
  stored: string | null
  guard: GuardRef
}> {
  const { tenantId, userId } = principal
  const guard: GuardRef = { kind: 'account', userId }
  const number = await reserve(ctx, tenantId, guard)
  const stored = await withTenant(ctx.db, tenantId, (trx) =>
    findPasswordHash(trx, tenantId, userId),
  )
  if (number === null || !stored) {
    // Locked, or no password to check: as slow as a wrong password, and the same answer.
    await burnVerification(password)
    return { outcome: number === null ? 'locked' : 'invalid_password', stored, guard }
  }
  if (await verifyPassword(stored, password)) return { outcome: 'ok', stored, guard }
  await afterFailure(ctx, tenantId, { id: userId, email: principal.email }, guard, number, meta)
  return { outcome: 'invalid_password', stored, guard }
}

export async function stepUp(
  ctx: ServiceContext,
  principal: Principal,
  input: StepUpInput,
  meta: RequestMeta,
): Promise<{ authenticatedAt: Date }> {
  const outcome = await proveAgain(ctx, principal, input, meta)
  if (outcome instanceof Date) return { authenticatedAt: outcome }
  await recordEventAlone(
    ctx.db,
    principal.tenantId,
    stepUpEvent(principal, 'failure', meta, outcome),
  )
  throw outcome === 'second_factor_missing'
    ? IdentityErrors.IDENTITY_STEP_UP_SECOND_FACTOR_REQUIRED()
    : IdentityErrors.IDENTITY_STEP_UP_FAILED()
}

/** The new authentication time, or why the proof failed. */
async function proveAgain(
  ctx: ServiceContext,
  principal: Principal,
  input: StepUpInput,
  meta: RequestMeta,
): Promise<Date | Outcome> {
  const { tenantId, userId, sessionId } = principal
  const checked = await checkOwnPassword(ctx, principal, input.password, meta)
  if (checked.outcome !== 'ok') return checked.outcome
  const factors = await withTenant(ctx.db, tenantId, (trx) =>
    secondFactorsOf(trx, tenantId, userId),
  )
  let amr = ['pwd']
  if (factors.length > 0) {
    const { method, code } = input
    if (!method || !code) return 'second_factor_missing'
    // IAM-3: the code is a guess like any other, charged before it is checked.
    const number = await reserve(ctx, tenantId, checked.guard)
    if (number === null) return 'locked'
    const right = await withTenant(ctx.db, tenantId, (trx) =>
      method === 'totp'
        ? verifyTotp(ctx, trx, tenantId, userId, code)
        : consumeRecoveryCode(ctx, trx, tenantId, userId, code),
    )
    if (!right) {
      await afterFailure(
        ctx,
        tenantId,
        { id: userId, email: principal.email },
        checked.guard,
        number,
        meta,
      )
      return 'invalid_code'
    }
    amr = ['pwd', method === 'totp' ? 'otp' : 'swk']
  }
  return withTenant(ctx.db, tenantId, async (trx) => {
    await clearCounter(trx, tenantId, checked.guard)
    const at = await markAuthenticated(trx, tenantId, sessionId, amr)
    await recordEvent(trx, tenantId, stepUpEvent(principal, 'success', meta))
    return at
  })
}

function stepUpEvent(
  principal: Principal,
  outcome: 'success' | 'failure',
  meta: RequestMeta,
  reason?: string,
) {
  return {
    category: 'iam',
    action: 'session.step_up',
    outcome,
    ...(reason ? { reason } : {}),
    actor: { type: 'user', id: principal.userId },
    target: { type: 'session', id: principal.sessionId },
    ...eventOrigin(meta),
  } as const
}
