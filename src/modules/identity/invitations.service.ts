// IAM-1: users join an organisation only by an admin's invitation. An invitation names an address
// and a role (owner only for holders of owners.manage) and mails a link with a token of 256 random
// bits, stored as its SHA-256 only, valid for 7 days and usable once; a resend replaces the token,
// so the older link dies. Following the link shows the organisation, address and role; accepting
// it with a password (the sign-up policy, IAM-2) creates the user with that role and a verified
// address, since the link proved the mailbox. Parallel acceptances of one token create one user.
// Unknown, used, revoked and expired tokens, and tokens of locked organisations, all get the one
// IDENTITY_INVITATION_TOKEN_INVALID.
// AUTHZ-1: an invitation grants a role on its inviter's authority, so that authority is judged
// again when it is used: an invitation whose inviter is gone, deactivated or no longer holds the
// permissions to grant its role is dead, and is revoked when someone tries to accept it.
// LOG-1: invitation.create / resend / revoke / accept and user.create, with ids and the role only:
// never the address.
import { randomUUID } from 'node:crypto'
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { isUniqueViolation } from '../../db/errors.ts'
import { type Trx, withTenant, withTenantByInvitationToken } from '../../db/tenant.ts'
import {
  assertCan,
  type Permission,
  type PermissionHolder,
  permissionsOfRole,
} from '../access/permissions.ts'
import {
  eventOrigin,
  recordEvent,
  recordEventAlone,
  recordPlatformEvent,
} from '../audit/audit.service.ts'
import type { AuditEvent } from '../audit/events.ts'
import { queueMail } from '../mail/mail.service.ts'
import { findTenantSettings } from '../tenants/mfa-policy.repository.ts'
import { normalizeEmail } from './emails.ts'
import { invitationLink, invitationMail } from './invitations.mails.ts'
import {
  closeLapsedInvitation,
  consumeInvitation,
  findInvitationByToken,
  findOpenInvitation,
  findOpenInvitationByEmail,
  type InvitationByToken,
  type InvitationView,
  insertInvitation,
  listOpenInvitations,
  renewToken,
  revokeInvitation as revokeRow,
  setAcceptedUser,
} from './invitations.repository.ts'
import { MemberErrors } from './members.errors.ts'
import { memberEvent } from './members.events.ts'
import { decodeCursor, pageOf } from './members.service.ts'
import { lockMemberChanges } from './ownership.repository.ts'
import { lockAsCaller } from './ownership.service.ts'
import { assertAcceptablePassword, hashPassword } from './passwords.ts'
import { actorOf, type Principal } from './sessions.service.ts'
import { hashToken, looksLikeSessionToken, newSessionToken } from './tokens.ts'
import { findUserByEmail, findUserById, insertUser } from './users.repository.ts'
import type { UserRole } from './users.table.ts'

export const INVITATION_TTL_SECONDS = 7 * 24 * 60 * 60

export interface Invitation {
  id: string
  email: string
  role: UserRole
  invitedBy: string | null
  createdAt: string
  sentAt: string
  expiresAt: string
  /** Past its expiry: the link no longer works, but a resend revives the invitation. */
  expired: boolean
}

function toInvitation(row: InvitationView): Invitation {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    invitedBy: row.invited_by,
    createdAt: row.created_at.toISOString(),
    sentAt: row.sent_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    expired: row.expires_at.getTime() <= Date.now(),
  }
}

/** AUTHZ-1, IAM-7: what it takes to send, resend or revoke an invitation to `role`. */
function permissionsToInvite(role: UserRole): Permission[] {
  return role === 'owner' ? ['users.invite', 'owners.manage'] : ['users.invite']
}

function assertMayInvite(holder: PermissionHolder, role: UserRole): void {
  for (const permission of permissionsToInvite(role)) assertCan(holder, permission)
}

/**
 * AUTHZ-1: whether the inviter, as they are now, could still send this invitation: their account
 * exists and is active, and their current role holds what granting its role takes.
 */
async function inviterMayGrant(
  trx: Trx,
  tenantId: string,
  invitation: { invited_by: string | null; role: UserRole },
): Promise<boolean> {
  if (invitation.invited_by === null) return false
  const inviter = await findUserById(trx, tenantId, invitation.invited_by)
  if (inviter?.status !== 'active') return false
  const held = permissionsOfRole(inviter.role)
  return permissionsToInvite(invitation.role).every((permission) => held.has(permission))
}

