// IAM-4: recovery codes. Ten new codes replace all earlier ones, are shown once, and are stored
// only as hashes; each can be spent once. LOG-1: generating them is audited (never the codes).
import { randomUUID } from 'node:crypto'
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { type Trx, withTenant } from '../../db/tenant.ts'
import { eventOrigin, recordEvent } from '../audit/audit.service.ts'
import type { SessionPrincipal } from '../identity/sessions.service.ts'
import { lockRecoveryCodes, replaceRecoveryCodes, spendRecoveryCode } from './mfa.repository.ts'
import {
  hashRecoveryCode,
  issueRecoveryCode,
  normaliseRecoveryCode,
  RECOVERY_CODE_COUNT,
} from './recovery-codes.ts'

/** Replaces the user's recovery codes with ten new ones and returns them, the only time. */
export async function generateRecoveryCodes(
  ctx: ServiceContext,
  principal: SessionPrincipal,
  meta: RequestMeta,
): Promise<string[]> {
  const { tenantId, userId } = principal
  const issued = Array.from({ length: RECOVERY_CODE_COUNT }, issueRecoveryCode)
  await withTenant(ctx.db, tenantId, async (trx) => {
    // Parallel generations take turns, so exactly one set stays valid: the last one.
    await lockRecoveryCodes(trx, tenantId, userId)
    await replaceRecoveryCodes(
      trx,
      tenantId,
      userId,
      issued.map(({ hash }) => ({
        id: randomUUID(),
        tenant_id: tenantId,
        user_id: userId,
        code_hash: hash,
        used_at: null,
      })),
    )
    await recordEvent(trx, tenantId, {
      category: 'iam',
      action: 'mfa.recovery_codes.generate',
      outcome: 'success',
      actor: { type: 'user', id: userId },
      target: { type: 'user', id: userId },
      ...eventOrigin(meta),
    })
  })
  return issued.map(({ code }) => code)
}

/**
 * IAM-4, for sign-in: spends one of the user's unused recovery codes and returns true, or returns
 * false. Input is read leniently (any case, spaces and hyphens anywhere, O/I/L for 0/1/1). The
 * code is marked used in one statement, so of parallel attempts with one code exactly one wins.
 * Runs in the caller's transaction; the caller audits the outcome. `ctx` is not needed by the
 * unkeyed hash (see recovery-codes.ts) and is taken so both verifiers are called alike.
 */
export async function consumeRecoveryCode(
  _ctx: Pick<ServiceContext, 'keys'>,
  trx: Trx,
  tenantId: string,
  userId: string,
  code: string,
): Promise<boolean> {
  const canonical = normaliseRecoveryCode(code)
  if (canonical === null) return false
  return spendRecoveryCode(trx, tenantId, userId, hashRecoveryCode(canonical))
}
