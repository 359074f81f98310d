// AUTHZ-3: kiosk links. A holder of data.manage makes a public, read-only link to some of the
// organisation's dashboards, optionally expiring and restricted to CIDR ranges, and may revoke it
// (refused from the very next request: nothing is cached). The token (256 random bits after
// `kl_`) is shown once; only its SHA-256 is stored, found through a SECURITY DEFINER gateway and
// compared again in constant time. A view shows only the dashboards' widget results, already
// small-group suppressed (never a record), and is recorded in the organisation's log.
// Failed guesses are throttled and blocked per client (kiosk-links.throttle.ts).
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { isUuid, withAppRole, withTenant, withTenantByKioskToken } from '../../db/tenant.ts'
import { UNSAFE_TEXT } from '../../http/schemas.ts'
import { eventOrigin, recordEvent } from '../audit/audit.service.ts'
import { existingDashboardIds } from '../data/dashboards.repository.ts'
import { computeDashboards, type DashboardResults } from '../data/dashboards.service.ts'
import { actorOf, type Principal } from '../identity/sessions.service.ts'
import { hashToken } from '../identity/tokens.ts'
import { addressAllowed, type CidrRange, parseCidr } from './ip-allowlist.cidr.ts'
import { KioskErrors } from './kiosk-links.errors.ts'
import {
  countLiveKioskLinks,
  findKioskLink,
  findLiveKioskLinkByHash,
  insertKioskLink,
  type KioskLinkWithDashboards,
  kioskLinkDashboards,
  listKioskLinks as listKioskLinkRows,
  lockKioskCreation,
  revokeKioskLink as revokeKioskLinkRow,
  touchKioskLink,
} from './kiosk-links.repository.ts'
import { admitAttempt, countFailure, giveBack } from './kiosk-links.throttle.ts'
import { assertCan } from './permissions.ts'

export const KIOSK_TOKEN_PREFIX = 'kl_'
export const MAX_LIVE_LINKS_PER_TENANT = 100
export const MAX_DASHBOARDS_PER_LINK = 20
export const MAX_LINK_NAME_LENGTH = 100
export const MAX_LINK_CIDRS = 100
export const MAX_LIST_LIMIT = 200
const MAX_EXPIRY_MS = 5 * 366 * 86_400_000
/** How often the page reloads when it shows no dashboard to take the interval from. */
const DEFAULT_REFRESH_SECONDS = 300

export interface KioskLink {
  id: string
  name: string
  prefix: string
  dashboardIds: string[]
  ipAllowlist: string[]
  createdBy: string | null
  createdAt: string
  expiresAt: string | null
  revokedAt: string | null
  lastViewedAt: string | null
  status: 'active' | 'expired' | 'revoked'
}

export interface KioskLinkInput {
  name: string
  dashboardIds: string[]
  expiresAt?: string | undefined
  ipAllowlist?: string[] | undefined
}

export interface KioskView {
  link: { id: string; name: string }
  refreshSeconds: number
  generatedAt: string
  dashboards: DashboardResults[]
}

/** `kl_` and 43 base64url characters: anything else is a failed guess without a query. */
function looksLikeKioskToken(value: string): boolean {
  return /^kl_[A-Za-z0-9_-]{43}$/.test(value)
}

function toKioskLink(row: KioskLinkWithDashboards, now = Date.now()): KioskLink {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    dashboardIds: row.dashboard_ids,
    ipAllowlist: row.ip_allowlist,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    lastViewedAt: row.last_viewed_at?.toISOString() ?? null,
    status: row.revoked_at
      ? 'revoked'
      : row.expires_at && row.expires_at.getTime() <= now
        ? 'expired'
        : 'active',
  }
}

function checkName(input: string): string {
  const name = input.trim().normalize('NFC')
  const length = [...name].length
  if (length < 1 || length > MAX_LINK_NAME_LENGTH || UNSAFE_TEXT.test(name)) {
    throw KioskErrors.ACCESS_KIOSK_NAME_INVALID()
  }
  return name
}

function checkDashboardIds(ids: readonly string[]): string[] {
  if (ids.length < 1 || ids.length > MAX_DASHBOARDS_PER_LINK || new Set(ids).size !== ids.length) {
    throw KioskErrors.ACCESS_KIOSK_DASHBOARDS_INVALID()
  }
  return [...ids]
}

function checkExpiry(input: string | undefined): Date | null {
  if (input === undefined) return null
  const at = new Date(input)
  const now = Date.now()
  if (Number.isNaN(at.getTime()) || at.getTime() <= now || at.getTime() > now + MAX_EXPIRY_MS) {
    throw KioskErrors.ACCESS_KIOSK_EXPIRY_INVALID()
  }
  return at
}

