// LOG-1: the audit events of member changes: ids, roles and field names, never an address.
import type { RequestMeta } from '../../context.ts'
import { eventOrigin } from '../audit/audit.service.ts'
import type { AuditEvent } from '../audit/events.ts'
import type { UserRole } from './users.table.ts'

export function memberEvent(
  action: string,
  actor: AuditEvent['actor'],
  target: NonNullable<AuditEvent['target']>,
  meta: RequestMeta,
  extra: Pick<AuditEvent, 'reason' | 'fields'> = {},
): AuditEvent {
  return {
    category: 'iam',
    action,
    outcome: 'success',
    actor,
    target,
    ...extra,
    ...eventOrigin(meta),
  }
}

/** `user.role_change` with `from_to` as its reason (`admin_to_owner`), so alerts can match it. */
export function roleChangeEvent(
  actor: AuditEvent['actor'],
  userId: string,
  from: UserRole,
  to: UserRole,
  meta: RequestMeta,
): AuditEvent {
  return memberEvent('user.role_change', actor, { type: 'user', id: userId }, meta, {
    reason: `${from}_to_${to}`,
    fields: ['role'],
  })
}
