// LOG-1: every action writes its audit event in the same transaction as the action, so nothing
// commits without its entry; failures that change nothing (a refused sign-in) get one of their own.
import type { RequestMeta } from '../../context.ts'
import type { DatabaseHandle } from '../../db/connection.ts'
import { type Trx, withPlatformAudit, withTenant } from '../../db/tenant.ts'
import { appendEntry } from './audit.repository.ts'
import { type AuditEvent, PLATFORM_LOG, serializeEvent } from './events.ts'

/** Records an event in the tenant's log, inside the caller's withTenant transaction. */
export function recordEvent(trx: Trx, tenantId: string, event: AuditEvent): Promise<number> {
  return appendEntry(trx, tenantId, serializeEvent(event))
}

/** Records an event on its own, for actions that wrote nothing else (failures). */
export function recordEventAlone(
  handle: DatabaseHandle,
  tenantId: string,
  event: AuditEvent,
): Promise<number> {
  return withTenant(handle, tenantId, (trx) => recordEvent(trx, tenantId, event))
}

/** Records an event in the platform's own log (no tenant is known or involved). */
export function recordPlatformEvent(handle: DatabaseHandle, event: AuditEvent): Promise<number> {
  const serialized = serializeEvent(event)
  return withPlatformAudit(handle, (trx) => appendEntry(trx, PLATFORM_LOG, serialized))
}

/** The source and request id of an event, from the request's facts. */
export function eventOrigin(meta: RequestMeta): Pick<AuditEvent, 'source' | 'requestId'> {
  return { source: { ip: meta.ip }, ...(meta.requestId ? { requestId: meta.requestId } : {}) }
}
