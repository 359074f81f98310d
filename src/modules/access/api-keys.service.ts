// IAM-9: API keys. A key acts for the user who made it, within a scope chosen from that user's
// permissions; its effective permissions are the scope intersected with what the user's role
// grants now, so demoting or deactivating the user shrinks or stops every key at once. The key
// (256 random bits after `rk_`) is shown once; only its SHA-256 is stored. Keys reach only routes
// that name a permission (see http/session-auth.ts): nothing that acts on a session or account.
import { randomBytes, randomUUID } from 'node:crypto'
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { type Trx, withTenant, withTenantByApiKey } from '../../db/tenant.ts'
import { UNSAFE_TEXT } from '../../http/schemas.ts'
import { eventOrigin, recordEvent } from '../audit/audit.service.ts'
import type { AuditEvent } from '../audit/events.ts'
import {
  type ApiKeyPrincipal,
  actorOf,
  type Principal,
  type SessionPrincipal,
} from '../identity/sessions.service.ts'
import { hashToken } from '../identity/tokens.ts'
import {
  findApiKey,
  findApiKeyPrincipal,
  insertApiKey,
  listApiKeys,
  lockUserAndCountLiveKeys,
  revokeApiKey,
  revokeLiveKeysOfUser,
  touchApiKey,
} from './api-keys.repository.ts'
import type { ApiKeyRow } from './api-keys.table.ts'
import { AccessErrors } from './errors.ts'
import { assertCan, isPermission, type Permission, permissionsOfRole } from './permissions.ts'

export const API_KEY_PREFIX = 'rk_'
export const MAX_LIVE_KEYS_PER_USER = 50
export const DEFAULT_EXPIRY_DAYS = 90
export const MAX_EXPIRY_DAYS = 365
export const MAX_KEY_NAME_LENGTH = 100
/** last_used_at is written at most this often, so a busy key's requests stay reads. */
const TOUCH_INTERVAL_MS = 60_000
const DAY_MS = 24 * 60 * 60 * 1000
/**
 * Permissions a key never carries, whatever its creator holds: making, unmaking, deactivating or
 * removing owners is done by a person in a session (IAM-7), so a leaked key cannot take over an
 * organisation or lock its owners out.
 */
export const NOT_FOR_API_KEYS: ReadonlySet<Permission> = new Set<Permission>(['owners.manage'])

export interface ApiKey {
  id: string
  name: string
  prefix: string
  userId: string
  permissions: string[]
  createdAt: string
  expiresAt: string
  lastUsedAt: string | null
  lastUsedIp: string | null
  revokedAt: string | null
  status: 'active' | 'expired' | 'revoked'
}

export interface NewApiKeyInput {
  name: string
  permissions: string[]
  expiresInDays?: number | undefined
}

/** `rk_` and 43 base64url characters: anything else is not worth a database query. */
function looksLikeApiKey(value: string): boolean {
  return /^rk_[A-Za-z0-9_-]{43}$/.test(value)
}

function toApiKey(row: ApiKeyRow, now = Date.now()): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    userId: row.user_id,
    permissions: row.permissions,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    lastUsedIp: row.last_used_ip,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    status: row.revoked_at ? 'revoked' : row.expires_at.getTime() <= now ? 'expired' : 'active',
  }
}

/** The principal of a live key, or null: unknown, revoked, expired, user inactive, tenant gone. */
export async function authenticateApiKey(
  ctx: ServiceContext,
  token: string,
  ip: string,
): Promise<ApiKeyPrincipal | null> {
  if (!looksLikeApiKey(token)) return null
  const tokenHash = hashToken(token)
  return withTenantByApiKey(ctx.db, tokenHash, async (trx, tenantId) => {
    if (!tenantId) return null
    const row = await findApiKeyPrincipal(trx, tenantId, tokenHash)
    if (row?.user_status !== 'active' || row.tenant_status !== 'active') return null
    const lastUsed = row.last_used_at?.getTime() ?? 0
    if (Date.now() - lastUsed >= TOUCH_INTERVAL_MS) await touchApiKey(trx, tenantId, row.key_id, ip)
    const ofRole = permissionsOfRole(row.role)
    const permissions = new Set<Permission>(
      row.permissions.filter(
        (p): p is Permission => isPermission(p) && ofRole.has(p) && !NOT_FOR_API_KEYS.has(p),
      ),
    )
    return {
      via: 'api_key',
      apiKeyId: row.key_id,
      tenantId,
      userId: row.user_id,
      role: row.role,
      email: row.email,
      emailVerified: row.email_verified_at !== null,
      tenant: { slug: row.tenant_slug, name: row.tenant_name, region: row.tenant_region },
      ipAllowlist: row.ip_allowlist,
      permissions,
    }
  })
}

function validName(name: string): string {
  const trimmed = name.normalize('NFC').trim()
  if (!trimmed || [...trimmed].length > MAX_KEY_NAME_LENGTH || UNSAFE_TEXT.test(trimmed)) {
    throw AccessErrors.ACCESS_API_KEY_NAME_INVALID()
  }
  return trimmed
}