/** IAM-8 ranges, normalised; the first bad or repeated one is named by its index. */
function checkCidrs(entries: readonly string[] | undefined): string[] {
  if (!entries) return []
  if (entries.length > MAX_LINK_CIDRS) {
    throw KioskErrors.ACCESS_KIOSK_CIDR_INVALID(`At most ${MAX_LINK_CIDRS} entries`)
  }
  const seen = new Set<string>()
  for (const [index, entry] of entries.entries()) {
    const range = parseCidr(entry)
    if (!range || seen.has(range.text)) {
      throw KioskErrors.ACCESS_KIOSK_CIDR_INVALID(undefined, { index })
    }
    seen.add(range.text)
  }
  return [...seen]
}

/** Stored ranges let `ip` in; a stored range that no longer parses lets nobody in. */
function linkAllows(stored: readonly string[], ip: string): boolean {
  if (stored.length === 0) return true
  const ranges = stored.map(parseCidr)
  if (ranges.some((r) => r === null)) return false
  return addressAllowed(ranges as CidrRange[], ip)
}

export async function createKioskLink(
  ctx: ServiceContext,
  principal: Principal,
  input: KioskLinkInput,
  meta: RequestMeta,
): Promise<{ kioskLink: KioskLink; token: string; url: string }> {
  assertCan(principal, 'data.manage')
  const name = checkName(input.name)
  const dashboardIds = checkDashboardIds(input.dashboardIds)
  const expiresAt = checkExpiry(input.expiresAt)
  const ipAllowlist = checkCidrs(input.ipAllowlist)
  const token = `${KIOSK_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`
  const { tenantId } = principal
  const row = await withTenant(ctx.db, tenantId, async (trx) => {
    // AUTHZ-5: another organisation's dashboard is not found, exactly like one that never was.
    const existing = new Set(await existingDashboardIds(trx, tenantId, dashboardIds))
    const missing = dashboardIds.findIndex((id) => !existing.has(id))
    if (missing >= 0)
      throw KioskErrors.ACCESS_KIOSK_DASHBOARD_NOT_FOUND(undefined, { index: missing })
    // The cap is counted under a per-organisation lock: parallel creates cannot pass it.
    await lockKioskCreation(trx, tenantId)
    if ((await countLiveKioskLinks(trx, tenantId)) >= MAX_LIVE_LINKS_PER_TENANT) {
      throw KioskErrors.ACCESS_KIOSK_LIMIT_REACHED(undefined, { limit: MAX_LIVE_LINKS_PER_TENANT })
    }
    const id = randomUUID()
    await insertKioskLink(
      trx,
      {
        id,
        tenant_id: tenantId,
        name,
        prefix: token.slice(0, KIOSK_TOKEN_PREFIX.length + 8),
        token_hash: hashToken(token),
        ip_allowlist: ipAllowlist,
        created_by: principal.userId,
        expires_at: expiresAt,
        revoked_at: null,
        revoked_by: null,
        last_viewed_at: null,
      },
      dashboardIds,
    )
    await recordEvent(trx, tenantId, {
      category: 'data',
      action: 'kiosk_link.create',
      outcome: 'success',
      actor: actorOf(principal),
      target: { type: 'kiosk_link', id },
      ...eventOrigin(meta),
    })
    const created = await findKioskLink(trx, tenantId, id)
    if (!created) throw KioskErrors.ACCESS_KIOSK_LINK_NOT_FOUND()
    return created
  })
  const url = new URL(`/kiosk/${token}`, ctx.config.publicUrl).toString()
  return { kioskLink: toKioskLink(row), token, url }
}

export async function listKioskLinks(
  ctx: ServiceContext,
  principal: Principal,
  limit: number,
): Promise<KioskLink[]> {
  assertCan(principal, 'data.manage')
  const { tenantId } = principal
  const rows = await withTenant(ctx.db, tenantId, (trx) => listKioskLinkRows(trx, tenantId, limit))
  return rows.map((row) => toKioskLink(row))
}

export async function getKioskLink(
  ctx: ServiceContext,
  principal: Principal,
  linkId: string,
): Promise<KioskLink> {
  assertCan(principal, 'data.manage')
  if (!isUuid(linkId)) throw KioskErrors.ACCESS_KIOSK_LINK_NOT_FOUND()
  const { tenantId } = principal
  const row = await withTenant(ctx.db, tenantId, (trx) => findKioskLink(trx, tenantId, linkId))
  if (!row) throw KioskErrors.ACCESS_KIOSK_LINK_NOT_FOUND()
  return toKioskLink(row)
}