function newExpiry(): Date {
  return new Date(Date.now() + INVITATION_TTL_SECONDS * 1000)
}

async function mailInvitation(
  ctx: ServiceContext,
  trx: Trx,
  tenantId: string,
  invitation: { email: string; role: UserRole },
  token: string,
): Promise<void> {
  const organisation = (await findTenantSettings(trx, tenantId))?.name ?? 'an organisation'
  const link = invitationLink(ctx.config.publicUrl, token)
  await queueMail(
    trx,
    tenantId,
    invitationMail(invitation.email, organisation, invitation.role, link, INVITATION_TTL_SECONDS),
  )
}

export async function createInvitation(
  ctx: ServiceContext,
  principal: Principal,
  input: { email: string; role: UserRole },
  meta: RequestMeta,
): Promise<Invitation> {
  assertMayInvite(principal, input.role)
  const { tenantId } = principal
  const email = input.email.trim().normalize('NFC')
  const emailNormalized = normalizeEmail(email)
  const token = newSessionToken()
  try {
    return await withTenant(ctx.db, tenantId, async (trx) => {
      // Inviting grants a role: the caller's own role is re-read under the member-change lock.
      assertMayInvite(await lockAsCaller(trx, principal), input.role)
      if (await findUserByEmail(trx, tenantId, emailNormalized)) {
        throw MemberErrors.IDENTITY_USER_EXISTS()
      }
      await closeLapsedInvitation(trx, tenantId, emailNormalized)
      if (await findOpenInvitationByEmail(trx, tenantId, emailNormalized)) {
        throw MemberErrors.IDENTITY_INVITATION_EXISTS()
      }
      const row = await insertInvitation(trx, {
        id: randomUUID(),
        tenant_id: tenantId,
        email,
        email_normalized: emailNormalized,
        role: input.role,
        token_hash: hashToken(token),
        invited_by: principal.userId,
        expires_at: newExpiry(),
      })
      await mailInvitation(ctx, trx, tenantId, row, token)
      await recordEvent(
        trx,
        tenantId,
        memberEvent(
          'invitation.create',
          actorOf(principal),
          { type: 'invitation', id: row.id },
          meta,
          {
            reason: input.role,
            fields: ['email', 'role'],
          },
        ),
      )
      return toInvitation(row)
    })
  } catch (err) {
    // The index is the second lock: one open invitation per address.
    if (isUniqueViolation(err, 'invitations_open_email_key')) {
      throw MemberErrors.IDENTITY_INVITATION_EXISTS()
    }
    throw err
  }
}

export async function listInvitationPage(
  ctx: ServiceContext,
  principal: Principal,
  cursor: string | undefined,
  limit: number,
): Promise<{ invitations: Invitation[]; nextCursor: string | null }> {
  assertCan(principal, 'users.read')
  const { tenantId } = principal
  const rows = await withTenant(ctx.db, tenantId, async (trx) => {
    let after: InvitationView | undefined
    if (cursor !== undefined) {
      after = await findOpenInvitation(trx, tenantId, decodeCursor(cursor))
      if (!after) throw MemberErrors.IDENTITY_CURSOR_INVALID()
    }
    return listOpenInvitations(trx, tenantId, after, limit + 1)
  })
  const { page, nextCursor } = pageOf(rows, limit)
  return { invitations: page.map(toInvitation), nextCursor }
}

/** Mails a new link with a new 7-day expiry; the previous link stops working at once. */
export async function resendInvitation(
  ctx: ServiceContext,
  principal: Principal,
  invitationId: string,
  meta: RequestMeta,
): Promise<Invitation> {
  assertCan(principal, 'users.invite')
  const { tenantId } = principal
  const token = newSessionToken()
  return withTenant(ctx.db, tenantId, async (trx) => {
    const caller = await lockAsCaller(trx, principal)
    assertCan(caller, 'users.invite')
    const current = await findOpenInvitation(trx, tenantId, invitationId)
    if (!current) throw MemberErrors.IDENTITY_INVITATION_NOT_FOUND()
    assertMayInvite(caller, current.role)
    // The address may have become a user's since (an e-mail change): no second account for it.
    if (await findUserByEmail(trx, tenantId, current.email_normalized)) {
      throw MemberErrors.IDENTITY_USER_EXISTS()
    }
    const row = await renewToken(trx, tenantId, current.id, hashToken(token), newExpiry())
    if (!row) throw MemberErrors.IDENTITY_INVITATION_NOT_FOUND()
    await mailInvitation(ctx, trx, tenantId, row, token)
    await recordEvent(
      trx,
      tenantId,
      memberEvent(
        'invitation.resend',
        actorOf(principal),
        { type: 'invitation', id: row.id },
        meta,
      ),
    )
    return toInvitation(row)
  })
}

