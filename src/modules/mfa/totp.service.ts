// IAM-4: enrolling an authenticator app (TOTP) and checking its codes. KMS-2: the secret is stored
// only encrypted under the tenant's key, bound to its row. LOG-1: enabling and disabling are
// audited in the same transaction, with user ids only: the e-mail address that labels the
// otpauth URI goes to the user and nowhere else.
import { randomUUID } from 'node:crypto'
import QRCode from 'qrcode'
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { KmsError } from '../../crypto/errors.ts'
import { decryptField, encryptField, type FieldRef } from '../../crypto/field-encryption.ts'
import { type Trx, withTenant } from '../../db/tenant.ts'
import { eventOrigin, recordEvent, recordEventAlone } from '../audit/audit.service.ts'
import type { AuditEvent } from '../audit/events.ts'
import { revokeUserSessions } from '../identity/devices.service.ts'
import { upgradeEnrolmentSession } from '../identity/sessions.repository.ts'
import type { SessionPrincipal } from '../identity/sessions.service.ts'
import { MfaErrors } from './errors.ts'
import { assertPolicyAllowsRemoval } from './factors.ts'
import {
  claimTotpStep,
  confirmTotp,
  deleteTotp,
  findTotpSecret,
  upsertPendingTotp,
} from './mfa.repository.ts'
import { matchingStep, newTotpSecret, totpEnrolment } from './totp.ts'

const MAX_CODE_INPUT = 16

export interface TotpEnrolmentReply {
  otpauthUri: string
  /** The URI as a PNG QR code, a data: URL. */
  qrCode: string
  /** Base32, for typing in by hand. */
  secret: string
}

function secretRef(tenantId: string, rowId: string): FieldRef {
  return { tenantId, table: 'mfa_totp', column: 'secret', rowId }
}

/** KMS-2: the secret in clear, or MFA_TOTP_UNREADABLE (shredded key, altered or moved row). */
async function openSecret(
  ctx: Pick<ServiceContext, 'keys'>,
  tenantId: string,
  row: { id: string; secret: Uint8Array },
): Promise<Buffer> {
  try {
    return await decryptField(ctx.keys, secretRef(tenantId, row.id), row.secret)
  } catch (err) {
    if (err instanceof KmsError) {
      throw MfaErrors.MFA_TOTP_UNREADABLE(undefined, { reason: err.reason })
    }
    throw err
  }
}

function totpEvent(
  action: 'mfa.totp.enable' | 'mfa.totp.disable',
  principal: SessionPrincipal,
  meta: RequestMeta,
): AuditEvent {
  return {
    category: 'iam',
    action,
    outcome: 'success',
    actor: { type: 'user', id: principal.userId },
    target: { type: 'user', id: principal.userId },
    ...eventOrigin(meta),
  }
}

/**
 * Starts (or restarts) enrolment: a new 160-bit secret, stored encrypted and pending until a code
 * confirms it. A pending enrolment is replaced; a confirmed authenticator must be removed first.
 */
export async function startTotpEnrolment(
  ctx: ServiceContext,
  principal: SessionPrincipal,
): Promise<TotpEnrolmentReply> {
  const { tenantId, userId } = principal
  const id = randomUUID()
  const secret = newTotpSecret()
  try {
    let sealed: Buffer
    try {
      sealed = await encryptField(ctx.keys, secretRef(tenantId, id), secret)
    } catch (err) {
      // KMS-5: a shredded tenant, or one without a key, stores nothing more.
      if (err instanceof KmsError) {
        throw MfaErrors.MFA_KEY_UNAVAILABLE(undefined, { reason: err.reason })
      }
      throw err
    }
    const stored = await withTenant(ctx.db, tenantId, (trx) =>
      upsertPendingTotp(trx, {
        id,
        tenant_id: tenantId,
        user_id: userId,
        secret: sealed,
        confirmed_at: null,
        last_step: null,
        last_used_at: null,
      }),
    )
    if (!stored) throw MfaErrors.MFA_TOTP_ALREADY_ENABLED()
    // The user's own e-mail address labels the entry in their app; the slug tells organisations
    // apart for someone who belongs to several.
    const { uri, base32 } = totpEnrolment(secret, `${principal.email} (${principal.tenant.slug})`)
    return { otpauthUri: uri, qrCode: await QRCode.toDataURL(uri), secret: base32 }
  } finally {
    secret.fill(0)
  }
}

