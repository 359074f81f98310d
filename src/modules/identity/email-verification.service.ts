// IAM-1, IAM-6: an address becomes a user's only by following a link sent to it. A change of
// address needs a recent authentication, takes effect only when the new address is confirmed, and
// is announced to the old one both when asked for and when done. Tokens: 256 random bits, stored
// as SHA-256 only, single use, 24 hours, a newer link voids the older ones, at most 3 mails an
// hour per user. LOG-1: requests and changes are audited with ids and field names only.
import { randomUUID } from 'node:crypto'
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { isUniqueViolation } from '../../db/errors.ts'
import { withTenant, withTenantByEmailToken } from '../../db/tenant.ts'
import { AppError } from '../../http/errors.ts'
import {
  eventOrigin,
  recordEvent,
  recordEventAlone,
  recordPlatformEvent,
} from '../audit/audit.service.ts'
import { queueMail } from '../mail/mail.service.ts'
import { findTenantSettings } from '../tenants/mfa-policy.repository.ts'
import { EmailErrors } from './email-verification.errors.ts'
import {
  consumeEmailToken,
  emailTakenByOther,
  findEmailState,
  insertEmailToken,
  setVerifiedEmail,
} from './email-verification.repository.ts'
import { normalizeEmail } from './emails.ts'
import { countRecentTokens, revokeOpenTokens } from './mailed-tokens.repository.ts'
import { emailChangeNoticeMail, verifyEmailLink, verifyEmailMail } from './notices.mails.ts'
import type { SessionPrincipal } from './sessions.service.ts'
import { hashToken, looksLikeSessionToken, newSessionToken } from './tokens.ts'

const TOKEN_TTL_SECONDS = 24 * 60 * 60
const MAX_PER_HOUR = 3

/** Queues a link to `email` for the principal, voiding older links; audited. */
async function sendLink(
  ctx: ServiceContext,
  principal: SessionPrincipal,
  email: string,
  change: boolean,
  meta: RequestMeta,
): Promise<void> {
  const { tenantId, userId } = principal
  await withTenant(ctx.db, tenantId, async (trx) => {
    if (
      (await countRecentTokens(trx, 'email_verification_tokens', tenantId, userId, 3600)) >=
      MAX_PER_HOUR
    ) {
      throw EmailErrors.IDENTITY_EMAIL_TOO_MANY()
    }
    await revokeOpenTokens(trx, 'email_verification_tokens', tenantId, userId)
    const token = newSessionToken()
    const id = randomUUID()
    await insertEmailToken(trx, {
      id,
      tenant_id: tenantId,
      user_id: userId,
      email,
      token_hash: hashToken(token),
      expires_at: new Date(Date.now() + TOKEN_TTL_SECONDS * 1000),
      used_at: null,
      revoked_at: null,
    })
    const organisation = (await findTenantSettings(trx, tenantId))?.name ?? principal.tenant.name
    const link = verifyEmailLink(ctx.config.publicUrl, token)
    await queueMail(
      trx,
      tenantId,
      verifyEmailMail(email, organisation, link, TOKEN_TTL_SECONDS, change),
    )
    if (change) {
      await queueMail(
        trx,
        tenantId,
        emailChangeNoticeMail(principal.email, organisation, new Date(), false),
      )
    }
    await recordEvent(trx, tenantId, {
      category: 'iam',
      action: change ? 'user.email_change.request' : 'user.email_verification.request',
      outcome: 'success',
      actor: { type: 'user', id: userId },
      target: { type: 'user', id: userId },
      ...eventOrigin(meta),
    })
  })
}

/** Sends a link that verifies the user's current address. */
export async function requestVerification(
  ctx: ServiceContext,
  principal: SessionPrincipal,
  meta: RequestMeta,
): Promise<void> {
  const state = await withTenant(ctx.db, principal.tenantId, (trx) =>
    findEmailState(trx, principal.tenantId, principal.userId),
  )
  if (state?.email_verified_at) throw EmailErrors.IDENTITY_EMAIL_ALREADY_VERIFIED()
  await sendLink(ctx, principal, principal.email, false, meta)
}

