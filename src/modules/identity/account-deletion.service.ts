// IAM-1: a user can leave the organisation, deleting their own account (opt-out), and an admin
// can remove a user. Both end every session (audited), then delete the user row, which takes
// sessions, second factors, tokens, devices, group memberships and API keys with it. The last
// active owner cannot leave: they must make someone else owner first (IAM-7).
// LOG-1: `user.delete`, reason `user_left` or `user_removed`; the log keeps ids only, so it never
// has to change when an account goes.
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { type Trx, withTenant } from '../../db/tenant.ts'
import { recordEvent } from '../audit/audit.service.ts'
import type { AuditEvent } from '../audit/events.ts'
import { revokeUserSessions } from './devices.service.ts'
import { IdentityErrors } from './errors.ts'
import { memberEvent } from './members.events.ts'
import { deleteUser, findMember } from './members.repository.ts'
import { lockMemberChanges } from './ownership.repository.ts'
import { assertKeepsAnOwner } from './ownership.service.ts'
import type { SessionPrincipal } from './sessions.service.ts'

export interface RemovalOptions {
  reason: 'user_left' | 'user_removed'
  actor: AuditEvent['actor']
  meta: RequestMeta
}

/**
 * Deletes a user inside the caller's transaction, after the caller checked who may and that an
 * owner remains. Sessions are revoked first so that each end is on record.
 */
export async function removeAccount(
  trx: Trx,
  tenantId: string,
  userId: string,
  options: RemovalOptions,
): Promise<void> {
  const { reason, actor, meta } = options
  await revokeUserSessions(trx, tenantId, userId, { reason, actor, meta })
  if (!(await deleteUser(trx, tenantId, userId))) throw IdentityErrors.IDENTITY_USER_NOT_FOUND()
  await recordEvent(
    trx,
    tenantId,
    memberEvent('user.delete', actor, { type: 'user', id: userId }, meta, { reason }),
  )
}

/** DELETE /api/v1/me: the caller leaves; the route requires a fresh step-up. */
export async function leaveOrganisation(
  ctx: ServiceContext,
  principal: SessionPrincipal,
  meta: RequestMeta,
): Promise<void> {
  const { tenantId, userId } = principal
  await withTenant(ctx.db, tenantId, async (trx) => {
    // The lock first: the role read next is then the one that counts.
    await lockMemberChanges(trx, tenantId)
    const self = await findMember(trx, tenantId, userId)
    if (!self) throw IdentityErrors.IDENTITY_USER_NOT_FOUND()
    if (self.role === 'owner') await assertKeepsAnOwner(trx, tenantId, userId)
    await removeAccount(trx, tenantId, userId, {
      reason: 'user_left',
      actor: { type: 'user', id: userId },
      meta,
    })
  })
}
