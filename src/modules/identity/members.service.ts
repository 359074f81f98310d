// IAM-1, IAM-7, AUTHZ-1: the organisation's users. Reading needs users.read; role changes,
// deactivation and removal need users.manage, and owners.manage as well whenever an owner is
// involved (making one, or changing, deactivating or removing one). Nobody changes their own
// role or status here, except an owner stepping down while another active owner remains; leaving
// is DELETE /api/v1/me (account-deletion.service.ts).
//
// Every change runs under the organisation's member-change lock and re-checks the caller's own
// role after taking it (ownership.service.ts), so a caller demoted by a parallel request cannot
// still act on the permissions they had when the request began.
// LOG-1: user.role_change, user.deactivate, user.reactivate and user.delete, with the target id.
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { isUuid, type Trx, withTenant } from '../../db/tenant.ts'
import { revokeKeysOfUser } from '../access/api-keys.service.ts'
import { assertCan, type PermissionHolder } from '../access/permissions.ts'
import { recordEvent } from '../audit/audit.service.ts'
import type { AuditEvent } from '../audit/events.ts'
import { removeAccount } from './account-deletion.service.ts'
import { revokeUserSessions } from './devices.service.ts'
import { IdentityErrors } from './errors.ts'
import { revokeOpenTokens } from './mailed-tokens.repository.ts'
import { MemberErrors } from './members.errors.ts'
import { memberEvent, roleChangeEvent } from './members.events.ts'
import {
  findMember,
  listMembers,
  type MemberCursor,
  type MemberRow,
  updateRole,
  updateStatus,
} from './members.repository.ts'
import { assertKeepsAnOwner, lockAsCaller } from './ownership.service.ts'
import { actorOf, type Principal } from './sessions.service.ts'
import type { UserRole } from './users.table.ts'

export interface Member {
  id: string
  email: string
  role: UserRole
  status: 'active' | 'deactivated'
  createdAt: string
  lastSignInAt: string | null
  emailVerified: boolean
}

function toMember(row: MemberRow): Member {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    status: row.status,
    createdAt: row.created_at.toISOString(),
    lastSignInAt: row.last_sign_in_at ? row.last_sign_in_at.toISOString() : null,
    emailVerified: row.email_verified_at !== null,
  }
}

/**
 * Cursors name the last row of a page by id only, so no address travels in a URL; the row is
 * looked up to find where the next page starts.
 */
function encodeCursor(id: string): string {
  return Buffer.from(`u:${id}`).toString('base64url')
}

export function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8')
  const id = text.startsWith('u:') ? text.slice(2) : ''
  // The lower-case form only, as every id Rampart issues (and as the API's uuid format admits).
  if (!isUuid(id) || id !== id.toLowerCase()) throw MemberErrors.IDENTITY_CURSOR_INVALID()
  return id
}

/** A page of `limit` rows and the cursor of the next, from a query asked for one row more. */
export function pageOf<R extends { id: string }>(
  rows: R[],
  limit: number,
): { page: R[]; nextCursor: string | null } {
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return { page, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null }
}

export async function listMemberPage(
  ctx: ServiceContext,
  principal: Principal,
  cursor: string | undefined,
  limit: number,
): Promise<{ users: Member[]; nextCursor: string | null }> {
  assertCan(principal, 'users.read')
  const { tenantId } = principal
  const rows = await withTenant(ctx.db, tenantId, async (trx) => {
    let after: MemberCursor | undefined
    if (cursor !== undefined) {
      after = await findMember(trx, tenantId, decodeCursor(cursor))
      if (!after) throw MemberErrors.IDENTITY_CURSOR_INVALID()
    }
    return listMembers(trx, tenantId, after, limit + 1)
  })
  const { page, nextCursor } = pageOf(rows, limit)
  return { users: page.map(toMember), nextCursor }
}

export async function getMember(
  ctx: ServiceContext,
  principal: Principal,
  userId: string,
): Promise<Member> {
  assertCan(principal, 'users.read')
  const { tenantId } = principal
  const row = await withTenant(ctx.db, tenantId, (trx) => findMember(trx, tenantId, userId))
  // Another organisation's user is invisible under row-level security: the same 404.
  if (!row) throw IdentityErrors.IDENTITY_USER_NOT_FOUND()
  return toMember(row)
}

/**
 * Opens a change of another user: takes the lock, re-reads what the caller may do, finds the
 * target, and asks for owners.manage too when the target is an owner. Refuses the caller as
 * their own target.
 */
async function beginChange(
  trx: Trx,
  principal: Principal,
  userId: string,
): Promise<{ caller: PermissionHolder; target: MemberRow }> {
  const caller = await lockAsCaller(trx, principal)
  assertCan(caller, 'users.manage')
  const target = await findMember(trx, principal.tenantId, userId)
  if (!target) throw IdentityErrors.IDENTITY_USER_NOT_FOUND()
  if (target.role === 'owner') assertCan(caller, 'owners.manage')
  return { caller, target }
}

