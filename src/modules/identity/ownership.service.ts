// IAM-7: every organisation has at least one active owner at every moment, and ownership changes
// hands only when an owner who just proved who they are offers it and the recipient accepts.
//
// Every path that can take ownership away (role change, deactivation, removal, leaving, an access
// review's revocation) first takes the organisation's member-change lock, then counts the other
// active owners: parallel changes take turns, and each counts after the one before committed, so
// two owners demoting each other at once cannot both succeed.
// LOG-1: ownership.transfer_offer / _accept / _decline / _cancel, with user.role_change for both
// users of an accepted transfer.
import { randomUUID } from 'node:crypto'
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { isUniqueViolation } from '../../db/errors.ts'
import { type Trx, withTenant } from '../../db/tenant.ts'
import { HttpErrors } from '../../http/errors.ts'
import { assertCan, can, type PermissionHolder, permissionsOfRole } from '../access/permissions.ts'
import { recordEvent } from '../audit/audit.service.ts'
import { queueMail } from '../mail/mail.service.ts'
import { findTenantSettings } from '../tenants/mfa-policy.repository.ts'
import { IdentityErrors } from './errors.ts'
import { MemberErrors } from './members.errors.ts'
import { memberEvent, roleChangeEvent } from './members.events.ts'
import { updateRole } from './members.repository.ts'
import { transferAnsweredMail, transferLink, transferOfferMail } from './ownership.mails.ts'
import {
  closeTransfer,
  countOtherActiveOwners,
  expireLapsedTransfers,
  findPendingTransfer,
  findTransfer,
  insertTransfer,
  lockMemberChanges,
  type TransferView,
} from './ownership.repository.ts'
import { actorOf, type Principal, type SessionPrincipal } from './sessions.service.ts'
import { findUserById } from './users.repository.ts'

export const TRANSFER_TTL_SECONDS = 7 * 24 * 60 * 60

/**
 * Takes the organisation's member-change lock and returns what the caller may do now: their
 * role's permissions as the role is after the lock (a parallel change may have demoted or
 * deactivated them meanwhile), within what the principal was granted (an API key's scope).
 */
export async function lockAsCaller(trx: Trx, principal: Principal): Promise<PermissionHolder> {
  await lockMemberChanges(trx, principal.tenantId)
  const caller = await findUserById(trx, principal.tenantId, principal.userId)
  if (caller?.status !== 'active') {
    throw HttpErrors.AUTH_REQUIRED('Your account was deactivated or removed meanwhile')
  }
  const current = permissionsOfRole(caller.role)
  return { permissions: new Set([...principal.permissions].filter((p) => current.has(p))) }
}

/**
 * IAM-7: refuses (IDENTITY_LAST_OWNER) unless an active owner other than `userIdLosingOwnership`
 * remains. Call it before a change that demotes, deactivates or removes that user, in the same
 * transaction: it takes the member-change lock first, so the count cannot go stale before commit.
 */
export async function assertKeepsAnOwner(
  trx: Trx,
  tenantId: string,
  userIdLosingOwnership: string,
): Promise<void> {
  await lockMemberChanges(trx, tenantId)
  if ((await countOtherActiveOwners(trx, tenantId, userIdLosingOwnership)) === 0) {
    throw MemberErrors.IDENTITY_LAST_OWNER()
  }
}

export interface Transfer {
  id: string
  from: { id: string; email: string }
  to: { id: string; email: string }
  status: TransferView['status']
  createdAt: string
  expiresAt: string
}

function toTransfer(row: TransferView): Transfer {
  return {
    id: row.id,
    from: { id: row.from_user_id, email: row.from_email },
    to: { id: row.to_user_id, email: row.to_email },
    status: row.status,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
  }
}

async function organisationName(trx: Trx, tenantId: string): Promise<string> {
  return (await findTenantSettings(trx, tenantId))?.name ?? 'your organisation'
}

/** An owner offers ownership to another active user; the route requires a fresh step-up. */
export async function offerTransfer(
  ctx: ServiceContext,
  principal: SessionPrincipal,
  toUserId: string,
  meta: RequestMeta,
): Promise<Transfer> {
  assertCan(principal, 'owners.manage')
  const { tenantId } = principal
  const id = randomUUID()
  try {
    return await withTenant(ctx.db, tenantId, async (trx) => {
      assertCan(await lockAsCaller(trx, principal), 'owners.manage')
      const recipient = await findUserById(trx, tenantId, toUserId)
      if (!recipient) throw IdentityErrors.IDENTITY_USER_NOT_FOUND()
      if (
        recipient.id === principal.userId ||
        recipient.status !== 'active' ||
        recipient.role === 'owner'
      ) {
        throw MemberErrors.IDENTITY_TRANSFER_RECIPIENT_INVALID()
      }
      await expireLapsedTransfers(trx, tenantId)
      if (await findPendingTransfer(trx, tenantId)) throw MemberErrors.IDENTITY_TRANSFER_PENDING()
      await insertTransfer(trx, {
        id,
        tenant_id: tenantId,
        from_user_id: principal.userId,
        to_user_id: recipient.id,
        expires_at: new Date(Date.now() + TRANSFER_TTL_SECONDS * 1000),
      })
      const link = transferLink(ctx.config.publicUrl, id)
      await queueMail(
        trx,
        tenantId,
        transferOfferMail(
          recipient.email,
          await organisationName(trx, tenantId),
          link,
          TRANSFER_TTL_SECONDS,
        ),
      )
      await recordEvent(
        trx,
        tenantId,
        memberEvent(
          'ownership.transfer_offer',
          actorOf(principal),
          { type: 'ownership_transfer', id },
          meta,
        ),
      )
      const created = await findTransfer(trx, tenantId, id)
      if (!created) throw new Error('the transfer just inserted is gone')
      return toTransfer(created)
    })
  } catch (err) {
    // The lock makes offers take turns; the index is the second lock.
    if (isUniqueViolation(err, 'ownership_transfers_pending_key')) {
      throw MemberErrors.IDENTITY_TRANSFER_PENDING()
    }
    throw err
  }
}

