// IAM-8: the organisation's IP allowlist. Owners and admins read it and replace it as a whole
// (with a recent authentication, IAM-6); a list that would shut out the saver's own address is
// refused. The check runs on every authenticated request (the list comes with the session's own
// look-up) and at sign-in, read from the database each time: no per-process cache, so a change
// applies at once on every node (AV-3).
import { randomUUID } from 'node:crypto'
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { withTenant } from '../../db/tenant.ts'
import { eventOrigin, recordEvent, recordEventAlone } from '../audit/audit.service.ts'
import { actorOf, type Principal } from '../identity/sessions.service.ts'
import { AccessErrors } from './errors.ts'
import { addressAllowed, type CidrRange, parseCidr } from './ip-allowlist.cidr.ts'
import { listEntries, listRanges, replaceEntries } from './ip-allowlist.repository.ts'
import type { IpAllowlistEntryRow } from './ip-allowlist.table.ts'
import { assertCan } from './permissions.ts'

export const MAX_ALLOWLIST_ENTRIES = 100
export const MAX_LABEL_LENGTH = 64

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/

export interface AllowlistEntryInput {
  cidr: string
  label?: string | undefined
}

export interface AllowlistEntry {
  id: string
  cidr: string
  label: string | null
  createdBy: string | null
  createdAt: string
}

export interface Allowlist {
  /** Empty: no restriction. */
  entries: AllowlistEntry[]
}

function toEntry(row: IpAllowlistEntryRow): AllowlistEntry {
  return {
    id: row.id,
    cidr: row.cidr,
    label: row.label,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
  }
}

/** Parses every entry, naming the first bad one by its index in the request. */
export function parseEntries(
  entries: readonly AllowlistEntryInput[],
): { range: CidrRange; label: string | null }[] {
  if (entries.length > MAX_ALLOWLIST_ENTRIES) {
    throw AccessErrors.ACCESS_CIDR_INVALID(`At most ${MAX_ALLOWLIST_ENTRIES} entries`)
  }
  const seen = new Set<string>()
  return entries.map((entry, index) => {
    const range = parseCidr(entry.cidr)
    if (!range) {
      throw AccessErrors.ACCESS_CIDR_INVALID(
        `Entry ${index} is not a valid IPv4 or IPv6 address or CIDR range`,
        { index },
      )
    }
    if (seen.has(range.text)) {
      throw AccessErrors.ACCESS_CIDR_DUPLICATE(`Entry ${index} repeats an earlier range`, { index })
    }
    seen.add(range.text)
    const label = entry.label ?? null
    if (label !== null && ([...label].length > MAX_LABEL_LENGTH || CONTROL.test(label))) {
      throw AccessErrors.ACCESS_LABEL_INVALID(
        `Entry ${index}: a label has at most ${MAX_LABEL_LENGTH} characters, none of them control characters`,
        { index },
      )
    }
    return { range, label }
  })
}

export async function getAllowlist(ctx: ServiceContext, principal: Principal): Promise<Allowlist> {
  assertCan(principal, 'tenant.security.manage')
  const { tenantId } = principal
  const rows = await withTenant(ctx.db, tenantId, (trx) => listEntries(trx, tenantId))
  return { entries: rows.map(toEntry) }
}

export async function replaceAllowlist(
  ctx: ServiceContext,
  principal: Principal,
  entries: readonly AllowlistEntryInput[],
  meta: RequestMeta,
): Promise<Allowlist> {
  assertCan(principal, 'tenant.security.manage')
  const parsed = parseEntries(entries)
  if (
    !addressAllowed(
      parsed.map((p) => p.range),
      meta.ip,
    )
  ) {
    throw AccessErrors.ACCESS_ALLOWLIST_LOCKS_YOU_OUT()
  }
  const { tenantId } = principal
  return withTenant(ctx.db, tenantId, async (trx) => {
    await replaceEntries(
      trx,
      tenantId,
      parsed.map(({ range, label }) => ({
        id: randomUUID(),
        tenant_id: tenantId,
        cidr: range.text,
        label,
        created_by: principal.userId,
      })),
    )
    // LOG-1: the field name only; the ranges themselves stay out of the log.
    await recordEvent(trx, tenantId, {
      category: 'iam',
      action: 'tenant.ip_allowlist.update',
      outcome: 'success',
      actor: actorOf(principal),
      target: { type: 'tenant', id: tenantId },
      fields: ['ip_allowlist'],
      ...eventOrigin(meta),
    })
    return { entries: (await listEntries(trx, tenantId)).map(toEntry) }
  })
}

/** Whether the organisation's allowlist lets `ip` in (an empty list lets everyone in). */
export async function ipAllowedForTenant(
  ctx: ServiceContext,
  tenantId: string,
  ip: string,
): Promise<boolean> {
  const stored = await withTenant(ctx.db, tenantId, (trx) => listRanges(trx, tenantId))
  return storedRangesAllow(stored, ip)
}

/** Whether stored ranges let `ip` in; an empty list lets everyone in. */
export function storedRangesAllow(stored: readonly string[], ip: string): boolean {
  if (stored.length === 0) return true
  const ranges = stored.map(parseCidr).filter((r): r is CidrRange => r !== null)
  // A stored range that no longer parses fails closed: nobody is let in through it.
  return addressAllowed(ranges, ip) && ranges.length > 0
}

/**
 * IAM-8: refuses an authenticated request from outside the organisation's allowlist and records
 * the denial in the organisation's log.
 */
export async function enforceIpAllowlist(
  ctx: ServiceContext,
  principal: Principal,
  meta: RequestMeta,
): Promise<void> {
  // The list came with the session look-up (one statement), so this costs no extra round trip.
  if (storedRangesAllow(principal.ipAllowlist, meta.ip)) return
  await recordEventAlone(ctx.db, principal.tenantId, {
    category: 'iam',
    action: principal.via === 'api_key' ? 'api_key.ip_denied' : 'session.ip_denied',
    outcome: 'failure',
    reason: 'ip_not_allowed',
    actor: actorOf(principal),
    target:
      principal.via === 'api_key'
        ? { type: 'api_key', id: principal.apiKeyId }
        : { type: 'session', id: principal.sessionId },
    ...eventOrigin(meta),
  })
  throw AccessErrors.ACCESS_IP_NOT_ALLOWED()
}
