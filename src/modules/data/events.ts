// LOG-1, DATA-2: the audit event of a change a user made to a collection or a dashboard: ids,
// and the names of what changed, never values.
import type { RequestMeta } from '../../context.ts'
import { eventOrigin } from '../audit/audit.service.ts'
import type { AuditEvent } from '../audit/events.ts'
import { actorOf, type Principal } from '../identity/sessions.service.ts'

/** The event builder for changes to resources of `type`. */
export function changeEventsOf(type: string) {
  return (
    action: string,
    principal: Principal,
    id: string,
    meta: RequestMeta,
    fields?: string[],
  ): AuditEvent => ({
    category: 'data',
    action,
    outcome: 'success',
    actor: actorOf(principal),
    target: { type, id },
    ...(fields && fields.length > 0 ? { fields } : {}),
    ...eventOrigin(meta),
  })
}
