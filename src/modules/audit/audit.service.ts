// LOG-1: every action writes its audit event in the same transaction as the action, so nothing
// commits without its entry; failures that change nothing (a refused sign-in) get one of their own.
import type { RequestMeta } from '../../context.ts'
import type { DatabaseHandle } from '../../db/connection.ts'
import { type Trx, withAppRole, withPlatformAudit, withTenant } from '../../db/tenant.ts'
import { appendEntry, queuedLogs, sequenceBatch } from './audit.repository.ts'
import { type AuditEvent, PLATFORM_LOG, serializeEvent } from './events.ts'

/** Events integrated per sequencer transaction. */
export const SEQUENCE_BATCH = 1_000

/** Records an event in the tenant's log, inside the caller's withTenant transaction. */
export function recordEvent(trx: Trx, tenantId: string, event: AuditEvent): Promise<void> {
  return appendEntry(trx, tenantId, serializeEvent(event))
}

/** Records an event on its own, for actions that wrote nothing else (failures). */
export function recordEventAlone(
  handle: DatabaseHandle,
  tenantId: string,
  event: AuditEvent,
): Promise<void> {
  return withTenant(handle, tenantId, (trx) => recordEvent(trx, tenantId, event))
}

/** Records an event in the platform's own log (no tenant is known or involved). */
export function recordPlatformEvent(handle: DatabaseHandle, event: AuditEvent): Promise<void> {
  const serialized = serializeEvent(event)
  return withPlatformAudit(handle, (trx) => appendEntry(trx, PLATFORM_LOG, serialized))
}

/**
 * LOG-2: integrates queued events into their logs' trees, a batch per transaction, until none
 * are left (for one log, or every log with queued events). Returns how many it integrated.
 * Several nodes may run this at once: the head row lock makes them take turns per log.
 */
export async function sequencePending(
  handle: DatabaseHandle,
  tenantId?: string,
  batch: number = SEQUENCE_BATCH,
): Promise<number> {
  const logs = tenantId
    ? [tenantId]
    : await withAppRole(handle.db, handle.appRole, (trx) => queuedLogs(trx))
  let total = 0
  for (const log of logs) {
    for (;;) {
      const n = await withAppRole(handle.db, handle.appRole, (trx) =>
        sequenceBatch(trx, log, batch),
      )
      total += n
      if (n < batch) break
    }
  }
  return total
}

/** The source and request id of an event, from the request's facts. */
export function eventOrigin(meta: RequestMeta): Pick<AuditEvent, 'source' | 'requestId'> {
  return { source: { ip: meta.ip }, ...(meta.requestId ? { requestId: meta.requestId } : {}) }
}
