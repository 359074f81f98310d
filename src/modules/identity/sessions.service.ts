// IAM-6 sessions and the password sign-in of IAM-1/IAM-2/IAM-3.
import { randomUUID } from 'node:crypto'
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { withTenant, withTenantBySession, withTenantBySlug } from '../../db/tenant.ts'
import {
  eventOrigin,
  recordEvent,
  recordEventAlone,
  recordPlatformEvent,
} from '../audit/audit.service.ts'
import { type AuditEvent, PLATFORM_LOG } from '../audit/events.ts'
import { normalizeEmail } from './emails.ts'
import { IdentityErrors } from './errors.ts'
import { burnVerification, hashPassword, needsRehash, verifyPassword } from './passwords.ts'
import { findPrincipal, insertSession, revokeSession, touchSession } from './sessions.repository.ts'
import { hashToken, looksLikeSessionToken, newSessionToken } from './tokens.ts'
import { findUserByEmail, recordSignIn } from './users.repository.ts'
import type { UserRole } from './users.table.ts'

/** last_seen_at is written at most this often, so reads stay reads. */
const TOUCH_INTERVAL_MS = 60_000

export interface Principal {
  tenantId: string
  userId: string
  sessionId: string
  role: UserRole
  email: string
  tenant: { slug: string; name: string; region: string }
  expiresAt: Date
  /** The raw token, kept for the request only: the CSRF token derives from it. */
  token: string
}

export interface SignInInput {
  tenant: string
  email: string
  password: string
}

export interface IssuedSession {
  token: string
  sessionId: string
  expiresAt: Date
}

export async function signIn(
  ctx: ServiceContext,
  input: SignInInput,
  meta: RequestMeta,
): Promise<IssuedSession> {
  const emailNormalized = normalizeEmail(input.email)
  // Look-up and verification are apart so the slow hash never holds a transaction open.
  const found = await withTenantBySlug(ctx.db, input.tenant, async (trx, tenantId) => {
    // IAM-3: the look-up runs for an unknown organisation too (it finds nothing under row-level
    // security), so the time taken does not tell whether the organisation exists.
    const user = await findUserByEmail(trx, tenantId ?? PLATFORM_LOG, emailNormalized)
    return tenantId ? { tenantId, user } : null
  })
  const user = found?.user
  const origin = eventOrigin(meta)
  // LOG-1: every refusal is recorded, in the organisation's log when there is one, else in the
  // platform's; the caller gets the same answer whatever the reason (IAM-3).
  const refuse = async (reason: string) => {
    const event: AuditEvent = {
      category: 'iam',
      action: 'session.create',
      outcome: 'failure',
      reason,
      actor: user ? { type: 'user', id: user.id } : { type: 'anonymous' },
      ...origin,
    }
    if (found) await recordEventAlone(ctx.db, found.tenantId, event)
    else await recordPlatformEvent(ctx.db, event)
    return IdentityErrors.IDENTITY_INVALID_CREDENTIALS()
  }
  if (!found || !user || user.status !== 'active' || !user.password_hash) {
    // IAM-3: same work as a wrong password.
    await burnVerification(input.password)
    throw await refuse(!found ? 'unknown_tenant' : !user ? 'unknown_user' : 'user_inactive')
  }
  if (!(await verifyPassword(user.password_hash, input.password))) {
    throw await refuse('invalid_password')
  }
  // IAM-2: a hash made with weaker parameters is replaced while the password is at hand.
  const rehashed = needsRehash(user.password_hash) ? await hashPassword(input.password) : null

  const token = newSessionToken()
  const expiresAt = new Date(Date.now() + ctx.config.session.absoluteTimeoutSeconds * 1000)
  const session = await withTenant(ctx.db, found.tenantId, async (trx) => {
    await recordSignIn(trx, found.tenantId, user.id, rehashed)
    const session = await insertSession(trx, {
      id: randomUUID(),
      tenant_id: found.tenantId,
      user_id: user.id,
      token_hash: hashToken(token),
      expires_at: expiresAt,
      ip: meta.ip,
      user_agent: meta.userAgent?.slice(0, 512) ?? null,
      revoked_at: null,
      revoked_reason: null,
    })
    await recordEvent(trx, found.tenantId, {
      category: 'iam',
      action: 'session.create',
      outcome: 'success',
      actor: { type: 'user', id: user.id },
      target: { type: 'session', id: session.id },
      ...(rehashed ? { fields: ['password_hash'] } : {}),
      ...origin,
    })
    return session
  })
  return { token, sessionId: session.id, expiresAt }
}

/**
 * Resolves a presented token to a principal, enforcing revocation and both timeouts on the
 * server at every request; nothing is cached, so a revoked session fails at once.
 */
export async function authenticate(ctx: ServiceContext, token: string): Promise<Principal | null> {
  if (!looksLikeSessionToken(token)) return null
  const tokenHash = hashToken(token)
  return withTenantBySession(ctx.db, tokenHash, async (trx, tenantId) => {
    if (!tenantId) return null
    const row = await findPrincipal(trx, tenantId, tokenHash)
    if (row?.user_status !== 'active' || row.tenant_status !== 'active') return null
    const now = Date.now()
    const idleLimitMs = ctx.config.session.idleTimeoutSeconds * 1000
    const expired =
      row.expires_at.getTime() <= now
        ? 'absolute-timeout'
        : row.last_seen_at.getTime() + idleLimitMs <= now
          ? 'idle-timeout'
          : null
    if (expired) {
      await revokeSession(trx, tenantId, row.session_id, expired)
      await recordEvent(trx, tenantId, {
        category: 'iam',
        action: 'session.expire',
        outcome: 'success',
        reason: expired.replace('-', '_'),
        actor: { type: 'system' },
        target: { type: 'session', id: row.session_id },
      })
      return null
    }
    if (now - row.last_seen_at.getTime() >= TOUCH_INTERVAL_MS) {
      await touchSession(trx, tenantId, row.session_id)
    }
    return {
      tenantId,
      userId: row.user_id,
      sessionId: row.session_id,
      role: row.role,
      email: row.email,
      tenant: { slug: row.tenant_slug, name: row.tenant_name, region: row.tenant_region },
      expiresAt: row.expires_at,
      token,
    }
  })
}

export async function signOut(
  ctx: ServiceContext,
  principal: Principal,
  meta: RequestMeta,
): Promise<void> {
  await withTenant(ctx.db, principal.tenantId, async (trx) => {
    await revokeSession(trx, principal.tenantId, principal.sessionId, 'sign-out')
    await recordEvent(trx, principal.tenantId, {
      category: 'iam',
      action: 'session.revoke',
      outcome: 'success',
      reason: 'sign_out',
      actor: { type: 'user', id: principal.userId },
      target: { type: 'session', id: principal.sessionId },
      ...eventOrigin(meta),
    })
  })
}