/**
 * Revokes an open invitation, its link dying at once. As with a resend, the caller's role is
 * re-read under the member-change lock, and an owner invitation needs owners.manage (IAM-7).
 */
export async function revokeInvitation(
  ctx: ServiceContext,
  principal: Principal,
  invitationId: string,
  meta: RequestMeta,
): Promise<void> {
  assertCan(principal, 'users.invite')
  const { tenantId } = principal
  await withTenant(ctx.db, tenantId, async (trx) => {
    const caller = await lockAsCaller(trx, principal)
    assertCan(caller, 'users.invite')
    const current = await findOpenInvitation(trx, tenantId, invitationId)
    if (!current) throw MemberErrors.IDENTITY_INVITATION_NOT_FOUND()
    assertMayInvite(caller, current.role)
    if (!(await revokeRow(trx, tenantId, invitationId)))
      throw MemberErrors.IDENTITY_INVITATION_NOT_FOUND()
    await recordEvent(
      trx,
      tenantId,
      memberEvent(
        'invitation.revoke',
        actorOf(principal),
        { type: 'invitation', id: invitationId },
        meta,
      ),
    )
  })
}

export interface InvitationDetails {
  organisation: { name: string; slug: string }
  email: string
  role: UserRole
  expiresAt: string
}

/**
 * The open invitation a token leads to, with its tenant and whether its inviter may still grant
 * it (read without the lock: acceptance judges that again under it); null for any token that
 * leads nowhere.
 */
async function findByToken(ctx: ServiceContext, token: string) {
  if (!looksLikeSessionToken(token)) return null
  const tokenHash = hashToken(token)
  return withTenantByInvitationToken(ctx.db, tokenHash, async (trx, tenantId) => {
    if (!tenantId) return null
    const invitation = await findInvitationByToken(trx, tenantId, tokenHash)
    if (!invitation) return null
    const grantable = await inviterMayGrant(trx, tenantId, invitation)
    return { tenantId, tokenHash, invitation, grantable }
  })
}

/** What a sign-up page shows before the invited person chooses a password. */
export async function inspectInvitation(
  ctx: ServiceContext,
  token: string,
): Promise<InvitationDetails> {
  const found = await findByToken(ctx, token)
  // A dead inviter's invitation is shown as dead; the page changes nothing, so it is revoked
  // only when someone tries to accept it.
  if (!found?.grantable) throw MemberErrors.IDENTITY_INVITATION_TOKEN_INVALID()
  const { invitation } = found
  return {
    organisation: { name: invitation.tenant_name, slug: invitation.tenant_slug },
    email: invitation.email,
    role: invitation.role,
    expiresAt: invitation.expires_at.toISOString(),
  }
}

function acceptEvent(
  outcome: AuditEvent['outcome'],
  meta: RequestMeta,
  refusal?: { reason: string; invitationId?: string },
): AuditEvent {
  return {
    category: 'iam',
    action: 'invitation.accept',
    outcome,
    actor: { type: 'anonymous' },
    ...(refusal?.invitationId ? { target: { type: 'invitation', id: refusal.invitationId } } : {}),
    ...(refusal ? { reason: refusal.reason } : {}),
    ...eventOrigin(meta),
  }
}

/** The audit reason when an invitation dies with its inviter's rights. */
const INVITER_LACKS_RIGHTS = 'inviter_lacks_rights'

/**
 * Takes the member-change lock, so that the inviter's role and status cannot change until commit,
 * and returns the token's open invitation if its inviter may still grant it. If not, revokes it
 * and records why, and returns 'withdrawn'; the caller must then commit and refuse the token.
 */
async function openInvitationUnderLock(
  trx: Trx,
  tenantId: string,
  tokenHash: string,
  meta: RequestMeta,
): Promise<InvitationByToken | 'withdrawn' | null> {
  await lockMemberChanges(trx, tenantId)
  const invitation = await findInvitationByToken(trx, tenantId, tokenHash)
  if (!invitation) return null
  if (await inviterMayGrant(trx, tenantId, invitation)) return invitation
  if (await revokeRow(trx, tenantId, invitation.id)) {
    const target = { type: 'invitation', id: invitation.id } as const
    await recordEvent(
      trx,
      tenantId,
      memberEvent('invitation.revoke', { type: 'system' }, target, meta, {
        reason: INVITER_LACKS_RIGHTS,
      }),
    )
  }
  await recordEvent(
    trx,
    tenantId,
    acceptEvent('failure', meta, { reason: INVITER_LACKS_RIGHTS, invitationId: invitation.id }),
  )
  return 'withdrawn'
}