/** The scope, checked: known permissions a key may carry, no repeats, none the creator lacks. */
function validScope(principal: SessionPrincipal, requested: readonly string[]): Permission[] {
  const unknown = requested.filter((p) => !isPermission(p) || NOT_FOR_API_KEYS.has(p))
  if (unknown.length || requested.length === 0 || new Set(requested).size !== requested.length) {
    throw AccessErrors.ACCESS_API_KEY_SCOPE_INVALID(undefined, { unknown })
  }
  const scope = requested as Permission[]
  const beyond = scope.filter((p) => !principal.permissions.has(p))
  if (beyond.length) throw AccessErrors.ACCESS_API_KEY_SCOPE_EXCEEDS_ROLE(undefined, { beyond })
  return scope
}

export async function createApiKey(
  ctx: ServiceContext,
  principal: SessionPrincipal,
  input: NewApiKeyInput,
  meta: RequestMeta,
): Promise<{ apiKey: ApiKey; key: string }> {
  assertCan(principal, 'api_keys.create')
  const name = validName(input.name)
  const scope = validScope(principal, input.permissions)
  const days = input.expiresInDays ?? DEFAULT_EXPIRY_DAYS
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`
  const { tenantId, userId } = principal
  const row = await withTenant(ctx.db, tenantId, async (trx) => {
    if ((await lockUserAndCountLiveKeys(trx, tenantId, userId)) >= MAX_LIVE_KEYS_PER_USER) {
      throw AccessErrors.ACCESS_API_KEY_LIMIT()
    }
    const created = await insertApiKey(trx, {
      id: randomUUID(),
      tenant_id: tenantId,
      user_id: userId,
      name,
      prefix: key.slice(0, API_KEY_PREFIX.length + 8),
      token_hash: hashToken(key),
      permissions: scope,
      expires_at: new Date(Date.now() + days * DAY_MS),
      last_used_at: null,
      last_used_ip: null,
      revoked_at: null,
      revoked_by: null,
    })
    await recordEvent(trx, tenantId, {
      category: 'iam',
      action: 'api_key.create',
      outcome: 'success',
      actor: { type: 'user', id: userId },
      target: { type: 'api_key', id: created.id },
      ...eventOrigin(meta),
    })
    return created
  })
  return { apiKey: toApiKey(row), key }
}

export const MAX_LIST_LIMIT = 200

export async function listMyApiKeys(
  ctx: ServiceContext,
  principal: SessionPrincipal,
  limit: number,
): Promise<ApiKey[]> {
  const rows = await withTenant(ctx.db, principal.tenantId, (trx) =>
    listApiKeys(trx, principal.tenantId, { userId: principal.userId }, limit),
  )
  return rows.map((row) => toApiKey(row))
}

export async function listTenantApiKeys(
  ctx: ServiceContext,
  principal: Principal,
  filter: { userId?: string | undefined },
  limit: number,
): Promise<ApiKey[]> {
  assertCan(principal, 'api_keys.manage')
  const rows = await withTenant(ctx.db, principal.tenantId, (trx) =>
    listApiKeys(trx, principal.tenantId, filter.userId ? { userId: filter.userId } : {}, limit),
  )
  return rows.map((row) => toApiKey(row))
}

/**
 * Revokes a key: the caller's own (`scope: 'own'`), or anyone's with api_keys.manage. Another
 * user's key looks missing to a caller without the permission, and another tenant's to everyone.
 */
export async function revokeKey(
  ctx: ServiceContext,
  principal: Principal,
  keyId: string,
  scope: 'own' | 'any',
  meta: RequestMeta,
): Promise<ApiKey> {
  if (scope === 'any') assertCan(principal, 'api_keys.manage')
  const { tenantId } = principal
  return withTenant(ctx.db, tenantId, async (trx) => {
    const row = await findApiKey(trx, tenantId, keyId)
    if (!row || (scope === 'own' && row.user_id !== principal.userId)) {
      throw AccessErrors.ACCESS_API_KEY_NOT_FOUND()
    }
    if (await revokeApiKey(trx, tenantId, keyId, principal.userId)) {
      await recordEvent(trx, tenantId, {
        category: 'iam',
        action: 'api_key.revoke',
        outcome: 'success',
        reason: row.user_id === principal.userId ? 'by_holder' : 'by_admin',
        actor: actorOf(principal),
        target: { type: 'api_key', id: keyId },
        ...eventOrigin(meta),
      })
    }
    const after = await findApiKey(trx, tenantId, keyId)
    if (!after) throw AccessErrors.ACCESS_API_KEY_NOT_FOUND()
    return toApiKey(after)
  })
}

/**
 * IAM-6, IAM-9: revokes every live key of a user who is being cut off (deactivated, revoked by an
 * access review), in the caller's transaction, one audit event per key. Revoked, not hidden: a
 * key must not come back to life when the account is reactivated.
 */
export async function revokeKeysOfUser(
  trx: Trx,
  tenantId: string,
  userId: string,
  how: { actor: AuditEvent['actor']; meta: RequestMeta; reason: string },
): Promise<number> {
  const revokedBy = how.actor.type === 'user' ? (how.actor.id ?? null) : null
  const ids = await revokeLiveKeysOfUser(trx, tenantId, userId, revokedBy)
  for (const id of ids) {
    await recordEvent(trx, tenantId, {
      category: 'iam',
      action: 'api_key.revoke',
      outcome: 'success',
      reason: how.reason,
      actor: how.actor,
      target: { type: 'api_key', id },
      ...eventOrigin(how.meta),
    })
  }
  return ids.length
}
