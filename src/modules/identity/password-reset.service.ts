// IAM-2, IAM-3, IAM-6: password reset by e-mail. A request always gets the same answer after the
// same look-ups, whether or not the account exists (no enumeration). An existing, active account
// gets a single-use token of 256 random bits, stored as its SHA-256 only and valid for 30
// minutes, sent as a link; a new request voids the older tokens, and an account gets at most 3
// reset mails an hour. Confirming sets the new password, uses the token, revokes every session
// of the user and queues a notice, all in one transaction.
// LOG-1: `password_reset.request` and `password_reset.complete` are audited, successes and
// refusals alike, with user ids and addresses only (never the e-mail address).
import { randomUUID } from 'node:crypto'
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { withTenant, withTenantByResetToken, withTenantBySlug } from '../../db/tenant.ts'
import {
  eventOrigin,
  recordEvent,
  recordEventAlone,
  recordPlatformEvent,
} from '../audit/audit.service.ts'
import { type AuditEvent, PLATFORM_LOG } from '../audit/events.ts'
import { queueMail } from '../mail/mail.service.ts'
import { revokeUserSessions } from './devices.service.ts'
import { normalizeEmail } from './emails.ts'
import { countRecentTokens, revokeOpenTokens } from './mailed-tokens.repository.ts'
import { PasswordResetErrors } from './password-reset.errors.ts'
import { passwordChangedMail, resetLink, resetRequestedMail } from './password-reset.mails.ts'
import {
  consumeToken,
  findOpenToken,
  insertToken,
  lockAccountByEmail,
  type ResetAccount,
  setPasswordHash,
} from './password-reset.repository.ts'
import { assertAcceptablePassword, hashPassword } from './passwords.ts'
import { clearFailures } from './sign-in-guards.repository.ts'
import { hashToken, looksLikeSessionToken, newSessionToken } from './tokens.ts'

/** The per-account limit's window. */
const ACCOUNT_WINDOW_SECONDS = 60 * 60

export interface ResetRequest {
  tenant: string
  email: string
}

export interface ResetConfirmation {
  token: string
  newPassword: string
}

function resetEvent(
  action: 'password_reset.request' | 'password_reset.complete',
  outcome: AuditEvent['outcome'],
  userId: string | undefined,
  meta: RequestMeta,
  reason?: string,
): AuditEvent {
  return {
    category: 'iam',
    action,
    outcome,
    ...(reason ? { reason } : {}),
    actor: userId ? { type: 'user', id: userId } : { type: 'anonymous' },
    ...(userId ? { target: { type: 'user', id: userId } } : {}),
    ...(action === 'password_reset.complete' && outcome === 'success'
      ? { fields: ['password_hash'] }
      : {}),
    ...eventOrigin(meta),
  }
}

/** Why an account gets no reset mail, as an audit reason; null when it gets one. */
function refusalOf(account: ResetAccount | undefined, recent: number, max: number): string | null {
  if (!account) return 'unknown_user'
  if (account.user_status !== 'active') return 'user_inactive'
  // IAM-3: a mailbox cannot be flooded through this form, nor the account's owner pestered.
  if (recent >= max) return 'account_throttled'
  return null
}

/**
 * IAM-3: a request never answers sooner than this. A real account's request writes a token, a
 * mail and more events than an unknown one's, which the look-ups alone cannot hide on a busy
 * machine; with the floor both answer after the same time unless the work itself runs longer.
 */
export const RESET_REQUEST_FLOOR_MS = 120

/**
 * Sends a reset link when the organisation and address match an active account; otherwise does
 * the same look-ups and records why not. Resolves the same way, after the same time, in every
 * case.
 */
export async function requestPasswordReset(
  ctx: ServiceContext,
  input: ResetRequest,
  meta: RequestMeta,
): Promise<void> {
  const started = performance.now()
  try {
    await requestReset(ctx, input, meta)
  } finally {
    const left = RESET_REQUEST_FLOOR_MS - (performance.now() - started)
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left))
  }
}