/** Activates the pending enrolment with a valid code; that code's step counts as used. */
export async function confirmTotpEnrolment(
  ctx: ServiceContext,
  principal: SessionPrincipal,
  code: string,
  meta: RequestMeta,
): Promise<{ confirmedAt: Date }> {
  const { tenantId, userId } = principal
  const confirmed = await withTenant(ctx.db, tenantId, async (trx) => {
    // Locked: of parallel confirmations, the second sees the first's result.
    const row = await findTotpSecret(trx, tenantId, userId, true)
    if (!row) throw MfaErrors.MFA_TOTP_NOT_STARTED()
    if (row.confirmed_at) throw MfaErrors.MFA_TOTP_ALREADY_ENABLED()
    const secret = await openSecret(ctx, tenantId, row)
    const step = matchingStep(secret, code, Date.now())
    secret.fill(0)
    if (step === null) return null
    const confirmedAt = await confirmTotp(trx, tenantId, row.id, step)
    // IAM-4: an enrolment-only session has done what it was for.
    await upgradeEnrolmentSession(trx, tenantId, principal.sessionId, 'otp')
    await recordEvent(trx, tenantId, totpEvent('mfa.totp.enable', principal, meta))
    return { confirmedAt }
  })
  if (confirmed) return confirmed
  // LOG-1: a refused confirmation changes nothing, so its event gets a transaction of its own.
  await recordEventAlone(ctx.db, tenantId, {
    ...totpEvent('mfa.totp.enable', principal, meta),
    outcome: 'failure',
    reason: 'invalid_code',
  })
  throw MfaErrors.MFA_CODE_INVALID()
}

/**
 * Removes the authenticator, pending or confirmed; only removing a confirmed one is audited. The
 * organisation's policy may forbid removing the last factor (IAM-4); removing a confirmed one
 * signs out the user's other sessions, as a password change does (IAM-6).
 */
export async function removeTotp(
  ctx: ServiceContext,
  principal: SessionPrincipal,
  meta: RequestMeta,
): Promise<void> {
  const { tenantId, userId } = principal
  await withTenant(ctx.db, tenantId, async (trx) => {
    const removed = await deleteTotp(trx, tenantId, userId)
    if (!removed) throw MfaErrors.MFA_TOTP_NOT_FOUND()
    if (!removed.confirmed_at) return
    await assertPolicyAllowsRemoval(trx, tenantId, principal)
    await revokeUserSessions(trx, tenantId, userId, {
      exceptSessionId: principal.sessionId,
      reason: 'mfa_change',
      actor: { type: 'user', id: userId },
      meta,
    })
    await recordEvent(trx, tenantId, totpEvent('mfa.totp.disable', principal, meta))
  })
}

/**
 * IAM-4, for sign-in: true when `code` is the user's confirmed authenticator's code for the
 * current step or the one before or after, and no code of that step or a later one was accepted
 * before. The step is claimed atomically, so a code works once even when presented by two
 * requests at the same moment. Runs in the caller's transaction; the caller audits the outcome.
 * Throws MFA_TOTP_UNREADABLE when the secret no longer decrypts, which is not a wrong code.
 */
export async function verifyTotp(
  ctx: Pick<ServiceContext, 'keys'>,
  trx: Trx,
  tenantId: string,
  userId: string,
  code: string,
): Promise<boolean> {
  // SEC-3: oversize input is refused unread. Authenticator apps show codes as "123 456", so
  // spaces go; anything else that is not six digits fails in matchingStep.
  if (code.length > MAX_CODE_INPUT) return false
  const digits = code.replace(/\s/g, '')
  const row = await findTotpSecret(trx, tenantId, userId)
  if (!row?.confirmed_at) return false
  const secret = await openSecret(ctx, tenantId, row)
  const step = matchingStep(secret, digits, Date.now())
  secret.fill(0)
  if (step === null) return false
  return claimTotpStep(trx, tenantId, row.id, step)
}