export interface AcceptedInvitation {
  user: { id: string; email: string; role: UserRole }
  tenant: { slug: string; name: string }
}

/**
 * Creates the invited user with the password chosen, then signs nobody in: the new user signs in
 * like anyone else (and enrols a second factor there if the organisation requires one).
 */
export async function acceptInvitation(
  ctx: ServiceContext,
  input: { token: string; password: string },
  meta: RequestMeta,
): Promise<AcceptedInvitation> {
  const found = await findByToken(ctx, input.token)
  if (!found) {
    await recordPlatformEvent(ctx.db, acceptEvent('failure', meta, { reason: 'invalid_token' }))
    throw MemberErrors.IDENTITY_INVITATION_TOKEN_INVALID()
  }
  const { tenantId, tokenHash, invitation } = found
  const refuse = async (reason: string) => {
    const event = acceptEvent('failure', meta, { reason, invitationId: invitation.id })
    await recordEventAlone(ctx.db, tenantId, event)
  }
  if (!found.grantable) {
    // Dead already: refused before the password is judged, and revoked for good under the lock,
    // which judges the inviter again (should it find them fine meanwhile, the link stays open).
    const outcome = await withTenant(ctx.db, tenantId, (trx) =>
      openInvitationUnderLock(trx, tenantId, tokenHash, meta),
    )
    if (outcome !== 'withdrawn') await refuse(INVITER_LACKS_RIGHTS)
    throw MemberErrors.IDENTITY_INVITATION_TOKEN_INVALID()
  }
  const email = normalizeEmail(invitation.email)
  // IAM-2: the sign-up policy; a refused password leaves the invitation usable.
  assertAcceptablePassword(input.password, [
    email,
    email.split('@')[0] ?? '',
    invitation.tenant_name,
    invitation.tenant_slug,
  ])
  const passwordHash = await hashPassword(input.password)
  let created: AcceptedInvitation | 'withdrawn' | null
  try {
    created = await withTenant(ctx.db, tenantId, async (trx) => {
      const open = await openInvitationUnderLock(trx, tenantId, tokenHash, meta)
      if (open === 'withdrawn') return open
      // The conditional update decides between parallel acceptances: exactly one gets the row.
      const used = open && (await consumeInvitation(trx, tenantId, tokenHash))
      // Another acceptance with this token won the race, or it expired or was revoked meanwhile.
      if (!used) return null
      const userId = randomUUID()
      const user = await insertUser(trx, {
        id: userId,
        tenant_id: tenantId,
        email: used.email,
        email_normalized: normalizeEmail(used.email),
        password_hash: passwordHash,
        role: used.role,
        last_sign_in_at: null,
        // The link reached this mailbox: the address is proven.
        email_verified_at: new Date(),
      })
      await setAcceptedUser(trx, tenantId, used.id, userId)
      const actor = { type: 'user', id: userId } as const
      await recordEvent(
        trx,
        tenantId,
        memberEvent('user.create', actor, { type: 'user', id: userId }, meta, {
          reason: 'invitation',
          fields: ['email', 'role', 'password_hash', 'email_verified_at'],
        }),
      )
      await recordEvent(
        trx,
        tenantId,
        memberEvent('invitation.accept', actor, { type: 'invitation', id: used.id }, meta, {
          reason: used.role,
        }),
      )
      return {
        user: { id: user.id, email: user.email, role: user.role },
        tenant: { slug: invitation.tenant_slug, name: invitation.tenant_name },
      }
    })
  } catch (err) {
    // The address became a user's since the invitation was sent (an e-mail change).
    if (isUniqueViolation(err, 'users_tenant_email_key')) {
      await refuse('email_taken')
      throw MemberErrors.IDENTITY_USER_EXISTS()
    }
    throw err
  }
  // Withdrawn: revoked and recorded in the transaction that just committed.
  if (created === 'withdrawn') throw MemberErrors.IDENTITY_INVITATION_TOKEN_INVALID()
  if (!created) {
    await refuse('token_used')
    throw MemberErrors.IDENTITY_INVITATION_TOKEN_INVALID()
  }
  return created
}