/** The pending transfer, for those who hold owners.manage and for its sender and recipient. */
export async function pendingTransfers(
  ctx: ServiceContext,
  principal: Principal,
): Promise<Transfer[]> {
  const { tenantId, userId } = principal
  const row = await withTenant(ctx.db, tenantId, (trx) => findPendingTransfer(trx, tenantId))
  const visible =
    row &&
    (can(principal, 'owners.manage') || row.to_user_id === userId || row.from_user_id === userId)
  return visible ? [toTransfer(row)] : []
}

/** The transfer if `userId` is its recipient; the same 404 for every other id. */
async function transferTo(trx: Trx, tenantId: string, id: string, userId: string) {
  const row = await findTransfer(trx, tenantId, id)
  if (row?.to_user_id !== userId) throw MemberErrors.IDENTITY_TRANSFER_NOT_FOUND()
  return row
}

/**
 * The recipient accepts (the route requires their fresh step-up): in one transaction under the
 * member-change lock, they become an owner and the sender, if still an owner, an admin.
 */
export async function acceptTransfer(
  ctx: ServiceContext,
  principal: SessionPrincipal,
  transferId: string,
  meta: RequestMeta,
): Promise<Transfer> {
  const { tenantId, userId } = principal
  return withTenant(ctx.db, tenantId, async (trx) => {
    await lockAsCaller(trx, principal)
    const transfer = await transferTo(trx, tenantId, transferId, userId)
    if (transfer.status !== 'pending' || transfer.expires_at.getTime() <= Date.now()) {
      throw MemberErrors.IDENTITY_TRANSFER_CLOSED()
    }
    const recipient = await findUserById(trx, tenantId, userId)
    if (!recipient || recipient.role === 'owner') {
      throw MemberErrors.IDENTITY_TRANSFER_RECIPIENT_INVALID()
    }
    const sender = await findUserById(trx, tenantId, transfer.from_user_id)
    if (sender?.role !== 'owner') throw MemberErrors.IDENTITY_TRANSFER_SENDER_NOT_OWNER()
    if (!(await closeTransfer(trx, tenantId, transfer.id, 'accepted', userId))) {
      throw MemberErrors.IDENTITY_TRANSFER_CLOSED()
    }
    await updateRole(trx, tenantId, recipient.id, 'owner')
    await updateRole(trx, tenantId, sender.id, 'admin')
    const actor = actorOf(principal)
    await recordEvent(
      trx,
      tenantId,
      memberEvent(
        'ownership.transfer_accept',
        actor,
        { type: 'ownership_transfer', id: transfer.id },
        meta,
      ),
    )
    await recordEvent(
      trx,
      tenantId,
      roleChangeEvent(actor, recipient.id, recipient.role, 'owner', meta),
    )
    await recordEvent(trx, tenantId, roleChangeEvent(actor, sender.id, 'owner', 'admin', meta))
    await queueMail(
      trx,
      tenantId,
      transferAnsweredMail(sender.email, await organisationName(trx, tenantId), true),
    )
    return toTransfer({ ...transfer, status: 'accepted' })
  })
}

/** The recipient declines; nothing else changes. */
export async function declineTransfer(
  ctx: ServiceContext,
  principal: SessionPrincipal,
  transferId: string,
  meta: RequestMeta,
): Promise<Transfer> {
  const { tenantId, userId } = principal
  return withTenant(ctx.db, tenantId, async (trx) => {
    const transfer = await transferTo(trx, tenantId, transferId, userId)
    if (!(await closeTransfer(trx, tenantId, transfer.id, 'declined', userId))) {
      throw MemberErrors.IDENTITY_TRANSFER_CLOSED()
    }
    await recordEvent(
      trx,
      tenantId,
      memberEvent(
        'ownership.transfer_decline',
        actorOf(principal),
        { type: 'ownership_transfer', id: transfer.id },
        meta,
      ),
    )
    await queueMail(
      trx,
      tenantId,
      transferAnsweredMail(transfer.from_email, await organisationName(trx, tenantId), false),
    )
    return toTransfer({ ...transfer, status: 'declined' })
  })
}

/** The sender or any holder of owners.manage withdraws the offer; others get the 404. */
export async function cancelTransfer(
  ctx: ServiceContext,
  principal: Principal,
  transferId: string,
  meta: RequestMeta,
): Promise<void> {
  const { tenantId, userId } = principal
  await withTenant(ctx.db, tenantId, async (trx) => {
    const transfer = await findTransfer(trx, tenantId, transferId)
    if (!transfer || (transfer.from_user_id !== userId && !can(principal, 'owners.manage'))) {
      throw MemberErrors.IDENTITY_TRANSFER_NOT_FOUND()
    }
    if (!(await closeTransfer(trx, tenantId, transfer.id, 'cancelled', userId))) {
      throw MemberErrors.IDENTITY_TRANSFER_CLOSED()
    }
    await recordEvent(
      trx,
      tenantId,
      memberEvent(
        'ownership.transfer_cancel',
        actorOf(principal),
        { type: 'ownership_transfer', id: transfer.id },
        meta,
      ),
    )
  })
}