async function requestReset(ctx: ServiceContext, input: ResetRequest, meta: RequestMeta) {
  const { tokenTtlSeconds, maxPerAccountPerHour } = ctx.config.passwordReset
  const emailNormalized = normalizeEmail(input.email)
  const token = newSessionToken()
  const tenantFound = await withTenantBySlug(ctx.db, input.tenant, async (trx, tenantId) => {
    // IAM-3: both look-ups run for an unknown organisation or address too (row-level security
    // then finds nothing), so the time taken does not tell which it was.
    const scope = tenantId ?? PLATFORM_LOG
    const account = await lockAccountByEmail(trx, scope, emailNormalized)
    const recent = await countRecentTokens(
      trx,
      'password_reset_tokens',
      scope,
      account?.user_id ?? PLATFORM_LOG,
      ACCOUNT_WINDOW_SECONDS,
    )
    if (!tenantId) return false
    const refusal = refusalOf(account, recent, maxPerAccountPerHour)
    if (refusal || !account) {
      const userId = account?.user_id
      await recordEvent(
        trx,
        tenantId,
        resetEvent('password_reset.request', 'failure', userId, meta, refusal ?? undefined),
      )
      return true
    }
    await revokeOpenTokens(trx, 'password_reset_tokens', tenantId, account.user_id)
    await insertToken(trx, {
      id: randomUUID(),
      tenant_id: tenantId,
      user_id: account.user_id,
      token_hash: hashToken(token),
      expires_at: new Date(Date.now() + tokenTtlSeconds * 1000),
      used_at: null,
      revoked_at: null,
    })
    const link = resetLink(ctx.config.publicUrl, token)
    await queueMail(
      trx,
      tenantId,
      resetRequestedMail(account.email, account.tenant_name, link, tokenTtlSeconds),
    )
    await recordEvent(
      trx,
      tenantId,
      resetEvent('password_reset.request', 'success', account.user_id, meta),
    )
    return true
  })
  if (!tenantFound) {
    await recordPlatformEvent(
      ctx.db,
      resetEvent('password_reset.request', 'failure', undefined, meta, 'unknown_tenant'),
    )
  }
}

/**
 * Sets a new password with a reset token. Unknown, used, voided and expired tokens all get the
 * one IDENTITY_RESET_TOKEN_INVALID; a password the policy refuses leaves the token usable.
 */
export async function confirmPasswordReset(
  ctx: ServiceContext,
  input: ResetConfirmation,
  meta: RequestMeta,
): Promise<void> {
  const invalid = async (tenantId: string | null, userId: string | undefined, reason: string) => {
    const event = resetEvent('password_reset.complete', 'failure', userId, meta, reason)
    if (tenantId) await recordEventAlone(ctx.db, tenantId, event)
    else await recordPlatformEvent(ctx.db, event)
    return PasswordResetErrors.IDENTITY_RESET_TOKEN_INVALID()
  }
  // Reset tokens have the session token's form; anything else is not worth a database query.
  if (!looksLikeSessionToken(input.token)) throw await invalid(null, undefined, 'invalid_token')
  const tokenHash = hashToken(input.token)
  const found = await withTenantByResetToken(ctx.db, tokenHash, async (trx, tenantId) =>
    tenantId ? { tenantId, account: await findOpenToken(trx, tenantId, tokenHash) } : null,
  )
  if (!found?.account) throw await invalid(found?.tenantId ?? null, undefined, 'invalid_token')
  const { tenantId, account } = found
  if (account.expires_at.getTime() <= Date.now()) {
    throw await invalid(tenantId, account.user_id, 'token_expired')
  }
  if (account.user_status !== 'active') {
    throw await invalid(tenantId, account.user_id, 'user_inactive')
  }
  // IAM-2: the same policy as sign-up; the slow hash runs before the transaction opens.
  assertAcceptablePassword(input.newPassword, [
    account.email,
    account.tenant_name,
    account.tenant_slug,
  ])
  const passwordHash = await hashPassword(input.newPassword)
  const done = await withTenant(ctx.db, tenantId, async (trx) => {
    const token = await consumeToken(trx, tenantId, tokenHash)
    // Another confirmation with this token won the race, or the token expired meanwhile.
    if (!token) return false
    const userId = token.user_id
    if (!(await setPasswordHash(trx, tenantId, userId, passwordHash))) return false
    await revokeOpenTokens(trx, 'password_reset_tokens', tenantId, userId)
    // IAM-3: the guessed-at password is gone, so its lock goes too: proving the mailbox is what
    // lets a user locked out by someone else's guesses back in.
    await clearFailures(trx, tenantId, { kind: 'account', userId })
    const actor = { type: 'user', id: userId } as const
    // IAM-6: every session ends in this transaction: whoever held one is out at once.
    await revokeUserSessions(trx, tenantId, userId, { reason: 'password_reset', actor, meta })
    await recordEvent(trx, tenantId, resetEvent('password_reset.complete', 'success', userId, meta))
    await queueMail(
      trx,
      tenantId,
      passwordChangedMail(account.email, account.tenant_name, new Date(), meta.ip),
    )
    return true
  })
  if (!done) throw await invalid(tenantId, account.user_id, 'token_used')
}