/** Revokes the link: the next request with its token is refused. Revoking twice is harmless. */
export async function revokeKioskLink(
  ctx: ServiceContext,
  principal: Principal,
  linkId: string,
  meta: RequestMeta,
): Promise<KioskLink> {
  assertCan(principal, 'data.manage')
  if (!isUuid(linkId)) throw KioskErrors.ACCESS_KIOSK_LINK_NOT_FOUND()
  const { tenantId } = principal
  const row = await withTenant(ctx.db, tenantId, async (trx) => {
    if (!(await findKioskLink(trx, tenantId, linkId)))
      throw KioskErrors.ACCESS_KIOSK_LINK_NOT_FOUND()
    if (await revokeKioskLinkRow(trx, tenantId, linkId, principal.userId)) {
      await recordEvent(trx, tenantId, {
        category: 'data',
        action: 'kiosk_link.revoke',
        outcome: 'success',
        actor: actorOf(principal),
        target: { type: 'kiosk_link', id: linkId },
        ...eventOrigin(meta),
      })
    }
    return findKioskLink(trx, tenantId, linkId)
  })
  if (!row) throw KioskErrors.ACCESS_KIOSK_LINK_NOT_FOUND()
  return toKioskLink(row)
}

/** Constant-time equality of two hex SHA-256 digests. */
function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex')
  const y = Buffer.from(b, 'hex')
  return x.length === 32 && y.length === 32 && timingSafeEqual(x, y)
}

/**
 * What the holder of a kiosk token sees: the link's dashboards' results. A token that is unknown,
 * revoked, expired or not allowed from this address is a failed guess (ACCESS_KIOSK_NOT_FOUND,
 * counted); a throttled or blocked client is refused before any token is looked at.
 */
export async function viewKiosk(
  ctx: ServiceContext,
  token: string,
  meta: RequestMeta,
): Promise<KioskView> {
  const attempt = await admitAttempt(ctx, meta)
  let view: KioskView | null
  try {
    view = looksLikeKioskToken(token) ? await lookUp(ctx, token, attempt.client, meta) : null
  } catch (err) {
    // A failure while the page was made (its transaction rolled back, the give-back with it) is
    // no guess: a screen whose figures cannot be computed must not get its own address blocked.
    await withAppRole(ctx.db.db, ctx.db.appRole, (trx) => giveBack(trx, attempt.client))
    throw err
  }
  if (!view) {
    await countFailure(ctx, attempt.client, attempt.failures, meta)
    throw KioskErrors.ACCESS_KIOSK_NOT_FOUND()
  }
  return view
}

/**
 * The view for a well-formed token, or null. In the link's tenant transaction: the link by hash
 * (compared again in constant time), the address check (a refusal is recorded in the
 * organisation's log), the results, the view's own audit event, and the attempt given back.
 */
async function lookUp(
  ctx: ServiceContext,
  token: string,
  client: string,
  meta: RequestMeta,
): Promise<KioskView | null> {
  const tokenHash = hashToken(token)
  return withTenantByKioskToken(ctx.db, tokenHash, async (trx, tenantId) => {
    if (!tenantId) return null
    const row = await findLiveKioskLinkByHash(trx, tenantId, tokenHash)
    if (!row || !sameHash(row.token_hash, tokenHash)) return null
    const event = {
      category: 'data',
      action: 'kiosk_link.view',
      actor: { type: 'anonymous' },
      target: { type: 'kiosk_link', id: row.id },
      ...eventOrigin(meta),
    } as const
    if (!linkAllows(row.ip_allowlist, meta.ip)) {
      await recordEvent(trx, tenantId, { ...event, outcome: 'failure', reason: 'ip_not_allowed' })
      return null
    }
    const dashboards = await computeDashboards(
      ctx,
      trx,
      tenantId,
      await kioskLinkDashboards(trx, tenantId, row.id),
    )
    // A kiosk page reloads itself all day: the link is marked viewed at most once a minute.
    if (!row.last_viewed_at || Date.now() - row.last_viewed_at.getTime() >= 60_000) {
      await touchKioskLink(trx, tenantId, row.id)
    }
    await recordEvent(trx, tenantId, { ...event, outcome: 'success' })
    await giveBack(trx, client)
    return {
      link: { id: row.id, name: row.name },
      refreshSeconds:
        dashboards.length > 0
          ? Math.min(...dashboards.map((d) => d.refreshSeconds))
          : DEFAULT_REFRESH_SECONDS,
      generatedAt: new Date().toISOString(),
      dashboards,
    }
  })
}
