// IAM-6 sessions: every request's authentication, and sign-out. Sign-in is in sign-in/.
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { withTenant, withTenantBySession } from '../../db/tenant.ts'
import { type Permission, permissionsOfRole } from '../access/permissions.ts'
import { eventOrigin, recordEvent } from '../audit/audit.service.ts'
import { secondFactorsOf } from '../mfa/factors.ts'
import { findPrincipal, revokeSession, touchSession } from './sessions.repository.ts'
import type { SessionScope } from './sessions.table.ts'
import { hashToken, looksLikeSessionToken } from './tokens.ts'
import type { UserRole } from './users.table.ts'

/** last_seen_at is written at most this often, so reads stay reads. */
const TOUCH_INTERVAL_MS = 60_000

/** What every authenticated caller has, however it proved who it is. */
interface CallerBase {
  tenantId: string
  userId: string
  role: UserRole
  email: string
  /** IAM-1: whether the address was proven by following a link sent to it. */
  emailVerified: boolean
  tenant: { slug: string; name: string; region: string }
  /** IAM-8: the organisation's IP allowlist ranges as stored, read with the credential. */
  ipAllowlist: string[]
  /** AUTHZ-1: what the caller may do; for an API key, its scope within the user's role. */
  permissions: ReadonlySet<Permission>
}

/** A signed-in user: a session, from the cookie or a bearer token. */
export interface SessionPrincipal extends CallerBase {
  via: 'session'
  sessionId: string
  expiresAt: Date
  /** IAM-4: `mfa_enrolment` sessions reach second-factor enrolment only. */
  scope: SessionScope
  /** IAM-6: the last sign-in or step-up, for changes that need a fresh one. */
  authenticatedAt: Date
  /** The raw token, kept for the request only: the CSRF token derives from it. */
  token: string
}

/** IAM-9: a program acting for a user with an API key; it reaches permissioned routes only. */
export interface ApiKeyPrincipal extends CallerBase {
  via: 'api_key'
  apiKeyId: string
}

export type Principal = SessionPrincipal | ApiKeyPrincipal

/** The audit actor of a request: the user, or the API key acting for them. */
export function actorOf(principal: Principal): { type: 'user' | 'api_key'; id: string } {
  return principal.via === 'api_key'
    ? { type: 'api_key', id: principal.apiKeyId }
    : { type: 'user', id: principal.userId }
}

/**
 * Resolves a presented token to a principal, enforcing revocation and both timeouts on the
 * server at every request; nothing is cached, so a revoked session fails at once.
 */
export async function authenticate(
  ctx: ServiceContext,
  token: string,
): Promise<SessionPrincipal | null> {
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
    // IAM-4: an enrolment-only session proved the password alone. Once the user has a second
    // factor (enrolled from another session), it must not be the way around it: sign in again.
    if (
      row.scope === 'mfa_enrolment' &&
      (await secondFactorsOf(trx, tenantId, row.user_id)).length
    ) {
      await revokeSession(trx, tenantId, row.session_id, 'mfa-enrolled-elsewhere')
      await recordEvent(trx, tenantId, {
        category: 'iam',
        action: 'session.revoke',
        outcome: 'success',
        reason: 'mfa_enrolled_elsewhere',
        actor: { type: 'system' },
        target: { type: 'session', id: row.session_id },
      })
      return null
    }
    if (now - row.last_seen_at.getTime() >= TOUCH_INTERVAL_MS) {
      await touchSession(trx, tenantId, row.session_id)
    }
    return {
      via: 'session',
      tenantId,
      userId: row.user_id,
      sessionId: row.session_id,
      role: row.role,
      email: row.email,
      emailVerified: row.email_verified_at !== null,
      tenant: { slug: row.tenant_slug, name: row.tenant_name, region: row.tenant_region },
      expiresAt: row.expires_at,
      scope: row.scope,
      authenticatedAt: row.authenticated_at,
      ipAllowlist: row.ip_allowlist,
      permissions: permissionsOfRole(row.role),
      token,
    }
  })
}

export async function signOut(
  ctx: ServiceContext,
  principal: SessionPrincipal,
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
