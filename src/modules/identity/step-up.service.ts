// IAM-3, IAM-4, IAM-6: proving again who you are while signed in. The password (and, for a user
// with one, a second factor) is charged to the account's failure counter like a sign-in, so a
// stolen session cannot be used to guess the password.
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { withTenant } from '../../db/tenant.ts'
import { eventOrigin, recordEvent, recordEventAlone } from '../audit/audit.service.ts'
import { secondFactorsOf } from '../mfa/factors.ts'
import { verifyPasskeyAssertion } from '../mfa/passkeys.service.ts'
import { consumeRecoveryCode } from '../mfa/recovery-codes.service.ts'
import { verifyTotp } from '../mfa/totp.service.ts'
import { IdentityErrors } from './errors.ts'
import { afterFailure, reserve } from './lockout.service.ts'
import { findPasswordHash } from './password-change.repository.ts'
import { burnVerification, verifyPassword } from './passwords.ts'
import { markAuthenticated } from './sessions.repository.ts'
import type { SessionPrincipal } from './sessions.service.ts'
import {
  clearFailures,
  findKnownDevice,
  type GuardRef,
  releaseAttempt,
} from './sign-in-guards.repository.ts'
import { hashToken } from './tokens.ts'

export interface StepUpInput {
  password: string
  /** Needed when the user has a second factor: `code` for totp and recovery_code, `passkey`. */
  method?: 'totp' | 'recovery_code' | 'passkey' | undefined
  code?: string | undefined
  passkey?: { challengeId: string; response: unknown } | undefined
  /** The browser's device cookie, if any (IAM-3: its own counter). */
  deviceToken?: string | undefined
}

const AMR = { totp: 'otp', recovery_code: 'swk', passkey: 'hwk' } as const

type Outcome = 'ok' | 'locked' | 'invalid_password' | 'second_factor_missing' | 'invalid_code'

/**
 * IAM-3: checks the caller's current password under a failure counter: the known device's when
 * the request carries this user's device cookie (so guesses made elsewhere cannot block the
 * owner's own browser), else the account's. Used by step-up and password change.
 */
export async function checkOwnPassword(
  ctx: ServiceContext,
  principal: SessionPrincipal,
  password: string,
  meta: RequestMeta,
  deviceToken?: string,
): Promise<{
  outcome: 'ok' | 'locked' | 'invalid_password'
  stored: string | null
  guard: GuardRef
}> {
  const { tenantId, userId } = principal
  const { guard, stored } = await withTenant(ctx.db, tenantId, async (trx) => {
    const deviceId = deviceToken
      ? await findKnownDevice(trx, tenantId, userId, hashToken(deviceToken))
      : null
    return {
      guard: (deviceId ? { kind: 'device', deviceId } : { kind: 'account', userId }) as GuardRef,
      stored: await findPasswordHash(trx, tenantId, userId),
    }
  })
  const number = await reserve(ctx, tenantId, guard)
  if (number === null) {
    // Locked: as slow as a wrong password, and the same answer.
    await burnVerification(password)
    return { outcome: 'locked', stored, guard }
  }
  if (stored && (await verifyPassword(stored, password))) {
    // Right: not a failure. Whatever follows (a code, the change itself) settles on its own.
    await withTenant(ctx.db, tenantId, (trx) => releaseAttempt(trx, tenantId, guard))
    return { outcome: 'ok', stored, guard }
  }
  if (!stored) await burnVerification(password)
  await afterFailure(ctx, tenantId, { id: userId, email: principal.email }, guard, number, meta)
  return { outcome: 'invalid_password', stored, guard }
}

export async function stepUp(
  ctx: ServiceContext,
  principal: SessionPrincipal,
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
  principal: SessionPrincipal,
  input: StepUpInput,
  meta: RequestMeta,
): Promise<Date | Outcome> {
  const { tenantId, userId, sessionId } = principal
  const checked = await checkOwnPassword(ctx, principal, input.password, meta, input.deviceToken)
  if (checked.outcome !== 'ok') return checked.outcome
  const factors = await withTenant(ctx.db, tenantId, (trx) =>
    secondFactorsOf(trx, tenantId, userId),
  )
  let amr = ['pwd']
  if (factors.length > 0) {
    const { method, code, passkey } = input
    if (!method || (method === 'passkey' ? !passkey : !code)) return 'second_factor_missing'
    // IAM-3: the code is a guess like any other, charged before it is checked.
    const number = await reserve(ctx, tenantId, checked.guard)
    if (number === null) return 'locked'
    const right = await withTenant(ctx.db, tenantId, async (trx) => {
      if (method === 'passkey' && passkey) {
        // A refused assertion is audited and its challenge spent inside trx, which commits.
        const who = await verifyPasskeyAssertion(ctx, trx, tenantId, {
          ...passkey,
          expectedUserId: userId,
          meta,
        })
        return who === userId
      }
      const typed = code ?? ''
      return method === 'totp'
        ? verifyTotp(ctx, trx, tenantId, userId, typed)
        : consumeRecoveryCode(ctx, trx, tenantId, userId, typed)
    })
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
    amr = ['pwd', AMR[method]]
  }
  return withTenant(ctx.db, tenantId, async (trx) => {
    await clearFailures(trx, tenantId, checked.guard)
    const at = await markAuthenticated(trx, tenantId, sessionId, amr)
    await recordEvent(trx, tenantId, stepUpEvent(principal, 'success', meta))
    return at
  })
}

function stepUpEvent(
  principal: SessionPrincipal,
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