export async function changeRole(
  ctx: ServiceContext,
  principal: Principal,
  userId: string,
  role: UserRole,
  meta: RequestMeta,
): Promise<Member> {
  assertCan(principal, 'users.manage')
  const { tenantId } = principal
  return withTenant(ctx.db, tenantId, async (trx) => {
    const { caller, target } = await beginChange(trx, principal, userId)
    if (role === 'owner') assertCan(caller, 'owners.manage')
    // An owner may step down (another owner must remain); nobody may raise or reshape their own.
    const steppingDown = target.role === 'owner' && role !== 'owner'
    if (target.id === principal.userId && !steppingDown) {
      throw MemberErrors.IDENTITY_SELF_CHANGE_FORBIDDEN()
    }
    if (target.role === role) return toMember(target)
    if (steppingDown) await assertKeepsAnOwner(trx, tenantId, target.id)
    const updated = await updateRole(trx, tenantId, target.id, role)
    if (!updated) throw IdentityErrors.IDENTITY_USER_NOT_FOUND()
    await recordEvent(
      trx,
      tenantId,
      roleChangeEvent(actorOf(principal), target.id, target.role, role, meta),
    )
    return toMember(updated)
  })
}

/** IAM-6: the user is out at once: status and every session change in one transaction. */
export async function deactivateMember(
  ctx: ServiceContext,
  principal: Principal,
  userId: string,
  meta: RequestMeta,
): Promise<Member> {
  assertCan(principal, 'users.manage')
  const { tenantId } = principal
  if (userId === principal.userId) throw MemberErrors.IDENTITY_SELF_CHANGE_FORBIDDEN()
  return withTenant(ctx.db, tenantId, async (trx) => {
    const { target } = await beginChange(trx, principal, userId)
    if (target.status === 'deactivated') throw MemberErrors.IDENTITY_USER_STATUS_UNCHANGED()
    if (target.role === 'owner') await assertKeepsAnOwner(trx, tenantId, target.id)
    const updated = await cutOff(trx, tenantId, target.id, {
      actor: actorOf(principal),
      meta,
      reason: 'user_deactivated',
    })
    if (!updated) throw IdentityErrors.IDENTITY_USER_NOT_FOUND()
    return toMember(updated)
  })
}

/**
 * IAM-6: deactivates an active user inside the caller's transaction (which has taken the
 * member-change lock, checked the owner rule and found the user active): status, every session,
 * every API key, open mailed links and the audit event together. Null when the user is gone.
 * Access reviews revoke through this too (AUTHZ-4).
 */
export async function cutOff(
  trx: Trx,
  tenantId: string,
  userId: string,
  how: {
    actor: AuditEvent['actor']
    meta: RequestMeta
    reason: 'user_deactivated' | 'access_review'
  },
): Promise<MemberRow | null> {
  const updated = await updateStatus(trx, tenantId, userId, 'deactivated')
  if (!updated) return null
  const { actor, meta, reason } = how
  await revokeUserSessions(trx, tenantId, userId, { reason, actor, meta })
  await revokeKeysOfUser(trx, tenantId, userId, { reason, actor, meta })
  // Links mailed before must not work again should the user be reactivated.
  await revokeOpenTokens(trx, 'password_reset_tokens', tenantId, userId)
  await revokeOpenTokens(trx, 'email_verification_tokens', tenantId, userId)
  await recordEvent(
    trx,
    tenantId,
    memberEvent('user.deactivate', actor, { type: 'user', id: userId }, meta, {
      fields: ['status'],
      ...(reason === 'access_review' ? { reason } : {}),
    }),
  )
  return updated
}

export async function reactivateMember(
  ctx: ServiceContext,
  principal: Principal,
  userId: string,
  meta: RequestMeta,
): Promise<Member> {
  assertCan(principal, 'users.manage')
  const { tenantId } = principal
  if (userId === principal.userId) throw MemberErrors.IDENTITY_SELF_CHANGE_FORBIDDEN()
  return withTenant(ctx.db, tenantId, async (trx) => {
    const { target } = await beginChange(trx, principal, userId)
    if (target.status === 'active') throw MemberErrors.IDENTITY_USER_STATUS_UNCHANGED()
    const updated = await updateStatus(trx, tenantId, target.id, 'active')
    if (!updated) throw IdentityErrors.IDENTITY_USER_NOT_FOUND()
    await recordEvent(
      trx,
      tenantId,
      memberEvent('user.reactivate', actorOf(principal), { type: 'user', id: target.id }, meta, {
        fields: ['status'],
      }),
    )
    return toMember(updated)
  })
}

/** Removes another user and everything that hangs on them; an owner only if another remains. */
export async function removeMember(
  ctx: ServiceContext,
  principal: Principal,
  userId: string,
  meta: RequestMeta,
): Promise<void> {
  assertCan(principal, 'users.manage')
  const { tenantId } = principal
  if (userId === principal.userId) throw MemberErrors.IDENTITY_SELF_CHANGE_FORBIDDEN()
  await withTenant(ctx.db, tenantId, async (trx) => {
    const { target } = await beginChange(trx, principal, userId)
    if (target.role === 'owner') await assertKeepsAnOwner(trx, tenantId, target.id)
    await removeAccount(trx, tenantId, target.id, {
      reason: 'user_removed',
      actor: actorOf(principal),
      meta,
    })
  })
}