/** Asks to move the account to `newEmail`; nothing changes until the new address confirms. */
export async function requestEmailChange(
  ctx: ServiceContext,
  principal: SessionPrincipal,
  newEmail: string,
  meta: RequestMeta,
): Promise<void> {
  if (normalizeEmail(newEmail) === normalizeEmail(principal.email)) {
    throw EmailErrors.IDENTITY_EMAIL_UNCHANGED()
  }
  await sendLink(ctx, principal, newEmail.normalize('NFC'), true, meta)
}

/**
 * Follows a link: verifies the current address, or completes a change to the address the link
 * was sent to. Needs no session: the token is the proof of receipt.
 */
export async function confirmEmailToken(
  ctx: ServiceContext,
  token: string,
  meta: RequestMeta,
): Promise<{ changed: boolean }> {
  const tokenHash = looksLikeSessionToken(token) ? hashToken(token) : null
  // Whose link it was, once known: a refused change is audited in their organisation's log.
  let subject: { tenantId: string; userId: string } | null = null
  const result = tokenHash
    ? await withTenantByEmailToken(ctx.db, tokenHash, async (trx, tenantId) => {
        if (!tenantId) return null
        const used = await consumeEmailToken(trx, tenantId, tokenHash)
        if (!used) return null
        subject = { tenantId, userId: used.user_id }
        const normalized = normalizeEmail(used.email)
        if (await emailTakenByOther(trx, tenantId, used.user_id, normalized)) {
          throw EmailErrors.IDENTITY_EMAIL_TAKEN()
        }
        const previous = await setVerifiedEmail(trx, tenantId, used.user_id, used.email, normalized)
        if (previous === undefined) return null
        const changed = normalizeEmail(previous) !== normalized
        if (changed) {
          // Links already mailed to the old address must not outlive it.
          await revokeOpenTokens(trx, 'password_reset_tokens', tenantId, used.user_id)
          const organisation =
            (await findTenantSettings(trx, tenantId))?.name ?? 'your organisation'
          await queueMail(
            trx,
            tenantId,
            emailChangeNoticeMail(previous, organisation, new Date(), true),
          )
        }
        await recordEvent(trx, tenantId, {
          category: 'iam',
          action: changed ? 'user.email.change' : 'user.email.verify',
          outcome: 'success',
          actor: { type: 'user', id: used.user_id },
          target: { type: 'user', id: used.user_id },
          fields: changed ? ['email', 'email_verified_at'] : ['email_verified_at'],
          ...eventOrigin(meta),
        })
        return { changed }
      }).catch(async (err: unknown) => {
        // Two users confirming one address at the same moment: the unique index decides.
        const conflict = isUniqueViolation(err, 'users_tenant_email_key')
        const taken = conflict || (err instanceof AppError && err.code === 'IDENTITY_EMAIL_TAKEN')
        const refusal = subject as { tenantId: string; userId: string } | null
        if (refusal && taken) {
          await recordEventAlone(ctx.db, refusal.tenantId, {
            category: 'iam',
            action: 'user.email.change',
            outcome: 'failure',
            reason: 'email_taken',
            actor: { type: 'user', id: refusal.userId },
            target: { type: 'user', id: refusal.userId },
            ...eventOrigin(meta),
          })
        }
        if (conflict) throw EmailErrors.IDENTITY_EMAIL_TAKEN()
        throw err
      })
    : null
  if (result) return result
  await recordPlatformEvent(ctx.db, {
    category: 'iam',
    action: 'user.email.verify',
    outcome: 'failure',
    reason: 'invalid_token',
    actor: { type: 'anonymous' },
    ...eventOrigin(meta),
  })
  throw EmailErrors.IDENTITY_EMAIL_TOKEN_INVALID()
}
