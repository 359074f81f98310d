// IAM-4: a user's MFA state, for themselves (GET /me/mfa) and for sign-in (hasMfa). Only facts
// about the factors leave here: never a secret, a code or a hash.
import type { ServiceContext } from '../../context.ts'
import { type Trx, withTenant } from '../../db/tenant.ts'
import type { SessionPrincipal } from '../identity/sessions.service.ts'
import { countUnusedRecoveryCodes, findTotpState } from './mfa.repository.ts'
import { countPasskeys } from './passkeys.repository.ts'

export interface MfaState {
  /** Null when no authenticator is enrolled; enabled false while an enrolment is pending. */
  totp: { enabled: boolean; confirmedAt: string | null } | null
  recoveryCodes: { remaining: number }
  passkeys: { count: number }
}

export async function mfaState(
  ctx: ServiceContext,
  principal: SessionPrincipal,
): Promise<MfaState> {
  const { tenantId, userId } = principal
  return withTenant(ctx.db, tenantId, async (trx) => {
    const totp = await findTotpState(trx, tenantId, userId)
    const remaining = await countUnusedRecoveryCodes(trx, tenantId, userId)
    const passkeys = await countPasskeys(trx, tenantId, userId)
    return {
      totp: totp
        ? {
            enabled: totp.confirmed_at !== null,
            confirmedAt: totp.confirmed_at?.toISOString() ?? null,
          }
        : null,
      recoveryCodes: { remaining },
      passkeys: { count: passkeys },
    }
  })
}

/**
 * IAM-4, for sign-in: which second factors the user can present, in the caller's transaction.
 * `totp` is true for a confirmed authenticator only; `recoveryCodes` counts the unused codes;
 * `passkeys` counts registered passkeys, each a second factor of its own.
 */
export async function hasMfa(
  trx: Trx,
  tenantId: string,
  userId: string,
): Promise<{ totp: boolean; recoveryCodes: number; passkeys: number }> {
  const totp = await findTotpState(trx, tenantId, userId)
  const recoveryCodes = await countUnusedRecoveryCodes(trx, tenantId, userId)
  const passkeys = await countPasskeys(trx, tenantId, userId)
  return { totp: Boolean(totp?.confirmed_at), recoveryCodes, passkeys }
}
